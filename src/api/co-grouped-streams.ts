// Window joins and co-groups of two streams (DataStream.join / DataStream.coGroup): both inputs are
// tagged, unioned and keyed by their join keys, and each window of a key is evaluated with the
// elements of both sides (Flink's CoGroupedStreams and JoinedStreams).
import { describeValue, IllegalArgumentError } from '../core/index.ts';
import type {
  CoGroupFunction,
  Collector,
  Evictor,
  FlatJoinFunction,
  JoinFunction,
  KeySelector,
  Trigger,
  Window,
  WindowAssigner,
} from '../functions/index.ts';
import { createWindowOperator, type InternalWindowFunction } from '../runtime/index.ts';
import { type DataStream, keySelectorFunction, operatorFactory } from './data-stream.ts';
import {
  checkFunctionArg,
  functionName,
  type WindowConfig,
  windowConfig,
  windowOperatorName,
  windowOperatorSpec,
  withAllowedLateness,
  withEvictor,
  withTrigger,
} from './windowed-stream.ts';

/**
 * An element of either input of a window join, as the window assigner and trigger see it.
 *
 * @example
 * const gap = (u: TaggedUnion<Order, Payment>) => (u.input === 1 ? 60_000 : 30_000);
 */
export type TaggedUnion<T1, T2> =
  | { readonly input: 1; readonly value: T1 }
  | { readonly input: 2; readonly value: T2 };

interface JoinInputs<T1, T2, K> {
  readonly first: DataStream<T1>;
  readonly second: DataStream<T2>;
  readonly key1: (v: T1) => K;
  readonly key2: (v: T2) => K;
}

function checkSameEnvironment<T>(what: string, a: DataStream<T>, b: unknown): void {
  if (b === null || typeof b !== 'object' || (b as DataStream<T>).env === undefined) {
    throw new IllegalArgumentError(`${what}: expected a DataStream, got ${describeValue(b)}`);
  }
  if ((b as DataStream<T>).env !== a.env) {
    throw new IllegalArgumentError(`${what}: both streams must come from the same environment`);
  }
}

/** Builds the windowed co-group of two inputs with a function over both sides' elements. */
function coGroupWindows<T1, T2, K, R>(
  inputs: JoinInputs<T1, T2, K>,
  config: WindowConfig,
  name: string,
  coGroup: (first: T1[], second: T2[], out: Collector<R>) => void,
  user: unknown,
): DataStream<R> {
  const { first, second, key1, key2 } = inputs;
  const tagged1 = first.map((value): TaggedUnion<T1, T2> => ({ input: 1, value })).name('Map (join input 1)');
  const tagged2 = second
    .map((value): TaggedUnion<T1, T2> => ({ input: 2, value }))
    .name('Map (join input 2)');
  const keyed = tagged1
    .union(tagged2)
    .keyBy((u: TaggedUnion<T1, T2>) => (u.input === 1 ? key1(u.value) : key2(u.value)));
  const fn: InternalWindowFunction = {
    process(_key, _ctx, elements, out) {
      const a: T1[] = [];
      const b: T2[] = [];
      for (const e of elements as TaggedUnion<T1, T2>[]) {
        if (e.input === 1) a.push(e.value);
        else b.push(e.value);
      }
      coGroup(a, b, out as Collector<R>);
    },
  };
  const spec = windowOperatorSpec(config, { kind: 'process' }, { fn, user });
  return keyed.transform<R>(
    windowOperatorName(config, name),
    operatorFactory('window-co-group', () => createWindowOperator(spec)),
  );
}

/** The `where(key1).equalTo(key2)` stage shared by join() and coGroup(). */
class KeyedPairWhere<T1, T2, K, Next> {
  readonly #first: DataStream<T1>;
  readonly #second: DataStream<T2>;
  readonly #key1: (v: T1) => K;
  readonly #next: (inputs: JoinInputs<T1, T2, K>) => Next;
  constructor(
    first: DataStream<T1>,
    second: DataStream<T2>,
    key1: (v: T1) => K,
    next: (inputs: JoinInputs<T1, T2, K>) => Next,
  ) {
    this.#first = first;
    this.#second = second;
    this.#key1 = key1;
    this.#next = next;
  }
  /** The key of the second input (elements with equal keys meet in a window). */
  equalTo(keySelector: KeySelector<T2, K>): Next {
    return this.#next({
      first: this.#first,
      second: this.#second,
      key1: this.#key1,
      key2: keySelectorFunction(keySelector),
    });
  }
}

/** The windowed stage shared by join() and coGroup(): trigger, evictor and lateness, then apply. */
abstract class WindowedPair<T1, T2, K, W extends Window> {
  protected readonly inputs: JoinInputs<T1, T2, K>;
  protected readonly config: WindowConfig;
  constructor(inputs: JoinInputs<T1, T2, K>, config: WindowConfig) {
    this.inputs = inputs;
    this.config = config;
  }
  /** The same stage with another window configuration. */
  protected abstract with(config: WindowConfig): this;
  trigger(trigger: Trigger<TaggedUnion<T1, T2>, W>): this {
    return this.with(withTrigger(this.config, trigger));
  }
  evictor(evictor: Evictor<TaggedUnion<T1, T2>, W>): this {
    return this.with(withEvictor(this.config, evictor));
  }
  allowedLateness(lateness: number): this {
    return this.with(withAllowedLateness(this.config, lateness));
  }
}

/**
 * Two streams to co-group in windows (Flink's CoGroupedStreams).
 *
 * @example
 * orders.coGroup(payments)
 *   .where((o) => o.id).equalTo((p) => p.orderId)
 *   .window(TumblingEventTimeWindows.of(60_000))
 *   .apply((os, ps, out) => { if (ps.length === 0) for (const o of os) out.collect(o.id); });
 */
export class CoGroupedStreams<T1, T2> {
  readonly #first: DataStream<T1>;
  readonly #second: DataStream<T2>;

  /** @internal use DataStream.coGroup() */
  constructor(first: DataStream<T1>, second: DataStream<T2>) {
    checkSameEnvironment('coGroup()', first, second);
    this.#first = first;
    this.#second = second;
  }

  /** The key of the first input. */
  where<K>(keySelector: KeySelector<T1, K>): CoGroupWhere<T1, T2, K> {
    return new KeyedPairWhere(
      this.#first,
      this.#second,
      keySelectorFunction(keySelector),
      (inputs: JoinInputs<T1, T2, K>) => new CoGroupEqualTo(inputs),
    );
  }
}

/** A co-group with the first input's key. */
type CoGroupWhere<T1, T2, K> = KeyedPairWhere<T1, T2, K, CoGroupEqualTo<T1, T2, K>>;

/** A co-group with both keys. */
class CoGroupEqualTo<T1, T2, K> {
  readonly #inputs: JoinInputs<T1, T2, K>;
  constructor(inputs: JoinInputs<T1, T2, K>) {
    this.#inputs = inputs;
  }
  /** The windows in which elements are co-grouped. */
  window<W extends Window>(
    assigner: WindowAssigner<TaggedUnion<T1, T2>, W>,
  ): CoGroupWithWindow<T1, T2, K, W> {
    return new CoGroupWithWindow(this.#inputs, windowConfig('coGroup().window()', assigner));
  }
}

/** A windowed co-group, ready for its function. */
class CoGroupWithWindow<T1, T2, K, W extends Window> extends WindowedPair<T1, T2, K, W> {
  protected with(config: WindowConfig): this {
    return new CoGroupWithWindow<T1, T2, K, W>(this.inputs, config) as this;
  }
  /** Calls `fn` with both sides' elements of every window and key (either side may be empty). */
  apply<R>(fn: CoGroupFunction<T1, T2, R>): DataStream<R> {
    checkFunctionArg('coGroup().apply()', fn, 'coGroup');
    const call = typeof fn === 'function' ? fn : fn.coGroup.bind(fn);
    return coGroupWindows(this.inputs, this.config, functionName(fn, 'CoGroup'), call, fn);
  }
}

/**
 * Two streams to join in windows (Flink's JoinedStreams): every pair of elements with equal keys
 * in the same window is joined (an inner join).
 *
 * @example
 * orders.join(payments)
 *   .where((o) => o.id).equalTo((p) => p.orderId)
 *   .window(TumblingEventTimeWindows.of(60_000))
 *   .apply((order, payment) => ({ id: order.id, paid: payment.amount }));
 */
export class JoinedStreams<T1, T2> {
  readonly #first: DataStream<T1>;
  readonly #second: DataStream<T2>;

  /** @internal use DataStream.join() */
  constructor(first: DataStream<T1>, second: DataStream<T2>) {
    checkSameEnvironment('join()', first, second);
    this.#first = first;
    this.#second = second;
  }

  /** The key of the first input. */
  where<K>(keySelector: KeySelector<T1, K>): JoinWhere<T1, T2, K> {
    return new KeyedPairWhere(
      this.#first,
      this.#second,
      keySelectorFunction(keySelector),
      (inputs: JoinInputs<T1, T2, K>) => new JoinEqualTo(inputs),
    );
  }
}

/** A join with the first input's key. */
type JoinWhere<T1, T2, K> = KeyedPairWhere<T1, T2, K, JoinEqualTo<T1, T2, K>>;

/** A join with both keys. */
class JoinEqualTo<T1, T2, K> {
  readonly #inputs: JoinInputs<T1, T2, K>;
  constructor(inputs: JoinInputs<T1, T2, K>) {
    this.#inputs = inputs;
  }
  /** The windows in which elements are joined. */
  window<W extends Window>(assigner: WindowAssigner<TaggedUnion<T1, T2>, W>): JoinWithWindow<T1, T2, K, W> {
    return new JoinWithWindow(this.#inputs, windowConfig('join().window()', assigner));
  }
}

/** A windowed join, ready for its function. */
class JoinWithWindow<T1, T2, K, W extends Window> extends WindowedPair<T1, T2, K, W> {
  protected with(config: WindowConfig): this {
    return new JoinWithWindow<T1, T2, K, W>(this.inputs, config) as this;
  }
  /**
   * Joins every pair of the window: a JoinFunction returns one result per pair; a FlatJoinFunction
   * (an object whose `join` takes the collector as its third parameter) emits any number.
   */
  apply<R>(fn: JoinFunction<T1, T2, R> | FlatJoinFunction<T1, T2, R>): DataStream<R> {
    checkFunctionArg('join().apply()', fn, 'join');
    const join = typeof fn === 'function' ? fn : fn.join.bind(fn);
    const flat = typeof fn === 'object' && fn.join.length >= 3;
    const coGroup = flat
      ? (first: T1[], second: T2[], out: Collector<R>) => {
          for (const a of first)
            for (const b of second) (join as FlatJoinFunction<T1, T2, R>['join'])(a, b, out);
        }
      : (first: T1[], second: T2[], out: Collector<R>) => {
          for (const a of first) for (const b of second) out.collect((join as (a: T1, b: T2) => R)(a, b));
        };
    return coGroupWindows(this.inputs, this.config, functionName(fn, 'Join'), coGroup, fn);
  }
}

export type { CoGroupEqualTo, CoGroupWhere, CoGroupWithWindow, JoinEqualTo, JoinWhere, JoinWithWindow };
