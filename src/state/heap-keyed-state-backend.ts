// The default keyed state backend: JS Maps organised by key group, so a snapshot can be written
// per key group and restored at another parallelism. Access is synchronous.
import { IllegalArgumentError } from '../core/index.ts';
import { assignToKeyGroup, hashKey, type KeyGroupRange, normalizeKey } from './key-group-assignment.ts';
import type {
  AggregatingState,
  AggregatingStateDescriptor,
  ListState,
  MapState,
  ReducingState,
  StateDescriptor,
  ValueState,
} from './state-descriptor.ts';
import type { StateTtlConfig } from './state-ttl-config.ts';

type NKey = string | number | boolean | bigint;

/** The namespace of state that is not scoped to a window. */
export const VOID_NAMESPACE = '';

/** A state object whose scope (namespace, e.g. a window) can be switched by the runtime. */
export interface InternalKvState {
  setCurrentNamespace(namespace: NKey): void;
}

/** Keyed state storage of one operator subtask. */
export interface KeyedStateBackend {
  readonly maxParallelism: number;
  readonly keyGroupRange: KeyGroupRange;
  /** Sets the key that state access refers to (computes its key group once). */
  setCurrentKey(key: unknown): void;
  getCurrentKey(): unknown;
  getCurrentKeyGroup(): number;
  /** Returns the state object for a descriptor, creating it on first use. */
  getPartitionedState<S>(descriptor: StateDescriptor<S>): S & InternalKvState;
  /** Number of key/namespace entries over all states (for metrics and tests). */
  numEntries(): number;
  /** Applies `fn` to every key that has state in `stateName` (for broadcast-side processing). */
  forEachKey(stateName: string, fn: (key: unknown) => void): void;
}

interface TtlValue {
  v: unknown;
  t: number;
}

/** A table per state: one Map per key group, from normalized key to value (or namespace map). */
class StateTable {
  readonly maps: Map<NKey, unknown>[];
  /** Original key objects for composite keys (normalized to strings). */
  readonly originalKeys = new Map<NKey, unknown>();
  constructor(size: number) {
    this.maps = Array.from({ length: size }, () => new Map());
  }
}

/**
 * Heap keyed state backend.
 *
 * @example
 * const backend = new HeapKeyedStateBackend(128, { start: 0, end: 127 });
 * backend.setCurrentKey('user-1');
 */
export class HeapKeyedStateBackend implements KeyedStateBackend {
  readonly maxParallelism: number;
  readonly keyGroupRange: KeyGroupRange;
  readonly #clock: () => number;
  readonly #tables = new Map<string, StateTable>();
  readonly #states = new Map<string, HeapState>();
  #key: unknown;
  #nkey: NKey = '';
  #keyGroup = 0;
  #index = 0;

  constructor(maxParallelism: number, keyGroupRange: KeyGroupRange, clock: () => number = Date.now) {
    this.maxParallelism = maxParallelism;
    this.keyGroupRange = keyGroupRange;
    this.#clock = clock;
  }

  setCurrentKey(key: unknown): void {
    this.#key = key;
    this.#nkey = normalizeKey(key);
    const kg = hashKey(key) % this.maxParallelism;
    if (kg < this.keyGroupRange.start || kg > this.keyGroupRange.end) {
      throw new IllegalArgumentError(
        `key ${String(this.#nkey)} belongs to key group ${kg}, outside this subtask's range ` +
          `${this.keyGroupRange.start}-${this.keyGroupRange.end}: was the stream partitioned by a different key?`,
      );
    }
    this.#keyGroup = kg;
    this.#index = kg - this.keyGroupRange.start;
  }

  getCurrentKey(): unknown {
    return this.#key;
  }

  getCurrentKeyGroup(): number {
    return this.#keyGroup;
  }

  /** @internal used by state objects */
  current(table: StateTable): Map<NKey, unknown> {
    const map = table.maps[this.#index]!;
    if (
      typeof this.#nkey === 'string' &&
      this.#nkey.charCodeAt(0) === 1 &&
      !table.originalKeys.has(this.#nkey)
    ) {
      table.originalKeys.set(this.#nkey, this.#key);
    }
    return map;
  }

  /** @internal */
  get nkey(): NKey {
    return this.#nkey;
  }

  /** @internal */
  now(): number {
    return this.#clock();
  }

  getPartitionedState<S>(descriptor: StateDescriptor<S>): S & InternalKvState {
    const existing = this.#states.get(descriptor.name);
    if (existing !== undefined) {
      if (existing.descriptor.kind !== descriptor.kind) {
        throw new IllegalArgumentError(
          `state "${descriptor.name}" was registered as ${existing.descriptor.kind} state and is now requested as ${descriptor.kind} state`,
        );
      }
      return existing as unknown as S & InternalKvState;
    }
    let table = this.#tables.get(descriptor.name);
    if (table === undefined) {
      table = new StateTable(this.keyGroupRange.end - this.keyGroupRange.start + 1);
      this.#tables.set(descriptor.name, table);
    }
    const state = createState(this, table, descriptor);
    this.#states.set(descriptor.name, state);
    return state as unknown as S & InternalKvState;
  }

  numEntries(): number {
    let n = 0;
    for (const t of this.#tables.values()) for (const m of t.maps) n += m.size;
    return n;
  }

  forEachKey(stateName: string, fn: (key: unknown) => void): void {
    const table = this.#tables.get(stateName);
    if (table === undefined) return;
    for (const map of table.maps) {
      for (const nk of [...map.keys()]) {
        const original = table.originalKeys.has(nk) ? table.originalKeys.get(nk) : nk;
        this.setCurrentKey(original);
        fn(original);
      }
    }
  }

  /** Snapshot of every state table, per key group (absolute key group numbers). */
  snapshot(): Record<string, Array<[keyGroup: number, entries: Array<[unknown, unknown]>]>> {
    const out: Record<string, Array<[number, Array<[unknown, unknown]>]>> = {};
    for (const [name, table] of this.#tables) {
      const groups: Array<[number, Array<[unknown, unknown]>]> = [];
      table.maps.forEach((map, i) => {
        if (map.size === 0) return;
        const entries: Array<[unknown, unknown]> = [];
        for (const [nk, v] of map) {
          entries.push([table.originalKeys.has(nk) ? table.originalKeys.get(nk) : nk, v]);
        }
        groups.push([this.keyGroupRange.start + i, entries]);
      });
      out[name] = groups;
    }
    return out;
  }

  /** Restores the key groups of this backend's range from snapshots (others are ignored). */
  restore(snapshots: Iterable<Record<string, Array<[number, Array<[unknown, unknown]>]>>>): void {
    for (const snap of snapshots) {
      for (const [name, groups] of Object.entries(snap)) {
        let table = this.#tables.get(name);
        if (table === undefined) {
          table = new StateTable(this.keyGroupRange.end - this.keyGroupRange.start + 1);
          this.#tables.set(name, table);
        }
        for (const [kg, entries] of groups) {
          if (kg < this.keyGroupRange.start || kg > this.keyGroupRange.end) continue;
          const map = table.maps[kg - this.keyGroupRange.start]!;
          for (const [key, value] of entries) {
            const nk = normalizeKey(key);
            if (typeof nk === 'string' && nk.charCodeAt(0) === 1) table.originalKeys.set(nk, key);
            map.set(nk, value);
          }
        }
      }
    }
  }
}

abstract class HeapState implements InternalKvState {
  readonly backend: HeapKeyedStateBackend;
  readonly table: StateTable;
  readonly descriptor: StateDescriptor<unknown>;
  readonly ttl: StateTtlConfig | undefined;
  namespace: NKey = VOID_NAMESPACE;

  constructor(backend: HeapKeyedStateBackend, table: StateTable, descriptor: StateDescriptor<unknown>) {
    this.backend = backend;
    this.table = table;
    this.descriptor = descriptor;
    this.ttl = descriptor.ttlConfig;
  }

  setCurrentNamespace(namespace: NKey): void {
    this.namespace = namespace;
  }

  protected getRaw(): unknown {
    const map = this.backend.current(this.table);
    const nk = this.backend.nkey;
    let stored: unknown;
    if (this.namespace === VOID_NAMESPACE) stored = map.get(nk);
    else stored = (map.get(nk) as Map<NKey, unknown> | undefined)?.get(this.namespace);
    if (stored === undefined || this.ttl === undefined) return stored;
    const w = stored as TtlValue;
    const now = this.backend.now();
    if (now - w.t >= this.ttl.ttl) {
      this.removeRaw();
      return this.ttl.stateVisibility === 'ReturnExpiredIfNotCleanedUp' ? w.v : undefined;
    }
    if (this.ttl.updateType === 'OnReadAndWrite') w.t = now;
    return w.v;
  }

  protected putRaw(value: unknown): void {
    const map = this.backend.current(this.table);
    const nk = this.backend.nkey;
    const stored = this.ttl === undefined ? value : ({ v: value, t: this.backend.now() } satisfies TtlValue);
    if (this.namespace === VOID_NAMESPACE) {
      map.set(nk, stored);
      return;
    }
    let ns = map.get(nk) as Map<NKey, unknown> | undefined;
    if (ns === undefined) {
      ns = new Map();
      map.set(nk, ns);
    }
    ns.set(this.namespace, stored);
  }

  removeRaw(): void {
    const map = this.backend.current(this.table);
    const nk = this.backend.nkey;
    if (this.namespace === VOID_NAMESPACE) {
      map.delete(nk);
    } else {
      const ns = map.get(nk) as Map<NKey, unknown> | undefined;
      if (ns === undefined) return;
      ns.delete(this.namespace);
      if (ns.size === 0) map.delete(nk);
    }
    if (typeof nk === 'string' && nk.charCodeAt(0) === 1 && !map.has(nk)) this.table.originalKeys.delete(nk);
  }

  clear(): void {
    this.removeRaw();
  }
}

class HeapValueState<T> extends HeapState implements ValueState<T> {
  value(): T | undefined {
    const v = this.getRaw();
    return v === undefined
      ? (this.descriptor as unknown as { defaultValue: T | undefined }).defaultValue
      : (v as T);
  }
  update(value: T | undefined): void {
    if (value === undefined) this.removeRaw();
    else this.putRaw(value);
  }
}

class HeapListState<T> extends HeapState implements ListState<T> {
  get(): T[] {
    return (this.getRaw() as T[] | undefined) ?? [];
  }
  add(value: T): void {
    const list = this.getRaw() as T[] | undefined;
    if (list === undefined) this.putRaw([value]);
    else {
      list.push(value);
      if (this.ttl !== undefined) this.putRaw(list);
    }
  }
  addAll(values: Iterable<T>): void {
    for (const v of values) this.add(v);
  }
  update(values: Iterable<T>): void {
    const list = [...values];
    if (list.length === 0) this.removeRaw();
    else this.putRaw(list);
  }
}

class HeapMapState<K, V> extends HeapState implements MapState<K, V> {
  #map(create: boolean): Map<unknown, [K, V]> | undefined {
    let m = this.getRaw() as Map<unknown, [K, V]> | undefined;
    if (m === undefined && create) {
      m = new Map();
      this.putRaw(m);
    }
    return m;
  }
  get(key: K): V | undefined {
    return this.#map(false)?.get(normalizeKey(key))?.[1];
  }
  put(key: K, value: V): void {
    this.#map(true)!.set(normalizeKey(key), [key, value]);
  }
  putAll(entries: Iterable<readonly [K, V]> | ReadonlyMap<K, V>): void {
    for (const [k, v] of entries) this.put(k, v);
  }
  remove(key: K): void {
    const m = this.#map(false);
    if (m === undefined) return;
    m.delete(normalizeKey(key));
    if (m.size === 0) this.removeRaw();
  }
  contains(key: K): boolean {
    return this.#map(false)?.has(normalizeKey(key)) ?? false;
  }
  *entries(): IterableIterator<[K, V]> {
    const m = this.#map(false);
    if (m === undefined) return;
    for (const [k, v] of [...m.values()]) yield [k, v];
  }
  *keys(): IterableIterator<K> {
    for (const [k] of this.entries()) yield k;
  }
  *values(): IterableIterator<V> {
    for (const [, v] of this.entries()) yield v;
  }
  isEmpty(): boolean {
    return (this.#map(false)?.size ?? 0) === 0;
  }
}

class HeapReducingState<T> extends HeapState implements ReducingState<T> {
  get(): T | undefined {
    return this.getRaw() as T | undefined;
  }
  add(value: T): void {
    const cur = this.getRaw() as T | undefined;
    const reduce = (this.descriptor as unknown as { reduce: (a: T, b: T) => T }).reduce;
    this.putRaw(cur === undefined ? value : reduce(cur, value));
  }
}

class HeapAggregatingState<IN, ACC, OUT> extends HeapState implements AggregatingState<IN, OUT> {
  get(): OUT | undefined {
    const acc = this.getRaw() as ACC | undefined;
    if (acc === undefined) return undefined;
    return (this.descriptor as AggregatingStateDescriptor<IN, ACC, OUT>).aggregateFunction.getResult(acc);
  }
  add(value: IN): void {
    const fn = (this.descriptor as AggregatingStateDescriptor<IN, ACC, OUT>).aggregateFunction;
    let acc = this.getRaw() as ACC | undefined;
    if (acc === undefined) acc = fn.createAccumulator();
    this.putRaw(fn.add(value, acc));
  }
}

function createState(
  backend: HeapKeyedStateBackend,
  table: StateTable,
  descriptor: StateDescriptor<unknown>,
): HeapState {
  switch (descriptor.kind) {
    case 'value':
      return new HeapValueState(backend, table, descriptor);
    case 'list':
      return new HeapListState(backend, table, descriptor);
    case 'map':
      return new HeapMapState(backend, table, descriptor);
    case 'reducing':
      return new HeapReducingState(backend, table, descriptor);
    case 'aggregating':
      return new HeapAggregatingState(backend, table, descriptor);
    default: {
      const never: never = descriptor.kind;
      throw new IllegalArgumentError(`unknown state kind ${String(never)}`);
    }
  }
}

export { assignToKeyGroup };
