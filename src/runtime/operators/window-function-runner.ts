// Runs the window function of a window operator: builds its context (window, time, per-window and
// global state, side outputs), emits with the window's max timestamp, and turns a throwing
// function into a job failure that names the operator, the key and the window.
import { describeValue, IllegalArgumentError, StreamRecord } from '../../core/index.ts';
import type {
  Collector,
  KeyedStateStore,
  OutputTag,
  ProcessWindowContext,
  Window,
  WindowSerializer,
} from '../../functions/index.ts';
import { VOID_NAMESPACE } from '../../state/index.ts';
import { NamespacedStateViews } from './namespaced-state-views.ts';
import { type OperatorContext, operatorError, TimestampedCollector } from './stream-operator.ts';

/**
 * The window function as the operators call it: the API adapts ProcessWindowFunction,
 * WindowFunction, their windowAll variants and join functions to this shape. `elements` is the
 * window's contents, or the one reduced/aggregated value. (The user's own function object is
 * opened and closed separately, see `userFunction` of the specs.)
 */
export interface InternalWindowFunction {
  process(
    key: unknown,
    context: ProcessWindowContext<Window>,
    elements: readonly unknown[],
    out: Collector<unknown>,
  ): void;
  /** Called when a window is removed; absent when the user function has no clear(). */
  clear?(context: ProcessWindowContext<Window>): void;
}

/** What the runner needs from its operator. */
export interface WindowFunctionHost {
  readonly ctx: OperatorContext;
  currentWatermark(): number;
  sideOutput(tag: OutputTag<unknown>, value: unknown, timestamp: number | undefined): void;
}

/** Emits window results through the window function (or as they are, without one). */
export class WindowFunctionRunner {
  readonly #host: WindowFunctionHost;
  readonly #fn: InternalWindowFunction | undefined;
  readonly #out = new StreamRecord<unknown>(undefined);
  readonly #collector: TimestampedCollector<unknown>;
  readonly #context: ProcessWindowContext<Window> & { window: Window };

  constructor(
    host: WindowFunctionHost,
    fn: InternalWindowFunction | undefined,
    serializer: WindowSerializer<Window>,
    merging: boolean,
  ) {
    this.#host = host;
    this.#fn = fn;
    this.#collector = new TimestampedCollector(host.ctx.output, this.#out);
    const backend = host.ctx.keyedBackend;
    if (backend === undefined) {
      throw new IllegalArgumentError(`operator "${host.ctx.operatorName}": windows need a keyed stream`);
    }
    let windowStore: KeyedStateStore | undefined;
    let globalStore: KeyedStateStore | undefined;
    const context: ProcessWindowContext<Window> & { window: Window } = {
      window: undefined as unknown as Window,
      currentProcessingTime: () => host.ctx.processingTime.now(),
      currentWatermark: () => host.currentWatermark(),
      windowState: () => {
        if (merging) {
          throw new IllegalArgumentError(
            `operator "${host.ctx.operatorName}": windowState() is not available for merging (session) windows; use globalState()`,
          );
        }
        windowStore ??= new NamespacedStateViews(backend, () =>
          serializer.toNamespace(context.window),
        ).store();
        return windowStore;
      },
      globalState: () => {
        globalStore ??= new NamespacedStateViews(backend, () => VOID_NAMESPACE).store();
        return globalStore;
      },
      output: <X>(tag: OutputTag<X>, value: X) =>
        host.sideOutput(tag as OutputTag<unknown>, value, context.window.maxTimestamp()),
    };
    this.#context = context;
  }

  /** True when the window function wants to hear about removed windows. */
  get hasClear(): boolean {
    return this.#fn?.clear !== undefined;
  }

  /** Evaluates a window of `key`: its results carry the window's max timestamp. */
  emit(key: unknown, window: Window, elements: readonly unknown[]): void {
    this.#out.timestamp = window.maxTimestamp();
    this.#out.kind = 0;
    this.#context.window = window;
    try {
      const fn = this.#fn;
      if (fn === undefined) for (const e of elements) this.#collector.collect(e);
      else fn.process(key, this.#context, elements, this.#collector);
    } catch (e) {
      throw this.#error(e, 'window function', key, window);
    }
  }

  /** Tells the window function that `window` of `key` is removed. */
  clear(key: unknown, window: Window): void {
    const fn = this.#fn;
    if (fn?.clear === undefined) return;
    this.#context.window = window;
    try {
      fn.clear(this.#context);
    } catch (e) {
      throw this.#error(e, 'clear() of the window function', key, window);
    }
  }

  #error(e: unknown, what: string, key: unknown, window: Window): Error {
    return operatorError(this.#host.ctx, e, `${what} for window ${window} of key ${describeValue(key)}`);
  }
}
