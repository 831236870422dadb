// Watermark generation (bounded out-of-orderness, monotonous, per-event generators) and propagation
// (minimum over inputs; the end of input fires every timer), at parallelism 1 and 2 across threads.
import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_WATERMARK, MIN_WATERMARK } from '../../src/index.ts';
import { runJobModule } from '../../src/testing/index.ts';
import type { Tagged } from '../jobs/support.ts';
import { byCheck, job } from './support.ts';

/** [position in the source, timestamp, the operator's watermark when the element arrived]. */
type Observation = [i: number, t: number, watermark: number];

describe.each([1, 2])('watermarks at parallelism %i (worker threads)', (p) => {
  let checks: Map<string, unknown[]>;
  beforeAll(async () => {
    checks = byCheck(await runJobModule<Tagged[]>(job('watermarks'), ['--parallelism', String(p)]));
  });
  // The collecting sink runs in parallel: put each check's observations back in source order.
  const observations = (check: string) =>
    [...((checks.get(check) ?? []) as Observation[])].sort((x, y) => x[0] - y[0] || x[1] - y[1]);

  /** Every watermark an element saw is `f(some earlier timestamp)` and never ahead of `f(max so far)`. */
  function checkGenerated(check: string, count: number, f: (maxSoFar: number) => number): void {
    const seen = observations(check);
    expect(seen).toHaveLength(count);
    let max = Number.NEGATIVE_INFINITY;
    const earlier = new Set<number>();
    let midStream = 0;
    for (const [, t, watermark] of seen) {
      if (watermark !== MIN_WATERMARK) {
        midStream++;
        expect([...earlier].map(f)).toContain(watermark);
        expect(watermark).toBeLessThanOrEqual(f(max));
      }
      earlier.add(t);
      max = Math.max(max, t);
    }
    expect(midStream).toBeGreaterThan(0); // watermarks did flow while the input ran
  }

  it('forBoundedOutOfOrderness emits max timestamp - bound - 1', () => {
    checkGenerated('bounded', 200, (max) => max - 500 - 1);
  });

  it('forMonotonousTimestamps emits max timestamp - 1', () => {
    checkGenerated('monotonous', 200, (max) => max - 1);
  });

  it('forGenerator can emit a watermark after every event, in order with the records', () => {
    expect(observations('per-event')).toEqual([
      [0, 10, MIN_WATERMARK],
      [1, 20, 10],
      [2, 30, 20],
      [3, 25, 30], // late: behind the watermark
    ]);
  });

  it("an operator's watermark is the minimum over its inputs: no in-order element is ever late", () => {
    const elements = observations('min-element');
    expect(elements).toHaveLength(400);
    for (const [, t, watermark] of elements) expect(watermark).toBeLessThan(t);
    expect(elements.some(([, , w]) => w !== MIN_WATERMARK)).toBe(true);
  });

  it('every event-time timer fires, at or after its time; the end of input fires the rest', () => {
    const timers = (checks.get('min-timer') ?? []) as Array<[number, number]>;
    const expected = new Set(observations('min-element').map(([, t]) => t));
    expect(new Set(timers.map(([t]) => t))).toEqual(expected);
    expect(timers).toHaveLength(expected.size);
    for (const [t, watermark] of timers) expect(watermark).toBeGreaterThanOrEqual(t);
    expect(timers.some(([, w]) => w === MAX_WATERMARK)).toBe(true);
  });
});
