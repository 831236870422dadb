// The built-in assigners: exact window assignment (property tests), processing time from the
// context, and rejection of bad sizes, slides, gaps and offsets at build time, naming the value.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MIN_WATERMARK } from '../../core/index.ts';
import { EventTimeTrigger } from './event-time-trigger.ts';
import { GlobalWindow } from './global-window.ts';
import { GlobalWindows } from './global-window-assigner.ts';
import { ProcessingTimeTrigger } from './processing-time-trigger.ts';
import { EventTimeSessionWindows, ProcessingTimeSessionWindows } from './session-window-assigner.ts';
import { SlidingEventTimeWindows, SlidingProcessingTimeWindows } from './sliding-window-assigner.ts';
import { TimeWindow } from './time-window.ts';
import { TumblingEventTimeWindows, TumblingProcessingTimeWindows } from './tumbling-window-assigner.ts';
import { isMergingWindowAssigner } from './window-assigner.ts';

const noClock = { getCurrentProcessingTime: () => 0 };
const clockAt = (t: number) => ({ getCurrentProcessingTime: () => t });
const ts = fc.integer({ min: -1_000_000, max: 1_000_000 });

describe('tumbling windows', () => {
  it('assign exactly the aligned window that contains the timestamp', () => {
    fc.assert(
      fc.property(ts, fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 0, max: 4999 }), (t, size, o) => {
        const offset = o % size;
        const [w, ...rest] = TumblingEventTimeWindows.of(size, offset).assignWindows(null, t, noClock);
        expect(rest).toEqual([]);
        expect(w!.start <= t && t < w!.end && w!.end - w!.start === size).toBe(true);
        expect((((w!.start - offset) % size) + size) % size).toBe(0);
      }),
    );
  });

  it('processing-time windows use the current processing time, not the record timestamp', () => {
    expect(TumblingProcessingTimeWindows.of(10).assignWindows(null, 5, clockAt(123))).toEqual([
      new TimeWindow(120, 130),
    ]);
    expect(TumblingProcessingTimeWindows.of(10).isEventTime()).toBe(false);
    expect(TumblingProcessingTimeWindows.of(10).getDefaultTrigger()).toBe(ProcessingTimeTrigger.create());
    expect(TumblingEventTimeWindows.of(10).getDefaultTrigger()).toBe(EventTimeTrigger.create());
  });

  it('reject records without timestamps in event time', () => {
    expect(() => TumblingEventTimeWindows.of(10).assignWindows(null, MIN_WATERMARK, noClock)).toThrow(
      /no event timestamp.*assignTimestampsAndWatermarks/,
    );
  });

  it('reject bad sizes and offsets, naming the value', () => {
    expect(() => TumblingEventTimeWindows.of(0)).toThrow(/size must be a positive integer.*got 0/);
    expect(() => TumblingEventTimeWindows.of(-5)).toThrow(/got -5/);
    expect(() => TumblingEventTimeWindows.of(1.5)).toThrow(/got 1.5/);
    expect(() => TumblingProcessingTimeWindows.of(Number.NaN)).toThrow(/got NaN/);
    expect(() => TumblingEventTimeWindows.of(10, 10)).toThrow(/\|offset\| < size \(10\), got 10/);
    expect(() => TumblingEventTimeWindows.of(10, -10)).toThrow(/got -10/);
    expect(TumblingEventTimeWindows.of(10, -3).assignWindows(null, 0, noClock)).toEqual([
      new TimeWindow(-3, 7),
    ]);
  });
});

describe('sliding windows', () => {
  it('assign every aligned window containing the timestamp, latest start first', () => {
    fc.assert(
      fc.property(
        ts,
        fc.integer({ min: 1, max: 500 }),
        fc.integer({ min: 1, max: 500 }),
        fc.integer({ min: 0, max: 499 }),
        (t, size, slide, o) => {
          const offset = o % slide;
          const windows = SlidingEventTimeWindows.of(size, slide, offset).assignWindows(null, t, noClock);
          const expected: TimeWindow[] = [];
          const first = TimeWindow.getWindowStartWithOffset(t, offset, slide);
          for (let s = first; s > t - size; s -= slide) expected.push(new TimeWindow(s, s + size));
          expect(windows).toEqual(expected);
          for (const w of windows) expect(w.start <= t && t < w.end).toBe(true);
          // No aligned window containing t is missed.
          expect(windows.length).toBe(expected.filter((w) => w.start <= t && t < w.end).length);
          if (slide <= size) expect(windows.length).toBeGreaterThanOrEqual(Math.floor(size / slide));
        },
      ),
    );
  });

  it('processing-time sliding windows use the clock', () => {
    expect(SlidingProcessingTimeWindows.of(10, 5).assignWindows(null, 0, clockAt(12))).toEqual([
      new TimeWindow(10, 20),
      new TimeWindow(5, 15),
    ]);
  });

  it('reject bad sizes, slides and offsets, naming the value', () => {
    expect(() => SlidingEventTimeWindows.of(0, 5)).toThrow(/size must be a positive integer.*got 0/);
    expect(() => SlidingEventTimeWindows.of(10, 0)).toThrow(/slide must be a positive integer.*got 0/);
    expect(() => SlidingEventTimeWindows.of(10, -1)).toThrow(/slide.*got -1/);
    expect(() => SlidingEventTimeWindows.of(10, 5, 5)).toThrow(/\|offset\| < slide \(5\), got 5/);
    expect(() => SlidingProcessingTimeWindows.of(10, 2.5)).toThrow(/got 2.5/);
  });
});

describe('session windows', () => {
  it('assign [t, t + gap) and merge', () => {
    const a = EventTimeSessionWindows.withGap(10);
    expect(a.assignWindows(null, 5, noClock)).toEqual([new TimeWindow(5, 15)]);
    expect(isMergingWindowAssigner(a)).toBe(true);
    expect(isMergingWindowAssigner(TumblingEventTimeWindows.of(5))).toBe(false);
    expect(ProcessingTimeSessionWindows.withGap(10).assignWindows(null, 5, clockAt(100))).toEqual([
      new TimeWindow(100, 110),
    ]);
  });

  it('dynamic gaps come from the element; a bad gap fails naming it and the element', () => {
    const a = EventTimeSessionWindows.withDynamicGap((e: { gap: number }) => e.gap);
    expect(a.assignWindows({ gap: 3 }, 10, noClock)).toEqual([new TimeWindow(10, 13)]);
    expect(() => a.assignWindows({ gap: 0 }, 10, noClock)).toThrow(
      /gap must be a positive integer.*got 0.*\{"gap":0\}/,
    );
    const p = ProcessingTimeSessionWindows.withDynamicGap({ extract: () => 7 });
    expect(p.assignWindows(null, 0, clockAt(1))).toEqual([new TimeWindow(1, 8)]);
    expect(() => EventTimeSessionWindows.withDynamicGap(42 as never)).toThrow(/expected a function.*got 42/);
  });

  it('reject bad gaps, naming the value', () => {
    expect(() => EventTimeSessionWindows.withGap(0)).toThrow(/gap must be a positive integer.*got 0/);
    expect(() => ProcessingTimeSessionWindows.withGap(-1)).toThrow(/got -1/);
  });
});

describe('global windows', () => {
  it('put everything in the one global window, which never ends', () => {
    const a = GlobalWindows.create();
    expect(a.assignWindows(null, 5, noClock)).toEqual([GlobalWindow.get()]);
    expect(GlobalWindow.get().maxTimestamp()).toBe(Number.MAX_SAFE_INTEGER);
    expect(a.getDefaultTrigger().onElement(null, 0, GlobalWindow.get(), null as never)).toBe('CONTINUE');
    expect(a.isEventTime()).toBe(false);
  });
});
