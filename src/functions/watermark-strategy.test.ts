// The built-in watermark strategies, driven directly with a manual processing-time clock.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IllegalArgumentError, MIN_WATERMARK } from '../core/index.ts';
import { type WatermarkOutput, WatermarkStrategy } from './watermark-strategy.ts';

function recorder() {
  const out: Array<number | 'idle' | 'active'> = [];
  const output: WatermarkOutput = {
    emitWatermark: (t) => out.push(t),
    markIdle: () => out.push('idle'),
    markActive: () => out.push('active'),
  };
  return { out, output };
}

const clockAt = (now: { t: number }) => ({ currentProcessingTime: () => now.t });

describe('WatermarkStrategy', () => {
  it('forBoundedOutOfOrderness emits max timestamp - bound - 1 (MIN_WATERMARK before any event)', () => {
    const gen = WatermarkStrategy.forBoundedOutOfOrderness<string>(500).createWatermarkGenerator(
      clockAt({ t: 0 }),
    );
    const { out, output } = recorder();
    gen.onPeriodicEmit(output);
    gen.onEvent('a', 1000, output);
    gen.onPeriodicEmit(output);
    gen.onEvent('b', 800, output); // out of order: does not lower the watermark
    gen.onPeriodicEmit(output);
    gen.onEvent('c', 2000, output);
    gen.onPeriodicEmit(output);
    expect(out).toEqual([MIN_WATERMARK, 499, 499, 1499]);
  });

  it('forBoundedOutOfOrderness: the periodic watermark is always max - bound - 1 over the events so far', () => {
    fc.assert(
      fc.property(
        fc.nat(10_000),
        fc.array(fc.integer({ min: 0, max: 1e12 }), { minLength: 1 }),
        (bound, ts) => {
          const gen = WatermarkStrategy.forBoundedOutOfOrderness<number>(bound).createWatermarkGenerator(
            clockAt({ t: 0 }),
          );
          const { out, output } = recorder();
          ts.forEach((t, i) => {
            gen.onEvent(t, t, output);
            gen.onPeriodicEmit(output);
            expect(out[i]).toBe(Math.max(...ts.slice(0, i + 1)) - bound - 1);
          });
        },
      ),
    );
  });

  it('forMonotonousTimestamps trails the highest timestamp by 1 ms', () => {
    const gen = WatermarkStrategy.forMonotonousTimestamps<number>().createWatermarkGenerator(
      clockAt({ t: 0 }),
    );
    const { out, output } = recorder();
    gen.onEvent(1, 10, output);
    gen.onPeriodicEmit(output);
    gen.onEvent(1, 20, output);
    gen.onPeriodicEmit(output);
    expect(out).toEqual([9, 19]);
  });

  it('noWatermarks emits nothing and says so', () => {
    const strategy = WatermarkStrategy.noWatermarks<number>();
    const gen = strategy.createWatermarkGenerator(clockAt({ t: 0 }));
    const { out, output } = recorder();
    gen.onEvent(1, 10, output);
    gen.onPeriodicEmit(output);
    expect(out).toEqual([]);
    expect(strategy.emitsNoWatermarks).toBe(true);
    expect(WatermarkStrategy.forMonotonousTimestamps().emitsNoWatermarks).toBe(false);
  });

  it('forGenerator uses the custom generator; withTimestampAssigner keeps it and sets the assigner', () => {
    const strategy = WatermarkStrategy.forGenerator<{ t: number }>(() => ({
      onEvent: (_e, t, o) => o.emitWatermark(t),
      onPeriodicEmit: () => {},
    })).withTimestampAssigner((e) => e.t);
    const gen = strategy.createWatermarkGenerator(clockAt({ t: 0 }));
    const { out, output } = recorder();
    gen.onEvent({ t: 5 }, strategy.timestampAssigner!({ t: 5 }, undefined), output);
    expect(out).toEqual([5]);
    const objectForm = WatermarkStrategy.noWatermarks<{ t: number }>().withTimestampAssigner({
      extractTimestamp: (e, previous) => e.t + (previous ?? 0),
    });
    expect(objectForm.timestampAssigner!({ t: 1 }, 10)).toBe(11);
  });

  it('withIdleness marks the input idle after the timeout without events, and active on the next event', () => {
    const now = { t: 0 };
    const gen = WatermarkStrategy.forMonotonousTimestamps<number>()
      .withIdleness(100)
      .createWatermarkGenerator(clockAt(now));
    const { out, output } = recorder();
    gen.onEvent(0, 50, output);
    now.t = 99;
    gen.onPeriodicEmit(output);
    now.t = 100;
    gen.onPeriodicEmit(output);
    now.t = 150;
    gen.onPeriodicEmit(output); // still idle: no repeated markIdle, no watermark
    gen.onEvent(0, 60, output);
    gen.onPeriodicEmit(output);
    expect(out).toEqual([49, 'idle', 'active', 59]);
  });

  it('keeps withIdleness when a timestamp assigner is added afterwards', () => {
    const now = { t: 0 };
    const gen = WatermarkStrategy.forMonotonousTimestamps<number>()
      .withIdleness(10)
      .withTimestampAssigner((n) => n)
      .createWatermarkGenerator(clockAt(now));
    const { out, output } = recorder();
    now.t = 10;
    gen.onPeriodicEmit(output);
    expect(out).toEqual(['idle']);
  });

  it('rejects bad arguments, naming the call and the value', () => {
    expect(() => WatermarkStrategy.forBoundedOutOfOrderness(-1)).toThrow(IllegalArgumentError);
    expect(() => WatermarkStrategy.forBoundedOutOfOrderness(-1)).toThrow(/forBoundedOutOfOrderness\(\).*-1/);
    expect(() => WatermarkStrategy.noWatermarks().withIdleness(0)).toThrow(/withIdleness\(\).*0/);
    expect(() => WatermarkStrategy.forGenerator(42 as never)).toThrow(/forGenerator\(\)/);
  });
});
