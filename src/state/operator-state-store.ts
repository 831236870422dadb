// Non-keyed state of one operator subtask: list state (redistributed round-robin on rescale),
// union list state (every subtask gets everything) and broadcast state (same on every subtask).
import { IllegalArgumentError } from '../core/index.ts';
import { copyStateValue } from './internal/copy-state-value.ts';
import { normalizeKey } from './key-group-assignment.ts';
import type { ListState, ListStateDescriptor, MapStateDescriptor } from './state-descriptor.ts';

/**
 * Read-only view of broadcast state, as seen from the non-broadcast side.
 *
 * @example
 * processElement(p: Payment, ctx: ReadOnlyBroadcastContext<string>, out: Collector<string>) {
 *   const rules: ReadOnlyBroadcastState<string, number> = ctx.getBroadcastState(limits);
 *   if (p.amount > (rules.get('max') ?? Infinity)) out.collect(p.user);
 * }
 */
export interface ReadOnlyBroadcastState<K, V> {
  get(key: K): V | undefined;
  contains(key: K): boolean;
  immutableEntries(): IterableIterator<[K, V]>;
}

/**
 * Broadcast state: a map that is identical on every parallel instance.
 *
 * @example
 * processBroadcastElement([name, value]: [string, number], ctx: BroadcastContext, out: Collector<string>) {
 *   const rules: BroadcastState<string, number> = ctx.getBroadcastState(limits);
 *   rules.put(name, value);
 * }
 */
export interface BroadcastState<K, V> extends ReadOnlyBroadcastState<K, V> {
  put(key: K, value: V): void;
  putAll(entries: Iterable<readonly [K, V]>): void;
  remove(key: K): void;
  entries(): IterableIterator<[K, V]>;
  keys(): IterableIterator<K>;
  values(): IterableIterator<V>;
  clear(): void;
}

class SimpleListState<T> implements ListState<T> {
  list: T[] = [];
  get(): T[] {
    // A copy: the caller may emit it, and records are read after they are emitted.
    return [...this.list];
  }
  add(value: T): void {
    this.list.push(value);
  }
  addAll(values: Iterable<T>): void {
    for (const v of values) this.list.push(v);
  }
  update(values: Iterable<T>): void {
    this.list = [...values];
  }
  clear(): void {
    this.list = [];
  }
}

class MapBroadcastState<K, V> implements BroadcastState<K, V> {
  readonly map = new Map<unknown, [K, V]>();
  get(key: K): V | undefined {
    return this.map.get(normalizeKey(key))?.[1];
  }
  contains(key: K): boolean {
    return this.map.has(normalizeKey(key));
  }
  *immutableEntries(): IterableIterator<[K, V]> {
    for (const [k, v] of this.map.values()) yield [k, v];
  }
  put(key: K, value: V): void {
    this.map.set(normalizeKey(key), [key, value]);
  }
  putAll(entries: Iterable<readonly [K, V]>): void {
    for (const [k, v] of entries) this.put(k, v);
  }
  remove(key: K): void {
    this.map.delete(normalizeKey(key));
  }
  entries(): IterableIterator<[K, V]> {
    return this.immutableEntries();
  }
  *keys(): IterableIterator<K> {
    for (const [k] of this.map.values()) yield k;
  }
  *values(): IterableIterator<V> {
    for (const [, v] of this.map.values()) yield v;
  }
  clear(): void {
    this.map.clear();
  }
}

/** The checkpointed form of an operator state store. */
export interface OperatorStateStoreSnapshot {
  readonly lists?: Record<string, { readonly union: boolean; readonly items: unknown[] }>;
  readonly broadcast?: Record<string, Array<[unknown, unknown]>>;
}

/**
 * Operator (non-keyed) state of one subtask.
 *
 * @example
 * const buffered = store.getListState(new ListStateDescriptor<number>('buffer'));
 */
export class OperatorStateStore {
  readonly #lists = new Map<string, { union: boolean; state: SimpleListState<unknown> }>();
  readonly #broadcast = new Map<string, MapBroadcastState<unknown, unknown>>();

  /** List state, split among subtasks on rescale. */
  getListState<T>(descriptor: ListStateDescriptor<T>): ListState<T> {
    return this.#list(descriptor, false) as ListState<T>;
  }

  /** Union list state: on restore every subtask receives the union of all lists. */
  getUnionListState<T>(descriptor: ListStateDescriptor<T>): ListState<T> {
    return this.#list(descriptor, true) as ListState<T>;
  }

  /** Broadcast state for a map descriptor. */
  getBroadcastState<K, V>(descriptor: MapStateDescriptor<K, V>): BroadcastState<K, V> {
    let s = this.#broadcast.get(descriptor.name);
    if (s === undefined) {
      s = new MapBroadcastState();
      this.#broadcast.set(descriptor.name, s);
    }
    return s as unknown as BroadcastState<K, V>;
  }

  /**
   * A deep copy of every list and broadcast state (for a checkpoint): taken at the barrier and
   * written later, it must not see the elements user code changes in place meanwhile.
   */
  snapshot(): OperatorStateStoreSnapshot {
    const lists: Record<string, { union: boolean; items: unknown[] }> = {};
    for (const [name, { union, state }] of this.#lists)
      lists[name] = { union, items: state.list.map((item) => copyStateValue(item)) };
    const broadcast: Record<string, Array<[unknown, unknown]>> = {};
    for (const [name, state] of this.#broadcast)
      broadcast[name] = [...state.map.values()].map(([k, v]) => [k, copyStateValue(v)]);
    return { lists, broadcast };
  }

  /**
   * Restores from the snapshots of every old subtask (in subtask order): list state is split
   * evenly among the new subtasks — at an unchanged parallelism each subtask gets back its own
   * list, as in Flink, when `origin` says which old subtask each part is from — union list state
   * goes whole to each. Broadcast state is the
   * same on every subtask once all broadcast records are processed, but an unaligned checkpoint
   * catches subtasks at different points of that stream, each with the rest of it as in-flight
   * data: new subtask `j` continues old subtask `j mod (old parallelism)` — its state here, its
   * in-flight broadcast records in the channel state — so that the two fit together.
   */
  restore(
    parts: readonly OperatorStateStoreSnapshot[],
    subtaskIndex: number,
    parallelism: number,
    origin?: { readonly subtasks: readonly number[]; readonly parallelism: number },
  ): void {
    const all = new Map<string, { union: boolean; items: unknown[] }>();
    const own = origin !== undefined && origin.parallelism === parallelism;
    const continued =
      origin === undefined
        ? parts[subtaskIndex % Math.max(1, parts.length)]
        : parts[origin.subtasks.indexOf(subtaskIndex % Math.max(1, origin.parallelism))];
    parts.forEach((part, k) => {
      for (const [name, list] of Object.entries(part.lists ?? {})) {
        const acc = all.get(name) ?? { union: list.union, items: [] };
        all.set(name, acc);
        // Unchanged parallelism: a subtask's list state is its own (union state is everyone's).
        if (own && !list.union && origin.subtasks[k] !== subtaskIndex) continue;
        for (const item of list.items) acc.items.push(item);
      }
    });
    for (const part of continued === undefined ? parts : [continued, ...parts]) {
      for (const [name, entries] of Object.entries(part.broadcast ?? {})) {
        if (this.#broadcast.has(name)) continue;
        const state = new MapBroadcastState<unknown, unknown>();
        for (const [k, v] of entries) state.put(k, v);
        this.#broadcast.set(name, state);
      }
    }
    for (const [name, { union, items }] of all) {
      const state = new SimpleListState<unknown>();
      if (union || own) state.list = items;
      else {
        const start = Math.floor((items.length * subtaskIndex) / parallelism);
        const end = Math.floor((items.length * (subtaskIndex + 1)) / parallelism);
        state.list = items.slice(start, end);
      }
      this.#lists.set(name, { union, state });
    }
  }

  #list(descriptor: ListStateDescriptor<unknown>, union: boolean): SimpleListState<unknown> {
    const existing = this.#lists.get(descriptor.name);
    if (existing !== undefined) {
      if (existing.union !== union) {
        throw new IllegalArgumentError(
          `operator state "${descriptor.name}" was registered as ${existing.union ? 'union ' : ''}list state and is now requested as ${union ? 'union ' : ''}list state`,
        );
      }
      return existing.state;
    }
    const state = new SimpleListState<unknown>();
    this.#lists.set(descriptor.name, { union, state });
    return state;
  }
}
