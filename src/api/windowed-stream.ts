// WindowedStream: a keyed stream cut into windows (KeyedStream.window / countWindow). Configure the
// trigger, evictor, allowed lateness and late-data side output, then reduce, aggregate or process
// each window. Fluent calls return new objects; the operator is created in every subtask.
import { describeValue, IllegalArgumentError } from '../core/index.ts';
import {
  type AllWindowFunction,
  CountEvictor,
  CountTrigger,
  type Evictor,
  type GlobalWindow,
  GlobalWindows,
  isMergingWindowAssigner,
  OutputTag,
  ProcessAllWindowFunction,
  type ProcessAllWindowFunctionLike,
  ProcessWindowFunction,
  type ProcessWindowFunctionLike,
  PurgingTrigger,
  type Trigger,
  type Window,
  type WindowAssigner,
  type WindowFunction,
} from '../functions/index.ts';
import {
  createWindowOperator,
  type InternalWindowFunction,
  type WindowAggregation,
  type WindowOperatorSpec,
} from '../runtime/index.ts';
import type { AggregateFunction, ReduceFunction } from '../state/index.ts';
import { type DataStream, type KeyedStream, operatorFactory } from './data-stream.ts';

/** @internal fails unless `fn` is a function or an object with `method`. */
export function checkFunctionArg(what: string, fn: unknown, method: string, allowFunction = true): void {
  const isObject =
    fn !== null && typeof fn === 'object' && typeof (fn as Record<string, unknown>)[method] === 'function';
  if (isObject || (allowFunction && typeof fn === 'function')) return;
  throw new IllegalArgumentError(
    `${what}: expected ${allowFunction ? 'a function or ' : ''}an object with ${method}(), got ${describeValue(fn)}`,
  );
}

/** @internal validates a positive count (count windows). */
export function checkPositiveCount(what: string, name: string, value: number): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new IllegalArgumentError(
      `${what}: ${name} must be a positive integer, got ${describeValue(value)}`,
    );
  }
}

/** @internal the configuration of windows, shared by keyed, non-keyed and joined windows. */
export interface WindowConfig {
  readonly assigner: WindowAssigner<unknown, Window>;
  readonly trigger: Trigger<unknown, Window> | undefined;
  readonly evictor: Evictor<unknown, Window> | undefined;
  readonly allowedLateness: number;
  readonly lateDataTag: OutputTag<unknown> | undefined;
}

/** @internal validates and returns a window config with a new assigner. */
export function windowConfig(what: string, assigner: unknown): WindowConfig {
  const a = assigner as Partial<WindowAssigner<unknown, Window>> | null;
  if (
    a === null ||
    typeof a !== 'object' ||
    typeof a.assignWindows !== 'function' ||
    typeof a.getDefaultTrigger !== 'function' ||
    typeof a.getWindowSerializer !== 'function' ||
    typeof a.isEventTime !== 'function'
  ) {
    throw new IllegalArgumentError(
      `${what}: expected a WindowAssigner (e.g. TumblingEventTimeWindows.of(60_000)), got ${describeValue(assigner)}`,
    );
  }
  return Object.freeze({
    assigner: a as WindowAssigner<unknown, Window>,
    trigger: undefined,
    evictor: undefined,
    allowedLateness: 0,
    lateDataTag: undefined,
  });
}

/** @internal the config with a trigger (merging assigners need a trigger that can merge). */
export function withTrigger(config: WindowConfig, trigger: unknown): WindowConfig {
  const t = trigger as Partial<Trigger<unknown, Window>> | null;
  if (
    t === null ||
    typeof t !== 'object' ||
    typeof t.onElement !== 'function' ||
    typeof t.onEventTime !== 'function' ||
    typeof t.onProcessingTime !== 'function' ||
    typeof t.clear !== 'function'
  ) {
    throw new IllegalArgumentError(`trigger(): expected a Trigger, got ${describeValue(trigger)}`);
  }
  if (isMergingWindowAssigner(config.assigner) && !(t.canMerge?.() ?? false)) {
    throw new IllegalArgumentError(
      `trigger(): ${String(trigger)} does not support merging windows, so it cannot be used with the merging assigner ${config.assigner}`,
    );
  }
  return Object.freeze({ ...config, trigger: t as Trigger<unknown, Window> });
}

/** @internal the config with an evictor. */
export function withEvictor(config: WindowConfig, evictor: unknown): WindowConfig {
  const e = evictor as Partial<Evictor<unknown, Window>> | null;
  if (
    e === null ||
    typeof e !== 'object' ||
    typeof e.evictBefore !== 'function' ||
    typeof e.evictAfter !== 'function'
  ) {
    throw new IllegalArgumentError(`evictor(): expected an Evictor, got ${describeValue(evictor)}`);
  }
  return Object.freeze({ ...config, evictor: e as Evictor<unknown, Window> });
}

/** @internal the config with an allowed lateness. */
export function withAllowedLateness(config: WindowConfig, lateness: number): WindowConfig {
  if (typeof lateness !== 'number' || !Number.isSafeInteger(lateness) || lateness < 0) {
    throw new IllegalArgumentError(
      `allowedLateness(): expected a non-negative integer number of milliseconds, got ${describeValue(lateness)}`,
    );
  }
  return Object.freeze({ ...config, allowedLateness: lateness });
}

/** @internal the config with a late-data side output. */
export function withLateDataTag(config: WindowConfig, tag: unknown): WindowConfig {
  if (!(tag instanceof OutputTag)) {
    throw new IllegalArgumentError(`sideOutputLateData(): expected an OutputTag, got ${describeValue(tag)}`);
  }
  return Object.freeze({ ...config, lateDataTag: tag as OutputTag<unknown> });
}

function hasOwnClear(fn: { clear?: unknown }): boolean {
  return (
    typeof fn.clear === 'function' &&
    fn.clear !== ProcessWindowFunction.prototype.clear &&
    fn.clear !== ProcessAllWindowFunction.prototype.clear
  );
}

/** A window function adapted for the operator, and the user's object to open and close. */
export interface AdaptedWindowFunction {
  readonly fn: InternalWindowFunction;
  readonly user: unknown;
}

/** @internal adapts a ProcessWindowFunction (keyed). */
export function adaptProcessWindowFunction(what: string, fn: unknown): AdaptedWindowFunction {
  checkFunctionArg(what, fn, 'process', false);
  const f = fn as ProcessWindowFunctionLike<unknown, unknown, unknown, Window>;
  const adapted: InternalWindowFunction = { process: (k, ctx, es, out) => f.process(k, ctx, es, out) };
  if (hasOwnClear(f)) adapted.clear = (ctx) => f.clear!(ctx);
  return { fn: adapted, user: fn };
}

/** @internal adapts a ProcessAllWindowFunction (windowAll): the key is not passed on. */
export function adaptProcessAllWindowFunction(what: string, fn: unknown): AdaptedWindowFunction {
  checkFunctionArg(what, fn, 'process', false);
  const f = fn as ProcessAllWindowFunctionLike<unknown, unknown, Window>;
  const adapted: InternalWindowFunction = { process: (_k, ctx, es, out) => f.process(ctx, es, out) };
  if (hasOwnClear(f)) adapted.clear = (ctx) => f.clear!(ctx);
  return { fn: adapted, user: fn };
}

/** @internal adapts a WindowFunction (`apply(key, window, input, out)`). */
export function adaptWindowFunction(what: string, fn: unknown): AdaptedWindowFunction {
  checkFunctionArg(what, fn, 'apply');
  const f = fn as WindowFunction<unknown, unknown, unknown, Window>;
  const apply = typeof f === 'function' ? f : f.apply.bind(f);
  return { fn: { process: (k, ctx, es, out) => apply(k, ctx.window, es, out) }, user: fn };
}

/** @internal adapts an AllWindowFunction (`apply(window, input, out)`). */
export function adaptAllWindowFunction(what: string, fn: unknown): AdaptedWindowFunction {
  checkFunctionArg(what, fn, 'apply');
  const f = fn as AllWindowFunction<unknown, unknown, Window>;
  const apply = typeof f === 'function' ? f : f.apply.bind(f);
  return { fn: { process: (_k, ctx, es, out) => apply(ctx.window, es, out) }, user: fn };
}

/** @internal a reduce function as a plain function. */
export function reduceFunction(what: string, fn: unknown): (a: unknown, b: unknown) => unknown {
  checkFunctionArg(what, fn, 'reduce');
  const f = fn as ReduceFunction<unknown>;
  return typeof f === 'function' ? f : (a, b) => f.reduce(a, b);
}

/** @internal validates an AggregateFunction (with merge() when windows merge). */
export function checkAggregateFunction(what: string, fn: unknown, config: WindowConfig): void {
  const f = fn as Partial<AggregateFunction<unknown, unknown, unknown>> | null;
  if (
    f === null ||
    typeof f !== 'object' ||
    typeof f.createAccumulator !== 'function' ||
    typeof f.add !== 'function' ||
    typeof f.getResult !== 'function'
  ) {
    throw new IllegalArgumentError(
      `${what}: expected an AggregateFunction with createAccumulator(), add(), getResult() (and merge()), got ${describeValue(fn)}`,
    );
  }
  if (isMergingWindowAssigner(config.assigner) && typeof f.merge !== 'function') {
    throw new IllegalArgumentError(
      `${what}: ${config.assigner} merges windows, so the AggregateFunction needs merge(a, b)`,
    );
  }
}

/** @internal the operator name, after Flink's `Window(assigner, trigger, function)`. */
export function windowOperatorName(config: WindowConfig, fn: string): string {
  const trigger = config.trigger ?? config.assigner.getDefaultTrigger();
  const evicting = config.evictor !== undefined;
  const parts = [String(config.assigner), String(trigger)];
  if (evicting) parts.push(String(config.evictor));
  parts.push(fn);
  return `${evicting ? 'EvictingWindow' : 'Window'}(${parts.join(', ')})`;
}

/** @internal the spec of a window operator. */
export function windowOperatorSpec(
  config: WindowConfig,
  aggregation: WindowAggregation,
  fn: AdaptedWindowFunction | undefined,
): WindowOperatorSpec {
  return Object.freeze({
    ...config,
    aggregation,
    windowFunction: fn?.fn,
    userFunction: fn?.user,
  });
}

/** @internal names a user function for the operator name. */
export function functionName(fn: unknown, fallback: string): string {
  if (fn === null || fn === undefined) return fallback;
  if (typeof fn === 'function') return fn.name === '' ? fallback : fn.name;
  const name = (fn as object).constructor?.name;
  return name === undefined || name === 'Object' ? fallback : name;
}

/** The second argument of reduce()/aggregate(): a ProcessWindowFunction or a WindowFunction. */
type WindowFunctionArg<IN, OUT, KEY, W extends Window> =
  | ProcessWindowFunctionLike<IN, OUT, KEY, W>
  | WindowFunction<IN, OUT, KEY, W>;

function adaptWindowFunctionArg(what: string, fn: unknown): AdaptedWindowFunction {
  if (fn !== null && typeof fn === 'object' && typeof (fn as { process?: unknown }).process === 'function') {
    return adaptProcessWindowFunction(what, fn);
  }
  return adaptWindowFunction(what, fn);
}

/**
 * A keyed stream cut into windows (Flink's WindowedStream).
 *
 * @example
 * clicks
 *   .keyBy((c) => c.page)
 *   .window(TumblingEventTimeWindows.of(60_000))
 *   .allowedLateness(10_000)
 *   .sideOutputLateData(lateClicks)
 *   .aggregate(countClicks, new LabelWithWindow());
 */
export class WindowedStream<T, K, W extends Window> {
  readonly #input: KeyedStream<T, K>;
  readonly #config: WindowConfig;

  /** @internal use KeyedStream.window() */
  constructor(input: KeyedStream<T, K>, config: WindowConfig) {
    this.#input = input;
    this.#config = config;
  }

  /** @internal KeyedStream.window(assigner). */
  static of<T, K, W extends Window>(
    input: KeyedStream<T, K>,
    assigner: WindowAssigner<T, W>,
  ): WindowedStream<T, K, W> {
    return new WindowedStream(input, windowConfig('window()', assigner));
  }

  /** @internal KeyedStream.countWindow(size, slide). */
  static count<T, K>(
    input: KeyedStream<T, K>,
    size: number,
    slide?: number,
  ): WindowedStream<T, K, GlobalWindow> {
    checkPositiveCount('countWindow()', 'size', size);
    const windowed = WindowedStream.of<T, K, GlobalWindow>(input, GlobalWindows.create());
    if (slide === undefined) return windowed.trigger(PurgingTrigger.of(CountTrigger.of(size)));
    checkPositiveCount('countWindow()', 'slide', slide);
    return windowed.evictor(CountEvictor.of(size)).trigger(CountTrigger.of(slide));
  }

  /** Sets when windows are evaluated (replaces the assigner's default trigger). */
  trigger(trigger: Trigger<T, W>): WindowedStream<T, K, W> {
    return new WindowedStream(this.#input, withTrigger(this.#config, trigger));
  }

  /** Removes elements from a window before and/or after its function runs. */
  evictor(evictor: Evictor<T, W>): WindowedStream<T, K, W> {
    return new WindowedStream(this.#input, withEvictor(this.#config, evictor));
  }

  /**
   * Keeps event-time windows for `lateness` ms after the watermark passes their end: late elements
   * are still added and fire the window again. Later elements are dropped (or sent to the
   * sideOutputLateData tag).
   */
  allowedLateness(lateness: number): WindowedStream<T, K, W> {
    return new WindowedStream(this.#input, withAllowedLateness(this.#config, lateness));
  }

  /** Sends elements that arrive after their windows' lateness to this side output. */
  sideOutputLateData(tag: OutputTag<T>): WindowedStream<T, K, W> {
    return new WindowedStream(this.#input, withLateDataTag(this.#config, tag));
  }

  /**
   * Reduces each window incrementally (one value kept per window); the optional window function
   * receives the reduced value with the window. For sliding windows, partial results are shared
   * between windows: the function must not modify its arguments.
   */
  reduce(fn: ReduceFunction<T>): DataStream<T>;
  reduce<R>(fn: ReduceFunction<T>, windowFunction: WindowFunctionArg<T, R, K, W>): DataStream<R>;
  reduce<R>(fn: ReduceFunction<T>, windowFunction?: WindowFunctionArg<T, R, K, W>): DataStream<R> {
    const reduce = reduceFunction('reduce()', fn);
    const adapted =
      windowFunction === undefined ? undefined : adaptWindowFunctionArg('reduce()', windowFunction);
    return this.#build(
      { kind: 'reduce', reduce },
      adapted,
      functionName(fn, 'reduce') +
        (windowFunction === undefined ? '' : `, ${functionName(windowFunction, 'window function')}`),
    );
  }

  /**
   * Aggregates each window incrementally with an AggregateFunction (one accumulator per window);
   * the optional window function receives the result with the window. Sliding windows share
   * partial aggregates when the function has merge(): merge(a, b) may update a but not b.
   */
  aggregate<ACC, V>(fn: AggregateFunction<T, ACC, V>): DataStream<V>;
  aggregate<ACC, V, R>(
    fn: AggregateFunction<T, ACC, V>,
    windowFunction: WindowFunctionArg<V, R, K, W>,
  ): DataStream<R>;
  aggregate<ACC, V, R>(
    fn: AggregateFunction<T, ACC, V>,
    windowFunction?: WindowFunctionArg<V, R, K, W>,
  ): DataStream<R> {
    checkAggregateFunction('aggregate()', fn, this.#config);
    const adapted =
      windowFunction === undefined ? undefined : adaptWindowFunctionArg('aggregate()', windowFunction);
    return this.#build(
      { kind: 'aggregate', aggregate: fn as AggregateFunction<unknown, unknown, unknown> },
      adapted,
      functionName(fn, 'aggregate') +
        (windowFunction === undefined ? '' : `, ${functionName(windowFunction, 'window function')}`),
    );
  }

  /** Evaluates each window with all its elements (kept until the window is evaluated). */
  process<R>(fn: ProcessWindowFunctionLike<T, R, K, W>): DataStream<R> {
    return this.#build(
      { kind: 'process' },
      adaptProcessWindowFunction('process()', fn),
      functionName(fn, 'process'),
    );
  }

  /** Evaluates each window with a WindowFunction `(key, window, elements, out)`. */
  apply<R>(fn: WindowFunction<T, R, K, W>): DataStream<R> {
    return this.#build({ kind: 'process' }, adaptWindowFunction('apply()', fn), functionName(fn, 'apply'));
  }

  #build<R>(
    aggregation: WindowAggregation,
    fn: AdaptedWindowFunction | undefined,
    fnName: string,
  ): DataStream<R> {
    const spec = windowOperatorSpec(this.#config, aggregation, fn);
    return this.#input.transform<R>(
      windowOperatorName(this.#config, fnName),
      operatorFactory('window', () => createWindowOperator(spec)),
    );
  }
}
