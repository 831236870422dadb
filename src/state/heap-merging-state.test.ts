// Namespace merging of the heap backend (what session windows do with their contents and trigger
// state): sources are combined in order, then into the target, and cleared.
import { describe, expect, it } from 'vitest';
import { HeapKeyedStateBackend, type InternalMergingState } from './heap-keyed-state-backend.ts';
import {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  ReducingStateDescriptor,
  ValueStateDescriptor,
} from './state-descriptor.ts';

function backend(): HeapKeyedStateBackend {
  const b = new HeapKeyedStateBackend(128, { start: 0, end: 127 });
  b.setCurrentKey('k');
  return b;
}

describe('mergeNamespaces', () => {
  it('list state: target first, then the sources in order; sources are cleared', () => {
    const b = backend();
    const s = b.getPartitionedState(new ListStateDescriptor<number>('l'));
    for (const [ns, v] of [
      ['a', 1],
      ['b', 2],
      ['c', 3],
      ['a', 4],
    ] as const) {
      s.setCurrentNamespace(ns);
      s.add(v);
    }
    (s as unknown as InternalMergingState).mergeNamespaces('c', ['a', 'b', 'empty']);
    s.setCurrentNamespace('c');
    expect(s.get()).toEqual([3, 1, 4, 2]);
    s.setCurrentNamespace('a');
    expect(s.get()).toEqual([]);
    s.setCurrentNamespace('c');
    s.clear();
    expect(b.numEntries()).toBe(0);
  });

  it('reducing state: reduce(target, reduce(sources...)); into an empty target', () => {
    const b = backend();
    const s = b.getPartitionedState(new ReducingStateDescriptor<string>('r', (x, y) => `(${x}+${y})`));
    for (const [ns, v] of [
      ['a', 'A'],
      ['b', 'B'],
      ['t', 'T'],
    ] as const) {
      s.setCurrentNamespace(ns);
      s.add(v);
    }
    const m = s as unknown as InternalMergingState;
    m.mergeNamespaces('t', ['a', 'b']);
    s.setCurrentNamespace('t');
    expect(s.get()).toBe('(T+(A+B))');
    m.mergeNamespaces('new', ['t']);
    s.setCurrentNamespace('new');
    expect(s.get()).toBe('(T+(A+B))');
  });

  it('aggregating state merges accumulators and needs merge()', () => {
    const b = backend();
    const sum = b.getPartitionedState(
      new AggregatingStateDescriptor('sum', {
        createAccumulator: () => 0,
        add: (v: number, acc: number) => acc + v,
        getResult: (acc: number) => acc,
        merge: (x: number, y: number) => x + y,
      }),
    );
    sum.setCurrentNamespace('a');
    sum.add(2);
    sum.setCurrentNamespace('b');
    sum.add(5);
    (sum as unknown as InternalMergingState).mergeNamespaces('b', ['a']);
    expect(sum.get()).toBe(7);
    const noMerge = b.getPartitionedState(
      new AggregatingStateDescriptor('nomerge', {
        createAccumulator: () => 0,
        add: (v: number, acc: number) => acc + v,
        getResult: (acc: number) => acc,
      }),
    );
    noMerge.setCurrentNamespace('a');
    noMerge.add(1);
    noMerge.setCurrentNamespace('b');
    noMerge.add(1);
    expect(() => (noMerge as unknown as InternalMergingState).mergeNamespaces('b', ['a'])).toThrow(
      /no merge\(a, b\)/,
    );
  });

  it('value state cannot be merged', () => {
    const b = backend();
    const v = b.getPartitionedState(new ValueStateDescriptor<number>('v'));
    v.setCurrentNamespace('a');
    v.update(1);
    expect(() => (v as unknown as InternalMergingState).mergeNamespaces('b', ['a'])).toThrow(
      /value state, which cannot be merged/,
    );
  });
});
