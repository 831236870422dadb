// The conformance suite every keyed state backend runs: the behaviour a user relies on (state
// kinds, namespaces, TTL, composite keys) and the checkpoint protocol (snapshot → restore, into
// other parallelism and across backends), checked against the heap backend as the reference.
// Test-only: it imports vitest and fast-check, and index.ts does not export it.
import fc from 'fast-check';
import { Packr } from 'msgpackr';
import { afterEach, describe, expect, it } from 'vitest';
import {
  HeapKeyedStateBackend,
  type InternalMergingState,
  type KeyedStateBackend,
  type KeyedStateSnapshot,
  type KeyedStateSnapshotSlice,
  type PinnedKeyedStateSnapshot,
  readPinnedSnapshot,
} from './heap-keyed-state-backend.ts';
import {
  assignToKeyGroup,
  type KeyGroupRange,
  keyGroupRangeForOperator,
  normalizeKey,
} from './key-group-assignment.ts';
import {
  type AggregateFunction,
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  type StateDescriptor,
  ValueStateDescriptor,
} from './state-descriptor.ts';
import { StateTtlConfig } from './state-ttl-config.ts';

/** Creates the backend under test (a fresh, empty one on every call). */
export type CreateKeyedStateBackend = (
  maxParallelism: number,
  keyGroupRange: KeyGroupRange,
  clock: () => number,
) => KeyedStateBackend;

const MAX = 128;
const FULL: KeyGroupRange = { start: 0, end: MAX - 1 };

const average: AggregateFunction<number, { sum: number; count: number }, number> = {
  createAccumulator: () => ({ sum: 0, count: 0 }),
  add: (v, acc) => ({ sum: acc.sum + v, count: acc.count + 1 }),
  getResult: (acc) => acc.sum / acc.count,
  merge: (a, b) => ({ sum: a.sum + b.sum, count: a.count + b.count }),
};

/** Serializes a snapshot with msgpackr (structured clone, as checkpoints are written), and back. */
// Records keep plain objects as objects and Maps as Maps (with useRecords: false, msgpackr turns
// Maps into plain objects on unpack, which the snapshot format does not survive).
const packr = new Packr({ moreTypes: true, structuredClone: true });
function throughCheckpoint(snapshot: KeyedStateSnapshot): KeyedStateSnapshot {
  return packr.unpack(packr.pack(snapshot)) as KeyedStateSnapshot;
}

/** A snapshot in a canonical form: empty tables and groups dropped, groups and entries sorted. */
export function canonicalSnapshot(snapshot: KeyedStateSnapshot): KeyedStateSnapshot {
  const out: KeyedStateSnapshot = {};
  for (const name of Object.keys(snapshot).sort()) {
    const groups = snapshot[name]!.filter(([, entries]) => entries.length > 0)
      .map(([kg, entries]): [number, Array<[unknown, unknown]>] => [kg, [...entries].sort(byKey)])
      .sort((a, b) => a[0] - b[0]);
    if (groups.length > 0) out[name] = groups;
  }
  return out;
}

function byKey(a: [unknown, unknown], b: [unknown, unknown]): number {
  const ka = sortable(a[0]);
  const kb = sortable(b[0]);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

function sortable(key: unknown): string {
  const n = normalizeKey(key);
  return `${typeof n}:${String(n)}`;
}

/** Keys of every kind a user may key by: strings, numbers, composite objects and arrays. */
const arbitraryKey = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.integer(),
  // -0 is the key 0 (as in a JS Map, and in the key hash); a snapshot writes it as 0, which the
  // deep-equality assertions (Object.is on numbers) would otherwise count as a different key.
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => (Object.is(d, -0) ? 0 : d)),
  fc.record({ user: fc.string({ maxLength: 6 }), region: fc.constantFrom('eu', 'us') }),
  fc.tuple(fc.integer({ min: 0, max: 9 }), fc.string({ maxLength: 4 })),
);

/**
 * Runs the keyed state backend contract against `create`.
 *
 * @example
 * runStateBackendContract('hashmap', (max, range, clock) => new HeapKeyedStateBackend(max, range, clock));
 */
export function runStateBackendContract(name: string, create: CreateKeyedStateBackend): void {
  describe(`state backend contract: ${name}`, () => {
    const open: KeyedStateBackend[] = [];
    const backend = (
      clock: () => number = Date.now,
      range: KeyGroupRange = FULL,
      max = MAX,
    ): KeyedStateBackend => {
      const b = create(max, range, clock);
      open.push(b);
      return b;
    };
    afterEach(() => {
      for (const b of open.splice(0)) b.dispose();
    });

    describe('state kinds', () => {
      it('value state: per key, undefined when empty, default value, clear and update(undefined)', () => {
        const b = backend();
        const count = b.getPartitionedState(new ValueStateDescriptor<number>('count'));
        const withDefault = b.getPartitionedState(new ValueStateDescriptor<number>('d', { defaultValue: 7 }));
        b.setCurrentKey('a');
        expect(count.value()).toBeUndefined();
        expect(withDefault.value()).toBe(7);
        count.update(1);
        b.setCurrentKey('b');
        expect(count.value()).toBeUndefined();
        count.update(2);
        b.setCurrentKey('a');
        expect(count.value()).toBe(1);
        count.clear();
        expect(count.value()).toBeUndefined();
        b.setCurrentKey('b');
        expect(count.value()).toBe(2);
        count.update(undefined);
        expect(count.value()).toBeUndefined();
        expect(b.numEntries()).toBe(0);
      });

      it('value state keeps structured values: nested objects, Maps, Sets, Dates, bigints, null', () => {
        const b = backend();
        const v = b.getPartitionedState(new ValueStateDescriptor<unknown>('v'));
        const value = {
          nested: { list: [1, 'two', null, { three: 3 }] },
          map: new Map<unknown, unknown>([
            [1, 'one'],
            ['k', { deep: true }],
          ]),
          set: new Set([1, 2]),
          date: new Date(1_700_000_000_000),
          big: 2n ** 70n,
          nothing: null,
        };
        b.setCurrentKey('k');
        v.update(value);
        b.setCurrentKey('other');
        v.update(0);
        v.update(false);
        expect(v.value()).toBe(false);
        b.setCurrentKey('k');
        expect(v.value()).toEqual(value);
      });

      it('list state: get/add/addAll/update/clear, in order, empty array when empty', () => {
        const b = backend();
        const list = b.getPartitionedState(new ListStateDescriptor<string>('l'));
        b.setCurrentKey(1);
        expect(list.get()).toEqual([]);
        list.add('x');
        list.addAll(['y', 'z']);
        expect(list.get()).toEqual(['x', 'y', 'z']);
        b.setCurrentKey(2);
        expect(list.get()).toEqual([]);
        list.update(['q']);
        list.add('r');
        expect(list.get()).toEqual(['q', 'r']);
        list.update([]);
        expect(list.get()).toEqual([]);
        b.setCurrentKey(1);
        list.addAll([]);
        for (let i = 0; i < 20; i++) list.add(`e${i}`);
        expect(list.get()).toHaveLength(23);
        expect(list.get().slice(-2)).toEqual(['e18', 'e19']);
        list.update(['only']);
        expect(list.get()).toEqual(['only']);
        list.clear();
        expect(list.get()).toEqual([]);
        expect(b.numEntries()).toBe(0);
      });

      it('list state: get() returns a copy that later changes do not reach (it may have been emitted)', () => {
        const b = backend();
        const list = b.getPartitionedState(new ListStateDescriptor<number>('l'));
        b.setCurrentKey('k');
        list.add(1);
        const seen = list.get();
        list.add(2);
        seen.push(99);
        expect(seen).toEqual([1, 99]);
        expect(list.get()).toEqual([1, 2]);
      });

      it('map state: every method, with composite user keys in any property order', () => {
        const b = backend();
        const map = b.getPartitionedState(
          new MapStateDescriptor<{ x: number; y: number } | string, number>('m'),
        );
        b.setCurrentKey('k');
        expect(map.isEmpty()).toBe(true);
        expect(map.get('a')).toBeUndefined();
        map.put('a', 1);
        map.putAll([
          ['b', 2],
          [{ x: 1, y: 2 }, 3],
        ]);
        map.putAll(new Map([['c', 4]]));
        map.put('a', 10);
        expect(map.get({ y: 2, x: 1 })).toBe(3);
        expect(map.get('a')).toBe(10);
        expect(map.contains('b')).toBe(true);
        expect(map.contains('z')).toBe(false);
        expect(map.isEmpty()).toBe(false);
        // Iteration order is the backend's own; the contents are the same.
        expect(sortedEntries(map.entries())).toEqual(
          sortedEntries([
            ['a', 10],
            ['b', 2],
            [{ x: 1, y: 2 }, 3],
            ['c', 4],
          ]),
        );
        expect([...map.keys()]).toContainEqual({ x: 1, y: 2 });
        expect([...map.values()].sort()).toEqual([10, 2, 3, 4].sort());
        // Removing while iterating is safe.
        for (const k of map.keys()) if (k !== 'c') map.remove(k);
        expect([...map.keys()]).toEqual(['c']);
        map.remove('not there');
        b.setCurrentKey('other');
        expect(map.isEmpty()).toBe(true);
        expect([...map.entries()]).toEqual([]);
        b.setCurrentKey('k');
        map.remove('c');
        expect(map.isEmpty()).toBe(true);
        map.put('d', 5);
        map.clear();
        expect(map.isEmpty()).toBe(true);
        expect(b.numEntries()).toBe(0);
      });

      it('map state tells user keys apart that print alike (1, "1", 1n, true, "true") and -0 from nothing', () => {
        const b = backend();
        const map = b.getPartitionedState(new MapStateDescriptor<unknown, string>('m'));
        b.setCurrentKey('k');
        const keys: unknown[] = [1, '1', 1n, true, 'true', [1], { a: 1 }, '', 0];
        for (const k of keys) map.put(k, label(k));
        map.put(-0, 'minus zero is zero');
        for (const k of keys.slice(0, -1)) expect(map.get(k)).toBe(label(k));
        expect(map.get(0)).toBe('minus zero is zero');
        expect([...map.keys()]).toHaveLength(keys.length);

        function label(k: unknown): string {
          return `${typeof k}:${JSON.stringify(k, (_, v) => (typeof v === 'bigint' ? `${v}n` : v))}`;
        }
      });

      it('reducing state: reduces per key (function and object forms)', () => {
        const b = backend();
        const sum = b.getPartitionedState(new ReducingStateDescriptor<number>('sum', (x, y) => x + y));
        const max = b.getPartitionedState(new ReducingStateDescriptor<number>('max', { reduce: Math.max }));
        for (const [k, v] of [
          ['a', 1],
          ['b', 10],
          ['a', 5],
          ['a', 3],
        ] as const) {
          b.setCurrentKey(k);
          sum.add(v);
          max.add(v);
        }
        b.setCurrentKey('a');
        expect(sum.get()).toBe(9);
        expect(max.get()).toBe(5);
        b.setCurrentKey('b');
        expect(sum.get()).toBe(10);
        sum.clear();
        expect(sum.get()).toBeUndefined();
      });

      it('aggregating state: accumulates per key and returns the result', () => {
        const b = backend();
        const avg = b.getPartitionedState(new AggregatingStateDescriptor('avg', average));
        b.setCurrentKey('a');
        expect(avg.get()).toBeUndefined();
        avg.add(1);
        avg.add(2);
        b.setCurrentKey('b');
        avg.add(10);
        b.setCurrentKey('a');
        expect(avg.get()).toBe(1.5);
        avg.clear();
        expect(avg.get()).toBeUndefined();
        b.setCurrentKey('b');
        expect(avg.get()).toBe(10);
      });

      it('returns the same state object for a name and rejects a different kind under that name', () => {
        const b = backend();
        const s1 = b.getPartitionedState(new ValueStateDescriptor<number>('s'));
        expect(b.getPartitionedState(new ValueStateDescriptor<number>('s'))).toBe(s1);
        expect(() => b.getPartitionedState(new ListStateDescriptor<number>('s'))).toThrow(
          /"s" was registered as value state and is now requested as list state/,
        );
      });

      it('keeps states of one key apart', () => {
        const b = backend();
        const a = b.getPartitionedState(new ValueStateDescriptor<string>('a'));
        const ab = b.getPartitionedState(new ValueStateDescriptor<string>('ab'));
        const l = b.getPartitionedState(new ListStateDescriptor<string>('a-list'));
        b.setCurrentKey('k');
        a.update('A');
        ab.update('AB');
        l.add('L');
        a.clear();
        expect([a.value(), ab.value(), l.get()]).toEqual([undefined, 'AB', ['L']]);
      });
    });

    describe('keys', () => {
      it('keeps composite keys apart from primitive keys and equal regardless of property order', () => {
        const b = backend();
        const v = b.getPartitionedState(new ValueStateDescriptor<string>('v'));
        b.setCurrentKey({ user: 'u1', region: 'eu' });
        v.update('composite');
        expect(b.getCurrentKey()).toEqual({ user: 'u1', region: 'eu' });
        b.setCurrentKey('1');
        v.update('string');
        b.setCurrentKey(1);
        v.update('number');
        b.setCurrentKey({ region: 'eu', user: 'u1' });
        expect(v.value()).toBe('composite');
        b.setCurrentKey('1');
        expect(v.value()).toBe('string');
        const keys: unknown[] = [];
        b.forEachKey('v', (k) => keys.push(k));
        expect(keys).toHaveLength(3);
        expect(keys).toContainEqual({ user: 'u1', region: 'eu' });
        expect(keys).toContain(1);
        expect(keys).toContain('1');
      });

      it('takes unusual keys: long strings, control characters, bigints, -0, big composite keys', () => {
        const b = backend();
        const v = b.getPartitionedState(new ValueStateDescriptor<number>('v'));
        const list = b.getPartitionedState(new ListStateDescriptor<number>('l'));
        const map = b.getPartitionedState(new MapStateDescriptor<string, number>('m'));
        const keys: unknown[] = [
          'x'.repeat(5000),
          '\u00e9'.repeat(300),
          'a\u0000b',
          '\u0000',
          '\u0001not composite',
          '\u0002',
          '',
          12n,
          -0,
          Number.MAX_VALUE,
          -1.5,
          { text: 'y'.repeat(3000), at: new Date(0) },
          [1, [2, [3]]],
        ];
        keys.forEach((k, i) => {
          b.setCurrentKey(k);
          v.update(i);
          list.add(i);
          map.put('x'.repeat(1000) + i, i);
        });
        keys.forEach((k, i) => {
          b.setCurrentKey(k);
          expect(v.value()).toBe(i);
          expect(list.get()).toEqual([i]);
          expect([...map.entries()]).toEqual([['x'.repeat(1000) + i, i]]);
        });
        b.setCurrentKey(0);
        expect(v.value()).toBe(keys.indexOf(-0)); // -0 and 0 are one key, as in a Map
        const seen: unknown[] = [];
        b.forEachKey('v', (k) => seen.push(k));
        expect(sortedKeys(seen)).toEqual(sortedKeys(keys));
        const restored = backend();
        restored.restore([throughCheckpoint(b.snapshot())]);
        expect(canonicalSnapshot(restored.snapshot())).toEqual(canonicalSnapshot(b.snapshot()));
      });

      it('forEachKey visits every key with state once, with that key current; fn may change state', () => {
        const b = backend();
        const v = b.getPartitionedState(new ValueStateDescriptor<number>('v'));
        const other = b.getPartitionedState(new ValueStateDescriptor<number>('other'));
        const keys = Array.from({ length: 200 }, (_, i) =>
          i % 3 === 0 ? { id: i } : i % 3 === 1 ? `k${i}` : i,
        );
        for (const k of keys) {
          b.setCurrentKey(k);
          v.update(1);
        }
        b.setCurrentKey('only-other');
        other.update(1);
        const seen: unknown[] = [];
        b.forEachKey('v', (k) => {
          expect(b.getCurrentKey()).toEqual(k);
          seen.push(k);
          v.update((v.value() ?? 0) + 1);
          if (typeof k === 'number' && k % 2 === 0) v.clear();
        });
        expect(sortedKeys(seen)).toEqual(sortedKeys(keys));
        for (const k of keys) {
          b.setCurrentKey(k);
          expect(v.value()).toBe(typeof k === 'number' && k % 2 === 0 ? undefined : 2);
        }
        b.forEachKey('not-registered', () => expect.unreachable());
      });

      it('rejects a key outside its key-group range, saying why', () => {
        const range = keyGroupRangeForOperator(MAX, 4, 0);
        const b = backend(Date.now, range);
        let outside = 0;
        while (assignToKeyGroup(outside, MAX) <= range.end) outside++;
        expect(() => b.setCurrentKey(outside)).toThrow(/outside this subtask's range 0-31/);
        expect(b.getCurrentKeyGroup()).toBeLessThanOrEqual(range.end);
      });
    });

    describe('namespaces', () => {
      it('scopes every state kind by namespace; clearing one namespace leaves the others', () => {
        const b = backend();
        const value = b.getPartitionedState(new ValueStateDescriptor<string>('v'));
        const list = b.getPartitionedState(new ListStateDescriptor<number>('l'));
        const map = b.getPartitionedState(new MapStateDescriptor<string, number>('m'));
        const sum = b.getPartitionedState(new ReducingStateDescriptor<number>('r', (x, y) => x + y));
        const avg = b.getPartitionedState(new AggregatingStateDescriptor('a', average));
        const all = [value, list, map, sum, avg];
        b.setCurrentKey('k');
        for (const ns of ['w1', 'w2']) {
          for (const s of all) s.setCurrentNamespace(ns);
          value.update(ns);
          list.add(ns === 'w1' ? 1 : 2);
          map.put('x', ns === 'w1' ? 10 : 20);
          sum.add(ns === 'w1' ? 100 : 200);
          avg.add(ns === 'w1' ? 1 : 2);
        }
        for (const s of all) s.setCurrentNamespace('w1');
        expect([value.value(), list.get(), map.get('x'), sum.get(), avg.get()]).toEqual([
          'w1',
          [1],
          10,
          100,
          1,
        ]);
        for (const s of all) s.clear();
        expect([value.value(), list.get(), map.isEmpty(), sum.get(), avg.get()]).toEqual([
          undefined,
          [],
          true,
          undefined,
          undefined,
        ]);
        for (const s of all) s.setCurrentNamespace('w2');
        expect([value.value(), list.get(), map.get('x'), sum.get(), avg.get()]).toEqual([
          'w2',
          [2],
          20,
          200,
          2,
        ]);
        for (const s of all) s.setCurrentNamespace('');
        expect(value.value()).toBeUndefined();
        expect(list.get()).toEqual([]);
      });

      it('merges namespaces of list, reducing and aggregating state (merging windows), clearing the sources', () => {
        const b = backend();
        const list = merging(b.getPartitionedState(new ListStateDescriptor<string>('l')));
        const sum = merging(b.getPartitionedState(new ReducingStateDescriptor<number>('r', (x, y) => x + y)));
        const avg = merging(b.getPartitionedState(new AggregatingStateDescriptor('a', average)));
        b.setCurrentKey('k');
        const states = [list, sum, avg];
        for (const [ns, n] of [
          ['w1', 1],
          ['w2', 2],
          ['w3', 3],
        ] as const) {
          for (const s of states) s.setCurrentNamespace(ns);
          list.add(`${ns}-a`);
          list.add(`${ns}-b`);
          sum.add(n);
          avg.add(n * 10);
        }
        for (const s of states) {
          s.setCurrentNamespace('other');
          s.mergeNamespaces('w3', ['w1', 'w2', 'empty']);
        }
        b.setCurrentKey('another key');
        list.mergeNamespaces('w3', ['w1']); // nothing of this key: no change
        b.setCurrentKey('k');
        for (const s of states) s.setCurrentNamespace('w3');
        expect(list.get()).toEqual(['w3-a', 'w3-b', 'w1-a', 'w1-b', 'w2-a', 'w2-b']);
        expect(sum.get()).toBe(6);
        expect(avg.get()).toBe(20);
        for (const s of states) s.setCurrentNamespace('w1');
        expect([list.get(), sum.get(), avg.get()]).toEqual([[], undefined, undefined]);
        // Merging into an empty namespace moves the values.
        for (const s of states) s.mergeNamespaces('new', ['w3']);
        for (const s of states) s.setCurrentNamespace('new');
        expect([list.get().length, sum.get(), avg.get()]).toEqual([6, 6, 20]);
      });

      it('refuses to merge value and map state, and aggregating state without merge(), saying why', () => {
        const b = backend();
        b.setCurrentKey('k');
        const value = merging(b.getPartitionedState(new ValueStateDescriptor<number>('v')));
        const map = merging(b.getPartitionedState(new MapStateDescriptor<string, number>('m')));
        const { merge: _, ...withoutMerge } = average;
        const noMerge = merging(
          b.getPartitionedState(new AggregatingStateDescriptor('no-merge', withoutMerge)),
        );
        expect(() => value.mergeNamespaces('a', ['b'])).toThrow(/"v" is value state, which cannot be merged/);
        expect(() => map.mergeNamespaces('a', ['b'])).toThrow(/"m" is map state, which cannot be merged/);
        for (const ns of ['x', 'y']) {
          noMerge.setCurrentNamespace(ns);
          noMerge.add(1);
        }
        expect(() => noMerge.mergeNamespaces('x', ['y'])).toThrow(/has no merge\(a, b\)/);
      });

      it('keeps namespaced and void-namespace values of one key apart, with numeric namespaces', () => {
        const b = backend();
        const v = b.getPartitionedState(new ValueStateDescriptor<string>('v'));
        b.setCurrentKey('k');
        v.update('void');
        v.setCurrentNamespace(1000);
        v.update('window 1000');
        v.setCurrentNamespace('1000');
        expect(v.value()).toBeUndefined();
        v.setCurrentNamespace(1000);
        expect(v.value()).toBe('window 1000');
        v.setCurrentNamespace('');
        expect(v.value()).toBe('void');
        v.clear();
        v.setCurrentNamespace(1000);
        expect(v.value()).toBe('window 1000');
        // forEachKey lists keys with void-namespace state only.
        const keys: unknown[] = [];
        b.forEachKey('v', (k) => keys.push(k));
        expect(keys).toEqual([]);
      });
    });

    describe('TTL (processing time, manual clock)', () => {
      const ttl = (ms: number) => StateTtlConfig.newBuilder(ms);

      it('value state expires ttl ms after the last write (OnCreateAndWrite)', () => {
        let now = 0;
        const b = backend(() => now);
        const v = b.getPartitionedState(
          new ValueStateDescriptor<string>('v').enableTimeToLive(ttl(100).build()),
        );
        b.setCurrentKey('k');
        v.update('a');
        now = 60;
        expect(v.value()).toBe('a'); // a read does not extend the lifetime
        now = 99;
        expect(v.value()).toBe('a');
        v.update('b'); // a write does
        now = 198;
        expect(v.value()).toBe('b');
        now = 199;
        expect(v.value()).toBeUndefined();
        expect(b.numEntries()).toBe(0);
      });

      it('OnReadAndWrite: a read extends the lifetime', () => {
        let now = 0;
        const b = backend(() => now);
        const v = b.getPartitionedState(
          new ValueStateDescriptor<string>('v').enableTimeToLive(
            ttl(100).setUpdateType('OnReadAndWrite').build(),
          ),
        );
        b.setCurrentKey('k');
        v.update('a');
        now = 90;
        expect(v.value()).toBe('a');
        now = 180;
        expect(v.value()).toBe('a');
        now = 280;
        expect(v.value()).toBeUndefined();
      });

      it('ReturnExpiredIfNotCleanedUp returns an expired value once, then it is gone', () => {
        let now = 0;
        const b = backend(() => now);
        const v = b.getPartitionedState(
          new ValueStateDescriptor<string>('v').enableTimeToLive(
            ttl(10).setStateVisibility('ReturnExpiredIfNotCleanedUp').build(),
          ),
        );
        b.setCurrentKey('k');
        v.update('a');
        now = 50;
        expect(v.value()).toBe('a');
        expect(v.value()).toBeUndefined();
      });

      it('reducing and aggregating state restart after expiry', () => {
        let now = 0;
        const b = backend(() => now);
        const sum = b.getPartitionedState(
          new ReducingStateDescriptor<number>('sum', (x, y) => x + y).enableTimeToLive(ttl(100).build()),
        );
        const avg = b.getPartitionedState(
          new AggregatingStateDescriptor('avg', average).enableTimeToLive(ttl(100).build()),
        );
        b.setCurrentKey('k');
        sum.add(1);
        avg.add(1);
        now = 50;
        sum.add(2);
        avg.add(3);
        now = 149;
        expect(sum.get()).toBe(3);
        expect(avg.get()).toBe(2);
        now = 150;
        expect(sum.get()).toBeUndefined();
        sum.add(5);
        avg.add(5);
        expect(sum.get()).toBe(5);
        expect(avg.get()).toBe(5);
      });

      it('map state: each entry expires ttl ms after its own last write', () => {
        let now = 0;
        const b = backend(() => now);
        const map = b.getPartitionedState(
          new MapStateDescriptor<string, number>('m').enableTimeToLive(ttl(100).build()),
        );
        b.setCurrentKey('k');
        map.put('old', 1);
        now = 90;
        map.put('new', 2);
        now = 150;
        expect(map.get('new')).toBe(2);
        expect(map.get('old')).toBeUndefined();
        expect(map.contains('old')).toBe(false);
        expect([...map.entries()]).toEqual([['new', 2]]);
        map.put('old', 3);
        now = 189;
        expect([...map.keys()].sort()).toEqual(['new', 'old']);
        now = 190;
        expect([...map.keys()]).toEqual(['old']);
        now = 250;
        expect(map.isEmpty()).toBe(true);
        expect(b.numEntries()).toBe(0);
      });

      it('map state with OnReadAndWrite refreshes an entry on read', () => {
        let now = 0;
        const b = backend(() => now);
        const map = b.getPartitionedState(
          new MapStateDescriptor<string, number>('m').enableTimeToLive(
            ttl(100).setUpdateType('OnReadAndWrite').build(),
          ),
        );
        b.setCurrentKey('k');
        map.put('a', 1);
        map.put('b', 2);
        now = 90;
        expect(map.get('a')).toBe(1);
        now = 150;
        expect(sortedEntries(map.entries())).toEqual([['a', 1]]);
      });

      it('list state: each element expires ttl ms after it was added', () => {
        let now = 0;
        const b = backend(() => now);
        const list = b.getPartitionedState(
          new ListStateDescriptor<string>('l').enableTimeToLive(ttl(100).build()),
        );
        b.setCurrentKey('k');
        list.add('a');
        now = 50;
        list.addAll(['b', 'c']);
        now = 99;
        expect(list.get()).toEqual(['a', 'b', 'c']);
        now = 100;
        expect(list.get()).toEqual(['b', 'c']);
        list.add('d');
        now = 150;
        expect(list.get()).toEqual(['d']);
        list.update(['e']);
        now = 249;
        expect(list.get()).toEqual(['e']);
        now = 250;
        expect(list.get()).toEqual([]);
        expect(b.numEntries()).toBe(0);
      });

      it('behaves like the heap backend under random operations and clock steps', () => {
        fc.assert(
          fc.property(
            fc.constantFrom<Operation['state']>('value', 'list', 'map', 'reducing', 'aggregating'),
            fc.constantFrom<Operation['ttl']>('none', 'write', 'read', 'expired'),
            fc.array(arbitraryStep, { minLength: 1, maxLength: 40 }),
            (state, ttlKind, steps) => {
              let now = 0;
              const clock = () => now;
              const reference = new HeapKeyedStateBackend(MAX, FULL, clock);
              const b = backend(clock);
              for (const step of steps) {
                const op: Operation = { ...step, state, ttl: ttlKind };
                now += op.advance;
                expect(applyOperation(b, op), JSON.stringify(op)).toEqual(applyOperation(reference, op));
              }
              expect(canonicalSnapshot(b.snapshot())).toEqual(canonicalSnapshot(reference.snapshot()));
              expect(b.numEntries()).toBe(reference.numEntries());
              b.dispose();
            },
          ),
          { numRuns: 150 },
        );
      });
    });

    describe('snapshot and restore', () => {
      it('restores every state kind, namespaces, TTL timestamps and composite keys into a fresh backend', () => {
        let now = 1000;
        const a = backend(() => now);
        writeEveryKind(a);
        const snapshot = throughCheckpoint(a.snapshot());
        now = 1050;
        const b = backend(() => now);
        b.restore([snapshot]);
        checkEveryKind(b);
        expect(canonicalSnapshot(b.snapshot())).toEqual(canonicalSnapshot(a.snapshot()));
        expect(b.numEntries()).toBe(a.numEntries());
        // TTL timestamps were kept: the values written at 1000 expire at 1100, not 100 ms after the restore.
        now = 1100;
        b.setCurrentKey({ id: 7, tag: 'x' });
        expect(b.getPartitionedState(ttlValue).value()).toBeUndefined();
      });

      it('restores whether states are registered before or after restore(), and keeps working', () => {
        const clock = () => 1000;
        const a = backend(clock);
        writeEveryKind(a);
        const snapshot = throughCheckpoint(a.snapshot());
        const early = backend(clock);
        for (const d of everyKind) early.getPartitionedState(d);
        early.restore([snapshot]);
        checkEveryKind(early);
        const late = backend(clock);
        late.restore([snapshot]);
        // A snapshot of restored, not yet used states is the same snapshot.
        expect(canonicalSnapshot(late.snapshot())).toEqual(canonicalSnapshot(snapshot));
        checkEveryKind(late);
        // Restored state takes writes like any other.
        late.setCurrentKey({ tag: 'x', id: 7 });
        const list = late.getPartitionedState(listDescriptor);
        list.add(99);
        expect(list.get()).toEqual([1, 2, 3, 99]);
        const map = late.getPartitionedState(mapDescriptor);
        map.put('new', 1);
        expect(sortedEntries(map.entries())).toEqual(
          sortedEntries([
            ['p', 0],
            [{ deep: ['key'] }, 5],
            ['new', 1],
          ]),
        );
      });

      it('a snapshot is a point in time: later writes do not change it', () => {
        const a = backend();
        const v = a.getPartitionedState(new ValueStateDescriptor<number>('v'));
        a.setCurrentKey('k');
        v.update(1);
        const snapshot = throughCheckpoint(a.snapshot());
        v.update(2);
        const b = backend();
        b.restore([snapshot]);
        b.setCurrentKey('k');
        expect(b.getPartitionedState(new ValueStateDescriptor<number>('v')).value()).toBe(1);
      });

      it('a pinned snapshot is the state at the pin, whatever is written while it is read in slices', () => {
        if (backend().pinSnapshot === undefined) return;
        fc.assert(
          fc.property(fc.array(arbitraryPinStep, { minLength: 1, maxLength: 60 }), (steps) => {
            let now = 0;
            const clock = () => now;
            const reference = new HeapKeyedStateBackend(MAX, FULL, clock);
            const b = backend(clock);
            const pending: Array<{
              pinned: PinnedKeyedStateSnapshot;
              expected: KeyedStateSnapshot;
              slices: KeyedStateSnapshotSlice[];
            }> = [];
            const finish = (which: number): void => {
              const [p] = pending.splice(which % pending.length, 1);
              if (p === undefined) return;
              for (let s = p.pinned.next(2); s !== undefined; s = p.pinned.next(2)) p.slices.push(s);
              p.pinned.release();
              // Encoded only now, after every later write: nothing of those may show.
              const got = canonicalSnapshot(throughCheckpoint(slicesToSnapshot(p.slices)));
              expect(got).toEqual(p.expected);
            };
            for (const step of steps) {
              switch (step.kind) {
                case 'op': {
                  now += step.op.advance;
                  expect(applyOperation(b, step.op), JSON.stringify(step.op)).toEqual(
                    applyOperation(reference, step.op),
                  );
                  break;
                }
                case 'mutate': {
                  // Without writing back, an in-place change is a change of heap state only.
                  const writeBack = step.writeBack || !(b instanceof HeapKeyedStateBackend);
                  expect(mutateInPlace(b, step.key, writeBack)).toEqual(
                    mutateInPlace(reference, step.key, writeBack),
                  );
                  break;
                }
                case 'pin':
                  if (pending.length >= 3) break;
                  pending.push({
                    // The deep copy at the barrier that the snapshot must equal.
                    expected: canonicalSnapshot(throughCheckpoint(reference.snapshot())),
                    pinned: b.pinSnapshot!(),
                    slices: [],
                  });
                  break;
                case 'read': {
                  const p = pending[step.which % Math.max(1, pending.length)];
                  const s = p?.pinned.next(step.max);
                  if (s !== undefined) p!.slices.push(s);
                  break;
                }
                case 'finish':
                  finish(step.which);
                  break;
              }
            }
            while (pending.length > 0) finish(0);
            // Copy-on-write never changed what live state holds.
            expect(canonicalSnapshot(throughCheckpoint(b.snapshot()))).toEqual(
              canonicalSnapshot(throughCheckpoint(reference.snapshot())),
            );
            b.dispose();
          }),
          { numRuns: 200 },
        );
      });

      it('a pinned snapshot released early leaves live state working and unchanged', () => {
        const b = backend();
        if (b.pinSnapshot === undefined) return;
        const v = b.getPartitionedState(new ValueStateDescriptor<{ n: number }>('v'));
        for (let k = 0; k < 50; k++) {
          b.setCurrentKey(k);
          v.update({ n: k });
        }
        const pinned = b.pinSnapshot();
        expect(pinned.next(5)).toBeDefined();
        pinned.release();
        pinned.release();
        expect(pinned.next(5)).toBeUndefined();
        for (let k = 0; k < 50; k++) {
          b.setCurrentKey(k);
          const o = v.value()!;
          o.n += 100;
          v.update(o);
        }
        const all = readPinnedSnapshot(b.pinSnapshot());
        expect(canonicalSnapshot(throughCheckpoint(all))).toEqual(
          canonicalSnapshot(throughCheckpoint(b.snapshot())),
        );
        b.setCurrentKey(7);
        expect(v.value()).toEqual({ n: 107 });
      });

      it('restoring a snapshot of an empty backend gives an empty backend', () => {
        const b = backend();
        b.restore([throughCheckpoint(backend().snapshot())]);
        expect(b.numEntries()).toBe(0);
        expect(canonicalSnapshot(b.snapshot())).toEqual({});
      });
    });

    describe('rescaling', () => {
      it('2 → 3 subtasks: every key exactly once, in the subtask that owns its key group', () => {
        fc.assert(
          fc.property(
            fc.uniqueArray(arbitraryKey, { minLength: 1, maxLength: 80, selector: sortable }),
            fc.array(fc.integer(), { minLength: 80, maxLength: 80 }),
            (keys, values) => rescale(keys, values, 2, 3),
          ),
          { numRuns: 25 },
        );
      });

      it('3 → 2 and 1 → 4 subtasks, every state kind', () => {
        const keys = Array.from({ length: 300 }, (_, i) => (i % 2 === 0 ? `user-${i}` : { id: i }));
        const values = keys.map((_, i) => i * 7);
        rescale(keys, values, 3, 2);
        rescale(keys, values, 1, 4);
      });

      function rescale(
        keys: readonly unknown[],
        values: readonly number[],
        before: number,
        after: number,
      ): void {
        const v = new ValueStateDescriptor<string>('v');
        const l = new ListStateDescriptor<number>('l');
        const m = new MapStateDescriptor<unknown, number>('m');
        const r = new ReducingStateDescriptor<number>('r', (x, y) => x + y);
        const owner = (backends: KeyedStateBackend[], key: unknown) => {
          const kg = assignToKeyGroup(key, MAX);
          return backends.find((b) => kg >= b.keyGroupRange.start && kg <= b.keyGroupRange.end)!;
        };
        const old = Array.from({ length: before }, (_, i) =>
          backend(Date.now, keyGroupRangeForOperator(MAX, before, i)),
        );
        keys.forEach((key, i) => {
          const b = owner(old, key);
          b.setCurrentKey(key);
          b.getPartitionedState(v).update(`v-${sortable(key)}`);
          b.getPartitionedState(l).addAll([i, values[i]!]);
          b.getPartitionedState(m).put(key, i);
          const reducing = b.getPartitionedState(r);
          reducing.setCurrentNamespace(i % 3);
          reducing.add(values[i]!);
        });
        const snapshots = old.map((b) => throughCheckpoint(b.snapshot()));
        const next = Array.from({ length: after }, (_, i) => {
          const b = backend(Date.now, keyGroupRangeForOperator(MAX, after, i));
          b.restore(snapshots);
          return b;
        });
        const seen = new Map<string, number>();
        next.forEach((b, index) => {
          b.forEachKey('v', (key) => {
            expect(owner(next, key)).toBe(next[index]);
            seen.set(sortable(key), (seen.get(sortable(key)) ?? 0) + 1);
          });
        });
        expect([...seen.values()].every((n) => n === 1)).toBe(true);
        expect([...seen.keys()].sort()).toEqual(keys.map(sortable).sort());
        keys.forEach((key, i) => {
          const b = owner(next, key);
          b.setCurrentKey(key);
          expect(b.getPartitionedState(v).value()).toBe(`v-${sortable(key)}`);
          expect(b.getPartitionedState(l).get()).toEqual([i, values[i]!]);
          expect([...b.getPartitionedState(m).entries()]).toEqual([[key, i]]);
          const reducing = b.getPartitionedState(r);
          reducing.setCurrentNamespace(i % 3);
          expect(reducing.get()).toBe(values[i]);
          reducing.setCurrentNamespace((i + 1) % 3);
          expect(reducing.get()).toBeUndefined();
        });
        const total = next.reduce((n, b) => n + b.numEntries(), 0);
        expect(total).toBe(old.reduce((n, b) => n + b.numEntries(), 0));
        for (const b of [...old, ...next]) b.dispose();
      }
    });

    describe('across backends', () => {
      it('a heap snapshot restores into this backend, and its snapshot back into the heap backend', () => {
        const now = 1000;
        const heap = new HeapKeyedStateBackend(MAX, FULL, () => now);
        writeEveryKind(heap);
        const b = backend(() => now);
        b.restore([throughCheckpoint(heap.snapshot())]);
        checkEveryKind(b);
        expect(canonicalSnapshot(b.snapshot())).toEqual(canonicalSnapshot(heap.snapshot()));
        const back = new HeapKeyedStateBackend(MAX, FULL, () => now);
        back.restore([throughCheckpoint(b.snapshot())]);
        checkEveryKind(back);
        expect(canonicalSnapshot(back.snapshot())).toEqual(canonicalSnapshot(heap.snapshot()));
      });

      it('rescales from heap snapshots into this backend and from its snapshots into the heap backend', () => {
        const keys = Array.from({ length: 100 }, (_, i) => (i % 2 === 0 ? i : { k: `key-${i}` }));
        const v = new ValueStateDescriptor<number>('v');
        const heaps = [0, 1].map((i) => new HeapKeyedStateBackend(MAX, keyGroupRangeForOperator(MAX, 2, i)));
        const these = [0, 1, 2].map((i) => backend(Date.now, keyGroupRangeForOperator(MAX, 3, i)));
        keys.forEach((key, i) => {
          const h = heaps.find((b) => b.keyGroupRange.end >= assignToKeyGroup(key, MAX))!;
          h.setCurrentKey(key);
          h.getPartitionedState(v).update(i);
        });
        const heapSnapshots = heaps.map((h) => throughCheckpoint(h.snapshot()));
        for (const b of these) b.restore(heapSnapshots);
        const backToOne = new HeapKeyedStateBackend(MAX, FULL);
        backToOne.restore(these.map((b) => throughCheckpoint(b.snapshot())));
        keys.forEach((key, i) => {
          backToOne.setCurrentKey(key);
          expect(backToOne.getPartitionedState(v).value()).toBe(i);
        });
        expect(backToOne.numEntries()).toBe(keys.length);
      });
    });

    it('dispose() may be called twice', () => {
      const b = backend();
      b.dispose();
      b.dispose();
    });
  });
}

/** A state object as merging windows use it. */
function merging<S>(state: S): S & InternalMergingState {
  return state as S & InternalMergingState;
}

/** Entries sorted by normalized key, for comparing maps whose iteration order is the backend's. */
function sortedEntries(entries: Iterable<readonly [unknown, unknown]>): Array<[unknown, unknown]> {
  return [...entries].map(([k, v]): [unknown, unknown] => [k, v]).sort(byKey);
}

function sortedKeys(keys: readonly unknown[]): string[] {
  return keys.map(sortable).sort();
}

// A fixed set of states of every kind, written and checked by several tests.
const valueDescriptor = new ValueStateDescriptor<{ n: number; at: Date }>('value');
const ttlValue = new ValueStateDescriptor<string>('ttl-value').enableTimeToLive(
  StateTtlConfig.newBuilder(100).build(),
);
const listDescriptor = new ListStateDescriptor<number>('list');
const ttlList = new ListStateDescriptor<string>('ttl-list').enableTimeToLive(
  StateTtlConfig.newBuilder(100).build(),
);
const mapDescriptor = new MapStateDescriptor<unknown, number>('map');
const ttlMap = new MapStateDescriptor<string, string>('ttl-map').enableTimeToLive(
  StateTtlConfig.newBuilder(100).build(),
);
const reducingDescriptor = new ReducingStateDescriptor<number>('reducing', (x, y) => x + y);
const aggregatingDescriptor = new AggregatingStateDescriptor('aggregating', average);
const everyKind: StateDescriptor<unknown>[] = [
  valueDescriptor,
  ttlValue,
  listDescriptor,
  ttlList,
  mapDescriptor,
  ttlMap,
  reducingDescriptor,
  aggregatingDescriptor,
] as StateDescriptor<unknown>[];

function writeEveryKind(b: KeyedStateBackend): void {
  b.setCurrentKey({ id: 7, tag: 'x' });
  b.getPartitionedState(valueDescriptor).update({ n: 1, at: new Date(5) });
  b.getPartitionedState(ttlValue).update('expires at 1100');
  b.getPartitionedState(listDescriptor).addAll([1, 2, 3]);
  b.getPartitionedState(ttlList).add('t');
  const map = b.getPartitionedState(mapDescriptor);
  map.put('p', 0);
  map.put({ deep: ['key'] }, 5);
  b.getPartitionedState(ttlMap).put('a', 'b');
  b.getPartitionedState(reducingDescriptor).add(40);
  b.getPartitionedState(aggregatingDescriptor).add(4);
  map.setCurrentNamespace('window-1');
  map.put('p', 1);
  map.setCurrentNamespace('');
  const reducing = b.getPartitionedState(reducingDescriptor);
  reducing.setCurrentNamespace(17);
  reducing.add(2);
  reducing.setCurrentNamespace('');
  b.setCurrentKey('plain');
  b.getPartitionedState(valueDescriptor).update({ n: 2, at: new Date(6) });
  b.getPartitionedState(listDescriptor).add(9);
  b.setCurrentKey(42);
  b.getPartitionedState(reducingDescriptor).add(1);
}

function checkEveryKind(b: KeyedStateBackend): void {
  const value = b.getPartitionedState(valueDescriptor);
  const list = b.getPartitionedState(listDescriptor);
  const map = b.getPartitionedState(mapDescriptor);
  const reducing = b.getPartitionedState(reducingDescriptor);
  b.setCurrentKey({ tag: 'x', id: 7 });
  expect(value.value()).toEqual({ n: 1, at: new Date(5) });
  expect(b.getPartitionedState(ttlValue).value()).toBe('expires at 1100');
  expect(list.get()).toEqual([1, 2, 3]);
  expect(b.getPartitionedState(ttlList).get()).toEqual(['t']);
  expect(sortedEntries(map.entries())).toEqual(
    sortedEntries([
      ['p', 0],
      [{ deep: ['key'] }, 5],
    ]),
  );
  expect(map.get({ deep: ['key'] })).toBe(5);
  expect(b.getPartitionedState(ttlMap).get('a')).toBe('b');
  expect(reducing.get()).toBe(40);
  expect(b.getPartitionedState(aggregatingDescriptor).get()).toBe(4);
  map.setCurrentNamespace('window-1');
  expect(sortedEntries(map.entries())).toEqual([['p', 1]]);
  map.setCurrentNamespace('');
  reducing.setCurrentNamespace(17);
  expect(reducing.get()).toBe(2);
  reducing.setCurrentNamespace('');
  b.setCurrentKey('plain');
  expect(value.value()).toEqual({ n: 2, at: new Date(6) });
  expect(list.get()).toEqual([9]);
  b.setCurrentKey(42);
  expect(reducing.get()).toBe(1);
  const keys: unknown[] = [];
  b.forEachKey('value', (k) => keys.push(k));
  expect(sortedKeys(keys)).toEqual(sortedKeys([{ id: 7, tag: 'x' }, 'plain']));
}

/** One step of the random-operation test: a state access, after the clock moved `advance` ms. */
interface Operation {
  advance: number;
  key: string | number | { id: number };
  namespace: string | number;
  state: 'value' | 'list' | 'map' | 'reducing' | 'aggregating';
  ttl: 'none' | 'write' | 'read' | 'expired';
  action: number;
  arg: number;
}

/** The steps of one run use one state (kind and TTL) and few keys, so that they meet often. */
const arbitraryStep: fc.Arbitrary<Omit<Operation, 'state' | 'ttl'>> = fc.record({
  advance: fc.oneof(fc.constant(0), fc.integer({ min: 5, max: 40 })),
  key: fc.constantFrom<Operation['key']>('a', 1, { id: 1 }),
  namespace: fc.constantFrom('', 7),
  action: fc.integer({ min: 0, max: 8 }),
  arg: fc.integer({ min: 0, max: 2 }),
});

const ttlConfigs = {
  write: StateTtlConfig.newBuilder(50).build(),
  read: StateTtlConfig.newBuilder(50).setUpdateType('OnReadAndWrite').build(),
  expired: StateTtlConfig.newBuilder(50).setStateVisibility('ReturnExpiredIfNotCleanedUp').build(),
};

function descriptorFor(op: Operation): StateDescriptor<unknown> {
  const name = `${op.state}-${op.ttl}`;
  let d: StateDescriptor<unknown>;
  switch (op.state) {
    case 'value':
      d = new ValueStateDescriptor<number>(name) as StateDescriptor<unknown>;
      break;
    case 'list':
      d = new ListStateDescriptor<number>(name) as StateDescriptor<unknown>;
      break;
    case 'map':
      d = new MapStateDescriptor<number, number>(name) as StateDescriptor<unknown>;
      break;
    case 'reducing':
      d = new ReducingStateDescriptor<number>(name, (x, y) => x + y) as StateDescriptor<unknown>;
      break;
    case 'aggregating':
      d = new AggregatingStateDescriptor(name, average) as StateDescriptor<unknown>;
      break;
  }
  return op.ttl === 'none' ? d : d.enableTimeToLive(ttlConfigs[op.ttl]);
}

/** Applies an operation and returns what a user would observe. */
function applyOperation(b: KeyedStateBackend, op: Operation): unknown {
  b.setCurrentKey(op.key);
  const s = b.getPartitionedState(descriptorFor(op)) as unknown as Record<
    string,
    (...args: unknown[]) => unknown
  > & {
    setCurrentNamespace(ns: string | number): void;
  };
  s.setCurrentNamespace(op.namespace);
  const x = op.arg;
  switch (op.state) {
    case 'value':
      return [() => s.value!(), () => s.update!(x), () => s.clear!(), () => s.update!(undefined)][
        op.action % 4
      ]!();
    case 'list':
      return [
        () => s.get!(),
        () => s.add!(x),
        () => s.addAll!([x, x + 1]),
        () => s.update!([x]),
        () => s.update!([]),
        () => s.clear!(),
      ][op.action % 6]!();
    case 'map':
      return [
        () => s.get!(x),
        () => s.put!(x, op.advance),
        () => s.remove!(x),
        () => s.contains!(x),
        () => sortedEntries(s.entries!() as Iterable<[unknown, unknown]>),
        () => s.isEmpty!(),
        () =>
          s.putAll!([
            [x, 1],
            [x + 1, 2],
          ]),
        () => s.clear!(),
      ][op.action % 8]!();
    default:
      return [() => s.get!(), () => s.add!(x), () => s.clear!()][op.action % 3]!();
  }
}

/** A step of the pinned-snapshot property: state access, in-place mutation, or snapshot work. */
type PinStep =
  | { kind: 'op'; op: Operation }
  | { kind: 'mutate'; key: Operation['key']; writeBack: boolean }
  | { kind: 'pin' }
  | { kind: 'read'; which: number; max: number }
  | { kind: 'finish'; which: number };

/** Every state kind and TTL mode in one run (so several tables), few keys so that steps meet. */
const arbitraryPinStep: fc.Arbitrary<PinStep> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .tuple(
        arbitraryStep,
        fc.constantFrom<Operation['state']>('value', 'list', 'map', 'reducing', 'aggregating'),
        fc.constantFrom<Operation['ttl']>('none', 'read', 'expired'),
      )
      .map(([step, state, ttl]): PinStep => ({ kind: 'op', op: { ...step, state, ttl } })),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom<Operation['key']>('a', 1, { id: 1 }), fc.boolean())
      .map(([key, writeBack]): PinStep => ({ kind: 'mutate', key, writeBack })),
  },
  { weight: 1, arbitrary: fc.constant<PinStep>({ kind: 'pin' }) },
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.nat(3), fc.integer({ min: 1, max: 3 }))
      .map(([which, max]): PinStep => ({ kind: 'read', which, max })),
  },
  { weight: 1, arbitrary: fc.nat(3).map((which): PinStep => ({ kind: 'finish', which })) },
);

const objectState = new ValueStateDescriptor<{ n: number; xs: number[]; m: Map<string, number> }>('object');

/**
 * What user code does with object state: changes the object it read in place (with or without
 * writing it back); returns what it read.
 */
function mutateInPlace(b: KeyedStateBackend, key: Operation['key'], writeBack: boolean): unknown {
  b.setCurrentKey(key);
  const s = b.getPartitionedState(objectState);
  const read = s.value();
  const before = read === undefined ? undefined : { n: read.n, xs: [...read.xs], m: [...read.m] };
  const o = read ?? { n: 0, xs: [] as number[], m: new Map<string, number>() };
  o.n++;
  o.xs.push(o.n);
  o.m.set(`k${o.n % 3}`, o.n);
  // The heap backend keeps the object itself; a backend that stores bytes needs the write back.
  if (writeBack || read === undefined) s.update(o);
  return before;
}

/** Slices of a pinned snapshot as one snapshot. */
function slicesToSnapshot(slices: readonly KeyedStateSnapshotSlice[]): KeyedStateSnapshot {
  const out: KeyedStateSnapshot = {};
  for (const [table, kg, entries] of slices) {
    let groups = out[table];
    if (groups === undefined) out[table] = groups = [];
    const same = groups.find(([g]) => g === kg);
    if (same !== undefined) same[1].push(...entries);
    else groups.push([kg, [...entries]]);
  }
  return out;
}
