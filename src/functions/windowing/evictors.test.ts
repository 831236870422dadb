// The built-in evictors: which elements they remove, before or after the window function.
import { describe, expect, it } from 'vitest';
import { CountEvictor } from './count-evictor.ts';
import { DeltaEvictor } from './delta-evictor.ts';
import type { TimestampedValue } from './evictor.ts';
import { GlobalWindow } from './global-window.ts';
import { TimeEvictor } from './time-evictor.ts';

const ctx = { getCurrentProcessingTime: () => 0, getCurrentWatermark: () => 0 };
const w = GlobalWindow.get();
const elements = (...ts: number[]): TimestampedValue<number>[] => ts.map((t) => ({ value: t, timestamp: t }));
const values = (es: TimestampedValue<number>[]) => es.map((e) => e.value);

describe('evictors', () => {
  it('CountEvictor keeps the last n elements, before or after', () => {
    const es = elements(1, 2, 3, 4, 5);
    CountEvictor.of(2).evictBefore(es, es.length, w, ctx);
    expect(values(es)).toEqual([4, 5]);
    const after = elements(1, 2, 3);
    CountEvictor.of(2, true).evictBefore(after, 3, w, ctx);
    expect(values(after)).toEqual([1, 2, 3]);
    CountEvictor.of(2, true).evictAfter(after, 3, w, ctx);
    expect(values(after)).toEqual([2, 3]);
    expect(() => CountEvictor.of(0)).toThrow(/got 0/);
  });

  it('TimeEvictor keeps elements newer than max timestamp - window size', () => {
    const es = elements(5, 1, 9, 4, 7);
    TimeEvictor.of(4).evictBefore(es, es.length, w, ctx);
    expect(values(es)).toEqual([9, 7]);
    const untimed: TimestampedValue<number>[] = [{ value: 1, timestamp: undefined }];
    TimeEvictor.of(0).evictBefore(untimed, 1, w, ctx);
    expect(untimed).toHaveLength(1);
    expect(() => TimeEvictor.of(-1)).toThrow(/windowSize must be a non-negative integer.*got -1/);
  });

  it('DeltaEvictor removes elements at least threshold away from the newest one', () => {
    const es = elements(1, 8, 5, 10);
    DeltaEvictor.of(5, (a: number, b: number) => Math.abs(a - b)).evictBefore(es, es.length, w, ctx);
    expect(values(es)).toEqual([8, 10]);
  });
});
