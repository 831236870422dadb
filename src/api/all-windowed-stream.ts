// AllWindowedStream: windows over a whole (non-keyed) stream (DataStream.windowAll / countWindowAll).
// As in Flink, every element goes to one key in a single, non-parallel window operator.
import {
  type AllWindowFunction,
  CountEvictor,
  CountTrigger,
  type Evictor,
  type GlobalWindow,
  GlobalWindows,
  type OutputTag,
  type ProcessAllWindowFunctionLike,
  PurgingTrigger,
  type Trigger,
  type Window,
  type WindowAssigner,
} from '../functions/index.ts';
import type { KeySelectorFunction } from '../plan/index.ts';
import { createWindowOperator, type WindowAggregation } from '../runtime/index.ts';
import type { AggregateFunction, ReduceFunction } from '../state/index.ts';
import { DataStream, operatorFactory } from './data-stream.ts';
import {
  type AdaptedWindowFunction,
  adaptAllWindowFunction,
  adaptProcessAllWindowFunction,
  checkAggregateFunction,
  checkPositiveCount,
  functionName,
  reduceFunction,
  type WindowConfig,
  windowConfig,
  windowOperatorName,
  windowOperatorSpec,
  withAllowedLateness,
  withEvictor,
  withLateDataTag,
  withTrigger,
} from './windowed-stream.ts';

/** Every element of a windowAll stream has this key. */
const ALL: KeySelectorFunction = () => 0;

type AllWindowFunctionArg<IN, OUT, W extends Window> =
  | ProcessAllWindowFunctionLike<IN, OUT, W>
  | AllWindowFunction<IN, OUT, W>;

function adaptArg(what: string, fn: unknown): AdaptedWindowFunction {
  if (fn !== null && typeof fn === 'object' && typeof (fn as { process?: unknown }).process === 'function') {
    return adaptProcessAllWindowFunction(what, fn);
  }
  return adaptAllWindowFunction(what, fn);
}

/**
 * A non-keyed stream cut into windows (Flink's AllWindowedStream); evaluated by one subtask.
 *
 * @example
 * env.fromCollection(readings)
 *   .assignTimestampsAndWatermarks(strategy)
 *   .windowAll(TumblingEventTimeWindows.of(60_000))
 *   .reduce((a, b) => (a.value > b.value ? a : b));
 */
export class AllWindowedStream<T, W extends Window> {
  readonly #input: DataStream<T>;
  readonly #config: WindowConfig;

  /** @internal use DataStream.windowAll() */
  constructor(input: DataStream<T>, config: WindowConfig) {
    this.#input = input;
    this.#config = config;
  }

  /** @internal DataStream.windowAll(assigner). */
  static of<T, W extends Window>(
    input: DataStream<T>,
    assigner: WindowAssigner<T, W>,
  ): AllWindowedStream<T, W> {
    return new AllWindowedStream(input, windowConfig('windowAll()', assigner));
  }

  /** @internal DataStream.countWindowAll(size, slide). */
  static count<T>(input: DataStream<T>, size: number, slide?: number): AllWindowedStream<T, GlobalWindow> {
    checkPositiveCount('countWindowAll()', 'size', size);
    const windowed = AllWindowedStream.of<T, GlobalWindow>(input, GlobalWindows.create());
    if (slide === undefined) return windowed.trigger(PurgingTrigger.of(CountTrigger.of(size)));
    checkPositiveCount('countWindowAll()', 'slide', slide);
    return windowed.evictor(CountEvictor.of(size)).trigger(CountTrigger.of(slide));
  }

  /** Sets when windows are evaluated. */
  trigger(trigger: Trigger<T, W>): AllWindowedStream<T, W> {
    return new AllWindowedStream(this.#input, withTrigger(this.#config, trigger));
  }

  /** Removes elements from a window before and/or after its function runs. */
  evictor(evictor: Evictor<T, W>): AllWindowedStream<T, W> {
    return new AllWindowedStream(this.#input, withEvictor(this.#config, evictor));
  }

  /** Keeps event-time windows for `lateness` ms after their end for late elements. */
  allowedLateness(lateness: number): AllWindowedStream<T, W> {
    return new AllWindowedStream(this.#input, withAllowedLateness(this.#config, lateness));
  }

  /** Sends elements that arrive after their windows' lateness to this side output. */
  sideOutputLateData(tag: OutputTag<T>): AllWindowedStream<T, W> {
    return new AllWindowedStream(this.#input, withLateDataTag(this.#config, tag));
  }

  /** Reduces each window incrementally; the optional window function receives the result. */
  reduce(fn: ReduceFunction<T>): DataStream<T>;
  reduce<R>(fn: ReduceFunction<T>, windowFunction: AllWindowFunctionArg<T, R, W>): DataStream<R>;
  reduce<R>(fn: ReduceFunction<T>, windowFunction?: AllWindowFunctionArg<T, R, W>): DataStream<R> {
    const reduce = reduceFunction('reduce()', fn);
    const adapted = windowFunction === undefined ? undefined : adaptArg('reduce()', windowFunction);
    return this.#build({ kind: 'reduce', reduce }, adapted, functionName(fn, 'reduce'));
  }

  /** Aggregates each window incrementally; the optional window function receives the result. */
  aggregate<ACC, V>(fn: AggregateFunction<T, ACC, V>): DataStream<V>;
  aggregate<ACC, V, R>(
    fn: AggregateFunction<T, ACC, V>,
    windowFunction: AllWindowFunctionArg<V, R, W>,
  ): DataStream<R>;
  aggregate<ACC, V, R>(
    fn: AggregateFunction<T, ACC, V>,
    windowFunction?: AllWindowFunctionArg<V, R, W>,
  ): DataStream<R> {
    checkAggregateFunction('aggregate()', fn, this.#config);
    const adapted = windowFunction === undefined ? undefined : adaptArg('aggregate()', windowFunction);
    return this.#build(
      { kind: 'aggregate', aggregate: fn as AggregateFunction<unknown, unknown, unknown> },
      adapted,
      functionName(fn, 'aggregate'),
    );
  }

  /** Evaluates each window with all its elements. */
  process<R>(fn: ProcessAllWindowFunctionLike<T, R, W>): DataStream<R> {
    return this.#build(
      { kind: 'process' },
      adaptProcessAllWindowFunction('process()', fn),
      functionName(fn, 'process'),
    );
  }

  /** Evaluates each window with an AllWindowFunction `(window, elements, out)`. */
  apply<R>(fn: AllWindowFunction<T, R, W>): DataStream<R> {
    return this.#build({ kind: 'process' }, adaptAllWindowFunction('apply()', fn), functionName(fn, 'apply'));
  }

  #build<R>(
    aggregation: WindowAggregation,
    fn: AdaptedWindowFunction | undefined,
    fnName: string,
  ): DataStream<R> {
    const spec = windowOperatorSpec(this.#config, aggregation, fn);
    const keyed = this.#input.keyBy(ALL as (v: T) => number);
    const env = this.#input.env;
    return new DataStream<R>(env, {
      kind: 'one-input',
      id: env.nextTransformationId(),
      name: windowOperatorName(this.#config, fnName).replace(/^(Evicting)?Window/, '$1AllWindow'),
      uid: undefined,
      parallelism: undefined,
      maxParallelism: undefined,
      chaining: 'always',
      input: keyed.transformation,
      factory: operatorFactory('window-all', () => createWindowOperator(spec)),
      keySelector: ALL,
      isSink: false,
      fixedParallelism: 1,
    });
  }
}
