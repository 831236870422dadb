// The functions applied to a window's contents when it fires: ProcessWindowFunction (with context,
// per-window and global state, side outputs) and the simpler WindowFunction, for keyed and
// non-keyed (windowAll) streams.
import type {
  AggregatingState,
  AggregatingStateDescriptor,
  ListState,
  ListStateDescriptor,
  MapState,
  MapStateDescriptor,
  ReducingState,
  ReducingStateDescriptor,
  ValueState,
  ValueStateDescriptor,
} from '../../state/index.ts';
import { AbstractRichFunction, type RichFunction } from '../functions.ts';
import type { OutputTag } from '../output-tag.ts';
import type { Collector } from '../runtime-context.ts';
import type { Window } from './window.ts';

/**
 * Keyed state of the current key, scoped to a window or global (Flink's KeyedStateStore).
 *
 * @example
 * const fires = ctx.windowState().getState(new ValueStateDescriptor<number>('fires'));
 */
export interface KeyedStateStore {
  getState<T>(descriptor: ValueStateDescriptor<T>): ValueState<T>;
  getListState<T>(descriptor: ListStateDescriptor<T>): ListState<T>;
  getReducingState<T>(descriptor: ReducingStateDescriptor<T>): ReducingState<T>;
  getAggregatingState<IN, ACC, OUT>(
    descriptor: AggregatingStateDescriptor<IN, ACC, OUT>,
  ): AggregatingState<IN, OUT>;
  getMapState<K, V>(descriptor: MapStateDescriptor<K, V>): MapState<K, V>;
}

/**
 * What a window function sees besides the elements.
 *
 * @example
 * process(key: string, ctx: ProcessWindowContext<TimeWindow>, es: readonly Click[], out: Collector<string>) {
 *   out.collect(`${key} [${ctx.window.start}, ${ctx.window.end}) at watermark ${ctx.currentWatermark()}`);
 * }
 */
export interface ProcessWindowContext<W extends Window> {
  /** The window being evaluated (`{ start, end }` for time windows, end exclusive). */
  readonly window: W;
  currentProcessingTime(): number;
  currentWatermark(): number;
  /**
   * State of the current key and window; clean it up in `clear()`. Not available for merging
   * (session) windows.
   */
  windowState(): KeyedStateStore;
  /** State of the current key across all its windows. */
  globalState(): KeyedStateStore;
  /** Emits to a side output (with the window's max timestamp). */
  output<X>(tag: OutputTag<X>, value: X): void;
}

/**
 * Processes all elements of a window of one key (Flink's ProcessWindowFunction). Extend the class
 * or pass an object with `process` (and optionally `clear`, `open`, `close`).
 *
 * @example
 * class CountPerWindow extends ProcessWindowFunction<Click, string, string, TimeWindow> {
 *   process(user: string, ctx: ProcessWindowContext<TimeWindow>, clicks: readonly Click[], out: Collector<string>) {
 *     out.collect(`${user}: ${clicks.length} clicks in [${ctx.window.start}, ${ctx.window.end})`);
 *   }
 * }
 */
export abstract class ProcessWindowFunction<IN, OUT, KEY, W extends Window> extends AbstractRichFunction {
  abstract process(
    key: KEY,
    context: ProcessWindowContext<W>,
    elements: readonly IN[],
    out: Collector<OUT>,
  ): void;
  /** The window is being removed (its lateness is over): clean up its window state here. */
  clear(_context: ProcessWindowContext<W>): void {}
}

/**
 * A ProcessWindowFunction class instance or a plain object with the same methods.
 *
 * @example
 * const fn: ProcessWindowFunctionLike<number, number, string, TimeWindow> = { process: (_k, _c, vs, out) => out.collect(vs.length) };
 */
export type ProcessWindowFunctionLike<IN, OUT, KEY, W extends Window> =
  | ProcessWindowFunction<IN, OUT, KEY, W>
  | (RichFunction & {
      process(key: KEY, context: ProcessWindowContext<W>, elements: readonly IN[], out: Collector<OUT>): void;
      clear?(context: ProcessWindowContext<W>): void;
    });

/**
 * Processes all elements of a window of a non-keyed stream (`windowAll`).
 *
 * @example
 * class Total extends ProcessAllWindowFunction<number, number, TimeWindow> {
 *   process(ctx: ProcessWindowContext<TimeWindow>, values: readonly number[], out: Collector<number>) {
 *     out.collect(values.reduce((a, b) => a + b, 0));
 *   }
 * }
 */
export abstract class ProcessAllWindowFunction<IN, OUT, W extends Window> extends AbstractRichFunction {
  abstract process(context: ProcessWindowContext<W>, elements: readonly IN[], out: Collector<OUT>): void;
  clear(_context: ProcessWindowContext<W>): void {}
}

/**
 * A ProcessAllWindowFunction class instance or a plain object with the same methods.
 *
 * @example
 * const fn: ProcessAllWindowFunctionLike<number, number, TimeWindow> = { process: (_c, vs, out) => out.collect(vs.length) };
 */
export type ProcessAllWindowFunctionLike<IN, OUT, W extends Window> =
  | ProcessAllWindowFunction<IN, OUT, W>
  | (RichFunction & {
      process(context: ProcessWindowContext<W>, elements: readonly IN[], out: Collector<OUT>): void;
      clear?(context: ProcessWindowContext<W>): void;
    });

/**
 * The simple window function (Flink's WindowFunction): key, window, elements, collector.
 *
 * @example
 * const fn: WindowFunction<number, string, string, TimeWindow> = (key, window, values, out) =>
 *   out.collect(`${key}@${window.start}: ${values.length}`);
 */
export type WindowFunction<IN, OUT, KEY, W extends Window> =
  | ((key: KEY, window: W, input: readonly IN[], out: Collector<OUT>) => void)
  | (RichFunction & { apply(key: KEY, window: W, input: readonly IN[], out: Collector<OUT>): void });

/**
 * The simple window function of a non-keyed stream (Flink's AllWindowFunction).
 *
 * @example
 * const fn: AllWindowFunction<number, number, TimeWindow> = (window, values, out) => out.collect(values.length);
 */
export type AllWindowFunction<IN, OUT, W extends Window> =
  | ((window: W, input: readonly IN[], out: Collector<OUT>) => void)
  | (RichFunction & { apply(window: W, input: readonly IN[], out: Collector<OUT>): void });
