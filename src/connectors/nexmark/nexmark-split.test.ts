// Splits must cover [0, total) exactly once, in balanced contiguous ranges.
import { describe, expect, it } from 'vitest';
import { splitEventRange } from './nexmark-split.ts';

describe('splitEventRange', () => {
  it('cuts balanced contiguous ranges positioned at their start', () => {
    expect(splitEventRange(10, 3)).toEqual([
      { id: 'nexmark-0-of-3', from: 0, to: 4, next: 0 },
      { id: 'nexmark-1-of-3', from: 4, to: 7, next: 4 },
      { id: 'nexmark-2-of-3', from: 7, to: 10, next: 7 },
    ]);
  });

  it('covers every event exactly once for any total and split count', () => {
    for (const total of [0, 1, 7, 50, 1001]) {
      for (const n of [1, 2, 3, 8, 64]) {
        const splits = splitEventRange(total, n);
        expect(splits).toHaveLength(n);
        expect(splits[0]?.from).toBe(0);
        expect(splits.at(-1)?.to).toBe(total);
        for (let i = 1; i < n; i++) expect(splits[i]?.from).toBe(splits[i - 1]?.to);
        const sizes = splits.map((s) => s.to - s.from);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
        expect(new Set(splits.map((s) => s.id)).size).toBe(n);
      }
    }
  });

  it('rejects bad arguments, naming the value', () => {
    expect(() => splitEventRange(-1, 2)).toThrow(/total must be a non-negative safe integer, got -1/);
    expect(() => splitEventRange(10, 0)).toThrow(/n must be a positive integer, got 0/);
    expect(() => splitEventRange(10, 1.5)).toThrow(/got 1.5/);
  });
});
