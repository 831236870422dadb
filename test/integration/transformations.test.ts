// Stateless transformations, keyBy, rolling aggregations, union and partitioners, at parallelism 1
// and 3 across worker threads (one job run per parallelism covers every check).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runJobModule } from '../../src/testing/index.ts';
import type { Tagged } from '../jobs/support.ts';
import { byCheck, job, tempDir } from './support.ts';

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const sorted = (xs: unknown[]) => [...(xs as number[])].sort((a, b) => a - b);

describe.each([1, 3])('transformations at parallelism %i (worker threads)', (p) => {
  let checks: Map<string, unknown[]>;
  let closeLog: string;

  beforeAll(async () => {
    closeLog = join(tempDir(), 'close.log');
    const rows = await runJobModule<Tagged[]>(job('transformations'), [
      '--parallelism',
      String(p),
      '--closeLog',
      closeLog,
    ]);
    checks = byCheck(rows);
  });

  const get = (check: string) => checks.get(check) ?? [];

  it('map: arrow functions and objects with open(), close() and a runtime context', () => {
    expect(sorted(get('map-arrow'))).toEqual(range(1, 20).map((x) => x * 10));
    const objects = get('map-object') as Array<[number, number, number, boolean]>;
    expect(sorted(objects.map((o) => o[0]))).toEqual(range(1, 20));
    for (const [, subtask, parallelism, opened] of objects) {
      expect(opened).toBe(true);
      expect(parallelism).toBe(p);
      expect(subtask >= 0 && subtask < p).toBe(true);
    }
    const closed = readFileSync(closeLog, 'utf8').trim().split('\n').sort();
    expect(closed).toEqual(range(0, p - 1).map((i) => `map-object ${i}`));
  });

  it('flatMap: iterables from arrow functions, a collector in objects', () => {
    expect(sorted(get('flatmap-arrow'))).toEqual(sorted(range(1, 10).flatMap((i) => [2 * i, -2 * i])));
    expect(sorted(get('flatmap-object'))).toEqual([5, 5.5, 10, 10.5, 15, 15.5, 20, 20.5]);
  });

  it('filter: arrow functions and objects', () => {
    expect(sorted(get('filter-arrow'))).toEqual([3, 6, 9, 12, 15, 18]);
    expect(sorted(get('filter-object'))).toEqual([16, 17, 18, 19, 20]);
  });

  it.each([
    ['keyby-string', (x: number) => `k${x % 7}`],
    ['keyby-number', (x: number) => x % 11],
    ['keyby-composite', (x: number) => `${x % 3}:${x % 2}`],
  ])('%s: every key reaches exactly one subtask', (check, keyOf) => {
    const rows = get(check) as Array<[number, number]>;
    expect(sorted(rows.map((r) => r[0]))).toEqual(range(1, 200));
    const owner = new Map<unknown, Set<number>>();
    for (const [x, subtask] of rows) {
      const set = owner.get(keyOf(x)) ?? new Set();
      set.add(subtask);
      owner.set(keyOf(x), set);
    }
    for (const subtasks of owner.values()) expect(subtasks.size).toBe(1);
    if (p > 1) expect(new Set(rows.map((r) => r[1])).size).toBeGreaterThan(1);
  });

  /** Rolling outputs per key, in the order they were emitted. */
  const perKey = (check: string, keyOf: (r: never) => string) => {
    const out: Record<string, unknown[]> = {};
    for (const r of get(check)) {
      const key = keyOf(r as never);
      out[key] = [...(out[key] ?? []), r];
    }
    return out;
  };
  const obj = (k: string, v: number, id: number) => ({ k, v, id });

  it('sum/min/max/minBy/maxBy/reduce on objects: rolling values per key, other fields as documented', () => {
    const k = (r: { k: string }) => r.k;
    expect(perKey('sum-object', k)).toEqual({
      a: [obj('a', 3, 1), obj('a', 4, 1), obj('a', 9, 1)],
      b: [obj('b', 1, 2), obj('b', 2, 2)],
    });
    expect(perKey('min-object', k)).toEqual({
      a: [obj('a', 3, 1), obj('a', 1, 1), obj('a', 1, 1)],
      b: [obj('b', 1, 2), obj('b', 1, 2)],
    });
    expect(perKey('max-object', k)).toEqual({
      a: [obj('a', 3, 1), obj('a', 3, 1), obj('a', 5, 1)],
      b: [obj('b', 1, 2), obj('b', 1, 2)],
    });
    expect(perKey('minBy-object', k)).toEqual({
      a: [obj('a', 3, 1), obj('a', 1, 3), obj('a', 1, 3)],
      b: [obj('b', 1, 2), obj('b', 1, 2)],
    });
    expect(perKey('maxBy-object', k)).toEqual({
      a: [obj('a', 3, 1), obj('a', 3, 1), obj('a', 5, 4)],
      b: [obj('b', 1, 2), obj('b', 1, 2)],
    });
    expect(perKey('reduce', k)).toEqual({
      a: [obj('a', 3, 1), obj('a', 31, 1), obj('a', 315, 1)],
      b: [obj('b', 1, 2), obj('b', 11, 2)],
    });
  });

  it('sum/min/max/minBy/maxBy on arrays (by index) and on plain numbers', () => {
    const k = (r: [string, number]) => r[0];
    expect(perKey('sum-array', k)).toEqual({
      a: [
        ['a', 3],
        ['a', 4],
        ['a', 9],
      ],
      b: [['b', 1]],
    });
    expect(perKey('min-array', k)).toEqual({
      a: [
        ['a', 3],
        ['a', 1],
        ['a', 1],
      ],
      b: [['b', 1]],
    });
    expect(perKey('max-array', k)).toEqual({
      a: [
        ['a', 3],
        ['a', 3],
        ['a', 5],
      ],
      b: [['b', 1]],
    });
    expect(perKey('minBy-array', k)).toEqual({
      a: [
        ['a', 3],
        ['a', 1],
        ['a', 1],
      ],
      b: [['b', 1]],
    });
    expect(perKey('maxBy-array', k)).toEqual({
      a: [
        ['a', 3],
        ['a', 3],
        ['a', 5],
      ],
      b: [['b', 1]],
    });
    // Odd inputs 1, 3, 5 sum to 1, 4, 9; even inputs 2, 4 to 2, 6.
    expect(sorted(get('sum-number'))).toEqual([1, 2, 4, 6, 9]);
  });

  it('union merges every input', () => {
    expect([...(get('union') as string[])].sort()).toEqual(['1', '2', 'x', 'y', 'z']);
  });

  /** [value, sending subtask, receiving subtask] per record. */
  const routes = (check: string) =>
    (get(check) as Array<[[number, number], number]>).map(([[x, from], to]) => ({ x, from, to }));

  it('rebalance and shuffle deliver every record once, spread over the subtasks', () => {
    for (const check of ['rebalance', 'shuffle']) {
      const r = routes(check);
      expect(sorted(r.map((x) => x.x))).toEqual(range(1, 40));
      if (p > 1) expect(new Set(r.map((x) => x.to)).size).toBeGreaterThan(1);
    }
    // Round-robin: within each sender, receivers differ by at most one record.
    const counts = new Map<string, number>();
    for (const { from, to } of routes('rebalance'))
      counts.set(`${from}>${to}`, (counts.get(`${from}>${to}`) ?? 0) + 1);
    for (let from = 0; from < p; from++) {
      const c = range(0, p - 1).map((to) => counts.get(`${from}>${to}`) ?? 0);
      if (c.some((n) => n > 0)) expect(Math.max(...c) - Math.min(...c)).toBeLessThanOrEqual(1);
    }
  });

  it('rescale sends subtask i only to its local group (i -> 2i, 2i+1 when doubling)', () => {
    const r = routes('rescale');
    expect(sorted(r.map((x) => x.x))).toEqual(range(1, 40));
    for (const { from, to } of r) expect([2 * from, 2 * from + 1]).toContain(to);
  });

  it('forward keeps the subtask; global sends everything to subtask 0', () => {
    for (const { from, to } of routes('forward')) expect(to).toBe(from);
    const g = routes('global');
    expect(sorted(g.map((x) => x.x))).toEqual(range(1, 40));
    for (const { to } of g) expect(to).toBe(0);
  });

  it('broadcast() delivers every record to every subtask', () => {
    const r = routes('broadcast');
    expect(r).toHaveLength(40 * p);
    for (let to = 0; to < p; to++)
      expect(sorted(r.filter((x) => x.to === to).map((x) => x.x))).toEqual(range(1, 40));
  });

  it('partitionCustom sends each key where the partitioner says', () => {
    const r = routes('custom');
    expect(sorted(r.map((x) => x.x))).toEqual(range(1, 40));
    for (const { x, to } of r) expect(to).toBe(x % p);
  });
});
