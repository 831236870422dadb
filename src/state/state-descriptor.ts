// State descriptors name a piece of state and say how it combines values; the runtime context
// turns a descriptor into a state object bound to the current key.
import { IllegalArgumentError } from '../core/index.ts';
import type { StateTtlConfig } from './state-ttl-config.ts';

/**
 * Combines two values of a ReducingState.
 *
 * @example
 * keyed.reduce((a, b) => ({ ...a, amount: a.amount + b.amount }));
 * new ReducingStateDescriptor<number>('max', { reduce: (a, b) => Math.max(a, b) });
 */
export type ReduceFunction<T> = ((a: T, b: T) => T) | { reduce(a: T, b: T): T };

/**
 * Flink's AggregateFunction: an accumulator that values are added to.
 *
 * @example
 * const average: AggregateFunction<number, { sum: number; n: number }, number> = {
 *   createAccumulator: () => ({ sum: 0, n: 0 }),
 *   add: (v, acc) => ({ sum: acc.sum + v, n: acc.n + 1 }),
 *   getResult: (acc) => acc.sum / acc.n,
 * };
 */
export interface AggregateFunction<IN, ACC, OUT> {
  createAccumulator(): ACC;
  add(value: IN, accumulator: ACC): ACC;
  getResult(accumulator: ACC): OUT;
  merge?(a: ACC, b: ACC): ACC;
}

/** The kinds of state a descriptor can describe. */
export type StateKind = 'value' | 'list' | 'map' | 'reducing' | 'aggregating';

/** Common shape of every state descriptor. */
export abstract class StateDescriptor<S = unknown> {
  readonly name: string;
  abstract readonly kind: StateKind;
  #ttl: StateTtlConfig | undefined;
  declare readonly __state?: S;

  constructor(name: string) {
    if (typeof name !== 'string' || name.length === 0) {
      throw new IllegalArgumentError(
        `state descriptor: name must be a non-empty string, got ${String(name)}`,
      );
    }
    this.name = name;
  }

  /** Enables time-to-live for this state. */
  enableTimeToLive(ttl: StateTtlConfig): this {
    this.#ttl = ttl;
    return this;
  }

  /** The TTL configuration, if enabled. */
  get ttlConfig(): StateTtlConfig | undefined {
    return this.#ttl;
  }
}

/**
 * Single value per key.
 *
 * @example
 * const last = ctx.getState(new ValueStateDescriptor<number>('last'));
 * const previous = last.value(); // undefined for a key's first record
 * last.update(reading.value);
 */
export interface ValueState<T> {
  /** The value, or `undefined` (or the descriptor's default) when empty. */
  value(): T | undefined;
  update(value: T | undefined): void;
  clear(): void;
}

/**
 * A list per key.
 *
 * @example
 * const seen = ctx.getListState(new ListStateDescriptor<string>('seen'));
 * seen.add(page);
 * if (seen.get().length > 100) seen.update(seen.get().slice(-100));
 */
export interface ListState<T> {
  /** The elements (empty array when empty). */
  get(): T[];
  add(value: T): void;
  addAll(values: Iterable<T>): void;
  update(values: Iterable<T>): void;
  clear(): void;
}

/**
 * A map per key.
 *
 * @example
 * const perPage = ctx.getMapState(new MapStateDescriptor<string, number>('per-page'));
 * perPage.put(click.page, (perPage.get(click.page) ?? 0) + 1);
 * for (const [page, n] of perPage.entries()) out.collect(`${page}: ${n}`);
 */
export interface MapState<K, V> {
  get(key: K): V | undefined;
  put(key: K, value: V): void;
  putAll(entries: Iterable<readonly [K, V]> | ReadonlyMap<K, V>): void;
  remove(key: K): void;
  contains(key: K): boolean;
  entries(): IterableIterator<[K, V]>;
  keys(): IterableIterator<K>;
  values(): IterableIterator<V>;
  isEmpty(): boolean;
  clear(): void;
}

/**
 * Values added are reduced into one.
 *
 * @example
 * const max = ctx.getReducingState(new ReducingStateDescriptor<number>('max', (a, b) => Math.max(a, b)));
 * max.add(reading.value);
 * out.collect(max.get()!);
 */
export interface ReducingState<T> {
  get(): T | undefined;
  add(value: T): void;
  clear(): void;
}

/**
 * Values added are aggregated by an AggregateFunction.
 *
 * @example
 * const avg = ctx.getAggregatingState(new AggregatingStateDescriptor('avg', average));
 * avg.add(reading.value);
 * out.collect(avg.get()!);
 */
export interface AggregatingState<IN, OUT> {
  get(): OUT | undefined;
  add(value: IN): void;
  clear(): void;
}

/**
 * Describes a {@link ValueState}.
 *
 * @example
 * const count = ctx.getState(new ValueStateDescriptor<number>('count'));
 */
export class ValueStateDescriptor<T> extends StateDescriptor<ValueState<T>> {
  readonly kind = 'value' as const;
  readonly defaultValue: T | undefined;
  constructor(name: string, options: { defaultValue?: T } = {}) {
    super(name);
    this.defaultValue = options.defaultValue;
  }
}

/**
 * Describes a {@link ListState}.
 *
 * @example
 * const seen = ctx.getListState(new ListStateDescriptor<string>('seen'));
 */
export class ListStateDescriptor<T> extends StateDescriptor<ListState<T>> {
  readonly kind = 'list' as const;
}

/**
 * Describes a {@link MapState} (also used for broadcast state).
 *
 * @example
 * const rules = new MapStateDescriptor<string, number>('rules');
 */
export class MapStateDescriptor<K, V> extends StateDescriptor<MapState<K, V>> {
  readonly kind = 'map' as const;
}

/**
 * Describes a {@link ReducingState}.
 *
 * @example
 * const sum = ctx.getReducingState(new ReducingStateDescriptor<number>('sum', (a, b) => a + b));
 */
export class ReducingStateDescriptor<T> extends StateDescriptor<ReducingState<T>> {
  readonly kind = 'reducing' as const;
  readonly reduce: (a: T, b: T) => T;
  constructor(name: string, reduceFunction: ReduceFunction<T>) {
    super(name);
    this.reduce =
      typeof reduceFunction === 'function' ? reduceFunction : (a, b) => reduceFunction.reduce(a, b);
  }
}

/**
 * Describes an {@link AggregatingState}.
 *
 * @example
 * const avg = ctx.getAggregatingState(new AggregatingStateDescriptor('avg', averageFunction));
 */
export class AggregatingStateDescriptor<IN, ACC, OUT> extends StateDescriptor<AggregatingState<IN, OUT>> {
  readonly kind = 'aggregating' as const;
  readonly aggregateFunction: AggregateFunction<IN, ACC, OUT>;
  constructor(name: string, aggregateFunction: AggregateFunction<IN, ACC, OUT>) {
    super(name);
    this.aggregateFunction = aggregateFunction;
  }
}
