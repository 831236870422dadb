// The embedded persistent keyed state backend: state lives in an lmdb memory-mapped B+tree on
// local disk, not on the V8 heap, so a subtask can keep more keys than fit in memory. Keys are
// ordered arrays starting with the key group, so a key group is a contiguous range (snapshots and
// rescaling read whole ranges). Access is synchronous, like the heap backend's.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IllegalArgumentError, SluiceError } from '../core/index.ts';
import type {
  InternalKvState,
  InternalMergingState,
  KeyedStateBackend,
  KeyedStateSnapshot,
  KeyedStateSnapshotSlice,
  PinnedKeyedStateSnapshot,
} from './heap-keyed-state-backend.ts';
import { VOID_NAMESPACE } from './heap-keyed-state-backend.ts';
import {
  decodeComponent,
  encodeComponent,
  isIrreversible,
  type KeyComponent,
  type KeyComponentSource,
} from './internal/lmdb-key-codec.ts';
import { HIGH, type LmdbEntry, type LmdbKey, type LmdbReadView, LmdbStore } from './internal/lmdb-store.ts';
import { hashKey, type KeyGroupRange, normalizeKey } from './key-group-assignment.ts';
import { registerStateBackend } from './state-backend-registry.ts';
import type {
  AggregatingState,
  ListState,
  MapState,
  ReducingState,
  StateDescriptor,
  StateKind,
  ValueState,
} from './state-descriptor.ts';
import type { StateTtlConfig } from './state-ttl-config.ts';
import {
  accumulatorResult,
  addToAccumulator,
  mergeAccumulators,
  reduceInto,
} from './state-value-combiners.ts';

type NKey = KeyComponentSource;

/** Suffix of the snapshot table that holds a state's values in non-void namespaces (heap format). */
const NAMESPACE_TABLE_SUFFIX = '\u0000ns';

/** Options of the `lmdb` state backend (`state.backend.type: lmdb`). */
export interface LmdbStateBackendOptions {
  /**
   * Base directory of the stores; each subtask gets `<dir>/<jobId>/<operatorId>-<subtask>-<pid>-<n>`,
   * deleted on dispose. Default: `<os.tmpdir()>/sluice-lmdb`.
   */
  readonly dir?: string;
}

/** Where one backend instance keeps its store. */
export interface LmdbKeyedStateBackendOptions {
  /** Directory of this instance's store (created; deleted with its contents on dispose). */
  readonly path: string;
  /** Processing-time clock for TTL (default `Date.now`). */
  readonly clock?: () => number;
}

/** An lmdb keyed state backend: the contract plus an asynchronous snapshot. */
export interface LmdbKeyedStateBackend extends KeyedStateBackend {
  /** Directory of the store. */
  readonly path: string;
  /**
   * Takes a consistent view of the state synchronously (an lmdb read transaction) and reads it
   * into a {@link KeyedStateSnapshot} in slices, yielding to the event loop between key groups;
   * state may be changed meanwhile without affecting the result.
   */
  snapshotAsync(): Promise<KeyedStateSnapshot>;
}

/**
 * Opens an lmdb keyed state backend for a key-group range.
 *
 * @example
 * const backend = createLmdbKeyedStateBackend(128, { start: 0, end: 127 }, { path: '/tmp/state-0' });
 * backend.setCurrentKey('user-1');
 * backend.dispose();
 */
export function createLmdbKeyedStateBackend(
  maxParallelism: number,
  keyGroupRange: KeyGroupRange,
  options: LmdbKeyedStateBackendOptions,
): LmdbKeyedStateBackend {
  return new LmdbBackend(maxParallelism, keyGroupRange, options.path, options.clock ?? Date.now);
}

let instances = 0;

/**
 * The per-subtask store directory for the registry's factory: unique per process and instance, so
 * that a restarted attempt never opens the store of one still being disposed.
 */
export function lmdbStorePath(
  options: Readonly<Record<string, unknown>>,
  jobId: string,
  operatorId: string,
  subtaskIndex: number,
): string {
  for (const key of Object.keys(options)) {
    if (key !== 'dir') {
      throw new IllegalArgumentError(`state backend "lmdb": unknown option "${key}" (known options: dir)`);
    }
  }
  const dir = options.dir;
  if (dir !== undefined && typeof dir !== 'string') {
    throw new IllegalArgumentError(
      `state backend "lmdb": option "dir" must be a string, got ${JSON.stringify(dir)}`,
    );
  }
  const base = dir === undefined || dir === '' ? join(tmpdir(), 'sluice-lmdb') : dir;
  const safe = (s: string): string => s.replace(/[^A-Za-z0-9._-]/g, '_');
  return join(base, safe(jobId), `${safe(operatorId)}-${subtaskIndex}-${process.pid}-${++instances}`);
}

interface TtlValue {
  v: unknown;
  t: number;
}

/** A map-state entry as stored (the heap backend's format): user key, value, write time (TTL). */
type MapEntry = [key: unknown, value: unknown, writtenAt?: number];

class LmdbBackend implements LmdbKeyedStateBackend {
  readonly maxParallelism: number;
  readonly keyGroupRange: KeyGroupRange;
  readonly path: string;
  readonly store: LmdbStore;
  readonly #clock: () => number;
  readonly #states = new Map<string, LmdbState>();
  /** State names restored while not registered: their list/map values are still whole (heap format). */
  readonly #unexploded = new Set<string>();
  #key: unknown;
  /** The current key's array-key component, and whether entries under it carry the original key. */
  keyComponent: KeyComponent = '';
  irreversibleKey = false;
  keyGroup = 0;
  #disposed = false;
  /** Pinned snapshots not yet released: they keep the store open after dispose(). */
  #pinnedViews = 0;

  constructor(maxParallelism: number, keyGroupRange: KeyGroupRange, path: string, clock: () => number) {
    this.maxParallelism = maxParallelism;
    this.keyGroupRange = keyGroupRange;
    this.path = path;
    this.#clock = clock;
    clearStaleStore(path);
    this.store = new LmdbStore(path);
  }

  setCurrentKey(key: unknown): void {
    const nkey = normalizeKey(key);
    const kg = hashKey(key) % this.maxParallelism;
    if (kg < this.keyGroupRange.start || kg > this.keyGroupRange.end) {
      throw new IllegalArgumentError(
        `key ${String(nkey)} belongs to key group ${kg}, outside this subtask's range ` +
          `${this.keyGroupRange.start}-${this.keyGroupRange.end}: was the stream partitioned by a different key?`,
      );
    }
    this.#key = key;
    this.keyComponent = encodeComponent(nkey);
    this.irreversibleKey = isIrreversible(this.keyComponent);
    this.keyGroup = kg;
  }

  getCurrentKey(): unknown {
    return this.#key;
  }

  getCurrentKeyGroup(): number {
    return this.keyGroup;
  }

  now(): number {
    return this.#clock();
  }

  /** A value as stored in lmdb: with the original key when the key component cannot give it back. */
  wrap(payload: unknown): unknown {
    return this.irreversibleKey ? [payload, this.#key] : payload;
  }

  unwrap(raw: unknown): unknown {
    return raw === undefined || !this.irreversibleKey ? raw : (raw as [unknown, unknown])[0];
  }

  getPartitionedState<S>(descriptor: StateDescriptor<S>): S & InternalKvState {
    this.#checkOpen();
    const existing = this.#states.get(descriptor.name);
    if (existing !== undefined) {
      if (existing.descriptor.kind !== descriptor.kind) {
        throw new IllegalArgumentError(
          `state "${descriptor.name}" was registered as ${existing.descriptor.kind} state and is now requested as ${descriptor.kind} state`,
        );
      }
      return existing as unknown as S & InternalKvState;
    }
    const state = createState(this, descriptor as StateDescriptor<unknown>);
    this.#states.set(descriptor.name, state);
    if (this.#unexploded.delete(descriptor.name) && isElementKind(descriptor.kind)) {
      this.#explodeRestored(state);
    }
    return state as unknown as S & InternalKvState;
  }

  numEntries(): number {
    this.#checkOpen();
    // As the heap backend counts: one entry per state and key in the void namespace, and one per
    // state and key that has values in other namespaces.
    let n = 0;
    for (let kg = this.keyGroupRange.start; kg <= this.keyGroupRange.end; kg++) {
      const seen = new Set<string>();
      for (const { key } of this.store.range([kg], [kg + 1])) {
        const [, name, ns, k] = key;
        seen.add(`${ns === VOID_NAMESPACE ? 'v' : 'n'}${String(name)}\u0000${typeof k}${String(k)}`);
      }
      n += seen.size;
    }
    return n;
  }

  forEachKey(stateName: string, fn: (key: unknown) => void): void {
    this.#checkOpen();
    const name = stateNameComponent(stateName);
    for (let kg = this.keyGroupRange.start; kg <= this.keyGroupRange.end; kg++) {
      // Read the keys of this key group first: `fn` may change state.
      const keys: unknown[] = [];
      let last: KeyComponent | undefined;
      for (const { key, value } of this.store.range(
        [kg, name, VOID_NAMESPACE],
        [kg, name, VOID_NAMESPACE, HIGH],
      )) {
        const k = key[3]!;
        if (k === last) continue;
        last = k;
        keys.push(isIrreversible(k) ? (value as [unknown, unknown])[1] : decodeComponent(k));
      }
      for (const key of keys) {
        this.setCurrentKey(key);
        fn(key);
      }
    }
  }

  snapshot(): KeyedStateSnapshot {
    this.#checkOpen();
    const builder = new SnapshotBuilder(this.#elementKinds());
    for (let kg = this.keyGroupRange.start; kg <= this.keyGroupRange.end; kg++) {
      builder.addKeyGroup(kg, this.store.range([kg], [kg + 1]));
    }
    return builder.result();
  }

  async snapshotAsync(): Promise<KeyedStateSnapshot> {
    this.#checkOpen();
    // Synchronous up to the first await: the view is the state at the time of the call.
    const view: LmdbReadView = this.store.openReadView();
    const builder = new SnapshotBuilder(this.#elementKinds());
    try {
      for (let kg = this.keyGroupRange.start; kg <= this.keyGroupRange.end; kg++) {
        if (kg > this.keyGroupRange.start) await new Promise<void>((resolve) => setImmediate(resolve));
        if (this.#disposed)
          throw new SluiceError(
            'STATE_BACKEND_DISPOSED',
            'lmdb state backend was disposed during a snapshot',
          );
        builder.addKeyGroup(kg, view.range([kg], [kg + 1]));
      }
    } finally {
      if (!this.#disposed) view.release();
    }
    return builder.result();
  }

  /**
   * An lmdb read transaction (MVCC): the sync phase opens it; slices are read lazily from it
   * (see {@link SnapshotBuilder.slices}). It stays readable after dispose() (which then closes
   * the store on release).
   */
  pinSnapshot(): PinnedKeyedStateSnapshot {
    this.#checkOpen();
    const view: LmdbReadView = this.store.openReadView();
    this.#pinnedViews++;
    const builder = new SnapshotBuilder(this.#elementKinds());
    let current: Iterator<KeyedStateSnapshotSlice> | undefined;
    let kg = this.keyGroupRange.start;
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      view.release();
      if (--this.#pinnedViews === 0 && this.#disposed) this.#close();
    };
    return {
      next: (maxEntries) => {
        while (!released) {
          if (current === undefined) {
            if (kg > this.keyGroupRange.end) break;
            current = builder.slices(kg, view.range([kg], [kg + 1]), Math.max(1, maxEntries));
            kg++;
          }
          const r = current.next();
          if (r.done !== true) return r.value;
          current = undefined;
        }
        release();
        return undefined;
      },
      release,
    };
  }

  restore(snapshots: Iterable<KeyedStateSnapshot>): void {
    this.#checkOpen();
    const savedKey = this.#key;
    for (const snap of snapshots) {
      for (const [table, groups] of Object.entries(snap)) {
        const namespaced = table.endsWith(NAMESPACE_TABLE_SUFFIX);
        const name = namespaced ? table.slice(0, -NAMESPACE_TABLE_SUFFIX.length) : table;
        const nameComponent = stateNameComponent(name);
        const kind = this.#states.get(name)?.descriptor.kind;
        for (const [kg, entries] of groups) {
          if (kg < this.keyGroupRange.start || kg > this.keyGroupRange.end) continue;
          for (const [key, stored] of entries) {
            const actual = hashKey(key) % this.maxParallelism;
            if (actual !== kg) {
              throw new IllegalArgumentError(
                `restore: snapshot of state "${name}" has key ${String(normalizeKey(key))} in key group ${kg}, but it hashes to ${actual}; was the snapshot written with another max parallelism?`,
              );
            }
            this.setCurrentKey(key);
            if (!namespaced) {
              this.#restoreSlot(name, nameComponent, kind, VOID_NAMESPACE, stored);
              continue;
            }
            for (const [ns, value] of namespaceEntries(stored, name)) {
              this.#restoreSlot(name, nameComponent, kind, namespaceComponent(ns), value);
            }
          }
        }
      }
    }
    if (savedKey !== undefined) this.setCurrentKey(savedKey);
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#states.clear();
    // A checkpoint still reading a pinned snapshot closes the store when it releases it.
    if (this.#pinnedViews === 0) this.#close();
  }

  #close(): void {
    this.store.close();
    rmSync(this.path, { recursive: true, force: true });
  }

  /** Kinds of the registered states whose values are stored per element (list, map). */
  #elementKinds(): Map<string, 'list' | 'map'> {
    const kinds = new Map<string, 'list' | 'map'>();
    for (const [name, state] of this.#states) {
      const kind = state.descriptor.kind;
      if (kind === 'list' || kind === 'map') kinds.set(String(stateNameComponent(name)), kind);
    }
    return kinds;
  }

  /** Writes one restored value of the current key (heap format) in this backend's layout. */
  #restoreSlot(
    name: string,
    nameComponent: KeyComponent,
    kind: StateKind | undefined,
    ns: KeyComponent,
    stored: unknown,
  ): void {
    const slot: LmdbKey = [this.keyGroup, nameComponent, ns, this.keyComponent];
    if (kind === 'list' || kind === 'map') {
      for (const { key } of this.store.range([...slot, null], [...slot, HIGH])) this.store.remove(key);
      this.#explodeSlot(name, kind, slot, stored);
      return;
    }
    this.store.put(slot, this.wrap(stored));
    if (kind === undefined) this.#unexploded.add(name);
  }

  /** Stores a whole list or map value (heap format) as one entry per element. */
  #explodeSlot(name: string, kind: 'list' | 'map', slot: LmdbKey, stored: unknown): void {
    if (kind === 'list') {
      if (!Array.isArray(stored)) throw badRestoredValue(name, kind, stored);
      for (let seq = 0; seq < stored.length; seq++) this.store.put([...slot, seq], this.wrap(stored[seq]));
      return;
    }
    if (!(stored instanceof Map)) throw badRestoredValue(name, kind, stored);
    for (const [nuk, entry] of stored as Map<NKey, MapEntry>) {
      this.store.put([...slot, encodeComponent(nuk)], this.wrap(entry));
    }
  }

  /** Converts the whole (heap-format) values restored for a state now known to be list or map state. */
  #explodeRestored(state: LmdbState): void {
    const kind = state.descriptor.kind as 'list' | 'map';
    const savedKey = this.#key;
    const hadKey = savedKey !== undefined;
    for (let kg = this.keyGroupRange.start; kg <= this.keyGroupRange.end; kg++) {
      for (const { key, value } of this.store.range(
        [kg, state.nameComponent],
        [kg, state.nameComponent, HIGH],
      )) {
        if (key.length !== 4) continue;
        const k = key[3]!;
        const irreversible = isIrreversible(k);
        this.setCurrentKey(irreversible ? (value as [unknown, unknown])[1] : decodeComponent(k));
        this.store.remove(key);
        this.#explodeSlot(state.descriptor.name, kind, key, this.unwrap(value));
      }
    }
    if (hadKey) this.setCurrentKey(savedKey);
  }

  #checkOpen(): void {
    if (this.#disposed) {
      throw new SluiceError('STATE_BACKEND_DISPOSED', `lmdb state backend ${this.path} was disposed`, {
        origin: 'internal',
      });
    }
  }
}

/**
 * A store left in `path` by a process that crashed is stale working state (state comes back from
 * checkpoints), so it is deleted; a directory holding anything else is refused, never deleted.
 */
function clearStaleStore(path: string): void {
  if (!existsSync(path)) return;
  const files = readdirSync(path);
  if (files.some((f) => f !== 'data.mdb' && f !== 'lock.mdb')) {
    throw new IllegalArgumentError(
      `lmdb state backend: directory ${path} exists and holds other files than an lmdb store (${files.slice(0, 5).join(', ')}); give a new or empty directory`,
    );
  }
  rmSync(path, { recursive: true, force: true });
}

function isElementKind(kind: StateKind): kind is 'list' | 'map' {
  return kind === 'list' || kind === 'map';
}

function stateNameComponent(name: string): KeyComponent {
  const c = encodeComponent(name);
  if (isIrreversible(c) && typeof c === 'string' && c.charCodeAt(0) === 2) {
    throw new IllegalArgumentError(`lmdb state backend: state name is too long (${name.length} characters)`);
  }
  return c;
}

function namespaceComponent(ns: NKey): KeyComponent {
  const c = encodeComponent(ns);
  if (isIrreversible(c)) {
    throw new IllegalArgumentError(
      `lmdb state backend: namespace ${JSON.stringify(String(ns).slice(0, 80))}... is too long for a key`,
    );
  }
  return c;
}

/** The namespace → value pairs of a restored namespace-table entry (a Map in the snapshot format;
 * anything else means the snapshot went through a serializer that lost Maps). */
function namespaceEntries(stored: unknown, name: string): Map<NKey, unknown> {
  if (stored instanceof Map) return stored as Map<NKey, unknown>;
  throw new IllegalArgumentError(
    `restore: namespaced value of state "${name}" must be a Map from namespace to value, got ${
      stored === null ? 'null' : typeof stored
    }; was the snapshot serialized without Map support?`,
  );
}

function badRestoredValue(name: string, kind: 'list' | 'map', stored: unknown): IllegalArgumentError {
  return new IllegalArgumentError(
    `restore: state "${name}" is ${kind} state, but its snapshot value is ${
      stored instanceof Map ? 'a Map' : Array.isArray(stored) ? 'an array' : typeof stored
    }; was the state renamed or its kind changed?`,
  );
}

/**
 * Turns lmdb entries back into the heap backend's snapshot format, one key group at a time.
 * Entries come in key order `[kg, name, ns, key(, element)]`, so a list's elements or a map's
 * entries are adjacent and in order.
 */
class SnapshotBuilder {
  readonly #out: Record<string, Array<[number, Array<[unknown, unknown]>]>> = {};
  readonly #kinds: Map<string, 'list' | 'map'>;

  constructor(kinds: Map<string, 'list' | 'map'>) {
    this.#kinds = kinds;
  }

  addKeyGroup(kg: number, entries: Iterable<LmdbEntry>): void {
    for (const [name, group, e] of this.slices(kg, entries, Number.POSITIVE_INFINITY)) {
      this.#table(name).push([group, e]);
    }
  }

  /**
   * The entries of one key group as slices, read lazily: entries in the void namespace come in
   * slices of about `maxEntries` (a list or map value is never split); values in other namespaces
   * are grouped per key, so they come at the end of the key group.
   */
  *slices(kg: number, entries: Iterable<LmdbEntry>, maxEntries: number): Generator<KeyedStateSnapshotSlice> {
    const tables = new Map<string, Array<[unknown, unknown]>>();
    let collected = 0;
    /** Per namespaced state: key component → [original key, Map<namespace, value>]. */
    const namespaced = new Map<string, Map<KeyComponent, [unknown, Map<NKey, unknown>]>>();
    // The element group being collected: its slot (as components) and values.
    let group:
      | { name: KeyComponent; ns: KeyComponent; k: KeyComponent; key: unknown; items: unknown[] }
      | undefined;

    const emit = (
      name: KeyComponent,
      ns: KeyComponent,
      k: KeyComponent,
      key: unknown,
      stored: unknown,
    ): void => {
      const stateName = String(decodeComponent(name));
      if (ns === VOID_NAMESPACE) {
        let list = tables.get(stateName);
        if (list === undefined) {
          list = [];
          tables.set(stateName, list);
        }
        list.push([key, stored]);
        collected++;
        return;
      }
      let byKey = namespaced.get(stateName);
      if (byKey === undefined) {
        byKey = new Map();
        namespaced.set(stateName, byKey);
      }
      let slot = byKey.get(k);
      if (slot === undefined) {
        slot = [key, new Map()];
        byKey.set(k, slot);
      }
      slot[1].set(decodeComponent(ns), stored);
    };
    const flush = (): void => {
      if (group === undefined) return;
      const kind = this.#kinds.get(String(group.name));
      const stored =
        kind === 'map'
          ? new Map((group.items as MapEntry[]).map((e) => [normalizeKey(e[0]), e] as const))
          : group.items;
      emit(group.name, group.ns, group.k, group.key, stored);
      group = undefined;
    };

    for (const { key, value } of entries) {
      if (collected >= maxEntries) {
        for (const [name, list] of tables) yield [name, kg, list];
        tables.clear();
        collected = 0;
      }
      const name = key[1]!;
      const ns = key[2]!;
      const k = key[3]!;
      const irreversible = isIrreversible(k);
      const payload = irreversible ? (value as [unknown, unknown])[0] : value;
      if (key.length === 4) {
        flush();
        emit(name, ns, k, irreversible ? (value as [unknown, unknown])[1] : decodeComponent(k), payload);
        continue;
      }
      if (group === undefined || group.name !== name || group.ns !== ns || group.k !== k) {
        flush();
        if (!this.#kinds.has(String(name))) {
          throw new SluiceError(
            'STATE_BACKEND_CORRUPT',
            `lmdb state backend: element entries of state ${JSON.stringify(name)}, which is not registered as list or map state`,
            { origin: 'internal' },
          );
        }
        group = {
          name,
          ns,
          k,
          key: irreversible ? (value as [unknown, unknown])[1] : decodeComponent(k),
          items: [],
        };
      }
      group.items.push(payload);
    }
    flush();

    for (const [name, list] of tables) yield [name, kg, list];
    for (const [name, byKey] of namespaced) yield [name + NAMESPACE_TABLE_SUFFIX, kg, [...byKey.values()]];
  }

  result(): KeyedStateSnapshot {
    return this.#out;
  }

  #table(name: string): Array<[number, Array<[unknown, unknown]>]> {
    let groups = this.#out[name];
    if (groups === undefined) this.#out[name] = groups = [];
    return groups;
  }
}

abstract class LmdbState implements InternalMergingState {
  readonly backend: LmdbBackend;
  readonly store: LmdbStore;
  readonly descriptor: StateDescriptor<unknown>;
  readonly nameComponent: KeyComponent;
  readonly ttl: StateTtlConfig | undefined;
  namespace: KeyComponent = VOID_NAMESPACE;

  constructor(backend: LmdbBackend, descriptor: StateDescriptor<unknown>) {
    this.backend = backend;
    this.store = backend.store;
    this.descriptor = descriptor;
    this.nameComponent = stateNameComponent(descriptor.name);
    this.ttl = descriptor.ttlConfig;
  }

  setCurrentNamespace(namespace: NKey): void {
    this.namespace = namespaceComponent(namespace);
  }

  /** The array key of the current key and namespace. */
  slot(): LmdbKey {
    const b = this.backend;
    return [b.keyGroup, this.nameComponent, this.namespace, b.keyComponent];
  }

  /** Whether an element written at `writtenAt` has expired. */
  expired(writtenAt: number, now: number): boolean {
    return now - writtenAt >= this.ttl!.ttl;
  }

  clear(): void {
    this.store.remove(this.slot());
  }

  /**
   * Moves the values of the current key in `sources` into `target` and clears the sources (as the
   * heap backend: sources combined in order, then combined into the target's value). List,
   * reducing and aggregating state override this.
   */
  mergeNamespaces(_target: NKey, _sources: readonly NKey[]): void {
    this.cannotMerge();
  }

  protected cannotMerge(): never {
    throw new IllegalArgumentError(
      `state "${this.descriptor.name}" is ${this.descriptor.kind} state, which cannot be merged; use list, reducing or aggregating state`,
    );
  }

  /** Runs `fn` with another namespace current, then restores the current one. */
  protected inNamespace<R>(namespace: NKey, fn: () => R): R {
    const saved = this.namespace;
    this.namespace = namespaceComponent(namespace);
    try {
      return fn();
    } finally {
      this.namespace = saved;
    }
  }
}

/** Value, reducing and aggregating state: one entry per key and namespace, expiring as a whole. */
abstract class LmdbSingleValueState extends LmdbState {
  /** Combines two values (reducing and aggregating state). */
  protected mergeValues(_a: unknown, _b: unknown): unknown {
    return this.cannotMerge();
  }

  override mergeNamespaces(target: NKey, sources: readonly NKey[]): void {
    if (this.descriptor.kind === 'value') this.cannotMerge();
    let merged: unknown;
    for (const source of sources) {
      const value = this.inNamespace(source, () => {
        const v = this.getRaw();
        if (v !== undefined) this.clear();
        return v;
      });
      if (value !== undefined) merged = merged === undefined ? value : this.mergeValues(merged, value);
    }
    if (merged === undefined) return;
    this.inNamespace(target, () => {
      const current = this.getRaw();
      this.putRaw(current === undefined ? merged : this.mergeValues(current, merged));
    });
  }

  protected getRaw(): unknown {
    const key = this.slot();
    const stored = this.backend.unwrap(this.store.get(key));
    if (stored === undefined || this.ttl === undefined) return stored;
    const w = stored as TtlValue;
    const now = this.backend.now();
    if (this.expired(w.t, now)) {
      this.store.remove(key);
      return this.ttl.stateVisibility === 'ReturnExpiredIfNotCleanedUp' ? w.v : undefined;
    }
    if (this.ttl.updateType === 'OnReadAndWrite') {
      w.t = now;
      this.store.put(key, this.backend.wrap(w));
    }
    return w.v;
  }

  protected putRaw(value: unknown): void {
    const stored = this.ttl === undefined ? value : ({ v: value, t: this.backend.now() } satisfies TtlValue);
    this.store.put(this.slot(), this.backend.wrap(stored));
  }
}

class LmdbValueState<T> extends LmdbSingleValueState implements ValueState<T> {
  value(): T | undefined {
    const v = this.getRaw();
    return v === undefined
      ? (this.descriptor as unknown as { defaultValue: T | undefined }).defaultValue
      : (v as T);
  }
  update(value: T | undefined): void {
    if (value === undefined) this.clear();
    else this.putRaw(value);
  }
}

class LmdbReducingState<T> extends LmdbSingleValueState implements ReducingState<T> {
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

class LmdbAggregatingState<IN, OUT> extends LmdbSingleValueState implements AggregatingState<IN, OUT> {
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

/** List and map state: one entry per element, under `[...slot, element]`. */
abstract class LmdbElementState extends LmdbState {
  /** The current slot's elements, read completely (callers may write while going through them). */
  protected elements(slot: LmdbKey): LmdbEntry[] {
    return this.store.range([...slot, null], [...slot, HIGH]);
  }

  override clear(): void {
    for (const { key } of this.elements(this.slot())) this.store.remove(key);
  }
}

/** List state; with TTL every element carries its own write time (as Flink's list state TTL). */
class LmdbListState<T> extends LmdbElementState implements ListState<T> {
  get(): T[] {
    const entries = this.elements(this.slot());
    if (this.ttl === undefined) return entries.map((e) => this.backend.unwrap(e.value) as T);
    const now = this.backend.now();
    const visible: T[] = [];
    const refresh = this.ttl.updateType === 'OnReadAndWrite';
    const returnExpired = this.ttl.stateVisibility === 'ReturnExpiredIfNotCleanedUp';
    for (const { key, value } of entries) {
      const element = this.backend.unwrap(value) as TtlValue;
      if (this.expired(element.t, now)) {
        this.store.remove(key);
        if (returnExpired) visible.push(element.v as T);
        continue;
      }
      if (refresh && element.t !== now) {
        element.t = now;
        this.store.put(key, this.backend.wrap(element));
      }
      visible.push(element.v as T);
    }
    return visible;
  }

  add(value: T): void {
    this.#append([value]);
  }

  addAll(values: Iterable<T>): void {
    this.#append(values);
  }

  update(values: Iterable<T>): void {
    const list = [...values];
    this.clear();
    if (list.length > 0) this.#append(list, 0);
  }

  /** Appends the sources' elements, in order and as stored (TTL timestamps kept), to the target's. */
  override mergeNamespaces(target: NKey, sources: readonly NKey[]): void {
    const moved: unknown[] = [];
    for (const source of sources) {
      this.inNamespace(source, () => {
        for (const { key, value } of this.elements(this.slot())) {
          moved.push(this.backend.unwrap(value));
          this.store.remove(key);
        }
      });
    }
    if (moved.length === 0) return;
    this.inNamespace(target, () => {
      const slot = this.slot();
      let seq = this.#nextSeq(slot);
      for (const element of moved) this.store.put([...slot, seq++], this.backend.wrap(element));
    });
  }

  #append(values: Iterable<T>, first?: number): void {
    const slot = this.slot();
    let seq = first ?? this.#nextSeq(slot);
    const now = this.ttl === undefined ? 0 : this.backend.now();
    for (const v of values) {
      const element = this.ttl === undefined ? v : ({ v, t: now } satisfies TtlValue);
      this.store.put([...slot, seq++], this.backend.wrap(element));
    }
  }

  #nextSeq(slot: LmdbKey): number {
    const last = this.store.last([...slot, HIGH], [...slot, null]);
    return last === undefined ? 0 : (last.key[4] as number) + 1;
  }
}

/** Map state; with TTL every entry carries its own write time (as Flink's map state TTL). */
class LmdbMapState<K, V> extends LmdbElementState implements MapState<K, V> {
  #now(): number {
    return this.ttl === undefined ? 0 : this.backend.now();
  }

  /** The live entry stored under `key` (applying TTL: expired entries are removed). */
  #live(key: LmdbKey, raw: unknown, now: number): MapEntry | undefined {
    if (raw === undefined) return undefined;
    const e = this.backend.unwrap(raw) as MapEntry;
    if (this.ttl === undefined) return e;
    if (this.expired(e[2]!, now)) {
      this.store.remove(key);
      return this.ttl.stateVisibility === 'ReturnExpiredIfNotCleanedUp' ? e : undefined;
    }
    if (this.ttl.updateType === 'OnReadAndWrite' && e[2] !== now) {
      e[2] = now;
      this.store.put(key, this.backend.wrap(e));
    }
    return e;
  }

  #entryKey(userKey: K): LmdbKey {
    return [...this.slot(), encodeComponent(normalizeKey(userKey))];
  }

  get(key: K): V | undefined {
    const k = this.#entryKey(key);
    return this.#live(k, this.store.get(k), this.#now())?.[1] as V | undefined;
  }

  put(key: K, value: V): void {
    const entry: MapEntry = this.ttl === undefined ? [key, value] : [key, value, this.#now()];
    this.store.put(this.#entryKey(key), this.backend.wrap(entry));
  }

  putAll(entries: Iterable<readonly [K, V]> | ReadonlyMap<K, V>): void {
    for (const [k, v] of entries) this.put(k, v);
  }

  remove(key: K): void {
    this.store.remove(this.#entryKey(key));
  }

  contains(key: K): boolean {
    const k = this.#entryKey(key);
    return this.#live(k, this.store.get(k), this.#now()) !== undefined;
  }

  *entries(): IterableIterator<[K, V]> {
    const now = this.#now();
    for (const { key, value } of this.elements(this.slot())) {
      const e = this.#live(key, value, now);
      if (e !== undefined) yield [e[0] as K, e[1] as V];
    }
  }

  *keys(): IterableIterator<K> {
    for (const [k] of this.entries()) yield k;
  }

  *values(): IterableIterator<V> {
    for (const [, v] of this.entries()) yield v;
  }

  isEmpty(): boolean {
    const slot = this.slot();
    if (this.ttl === undefined) return this.store.range([...slot, null], [...slot, HIGH], 1).length === 0;
    const now = this.#now();
    let empty = true;
    for (const { key, value } of this.elements(slot)) {
      const e = this.backend.unwrap(value) as MapEntry;
      if (this.expired(e[2]!, now)) this.store.remove(key);
      else empty = false;
    }
    return empty;
  }
}

function createState(backend: LmdbBackend, descriptor: StateDescriptor<unknown>): LmdbState {
  switch (descriptor.kind) {
    case 'value':
      return new LmdbValueState(backend, descriptor);
    case 'list':
      return new LmdbListState(backend, descriptor);
    case 'map':
      return new LmdbMapState(backend, descriptor);
    case 'reducing':
      return new LmdbReducingState(backend, descriptor);
    case 'aggregating':
      return new LmdbAggregatingState(backend, descriptor);
    default: {
      const never: never = descriptor.kind;
      throw new IllegalArgumentError(`unknown state kind ${String(never)}`);
    }
  }
}

registerStateBackend({
  type: 'lmdb',
  create: (p) =>
    createLmdbKeyedStateBackend(p.maxParallelism, p.keyGroupRange, {
      path: lmdbStorePath(p.options, p.jobId, p.operatorId, p.subtaskIndex),
      clock: p.clock,
    }),
});
