// TimeWindow: alignment with offsets and negative timestamps, Flink's inclusive intersection rule,
// and merging of overlapping windows.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TimeWindow } from './time-window.ts';

const ts = fc.integer({ min: -1_000_000, max: 1_000_000 });

describe('TimeWindow', () => {
  it('max timestamp is end - 1', () => {
    expect(new TimeWindow(0, 10).maxTimestamp()).toBe(9);
  });

  it('getWindowStartWithOffset: the aligned start of the window containing the timestamp', () => {
    fc.assert(
      fc.property(
        ts,
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 0, max: 9_999 }),
        (t, size, o) => {
          const offset = o % size;
          const start = TimeWindow.getWindowStartWithOffset(t, offset, size);
          expect(start).toBeLessThanOrEqual(t);
          expect(t).toBeLessThan(start + size);
          expect((((start - offset) % size) + size) % size).toBe(0);
        },
      ),
    );
    expect(TimeWindow.getWindowStartWithOffset(-1, 0, 10)).toBe(-10);
    expect(TimeWindow.getWindowStartWithOffset(7, 3, 5)).toBe(3);
  });

  it('touching windows intersect (Flink: start <= other.end && end >= other.start)', () => {
    expect(new TimeWindow(0, 10).intersects(new TimeWindow(10, 20))).toBe(true);
    expect(new TimeWindow(10, 20).intersects(new TimeWindow(0, 10))).toBe(true);
    expect(new TimeWindow(0, 10).intersects(new TimeWindow(11, 20))).toBe(false);
    expect(new TimeWindow(0, 10).cover(new TimeWindow(5, 30))).toEqual(new TimeWindow(0, 30));
  });

  it('mergeWindows reports each group of intersecting windows with its cover', () => {
    const calls: Array<[string[], string]> = [];
    TimeWindow.mergeWindows(
      [
        new TimeWindow(20, 25),
        new TimeWindow(0, 5),
        new TimeWindow(5, 9),
        new TimeWindow(30, 31),
        new TimeWindow(24, 28),
      ],
      (merged, result) => calls.push([merged.map(String), String(result)]),
    );
    expect(calls).toEqual([
      [[String(new TimeWindow(0, 5)), String(new TimeWindow(5, 9))], String(new TimeWindow(0, 9))],
      [[String(new TimeWindow(20, 25)), String(new TimeWindow(24, 28))], String(new TimeWindow(20, 28))],
    ]);
  });

  it('after merging, no two windows intersect and every input is covered', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(ts, fc.integer({ min: 1, max: 50 })), { maxLength: 20 }), (specs) => {
        const windows = specs.map(([s, len]) => new TimeWindow(s, s + len));
        const result = new Map(windows.map((w) => [w.namespace, w]));
        TimeWindow.mergeWindows(windows, (merged, cover) => {
          for (const m of merged) result.delete(m.namespace);
          result.set(cover.namespace, cover);
        });
        const out = [...result.values()];
        for (const a of out) for (const b of out) if (a !== b) expect(a.intersects(b)).toBe(false);
        for (const w of windows) expect(out.some((o) => o.start <= w.start && w.end <= o.end)).toBe(true);
      }),
    );
  });

  it('namespaces round-trip', () => {
    const w = new TimeWindow(-20, 15);
    expect(TimeWindow.serializer.fromNamespace(TimeWindow.serializer.toNamespace(w))).toEqual(w);
    expect(() => TimeWindow.serializer.fromNamespace('x')).toThrow(/not a time window namespace/);
  });
});
