// Keyed state of every kind, TTL on the task's clock and operator list state, at parallelism 1
// and 3 across worker threads, on the heap and the lmdb backend.
import { beforeAll, describe, expect, it } from 'vitest';
import { runJobModule } from '../../src/testing/index.ts';
import type { Tagged } from '../jobs/support.ts';
import { byCheck, job } from './support.ts';

interface AllStates {
  key: string;
  count: number;
  values: number[];
  occurrences: Array<[number, number]>;
  empty: boolean;
  sum: number | null;
  average: number | null;
}

describe.each([
  [1, 'hashmap'],
  [3, 'hashmap'],
  [3, 'lmdb'],
])('state at parallelism %i (worker threads), %s backend', (p, backend) => {
  let checks: Map<string, unknown[]>;
  beforeAll(async () => {
    checks = byCheck(
      await runJobModule<Tagged[]>(job('state'), ['--parallelism', String(p), '--state-backend', backend]),
    );
  });

  it('value, list, map, reducing and aggregating state are kept per key, and can be cleared', () => {
    const rows = checks.get('all-states') as AllStates[];
    // Records of one key arrive in order: the states after each of them, per key.
    const perKey = (key: string) => rows.filter((r) => r.key === key);
    expect(perKey('a')).toEqual([
      { key: 'a', count: 1, values: [1], occurrences: [[1, 1]], empty: false, sum: 1, average: 1 },
      {
        key: 'a',
        count: 2,
        values: [1, 2],
        occurrences: [
          [1, 1],
          [2, 1],
        ],
        empty: false,
        sum: 3,
        average: 1.5,
      },
      {
        key: 'a',
        count: 3,
        values: [1, 2, 2],
        occurrences: [
          [1, 1],
          [2, 2],
        ],
        empty: false,
        sum: 5,
        average: 5 / 3,
      },
    ]);
    expect(perKey('b')).toEqual([
      { key: 'b', count: 1, values: [10], occurrences: [[10, 1]], empty: false, sum: 10, average: 10 },
      { key: 'b', count: 0, values: [], occurrences: [], empty: true, sum: null, average: null },
      { key: 'b', count: 1, values: [7], occurrences: [[7, 1]], empty: false, sum: 7, average: 7 },
    ]);
    expect(perKey('c')).toEqual([
      { key: 'c', count: 1, values: [5], occurrences: [[5, 1]], empty: false, sum: 5, average: 5 },
    ]);
  });

  it('state TTL: a value expires once the clock passes its time-to-live; a long TTL keeps it', () => {
    const rows = checks.get('ttl') as Array<{ key: string; written: number; afterTtl: null; long: number }>;
    expect(rows).toHaveLength(7);
    for (const r of rows) {
      expect(r.afterTtl).toBeNull();
      expect(r.written).not.toBeNull();
    }
    const last = (key: string) => rows.filter((r) => r.key === key).at(-1)!.long;
    expect([last('a'), last('b'), last('c')]).toEqual([5, 16, 5]);
  });

  it('operator list state: each subtask keeps what it saw', () => {
    const rows = checks.get('operator-state') as Array<{ subtask: number; size: number; union: number[] }>;
    expect(rows).toHaveLength(60);
    const sizes = new Map<number, number[]>();
    for (const r of rows) {
      sizes.set(r.subtask, [...(sizes.get(r.subtask) ?? []), r.size]);
      expect(r.union).toHaveLength(1);
    }
    for (const subtask of sizes.keys()) expect(subtask >= 0 && subtask < p).toBe(true);
    let total = 0;
    for (const s of sizes.values()) {
      const sorted = [...s].sort((a, b) => a - b);
      expect(sorted).toEqual(Array.from({ length: s.length }, (_, i) => i + 1));
      total += s.length;
    }
    expect(total).toBe(60);
  });
});
