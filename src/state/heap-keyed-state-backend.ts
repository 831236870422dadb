// The default keyed state backend: JS Maps organised by key group, so a snapshot can be written
// per key group and restored at another parallelism. Access is synchronous; snapshots are
// copy-on-write, so a checkpoint reads them while the task goes on changing state.
import { IllegalArgumentError } from '../core/index.ts';
import { copyStateValue } from './internal/copy-state-value.ts';
import { assignToKeyGroup, hashKey, type KeyGroupRange, normalizeKey } from './key-group-assignment.ts';
import type {
  AggregatingState,
  ListState,
  MapState,
  ReducingState,
  StateDescriptor,
  ValueState,
} from './state-descriptor.ts';
import type { StateTtlConfig } from './state-ttl-config.ts';
import {
  accumulatorResult,
  addToAccumulator,
  mergeAccumulators,
  reduceInto,
} from './state-value-combiners.ts';

type NKey = string | number | boolean | bigint;

/** The namespace of state that is not scoped to a window. */
export const VOID_NAMESPACE = '';

/** A state object whose scope (namespace, e.g. a window) can be switched by the runtime. */
export interface InternalKvState {
  setCurrentNamespace(namespace: NKey): void;
}

/**
 * A state whose values in several namespaces can be combined into one (list, reducing and
 * aggregating state): what merging windows (sessions) do with their contents and trigger state.
 */
export interface InternalMergingState extends InternalKvState {
  /**
   * Moves the values of the current key in `sources` into `target` (Flink's rule: the sources are
   * combined in order, then combined into the target's value) and clears the sources.
   */
  mergeNamespaces(target: NKey, sources: readonly NKey[]): void;
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
  /**
   * Every state of this backend, per key group. The result may share objects with live state:
   * the caller serializes it before the next state access (the task does, at the barrier).
   */
  snapshot(): KeyedStateSnapshot;
  /**
   * Optional asynchronous snapshot: the state as of the call (taken synchronously, e.g. an MVCC
   * read transaction), read into a {@link KeyedStateSnapshot} while processing goes on. Backends
   * that have it let the task acknowledge a checkpoint without stopping for the whole read; the
   * result shares no objects with live state.
   */
  snapshotAsync?(): Promise<KeyedStateSnapshot>;
  /**
   * Optional snapshot in two phases (what a task uses for asynchronous checkpoints): the call
   * fixes the state as of now, cheaply (the heap backend pins its key-group tables copy-on-write,
   * the lmdb backend opens a read transaction); the returned view is then read in slices while
   * state keeps changing, and no change made after the call shows in it.
   */
  pinSnapshot?(): PinnedKeyedStateSnapshot;
  /** Loads the key groups of this backend's range from snapshots of any parallelism. */
  restore(snapshots: Iterable<KeyedStateSnapshot>): void;
  /** Releases resources (files, handles). */
  dispose(): void;
}

/**
 * The snapshot format of keyed state, shared by every backend: per state name, per key group,
 * the entries as [key, value] (values as stored, e.g. with TTL wrappers and namespace maps).
 */
export type KeyedStateSnapshot = Record<
  string,
  Array<[keyGroup: number, entries: Array<[unknown, unknown]>]>
>;

/** A slice of a pinned snapshot: entries of one state table in one key group. */
export type KeyedStateSnapshotSlice = readonly [
  table: string,
  keyGroup: number,
  entries: Array<[unknown, unknown]>,
];

/**
 * The keyed state of a backend as of one instant (a checkpoint barrier), read after that instant,
 * in slices, while the backend goes on changing: the asynchronous phase of a checkpoint.
 *
 * @example
 * const pinned = backend.pinSnapshot!();
 * // …state keeps changing…
 * for (let s = pinned.next(1000); s !== undefined; s = pinned.next(1000)) write(s);
 * pinned.release();
 */
export interface PinnedKeyedStateSnapshot {
  /**
   * The next slice (about `maxEntries` entries at most, but never less than what a backend reads
   * at once; one key group may come in several slices), or undefined once everything was read.
   * Nothing in a slice is changed later by the backend.
   */
  next(maxEntries: number): KeyedStateSnapshotSlice | undefined;
  /** Releases what the snapshot holds (after the last slice, or to give up early). Idempotent. */
  release(): void;
}

/**
 * Reads a pinned snapshot to its end into one {@link KeyedStateSnapshot}, and releases it.
 *
 * @example
 * const snapshot = readPinnedSnapshot(backend.pinSnapshot!());
 */
export function readPinnedSnapshot(pinned: PinnedKeyedStateSnapshot, maxEntries = 4096): KeyedStateSnapshot {
  const out: Record<string, Array<[number, Array<[unknown, unknown]>]>> = {};
  try {
    for (let s = pinned.next(maxEntries); s !== undefined; s = pinned.next(maxEntries)) {
      const [table, kg, entries] = s;
      let groups = out[table];
      if (groups === undefined) out[table] = groups = [];
      const last = groups[groups.length - 1];
      if (last !== undefined && last[0] === kg) last[1].push(...entries);
      else groups.push([kg, entries]);
    }
  } finally {
    pinned.release();
  }
  return out;
}

interface TtlValue {
  v: unknown;
  t: number;
}

/** A table per state: one Map per key group, from normalized key to value (or, in a state's
 * namespace table, to a Map from namespace to value). */
class StateTable {
  readonly maps: Map<NKey, unknown>[];
  /** Original key objects for composite keys (normalized to strings). */
  readonly originalKeys = new Map<NKey, unknown>();
  /**
   * Copy-on-write bookkeeping, per key group: the maps that pending snapshots still read (with
   * how many snapshots read each), undefined when none does. Invariant: a map in here, and every
   * object reachable from its values, is never changed again; live state first replaces the map
   * by a copy (on the first access to the key group) and a shared value by a deep copy (on the
   * first access to its key), so writes after a snapshot was pinned never reach it.
   */
  readonly pins: Array<Map<Map<NKey, unknown>, number> | undefined>;
  constructor(size: number) {
    this.maps = Array.from({ length: size }, () => new Map());
    this.pins = new Array(size).fill(undefined);
  }

  pin(index: number): Map<NKey, unknown> {
    const map = this.maps[index]!;
    let pins = this.pins[index];
    if (pins === undefined) {
      pins = new Map();
      this.pins[index] = pins;
    }
    pins.set(map, (pins.get(map) ?? 0) + 1);
    return map;
  }

  unpin(index: number, map: Map<NKey, unknown>): void {
    const pins = this.pins[index];
    const n = pins?.get(map);
    if (pins === undefined || n === undefined) return;
    if (n > 1) pins.set(map, n - 1);
    else pins.delete(map);
    if (pins.size === 0) this.pins[index] = undefined;
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
  /** Pinned snapshots not yet released (while any is, original keys are kept: they may read them). */
  #pinned = 0;

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

  /**
   * @internal used by state objects: the live map of the current key group, made safe to change
   * for the current key (copy-on-write when a pending snapshot reads this key group).
   */
  current(table: StateTable): Map<NKey, unknown> {
    let map = table.maps[this.#index]!;
    const pins = table.pins[this.#index];
    if (pins !== undefined) {
      if (pins.has(map)) {
        map = new Map(map);
        table.maps[this.#index] = map;
      }
      const v = map.get(this.#nkey);
      if (v !== null && typeof v === 'object') {
        for (const pinned of pins.keys()) {
          if (pinned.get(this.#nkey) === v) {
            map.set(this.#nkey, copyStateValue(v));
            break;
          }
        }
      }
    }
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

  /** @internal whether a key's original key object may be forgotten (no snapshot may need it). */
  get mayForgetKeys(): boolean {
    return this.#pinned === 0;
  }

  /**
   * @internal The table of a state's values in namespaces other than the void one (per key: a Map
   * from namespace to value). A table of its own, under a derived name, so that namespaced and
   * void-namespace values of one key never share an entry and a snapshot needs no markers.
   */
  namespaceTable(stateName: string): StateTable {
    const name = `${stateName}\u0000ns`;
    let table = this.#tables.get(name);
    if (table === undefined) {
      table = new StateTable(this.keyGroupRange.end - this.keyGroupRange.start + 1);
      this.#tables.set(name, table);
    }
    return table;
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

  dispose(): void {
    this.#tables.clear();
    this.#states.clear();
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
  snapshot(): KeyedStateSnapshot {
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

  /**
   * Pins every non-empty key group of every table (O(tables × key groups), no copying): the
   * snapshot reads those maps later, and live state copies on write from now on.
   */
  pinSnapshot(): PinnedKeyedStateSnapshot {
    const views: Array<{ name: string; table: StateTable; maps: Array<Map<NKey, unknown> | undefined> }> = [];
    for (const [name, table] of this.#tables) {
      const maps = table.maps.map((m, i) => (m.size === 0 ? undefined : table.pin(i)));
      views.push({ name, table, maps });
    }
    this.#pinned++;
    let released = false;
    let v = 0;
    let i = 0;
    let cursor: Iterator<[NKey, unknown]> | undefined;
    return {
      next: (maxEntries) => {
        if (released) return undefined;
        const limit = Math.max(1, maxEntries);
        while (v < views.length) {
          const view = views[v]!;
          if (i >= view.maps.length) {
            v++;
            i = 0;
            continue;
          }
          const m = view.maps[i];
          if (m === undefined) {
            i++;
            continue;
          }
          cursor ??= m.entries();
          const keys = view.table.originalKeys;
          const entries: Array<[unknown, unknown]> = [];
          let done = false;
          while (entries.length < limit) {
            const r = cursor.next();
            if (r.done === true) {
              done = true;
              break;
            }
            const [nk, value] = r.value;
            entries.push([keys.has(nk) ? keys.get(nk) : nk, value]);
          }
          const kg = this.keyGroupRange.start + i;
          if (done) {
            // The key group stays pinned until release(): slices handed out still refer to its
            // values, which live state must not change while the caller may be reading them.
            cursor = undefined;
            i++;
          }
          if (entries.length > 0) return [view.name, kg, entries];
        }
        return undefined;
      },
      release: () => {
        if (released) return;
        released = true;
        for (const view of views) {
          view.maps.forEach((m, index) => {
            if (m !== undefined) view.table.unpin(index, m);
          });
        }
        this.#pinned--;
      },
    };
  }

  /** Restores the key groups of this backend's range from snapshots (others are ignored). */
  restore(snapshots: Iterable<KeyedStateSnapshot>): void {
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

  /** The stored value of the current key and namespace, as stored (TTL wrappers included). */
  protected readSlot(): unknown {
    const nk = this.backend.nkey;
    if (this.namespace === VOID_NAMESPACE) return this.backend.current(this.table).get(nk);
    const values = this.backend.current(this.#namespaces()).get(nk) as Map<NKey, unknown> | undefined;
    return values?.get(this.namespace);
  }

  /** Stores a value for the current key and namespace, as is. */
  protected writeSlot(stored: unknown): void {
    const nk = this.backend.nkey;
    if (this.namespace === VOID_NAMESPACE) {
      this.backend.current(this.table).set(nk, stored);
      return;
    }
    const map = this.backend.current(this.#namespaces());
    let values = map.get(nk) as Map<NKey, unknown> | undefined;
    if (values === undefined) {
      values = new Map();
      map.set(nk, values);
    }
    values.set(this.namespace, stored);
  }

  #nsTable: StateTable | undefined;
  #namespaces(): StateTable {
    this.#nsTable ??= this.backend.namespaceTable(this.descriptor.name);
    return this.#nsTable;
  }

  /** Value, reducing and aggregating state expire as a whole; list and map state per element. */
  protected get wholeValueTtl(): boolean {
    return this.ttl !== undefined;
  }

  /** Whether an element written at `writtenAt` has expired. */
  protected expired(writtenAt: number, now: number): boolean {
    return now - writtenAt >= this.ttl!.ttl;
  }

  protected getRaw(): unknown {
    const stored = this.readSlot();
    if (stored === undefined || !this.wholeValueTtl) return stored;
    const w = stored as TtlValue;
    const now = this.backend.now();
    if (this.expired(w.t, now)) {
      this.removeRaw();
      return this.ttl!.stateVisibility === 'ReturnExpiredIfNotCleanedUp' ? w.v : undefined;
    }
    if (this.ttl!.updateType === 'OnReadAndWrite') w.t = now;
    return w.v;
  }

  protected putRaw(value: unknown): void {
    this.writeSlot(this.wholeValueTtl ? ({ v: value, t: this.backend.now() } satisfies TtlValue) : value);
  }

  removeRaw(): void {
    const nk = this.backend.nkey;
    const table = this.namespace === VOID_NAMESPACE ? this.table : this.#namespaces();
    const map = this.backend.current(table);
    if (table === this.table) {
      map.delete(nk);
    } else {
      const values = map.get(nk) as Map<NKey, unknown> | undefined;
      if (values === undefined) return;
      values.delete(this.namespace);
      if (values.size === 0) map.delete(nk);
    }
    if (typeof nk === 'string' && nk.charCodeAt(0) === 1 && !map.has(nk) && this.backend.mayForgetKeys)
      table.originalKeys.delete(nk);
  }

  clear(): void {
    this.removeRaw();
  }

  /** Combines two stored values of merging states (list, reducing, aggregating). */
  protected mergeValues(_a: unknown, _b: unknown): unknown {
    throw new IllegalArgumentError(
      `state "${this.descriptor.name}" is ${this.descriptor.kind} state, which cannot be merged; use list, reducing or aggregating state`,
    );
  }

  mergeNamespaces(target: NKey, sources: readonly NKey[]): void {
    const kind = this.descriptor.kind;
    if (kind !== 'list' && kind !== 'reducing' && kind !== 'aggregating')
      this.mergeValues(undefined, undefined);
    const saved = this.namespace;
    try {
      let merged: unknown;
      for (const source of sources) {
        this.namespace = source;
        const value = this.getRaw();
        if (value === undefined) continue;
        this.removeRaw();
        merged = merged === undefined ? value : this.mergeValues(merged, value);
      }
      if (merged === undefined) return;
      this.namespace = target;
      const current = this.getRaw();
      this.putRaw(current === undefined ? merged : this.mergeValues(current, merged));
    } finally {
      this.namespace = saved;
    }
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

/** List state; with TTL every element carries its own write time (as Flink's list state TTL). */
class HeapListState<T> extends HeapState implements ListState<T> {
  protected override mergeValues(a: unknown, b: unknown): unknown {
    return (a as T[]).concat(b as T[]);
  }
  protected override get wholeValueTtl(): boolean {
    return false;
  }
  get(): T[] {
    // A copy: the caller may emit it, and records are read after they are emitted.
    if (this.ttl === undefined) return [...((this.readSlot() as T[] | undefined) ?? [])];
    const stored = this.readSlot() as TtlValue[] | undefined;
    if (stored === undefined) return [];
    const now = this.backend.now();
    const live = stored.filter((e) => !this.expired(e.t, now));
    const visible = this.ttl.stateVisibility === 'ReturnExpiredIfNotCleanedUp' ? stored : live;
    if (live.length === 0) this.removeRaw();
    else if (live.length !== stored.length) this.writeSlot(live);
    if (this.ttl.updateType === 'OnReadAndWrite') for (const e of live) e.t = now;
    return visible.map((e) => e.v as T);
  }
  add(value: T): void {
    const list = this.readSlot() as unknown[] | undefined;
    const element = this.ttl === undefined ? value : ({ v: value, t: this.backend.now() } satisfies TtlValue);
    if (list === undefined) this.writeSlot([element]);
    else list.push(element);
  }
  addAll(values: Iterable<T>): void {
    for (const v of values) this.add(v);
  }
  update(values: Iterable<T>): void {
    const list = [...values];
    if (list.length === 0) this.removeRaw();
    else if (this.ttl === undefined) this.writeSlot(list);
    else {
      const now = this.backend.now();
      this.writeSlot(list.map((v) => ({ v, t: now }) satisfies TtlValue));
    }
  }
}

/** An entry of map state: user key, value and (with TTL) its write time. */
type MapEntry<K, V> = [key: K, value: V, writtenAt?: number];

/** Map state; with TTL every entry carries its own write time (as Flink's map state TTL). */
class HeapMapState<K, V> extends HeapState implements MapState<K, V> {
  protected override get wholeValueTtl(): boolean {
    return false;
  }
  #map(create: boolean): Map<unknown, MapEntry<K, V>> | undefined {
    let m = this.readSlot() as Map<unknown, MapEntry<K, V>> | undefined;
    if (m === undefined && create) {
      m = new Map();
      this.writeSlot(m);
    }
    return m;
  }
  /** The entry of a user key, applying TTL (expired entries are removed). */
  #entry(m: Map<unknown, MapEntry<K, V>>, nk: unknown, now: number): MapEntry<K, V> | undefined {
    const e = m.get(nk);
    if (e === undefined || this.ttl === undefined) return e;
    if (this.expired(e[2]!, now)) {
      m.delete(nk);
      if (m.size === 0) this.removeRaw();
      return this.ttl.stateVisibility === 'ReturnExpiredIfNotCleanedUp' ? e : undefined;
    }
    if (this.ttl.updateType === 'OnReadAndWrite') e[2] = now;
    return e;
  }
  #now(): number {
    return this.ttl === undefined ? 0 : this.backend.now();
  }
  get(key: K): V | undefined {
    const m = this.#map(false);
    return m === undefined ? undefined : this.#entry(m, normalizeKey(key), this.#now())?.[1];
  }
  put(key: K, value: V): void {
    this.#map(true)!.set(
      normalizeKey(key),
      this.ttl === undefined ? [key, value] : [key, value, this.#now()],
    );
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
    const m = this.#map(false);
    return m !== undefined && this.#entry(m, normalizeKey(key), this.#now()) !== undefined;
  }
  *entries(): IterableIterator<[K, V]> {
    const m = this.#map(false);
    if (m === undefined) return;
    const now = this.#now();
    for (const nk of [...m.keys()]) {
      const e = this.#entry(m, nk, now);
      if (e !== undefined) yield [e[0], e[1]];
    }
  }
  *keys(): IterableIterator<K> {
    for (const [k] of this.entries()) yield k;
  }
  *values(): IterableIterator<V> {
    for (const [, v] of this.entries()) yield v;
  }
  isEmpty(): boolean {
    const m = this.#map(false);
    if (m === undefined) return true;
    if (this.ttl !== undefined) {
      const now = this.#now();
      for (const [nk, e] of [...m]) if (this.expired(e[2]!, now)) m.delete(nk);
      if (m.size === 0) this.removeRaw();
    }
    return m.size === 0;
  }
}

class HeapReducingState<T> extends HeapState implements ReducingState<T> {
  protected override mergeValues(a: unknown, b: unknown): unknown {
    return reduceInto(this.descriptor, a, b);
  }
  get(): T | undefined {
    return this.getRaw() as T | undefined;
  }
  add(value: T): void {
    this.putRaw(reduceInto(this.descriptor, this.getRaw(), value));
  }
}

class HeapAggregatingState<IN, OUT> extends HeapState implements AggregatingState<IN, OUT> {
  protected override mergeValues(a: unknown, b: unknown): unknown {
    return mergeAccumulators(this.descriptor, a, b);
  }
  get(): OUT | undefined {
    return accumulatorResult(this.descriptor, this.getRaw()) as OUT | undefined;
  }
  add(value: IN): void {
    this.putRaw(addToAccumulator(this.descriptor, this.getRaw(), value));
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
