// The heap backend: every state kind, scoping by key and namespace, TTL on a manual clock, and
// snapshot/restore by key-group range (the basis of rescaling).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HeapKeyedStateBackend, readPinnedSnapshot } from './heap-keyed-state-backend.ts';
import { assignToKeyGroup, keyGroupRangeForOperator } from './key-group-assignment.ts';
import {
  type AggregateFunction,
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  ValueStateDescriptor,
} from './state-descriptor.ts';
import { StateTtlConfig } from './state-ttl-config.ts';

const FULL = { start: 0, end: 127 };

function backend(clock?: () => number): HeapKeyedStateBackend {
  return new HeapKeyedStateBackend(128, FULL, clock);
}

const average: AggregateFunction<number, { sum: number; count: number }, number> = {
  createAccumulator: () => ({ sum: 0, count: 0 }),
  add: (v, acc) => ({ sum: acc.sum + v, count: acc.count + 1 }),
  getResult: (acc) => acc.sum / acc.count,
};

describe('HeapKeyedStateBackend: state kinds', () => {
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
    count.update(undefined);
    expect(count.value()).toBeUndefined();
    expect(b.numEntries()).toBe(0);
  });

  it('list state: get/add/addAll/update/clear, empty array when empty', () => {
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
    expect(list.get()).toEqual(['q']);
    list.update([]);
    expect(list.get()).toEqual([]);
    b.setCurrentKey(1);
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
    const map = b.getPartitionedState(new MapStateDescriptor<{ x: number; y: number } | string, number>('m'));
    b.setCurrentKey('k');
    expect(map.isEmpty()).toBe(true);
    expect(map.get('a')).toBeUndefined();
    map.put('a', 1);
    map.putAll([
      ['b', 2],
      [{ x: 1, y: 2 }, 3],
    ]);
    map.putAll(new Map([['c', 4]]));
    expect(map.get({ y: 2, x: 1 })).toBe(3);
    expect(map.contains('b')).toBe(true);
    expect(map.contains('z')).toBe(false);
    expect([...map.keys()]).toEqual(['a', 'b', { x: 1, y: 2 }, 'c']);
    expect([...map.values()]).toEqual([1, 2, 3, 4]);
    expect([...map.entries()]).toEqual([
      ['a', 1],
      ['b', 2],
      [{ x: 1, y: 2 }, 3],
      ['c', 4],
    ]);
    // Removing while iterating is safe.
    for (const k of map.keys()) if (k !== 'c') map.remove(k);
    expect([...map.keys()]).toEqual(['c']);
    b.setCurrentKey('other');
    expect(map.isEmpty()).toBe(true);
    b.setCurrentKey('k');
    map.remove('c');
    expect(map.isEmpty()).toBe(true);
    map.put('d', 5);
    map.clear();
    expect(map.isEmpty()).toBe(true);
    expect(b.numEntries()).toBe(0);
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

  it('keeps composite keys apart from primitive keys and equal regardless of property order', () => {
    const b = backend();
    const v = b.getPartitionedState(new ValueStateDescriptor<string>('v'));
    b.setCurrentKey({ user: 'u1', region: 'eu' });
    v.update('composite');
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

  it('rejects a key outside its key-group range, saying why', () => {
    const range = keyGroupRangeForOperator(128, 4, 0);
    const b = new HeapKeyedStateBackend(128, range);
    let outside = 0;
    while (assignToKeyGroup(outside, 128) <= range.end) outside++;
    expect(() => b.setCurrentKey(outside)).toThrow(/outside this subtask's range 0-31/);
  });
});

describe('HeapKeyedStateBackend: namespaces', () => {
  it('scopes every state kind by namespace; clearing one namespace leaves the others', () => {
    const b = backend();
    const value = b.getPartitionedState(new ValueStateDescriptor<string>('v'));
    const list = b.getPartitionedState(new ListStateDescriptor<number>('l'));
    const map = b.getPartitionedState(new MapStateDescriptor<string, number>('m'));
    const sum = b.getPartitionedState(new ReducingStateDescriptor<number>('r', (x, y) => x + y));
    b.setCurrentKey('k');
    for (const ns of ['w1', 'w2']) {
      for (const s of [value, list, map, sum]) s.setCurrentNamespace(ns);
      value.update(ns);
      list.add(ns === 'w1' ? 1 : 2);
      map.put('x', ns === 'w1' ? 10 : 20);
      sum.add(ns === 'w1' ? 100 : 200);
    }
    for (const s of [value, list, map, sum]) s.setCurrentNamespace('w1');
    expect([value.value(), list.get(), map.get('x'), sum.get()]).toEqual(['w1', [1], 10, 100]);
    value.clear();
    list.clear();
    map.clear();
    sum.clear();
    expect([value.value(), list.get(), map.isEmpty(), sum.get()]).toEqual([undefined, [], true, undefined]);
    for (const s of [value, list, map, sum]) s.setCurrentNamespace('w2');
    expect([value.value(), list.get(), map.get('x'), sum.get()]).toEqual(['w2', [2], 20, 200]);
    for (const s of [value, list, map, sum]) s.setCurrentNamespace('');
    expect(value.value()).toBeUndefined();
  });
});

describe('HeapKeyedStateBackend: TTL (processing time, manual clock)', () => {
  const ttl = (ms: number) => StateTtlConfig.newBuilder(ms);

  it('value state expires ttl ms after the last write (OnCreateAndWrite)', () => {
    let now = 0;
    const b = backend(() => now);
    const v = b.getPartitionedState(new ValueStateDescriptor<string>('v').enableTimeToLive(ttl(100).build()));
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
});

describe('HeapKeyedStateBackend: snapshot and restore by key-group range', () => {
  it('restores every key into the subtask that owns its key group, at any parallelism', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.oneof(fc.string(), fc.integer()), { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 5 }),
        (keys, before, after) => {
          const descriptor = new ValueStateDescriptor<string>('v');
          const listDescriptor = new ListStateDescriptor<number>('l');
          // Write the keys into `before` subtasks, each owning its range.
          const old = Array.from(
            { length: before },
            (_, i) => new HeapKeyedStateBackend(128, keyGroupRangeForOperator(128, before, i)),
          );
          for (const key of keys) {
            const owner = old.find((b) => {
              const kg = assignToKeyGroup(key, 128);
              return kg >= b.keyGroupRange.start && kg <= b.keyGroupRange.end;
            })!;
            owner.setCurrentKey(key);
            owner.getPartitionedState(descriptor).update(`v-${String(key)}`);
            owner.getPartitionedState(listDescriptor).add(keys.indexOf(key));
          }
          const snapshots = old.map((b) => b.snapshot());
          // Restore into `after` subtasks; each takes only its own key groups.
          let total = 0;
          for (let i = 0; i < after; i++) {
            const range = keyGroupRangeForOperator(128, after, i);
            const b = new HeapKeyedStateBackend(128, range);
            b.restore(snapshots);
            total += b.numEntries();
            for (const key of keys) {
              const kg = assignToKeyGroup(key, 128);
              if (kg < range.start || kg > range.end) continue;
              b.setCurrentKey(key);
              expect(b.getPartitionedState(descriptor).value()).toBe(`v-${String(key)}`);
              expect(b.getPartitionedState(listDescriptor).get()).toEqual([keys.indexOf(key)]);
            }
          }
          expect(total).toBe(keys.length * 2);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('keeps composite keys, namespaces and map state through a snapshot', () => {
    const a = backend();
    const map = a.getPartitionedState(new MapStateDescriptor<string, number>('m'));
    a.setCurrentKey({ id: 1, tag: 'x' });
    map.put('p', 0);
    map.setCurrentNamespace('w');
    map.put('p', 1);
    // Round trip through structured clone: snapshots must not depend on object identity.
    const snapshot = structuredClone(a.snapshot());
    const b = backend();
    b.restore([snapshot]);
    const restored = b.getPartitionedState(new MapStateDescriptor<string, number>('m'));
    b.setCurrentKey({ tag: 'x', id: 1 });
    expect(restored.get('p')).toBe(0);
    restored.setCurrentNamespace('w');
    expect(restored.get('p')).toBe(1);
    expect([...restored.keys()]).toEqual(['p']);
    const keys: unknown[] = [];
    b.forEachKey('m', (k) => keys.push(k));
    expect(keys).toEqual([{ id: 1, tag: 'x' }]);
  });
});

describe('heap backend copy-on-write snapshots', () => {
  class Counter {
    n = 0;
    tags = new Set<string>();
    bump(tag: string): this {
      this.n++;
      this.tags.add(tag);
      return this;
    }
  }

  it('copies a value a pinned snapshot reads before handing it out, keeping its class', () => {
    const b = new HeapKeyedStateBackend(128, { start: 0, end: 127 });
    const s = b.getPartitionedState(new ValueStateDescriptor<Counter>('c'));
    b.setCurrentKey('k');
    s.update(new Counter().bump('a'));
    const pinned = b.pinSnapshot();
    const live = s.value()!;
    expect(live).toBeInstanceOf(Counter);
    live.bump('b');
    const snap = readPinnedSnapshot(pinned);
    const [[, [[key, stored]]]] = snap.c as [[number, [[unknown, Counter]]]];
    expect(key).toBe('k');
    expect(stored.n).toBe(1);
    expect([...stored.tags]).toEqual(['a']);
    expect(s.value()!.n).toBe(2);
    // Released: no more copies, the value is handed out as stored.
    expect(s.value()).toBe(s.value());
  });
});
