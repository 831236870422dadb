// Two streams processed together: connect() for co-map/co-flatMap/co-process (keyed when both
// sides are keyed) and broadcast() + connect() for broadcast state.
import { describeValue, IllegalArgumentError } from '../core/index.ts';
import {
  BroadcastProcessFunction,
  type CoFlatMapFunction,
  type Collector,
  type CoMapFunction,
  CoProcessFunction,
  KeyedBroadcastProcessFunction,
  KeyedCoProcessFunction,
  type KeySelector,
  type RuntimeContext,
} from '../functions/index.ts';
import type { KeySelectorFunction, Transformation } from '../plan/index.ts';
import { CoBroadcastOperator, CoProcessOperator } from '../runtime/index.ts';
import type { MapStateDescriptor } from '../state/index.ts';
import { DataStream, KeyedStream, operatorFactory } from './data-stream.ts';
import type { StreamExecutionEnvironment } from './stream-execution-environment.ts';

function twoInput<R>(
  env: StreamExecutionEnvironment,
  name: string,
  input1: Transformation,
  input2: Transformation,
  factory: ReturnType<typeof operatorFactory>,
  key1: KeySelectorFunction | undefined,
  key2: KeySelectorFunction | undefined,
): DataStream<R> {
  return new DataStream<R>(env, {
    kind: 'two-input',
    id: env.nextTransformationId(),
    name,
    uid: undefined,
    parallelism: undefined,
    maxParallelism: undefined,
    chaining: 'always',
    input1,
    input2,
    factory,
    keySelector1: key1,
    keySelector2: key2,
  });
}

/** Adapts co-map / co-flatMap functions to the co-process operator. */
class CoFunctionAdapter<IN1, IN2, R> {
  readonly #fn: CoMapFunction<IN1, IN2, R> | CoFlatMapFunction<IN1, IN2, R>;
  readonly #map: boolean;
  constructor(fn: CoMapFunction<IN1, IN2, R> | CoFlatMapFunction<IN1, IN2, R>, map: boolean) {
    this.#fn = fn;
    this.#map = map;
  }
  open(ctx: RuntimeContext): void | Promise<void> {
    return this.#fn.open?.(ctx);
  }
  close(): void | Promise<void> {
    return this.#fn.close?.();
  }
  processElement1(v: IN1, _ctx: unknown, out: Collector<R>): void {
    if (this.#map) out.collect((this.#fn as CoMapFunction<IN1, IN2, R>).map1(v));
    else (this.#fn as CoFlatMapFunction<IN1, IN2, R>).flatMap1(v, out);
  }
  processElement2(v: IN2, _ctx: unknown, out: Collector<R>): void {
    if (this.#map) out.collect((this.#fn as CoMapFunction<IN1, IN2, R>).map2(v));
    else (this.#fn as CoFlatMapFunction<IN1, IN2, R>).flatMap2(v, out);
  }
  onTimer(): void {}
}

/**
 * Two connected streams.
 *
 * @example
 * a.connect(b).map({ map1: (x) => `a:${x}`, map2: (y) => `b:${y}` }).print();
 */
export class ConnectedStreams<IN1, IN2> {
  readonly first: DataStream<IN1>;
  readonly second: DataStream<IN2>;

  constructor(first: DataStream<IN1>, second: DataStream<IN2>) {
    if (first.env !== second.env)
      throw new IllegalArgumentError('connect(): streams must come from the same environment');
    this.first = first;
    this.second = second;
  }

  #keys(): [KeySelectorFunction | undefined, KeySelectorFunction | undefined] {
    const k1 =
      this.first instanceof KeyedStream ? (this.first.keySelector as KeySelectorFunction) : undefined;
    const k2 =
      this.second instanceof KeyedStream ? (this.second.keySelector as KeySelectorFunction) : undefined;
    if ((k1 === undefined) !== (k2 === undefined)) {
      throw new IllegalArgumentError(
        'connect(): either both streams must be keyed or neither; use keyBy(k1, k2) on the connected streams',
      );
    }
    return [k1, k2];
  }

  /** Keys both inputs (records with equal keys meet in the same subtask). */
  keyBy<K>(key1: KeySelector<IN1, K>, key2: KeySelector<IN2, K>): ConnectedStreams<IN1, IN2> {
    return new ConnectedStreams(this.first.keyBy(key1), this.second.keyBy(key2));
  }

  /** One function per input, one record out. */
  map<R>(fn: CoMapFunction<IN1, IN2, R>): DataStream<R> {
    if (
      fn === null ||
      typeof fn !== 'object' ||
      typeof fn.map1 !== 'function' ||
      typeof fn.map2 !== 'function'
    ) {
      throw new IllegalArgumentError(
        `connect().map(): expected an object with map1() and map2(), got ${describeValue(fn)}`,
      );
    }
    const [k1, k2] = this.#keys();
    const adapter = (): CoFunctionAdapter<IN1, IN2, R> => new CoFunctionAdapter(fn, true);
    return twoInput(
      this.first.env,
      'Co-Map',
      this.first.transformation,
      this.second.transformation,
      operatorFactory('co-map', () => new CoProcessOperator(adapter() as never, k1 !== undefined)),
      k1,
      k2,
    );
  }

  /** One function per input, any number of records out. */
  flatMap<R>(fn: CoFlatMapFunction<IN1, IN2, R>): DataStream<R> {
    if (
      fn === null ||
      typeof fn !== 'object' ||
      typeof fn.flatMap1 !== 'function' ||
      typeof fn.flatMap2 !== 'function'
    ) {
      throw new IllegalArgumentError(
        `connect().flatMap(): expected an object with flatMap1() and flatMap2(), got ${describeValue(fn)}`,
      );
    }
    const [k1, k2] = this.#keys();
    return twoInput(
      this.first.env,
      'Co-Flat Map',
      this.first.transformation,
      this.second.transformation,
      operatorFactory(
        'co-flat-map',
        () => new CoProcessOperator(new CoFunctionAdapter(fn, false) as never, k1 !== undefined),
      ),
      k1,
      k2,
    );
  }

  /** A (Keyed)CoProcessFunction with context, side outputs and (keyed) timers. */
  process<R>(fn: CoProcessFunction<IN1, IN2, R> | KeyedCoProcessFunction<never, IN1, IN2, R>): DataStream<R> {
    if (!(fn instanceof CoProcessFunction) && !(fn instanceof KeyedCoProcessFunction)) {
      throw new IllegalArgumentError(
        `connect().process(): expected a CoProcessFunction or KeyedCoProcessFunction, got ${describeValue(fn)}`,
      );
    }
    const [k1, k2] = this.#keys();
    const keyed = k1 !== undefined;
    return twoInput(
      this.first.env,
      keyed ? 'KeyedCo-Process' : 'Co-Process',
      this.first.transformation,
      this.second.transformation,
      operatorFactory(
        keyed ? 'keyed-co-process' : 'co-process',
        () => new CoProcessOperator(fn as never, keyed),
      ),
      k1,
      k2,
    );
  }
}

/**
 * A stream broadcast to every subtask of the operator it is connected to, with the broadcast
 * state descriptors that operator may use.
 *
 * @example
 * const rules = ruleStream.broadcast(rulesDescriptor);
 * events.keyBy((e) => e.user).connect(rules).process(new RuleEvaluator());
 */
export class BroadcastStream<T> {
  readonly env: StreamExecutionEnvironment;
  readonly transformation: Transformation;
  readonly descriptors: readonly MapStateDescriptor<unknown, unknown>[];
  constructor(
    env: StreamExecutionEnvironment,
    transformation: Transformation,
    descriptors: readonly MapStateDescriptor<unknown, unknown>[],
  ) {
    this.env = env;
    this.transformation = transformation;
    this.descriptors = descriptors;
  }
  /** @internal */
  connectedWith<IN1>(
    stream: DataStream<IN1>,
    key: KeySelectorFunction | undefined,
  ): BroadcastConnectedStream<IN1, T> {
    return new BroadcastConnectedStream<IN1, T>(stream, this, key);
  }
}

/**
 * A stream connected with a broadcast stream.
 *
 * @example
 * const rules = ruleStream.broadcast(rulesDescriptor);
 * const connected: BroadcastConnectedStream<Event, Rule> = events.connect(rules);
 * connected.process(new RuleEvaluator()); // a BroadcastProcessFunction (non-keyed events)
 */
export class BroadcastConnectedStream<IN1, IN2> {
  readonly #stream: DataStream<IN1>;
  readonly #broadcast: BroadcastStream<IN2>;
  readonly #key: KeySelectorFunction | undefined;
  constructor(
    stream: DataStream<IN1>,
    broadcast: BroadcastStream<IN2>,
    key: KeySelectorFunction | undefined,
  ) {
    this.#stream = stream;
    this.#broadcast = broadcast;
    this.#key = key;
  }
  /** Applies a BroadcastProcessFunction (non-keyed) or KeyedBroadcastProcessFunction (keyed). */
  process<R>(
    fn: BroadcastProcessFunction<IN1, IN2, R> | KeyedBroadcastProcessFunction<never, IN1, IN2, R>,
  ): DataStream<R> {
    const keyed = this.#key !== undefined;
    if (keyed && !(fn instanceof KeyedBroadcastProcessFunction)) {
      throw new IllegalArgumentError(
        'connect(broadcast).process(): a keyed stream needs a KeyedBroadcastProcessFunction',
      );
    }
    if (!keyed && !(fn instanceof BroadcastProcessFunction)) {
      throw new IllegalArgumentError(
        'connect(broadcast).process(): a non-keyed stream needs a BroadcastProcessFunction',
      );
    }
    const descriptors = this.#broadcast.descriptors;
    return twoInput(
      this.#stream.env,
      'Co-Process-Broadcast',
      this.#stream.transformation,
      this.#broadcast.transformation,
      operatorFactory(
        keyed ? 'keyed-broadcast-process' : 'broadcast-process',
        () => new CoBroadcastOperator(fn as never, keyed, descriptors),
      ),
      this.#key,
      undefined,
    );
  }
}
