// The DataStream API facade: fluent calls record transformations; nothing runs until execute().
// DataStream and KeyedStream live together because KeyedStream extends DataStream and DataStream
// creates KeyedStreams (one module avoids an import cycle through a class declaration).
import { PrintSink } from '../connectors/index.ts';
import { describeValue, IllegalArgumentError } from '../core/index.ts';
import {
  type FilterFunction,
  type FlatMapFunction,
  type GlobalWindow,
  KeyedProcessFunction,
  type KeySelector,
  type MapFunction,
  OutputTag,
  type Partitioner,
  ProcessFunction,
  type Sink,
  WatermarkStrategy,
  type Window,
  type WindowAssigner,
} from '../functions/index.ts';
import type {
  ChainingStrategy,
  KeySelectorFunction,
  OperatorFactory,
  PartitionerSpec,
  Transformation,
} from '../plan/index.ts';
import {
  CollectSinkOperator,
  ProcessOperator,
  SinkWriterOperator,
  StreamFilterOperator,
  StreamFlatMapOperator,
  StreamGroupedReduceOperator,
  StreamMapOperator,
  type StreamOperator,
  TimestampsAndWatermarksOperator,
} from '../runtime/index.ts';
import type { MapStateDescriptor, ReduceFunction } from '../state/index.ts';
import { AllWindowedStream } from './all-windowed-stream.ts';
import { CoGroupedStreams, JoinedStreams } from './co-grouped-streams.ts';
import { BroadcastStream, ConnectedStreams } from './connected-streams.ts';
import { IntervalJoin } from './interval-join.ts';
import type { StreamExecutionEnvironment } from './stream-execution-environment.ts';
import { WindowedStream } from './windowed-stream.ts';

/** Builds an operator factory from a kind and a constructor call. */
export function operatorFactory(
  operatorKind: string,
  create: () => StreamOperator,
): OperatorFactory & { createOperator(): StreamOperator } {
  return { operatorKind, createOperator: create };
}

function checkFunction(what: string, fn: unknown, method: string): void {
  const ok =
    typeof fn === 'function' ||
    (fn !== null && typeof fn === 'object' && typeof (fn as Record<string, unknown>)[method] === 'function');
  if (!ok)
    throw new IllegalArgumentError(
      `${what}: expected a function or an object with ${method}(), got ${describeValue(fn)}`,
    );
}

/** Normalizes a KeySelector to a function. */
export function keySelectorFunction<T, K>(selector: KeySelector<T, K>): (value: T) => K {
  checkFunction('keyBy()', selector, 'getKey');
  return typeof selector === 'function' ? selector : (v: T) => selector.getKey(v);
}

/**
 * A stream of records of type T.
 *
 * @example
 * env.fromElements('a b', 'c').flatMap((line) => line.split(' ')).map((w) => w.toUpperCase()).print();
 */
export class DataStream<T> {
  readonly env: StreamExecutionEnvironment;
  readonly transformation: Transformation;

  constructor(env: StreamExecutionEnvironment, transformation: Transformation) {
    this.env = env;
    this.transformation = transformation;
  }

  /** @internal key selector for operators applied to this stream (set on keyed streams). */
  protected stateKeySelector(): KeySelectorFunction | undefined {
    return undefined;
  }

  /** @internal adds a one-input operator. */
  transform<R>(name: string, factory: OperatorFactory, isSink = false): DataStream<R> {
    const t: Transformation = {
      kind: 'one-input',
      id: this.env.nextTransformationId(),
      name,
      uid: undefined,
      parallelism: undefined,
      maxParallelism: undefined,
      chaining: 'always',
      input: this.transformation,
      factory,
      keySelector: this.stateKeySelector(),
      isSink,
      fixedParallelism: undefined,
    };
    if (isSink) this.env.addSink(t);
    return new DataStream<R>(this.env, t);
  }

  /** One record in, one record out. */
  map<R>(fn: MapFunction<T, R>): DataStream<R> {
    checkFunction('map()', fn, 'map');
    return this.transform(
      'Map',
      operatorFactory('map', () => new StreamMapOperator(fn)),
    );
  }

  /** One record in, any number out: the function returns an iterable (or uses `out` in an object's flatMap). */
  flatMap<R>(fn: FlatMapFunction<T, R>): DataStream<R> {
    checkFunction('flatMap()', fn, 'flatMap');
    return this.transform(
      'Flat Map',
      operatorFactory('flat-map', () => new StreamFlatMapOperator(fn)),
    );
  }

  /** Keeps the records for which the predicate is true. */
  filter(fn: FilterFunction<T>): DataStream<T> {
    checkFunction('filter()', fn, 'filter');
    return this.transform(
      'Filter',
      operatorFactory('filter', () => new StreamFilterOperator(fn)),
    );
  }

  /** Applies a ProcessFunction (timers and keyed state need a KeyedStream). */
  process<R>(fn: ProcessFunction<T, R> | KeyedProcessFunction<never, T, R>): DataStream<R> {
    if (!(fn instanceof ProcessFunction) && !(fn instanceof KeyedProcessFunction)) {
      checkFunction('process()', fn, 'processElement');
    }
    const keyed = this.stateKeySelector() !== undefined;
    return this.transform(
      keyed ? 'KeyedProcess' : 'Process',
      operatorFactory(keyed ? 'keyed-process' : 'process', () => new ProcessOperator(fn as never, keyed)),
    );
  }

  /** Partitions the stream by key: records with equal keys go to the same subtask. */
  keyBy<K>(selector: KeySelector<T, K>): KeyedStream<T, K> {
    const fn = keySelectorFunction(selector);
    return new KeyedStream<T, K>(
      this.env,
      this.#partition({ kind: 'hash', key: fn as KeySelectorFunction }),
      fn,
    );
  }

  #partition(partitioner: PartitionerSpec): Transformation {
    return {
      kind: 'partition',
      id: this.env.nextTransformationId(),
      name: partitioner.kind,
      uid: undefined,
      parallelism: undefined,
      maxParallelism: undefined,
      chaining: 'always',
      input: this.transformation,
      partitioner,
    };
  }

  /** Round-robin over all downstream subtasks. */
  rebalance(): DataStream<T> {
    return new DataStream<T>(this.env, this.#partition({ kind: 'rebalance' }));
  }
  /** Round-robin over a local group of downstream subtasks. */
  rescale(): DataStream<T> {
    return new DataStream<T>(this.env, this.#partition({ kind: 'rescale' }));
  }
  /** Random distribution. */
  shuffle(): DataStream<T> {
    return new DataStream<T>(this.env, this.#partition({ kind: 'shuffle' }));
  }
  /** To the downstream subtask with the same index (parallelism must match). */
  forward(): DataStream<T> {
    return new DataStream<T>(this.env, this.#partition({ kind: 'forward' }));
  }
  /** Everything to the first downstream subtask. */
  global(): DataStream<T> {
    return new DataStream<T>(this.env, this.#partition({ kind: 'global' }));
  }
  /** A custom partitioner over a key. */
  partitionCustom<K>(partitioner: Partitioner<K>, keySelector: KeySelector<T, K>): DataStream<T> {
    checkFunction('partitionCustom()', partitioner, 'partition');
    const fn =
      typeof partitioner === 'function' ? partitioner : (k: K, n: number) => partitioner.partition(k, n);
    return new DataStream<T>(
      this.env,
      this.#partition({
        kind: 'custom',
        key: keySelectorFunction(keySelector) as KeySelectorFunction,
        partition: fn as (key: never, n: number) => number,
      }),
    );
  }

  /**
   * Without arguments: every record to every downstream subtask. With MapStateDescriptors: a
   * BroadcastStream to connect() a stream with (broadcast state).
   */
  broadcast(): DataStream<T>;
  broadcast(...descriptors: MapStateDescriptor<unknown, unknown>[]): BroadcastStream<T>;
  broadcast(...descriptors: MapStateDescriptor<unknown, unknown>[]): DataStream<T> | BroadcastStream<T> {
    const t = this.#partition({ kind: 'broadcast' });
    if (descriptors.length === 0) return new DataStream<T>(this.env, t);
    return new BroadcastStream<T>(this.env, t, descriptors);
  }

  /** Merges streams of the same type. */
  union(...others: DataStream<T>[]): DataStream<T> {
    for (const o of others) {
      if (!(o instanceof DataStream))
        throw new IllegalArgumentError(`union(): expected DataStreams, got ${describeValue(o)}`);
      if (o.env !== this.env)
        throw new IllegalArgumentError('union(): streams must come from the same environment');
    }
    return new DataStream<T>(this.env, {
      kind: 'union',
      id: this.env.nextTransformationId(),
      name: 'Union',
      uid: undefined,
      parallelism: undefined,
      maxParallelism: undefined,
      chaining: 'always',
      inputs: [this.transformation, ...others.map((o) => o.transformation)],
    });
  }

  /** Connects two streams (co-map/co-flatMap/co-process), or this stream with a BroadcastStream. */
  connect<R>(other: DataStream<R>): ConnectedStreams<T, R>;
  connect<R>(other: BroadcastStream<R>): import('./connected-streams.ts').BroadcastConnectedStream<T, R>;
  connect<R>(other: DataStream<R> | BroadcastStream<R>): unknown {
    if (other instanceof BroadcastStream) return other.connectedWith(this, this.stateKeySelector());
    if (!(other instanceof DataStream))
      throw new IllegalArgumentError(`connect(): expected a DataStream, got ${describeValue(other)}`);
    return new ConnectedStreams<T, R>(this, other);
  }

  /** Windows over the whole stream, evaluated by one subtask (use keyBy().window() to scale). */
  windowAll<W extends Window>(assigner: WindowAssigner<T, W>): AllWindowedStream<T, W> {
    return AllWindowedStream.of(this, assigner);
  }

  /** Count windows over the whole stream: every `size` elements, or the last `size` every `slide`. */
  countWindowAll(size: number, slide?: number): AllWindowedStream<T, GlobalWindow> {
    return AllWindowedStream.count(this, size, slide);
  }

  /** Joins this stream with another in windows: `.where(k1).equalTo(k2).window(assigner).apply(fn)`. */
  join<T2>(other: DataStream<T2>): JoinedStreams<T, T2> {
    return new JoinedStreams(this, other);
  }

  /** Co-groups this stream with another in windows: `.where(k1).equalTo(k2).window(assigner).apply(fn)`. */
  coGroup<T2>(other: DataStream<T2>): CoGroupedStreams<T, T2> {
    return new CoGroupedStreams(this, other);
  }

  /** Sets event timestamps and generates watermarks. */
  assignTimestampsAndWatermarks(strategy: WatermarkStrategy<T>): DataStream<T> {
    if (!(strategy instanceof WatermarkStrategy)) {
      throw new IllegalArgumentError(
        `assignTimestampsAndWatermarks(): expected a WatermarkStrategy, got ${describeValue(strategy)}`,
      );
    }
    return this.transform(
      'Timestamps/Watermarks',
      operatorFactory('timestamps-watermarks', () => new TimestampsAndWatermarksOperator(strategy)),
    );
  }

  /** The records an operator emitted to a side output. */
  getSideOutput<X>(tag: OutputTag<X>): DataStream<X> {
    if (!(tag instanceof OutputTag))
      throw new IllegalArgumentError(`getSideOutput(): expected an OutputTag, got ${describeValue(tag)}`);
    return new DataStream<X>(this.env, {
      kind: 'side-output',
      id: this.env.nextTransformationId(),
      name: `SideOutput: ${tag.id}`,
      uid: undefined,
      parallelism: undefined,
      maxParallelism: undefined,
      chaining: 'always',
      input: this.transformation,
      tag: tag.id,
    });
  }

  /** Writes the stream to a sink. */
  sinkTo(sink: Sink<T>, name = 'Sink'): DataStreamSink<T> {
    if (sink === null || typeof sink !== 'object' || typeof sink.createWriter !== 'function') {
      throw new IllegalArgumentError(`sinkTo(): expected a Sink, got ${describeValue(sink)}`);
    }
    const out = this.transform<never>(
      name,
      operatorFactory('sink', () => new SinkWriterOperator(sink)),
      true,
    );
    return new DataStreamSink<T>(out.transformation);
  }

  /** Prints every record to standard output (prefixed by the subtask when parallel). */
  print(sinkIdentifier?: string): DataStreamSink<T> {
    return this.sinkTo(new PrintSink<T>(sinkIdentifier), 'Print to Std. Out');
  }

  /** Prints every record to standard error. */
  printToErr(sinkIdentifier?: string): DataStreamSink<T> {
    return this.sinkTo(new PrintSink<T>(sinkIdentifier, true), 'Print to Std. Err');
  }

  /** Runs the job and resolves with every record of this stream once the bounded job finishes. */
  async executeAndCollect(jobName?: string): Promise<T[]> {
    this.transform<never>(
      'Collect Sink',
      operatorFactory('collect', () => new CollectSinkOperator()),
      true,
    );
    return (await this.env.executeAndCollectInternal(jobName)) as T[];
  }

  #operatorOnly(what: string): void {
    const k = this.transformation.kind;
    if (k !== 'one-input' && k !== 'two-input' && k !== 'source') {
      throw new IllegalArgumentError(`${what} is only available on operators, not on a ${k} of the stream`);
    }
  }

  /** Sets the operator's name (shown in plans, metrics and errors). */
  name(name: string): this {
    if (typeof name !== 'string' || name.length === 0)
      throw new IllegalArgumentError(`name(): expected a non-empty string, got ${describeValue(name)}`);
    this.transformation.name = name;
    return this;
  }

  /** Pins the operator's identity across job versions (state compatibility). */
  uid(uid: string): this {
    this.#operatorOnly('uid()');
    if (typeof uid !== 'string' || uid.length === 0)
      throw new IllegalArgumentError(`uid(): expected a non-empty string, got ${describeValue(uid)}`);
    this.transformation.uid = uid;
    return this;
  }

  /** Sets the operator's parallelism. */
  setParallelism(parallelism: number): this {
    this.#operatorOnly('setParallelism()');
    if (!Number.isInteger(parallelism) || parallelism < 1) {
      throw new IllegalArgumentError(
        `setParallelism(): operator "${this.transformation.name}": expected a positive integer, got ${describeValue(parallelism)}`,
      );
    }
    this.transformation.parallelism = parallelism;
    return this;
  }

  /** Sets the operator's max parallelism (key groups). */
  setMaxParallelism(maxParallelism: number): this {
    this.#operatorOnly('setMaxParallelism()');
    if (!Number.isInteger(maxParallelism) || maxParallelism < 1) {
      throw new IllegalArgumentError(
        `setMaxParallelism(): expected a positive integer, got ${describeValue(maxParallelism)}`,
      );
    }
    this.transformation.maxParallelism = maxParallelism;
    return this;
  }

  #chaining(strategy: ChainingStrategy, what: string): this {
    this.#operatorOnly(what);
    this.transformation.chaining = strategy;
    return this;
  }

  /** Never chain this operator with its neighbours. */
  disableChaining(): this {
    return this.#chaining('never', 'disableChaining()');
  }

  /** Start a new chain at this operator. */
  startNewChain(): this {
    return this.#chaining('head', 'startNewChain()');
  }

  /** The operator's parallelism if set explicitly, else the environment's. */
  getParallelism(): number {
    return this.transformation.parallelism ?? this.env.getParallelism();
  }
}

/**
 * A stream partitioned by key: keyed state and timers are available to its operators.
 *
 * @example
 * env.fromElements(['a', 1], ['b', 2], ['a', 3]).keyBy((t) => t[0]).sum(1).print();
 */
export class KeyedStream<T, K> extends DataStream<T> {
  readonly keySelector: (value: T) => K;

  constructor(env: StreamExecutionEnvironment, transformation: Transformation, keySelector: (value: T) => K) {
    super(env, transformation);
    this.keySelector = keySelector;
  }

  protected override stateKeySelector(): KeySelectorFunction {
    return this.keySelector as KeySelectorFunction;
  }

  /** Windows per key: tumbling, sliding, session, global or custom (see WindowedStream). */
  window<W extends Window>(assigner: WindowAssigner<T, W>): WindowedStream<T, K, W> {
    return WindowedStream.of(this, assigner);
  }

  /** Count windows per key: every `size` elements, or the last `size` elements every `slide`. */
  countWindow(size: number, slide?: number): WindowedStream<T, K, GlobalWindow> {
    return WindowedStream.count(this, size, slide);
  }

  /** Joins this keyed stream with another on time intervals: `.between(lower, upper).process(fn)`. */
  intervalJoin<T2>(other: KeyedStream<T2, K>): IntervalJoin<T, T2, K> {
    return new IntervalJoin(this, other);
  }

  /** Rolling reduction per key: emits the reduced value after every record. */
  reduce(fn: ReduceFunction<T>): DataStream<T> {
    checkFunction('reduce()', fn, 'reduce');
    const reduce = typeof fn === 'function' ? fn : (a: T, b: T) => fn.reduce(a, b);
    return this.transform(
      'Keyed Reduce',
      operatorFactory('keyed-reduce', () => new StreamGroupedReduceOperator(reduce, fn)),
    );
  }

  #aggregate(
    name: string,
    field: string | number | undefined,
    combine: (a: T, b: T, get: (v: T) => number) => T,
  ): DataStream<T> {
    const get = (v: T): number => {
      const x = field === undefined ? v : (v as Record<string | number, unknown>)[field];
      if (typeof x !== 'number') {
        throw new IllegalArgumentError(
          `${name}(${field === undefined ? '' : JSON.stringify(field)}): field is not a number in record ${describeValue(v)}`,
        );
      }
      return x;
    };
    return this.transform(
      'Keyed Aggregation',
      operatorFactory(
        `keyed-${name}`,
        () =>
          new StreamGroupedReduceOperator<T>(
            (a, b) => combine(a, b, get),
            undefined,
            (v) => void get(v),
          ),
      ),
    );
  }

  #with(v: T, field: string | number | undefined, x: number): T {
    if (field === undefined) return x as T;
    if (Array.isArray(v)) {
      const copy = v.slice();
      copy[field as number] = x;
      return copy as T;
    }
    // Copy, then assign: a computed key inside the literal (`{ ...v, [field]: x }`) takes V8's
    // slow path and cost about twice as much per record in keyed sum/min/max.
    const copy = { ...(v as object) } as Record<string | number, unknown>;
    copy[field] = x;
    return copy as T;
  }

  /** Rolling sum of a field (array index or property; omit for a stream of numbers). */
  sum(field?: string | number): DataStream<T> {
    return this.#aggregate('sum', field, (a, b, get) => this.#with(a, field, get(a) + get(b)));
  }
  /** Rolling minimum of a field; other fields from the first record. */
  min(field?: string | number): DataStream<T> {
    return this.#aggregate('min', field, (a, b, get) => this.#with(a, field, Math.min(get(a), get(b))));
  }
  /** Rolling maximum of a field; other fields from the first record. */
  max(field?: string | number): DataStream<T> {
    return this.#aggregate('max', field, (a, b, get) => this.#with(a, field, Math.max(get(a), get(b))));
  }
  /** The record with the minimum field (the first one on ties). */
  minBy(field?: string | number, first = true): DataStream<T> {
    return this.#aggregate('minBy', field, (a, b, get) =>
      get(b) < get(a) || (!first && get(b) === get(a)) ? b : a,
    );
  }
  /** The record with the maximum field (the first one on ties). */
  maxBy(field?: string | number, first = true): DataStream<T> {
    return this.#aggregate('maxBy', field, (a, b, get) =>
      get(b) > get(a) || (!first && get(b) === get(a)) ? b : a,
    );
  }
}

/**
 * The end of a stream written to a sink: configure the sink operator.
 *
 * @example
 * stream.print().name('out').setParallelism(1);
 */
export class DataStreamSink<T> {
  readonly transformation: Transformation;
  declare readonly __type?: T;
  constructor(transformation: Transformation) {
    this.transformation = transformation;
  }
  name(name: string): this {
    this.transformation.name = name;
    return this;
  }
  uid(uid: string): this {
    this.transformation.uid = uid;
    return this;
  }
  setParallelism(parallelism: number): this {
    if (!Number.isInteger(parallelism) || parallelism < 1) {
      throw new IllegalArgumentError(
        `setParallelism(): sink "${this.transformation.name}": expected a positive integer, got ${describeValue(parallelism)}`,
      );
    }
    this.transformation.parallelism = parallelism;
    return this;
  }
  disableChaining(): this {
    this.transformation.chaining = 'never';
    return this;
  }
}
