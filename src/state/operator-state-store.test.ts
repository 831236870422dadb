import { describe, expect, it } from 'vitest';
import { OperatorStateStore } from './operator-state-store.ts';
import { ListStateDescriptor, MapStateDescriptor } from './state-descriptor.ts';

describe('OperatorStateStore', () => {
  it('list state: one list per name, get/add/addAll/update/clear', () => {
    const store = new OperatorStateStore();
    const a = store.getListState(new ListStateDescriptor<number>('a'));
    expect(a.get()).toEqual([]);
    a.add(1);
    a.addAll([2, 3]);
    expect(store.getListState(new ListStateDescriptor<number>('a')).get()).toEqual([1, 2, 3]);
    expect(store.getListState(new ListStateDescriptor<number>('b')).get()).toEqual([]);
    a.update([9]);
    expect(a.get()).toEqual([9]);
    a.clear();
    expect(a.get()).toEqual([]);
  });

  it('list state: get() returns a copy that later changes do not reach', () => {
    const list = new OperatorStateStore().getListState(new ListStateDescriptor<number>('a'));
    list.add(1);
    const seen = list.get();
    list.add(2);
    expect(seen).toEqual([1]);
  });

  it('union list state is separate from list state and the two kinds cannot share a name', () => {
    const store = new OperatorStateStore();
    const u = store.getUnionListState(new ListStateDescriptor<string>('u'));
    u.add('x');
    expect(store.getUnionListState(new ListStateDescriptor<string>('u')).get()).toEqual(['x']);
    expect(() => store.getListState(new ListStateDescriptor<string>('u'))).toThrow(
      /"u" was registered as union list state and is now requested as list state/,
    );
    store.getListState(new ListStateDescriptor<string>('l'));
    expect(() => store.getUnionListState(new ListStateDescriptor<string>('l'))).toThrow(
      /registered as list state/,
    );
  });

  it('broadcast state: a map per descriptor name with composite keys', () => {
    const store = new OperatorStateStore();
    const rules = store.getBroadcastState(
      new MapStateDescriptor<{ a: number; b: number } | string, number>('rules'),
    );
    rules.put('r1', 1);
    rules.putAll([[{ a: 1, b: 2 }, 2]]);
    const again = store.getBroadcastState(
      new MapStateDescriptor<{ a: number; b: number } | string, number>('rules'),
    );
    expect(again.get({ b: 2, a: 1 })).toBe(2);
    expect(again.contains('r1')).toBe(true);
    expect([...again.immutableEntries()]).toEqual([
      ['r1', 1],
      [{ a: 1, b: 2 }, 2],
    ]);
    expect([...again.keys()]).toHaveLength(2);
    expect([...again.values()]).toEqual([1, 2]);
    again.remove('r1');
    expect(rules.contains('r1')).toBe(false);
    rules.clear();
    expect([...rules.entries()]).toEqual([]);
    expect([...store.getBroadcastState(new MapStateDescriptor<string, number>('other')).entries()]).toEqual(
      [],
    );
  });

  it('restore: new subtask j continues the broadcast state of old subtask j mod (old parallelism)', () => {
    const rules = new MapStateDescriptor<string, number>('rules');
    // An unaligned checkpoint caught the old subtasks at different points of the broadcast stream.
    const old = [1, 2, 3].map((n) => {
      const store = new OperatorStateStore();
      for (let i = 1; i <= n; i++) store.getBroadcastState(rules).put(`r${i}`, i);
      return store.snapshot();
    });
    const restored = (subtask: number, parallelism: number) => {
      const store = new OperatorStateStore();
      store.restore(old, subtask, parallelism);
      return [...store.getBroadcastState(rules).entries()].map(([k]) => k);
    };
    expect(restored(0, 5)).toEqual(['r1']);
    expect(restored(1, 5)).toEqual(['r1', 'r2']);
    expect(restored(2, 5)).toEqual(['r1', 'r2', 'r3']);
    expect(restored(3, 5)).toEqual(['r1']);
    expect(restored(4, 2)).toEqual(['r1', 'r2']);
  });

  it('restore: at the same parallelism each subtask gets its own list back; at another, lists are split evenly', () => {
    const buffer = new ListStateDescriptor<string>('buffer');
    // Old subtask 1 had no list state at all (its part is missing), 0 and 2 had 3 and 1 items.
    const old = [['a', 'b', 'c'], ['d']].map((items) => {
      const store = new OperatorStateStore();
      for (const item of items) store.getListState(buffer).add(item);
      return store.snapshot();
    });
    const origin = { subtasks: [0, 2], parallelism: 3 };
    const restored = (subtask: number, parallelism: number, withOrigin = true) => {
      const store = new OperatorStateStore();
      store.restore(old, subtask, parallelism, withOrigin ? origin : undefined);
      return store.getListState(buffer).get();
    };
    expect([0, 1, 2].map((i) => restored(i, 3))).toEqual([['a', 'b', 'c'], [], ['d']]);
    expect([0, 1].map((i) => restored(i, 2))).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
    // Without the origin of the parts (older callers) the split is even at any parallelism.
    expect([0, 1, 2].map((i) => restored(i, 3, false))).toEqual([['a'], ['b'], ['c', 'd']]);
  });
});
