// Timers by key, namespace and time: deduplicated, fired in time order with the key set, deletable;
// processing-time timers driven by a manual clock.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HeapKeyedStateBackend } from '../../state/index.ts';
import { type InternalTimer, InternalTimerService } from './internal-timer-service.ts';
import { ManualProcessingTimeService } from './processing-time-service.ts';

interface Fired {
  domain: 'event' | 'processing';
  time: number;
  key: unknown;
  currentKey: unknown;
  namespace: string;
}

function setup(onFire?: (f: Fired, timers: InternalTimerService<string>) => void) {
  const backend = new HeapKeyedStateBackend(128, { start: 0, end: 127 });
  const clock = new ManualProcessingTimeService(0);
  const fired: Fired[] = [];
  const timers: InternalTimerService<string> = new InternalTimerService<string>(backend, clock, {
    onEventTime: (t: InternalTimer<string>) => {
      const f: Fired = {
        domain: 'event',
        time: t.timestamp,
        key: t.key,
        currentKey: backend.getCurrentKey(),
        namespace: t.namespace,
      };
      fired.push(f);
      onFire?.(f, timers);
    },
    onProcessingTime: (t: InternalTimer<string>) => {
      const f: Fired = {
        domain: 'processing',
        time: t.timestamp,
        key: t.key,
        currentKey: backend.getCurrentKey(),
        namespace: t.namespace,
      };
      fired.push(f);
      onFire?.(f, timers);
    },
  });
  const at = (key: unknown) => {
    backend.setCurrentKey(key);
    return timers;
  };
  return { backend, clock, fired, timers, at };
}

describe('InternalTimerService: event time', () => {
  it('fires due timers in time order with their key set, once each', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c', 1, 2), fc.integer({ min: 0, max: 100 })), {
          maxLength: 40,
        }),
        fc.array(fc.integer({ min: 0, max: 120 }), { maxLength: 5 }),
        (registrations, watermarks) => {
          const { fired, at, timers } = setup();
          for (const [key, time] of registrations) at(key).registerEventTimeTimer('', time);
          const distinct = new Map(
            registrations.map(([k, t]) => [`${typeof k}:${String(k)}@${t}`, { k, t }]),
          );
          expect(timers.numEventTimeTimers()).toBe(distinct.size);
          let wm = Number.MIN_SAFE_INTEGER;
          for (const w of watermarks) {
            const before = fired.length;
            wm = Math.max(wm, w);
            timers.advanceWatermark(wm);
            const batch = fired.slice(before);
            expect(batch.map((f) => f.time)).toEqual([...batch.map((f) => f.time)].sort((x, y) => x - y));
            for (const f of batch) {
              expect(f.time).toBeLessThanOrEqual(wm);
              expect(f.currentKey).toBe(f.key);
            }
            expect(timers.currentWatermark()).toBe(wm);
          }
          const due = [...distinct.values()].filter((d) => d.t <= wm);
          expect(fired).toHaveLength(due.length);
          expect(timers.numEventTimeTimers()).toBe(distinct.size - due.length);
        },
      ),
    );
  });

  it('keeps timers of keys that print alike (1 and "1") apart', () => {
    const { fired, at, timers } = setup();
    at(1).registerEventTimeTimer('', 10);
    at('1').registerEventTimeTimer('', 10);
    expect(timers.numEventTimeTimers()).toBe(2);
    timers.advanceWatermark(10);
    expect(fired.map((f) => f.key)).toEqual(expect.arrayContaining([1, '1']));
    expect(fired).toHaveLength(2);
  });

  it('deduplicates by key, namespace and time', () => {
    const { fired, at, timers } = setup();
    at('k').registerEventTimeTimer('w1', 5);
    at('k').registerEventTimeTimer('w1', 5);
    at('k').registerEventTimeTimer('w2', 5);
    at({ id: 1, r: 'x' }).registerEventTimeTimer('w1', 5);
    at({ r: 'x', id: 1 }).registerEventTimeTimer('w1', 5);
    timers.advanceWatermark(5);
    expect(fired.map((f) => [f.key, f.namespace])).toEqual(
      expect.arrayContaining([
        ['k', 'w1'],
        ['k', 'w2'],
        [{ id: 1, r: 'x' }, 'w1'],
      ]),
    );
    expect(fired).toHaveLength(3);
  });

  it('does not fire deleted timers; a timer registered again after deletion fires once', () => {
    const { fired, at, timers } = setup();
    at('a').registerEventTimeTimer('', 1);
    at('b').registerEventTimeTimer('', 2);
    at('a').deleteEventTimeTimer('', 1);
    at('b').deleteEventTimeTimer('', 2);
    at('b').registerEventTimeTimer('', 2);
    at('c').deleteEventTimeTimer('', 3); // deleting an unknown timer is harmless
    expect(timers.numEventTimeTimers()).toBe(1);
    timers.advanceWatermark(10);
    expect(fired.map((f) => [f.key, f.time])).toEqual([['b', 2]]);
  });

  it('fires a timer registered from a timer callback when it is already due', () => {
    const { fired, at, timers } = setup((f, t) => {
      if (f.time === 5) t.registerEventTimeTimer('', 7);
    });
    at('k').registerEventTimeTimer('', 5);
    timers.advanceWatermark(10);
    expect(fired.map((f) => f.time)).toEqual([5, 7]);
  });
});

describe('InternalTimerService: processing time (manual clock)', () => {
  it('fires timers when the clock reaches them, in order, with their key set', () => {
    const { fired, at, clock, timers } = setup();
    at('a').registerProcessingTimeTimer('', 300);
    at('b').registerProcessingTimeTimer('', 100);
    at('c').registerProcessingTimeTimer('', 200);
    at('c').registerProcessingTimeTimer('', 200);
    expect(timers.numProcessingTimeTimers()).toBe(3);
    expect(timers.currentProcessingTime()).toBe(0);
    clock.advanceTo(99);
    expect(fired).toEqual([]);
    clock.advanceTo(250);
    expect(fired.map((f) => [f.key, f.time, f.currentKey])).toEqual([
      ['b', 100, 'b'],
      ['c', 200, 'c'],
    ]);
    at('d').registerProcessingTimeTimer('', 260); // later than now, earlier than the scheduled one
    clock.advanceTo(1000);
    expect(fired.map((f) => f.key)).toEqual(['b', 'c', 'd', 'a']);
    expect(timers.numProcessingTimeTimers()).toBe(0);
    expect(fired.every((f) => f.domain === 'processing')).toBe(true);
  });

  it('does not fire deleted timers and stops after close()', () => {
    const { fired, at, clock, timers } = setup();
    at('a').registerProcessingTimeTimer('', 10);
    at('b').registerProcessingTimeTimer('', 20);
    at('a').deleteProcessingTimeTimer('', 10);
    clock.advanceTo(15);
    expect(fired).toEqual([]);
    timers.close();
    clock.advanceTo(30);
    expect(fired).toEqual([]);
  });

  it('a timer for a time already passed fires at the next clock tick', () => {
    const { fired, at, clock } = setup();
    clock.advanceTo(500);
    at('late').registerProcessingTimeTimer('', 100);
    clock.advanceTo(500);
    expect(fired.map((f) => [f.key, f.time])).toEqual([['late', 100]]);
  });

  it('fires, in time order, timers a firing timer registers at or before the watermark, and not those it deletes', () => {
    let first = true;
    const { fired, at, timers } = setup((f, t) => {
      if (f.key === 'a' && f.time === 20 && first) {
        first = false;
        t.registerEventTimeTimer('', 15); // earlier than the one firing: still fires in this advance
        t.registerEventTimeTimer('', 20); // the same timer again: a new one, fires next
        at('c').deleteEventTimeTimer('', 20); // not yet fired at this time: never fires
        at('a');
      }
    });
    at('a').registerEventTimeTimer('', 20);
    at('b').registerEventTimeTimer('w1', 20);
    at('c').registerEventTimeTimer('', 20);
    at({ id: 1 }).registerEventTimeTimer('', 20);
    at({ id: 1 }).registerEventTimeTimer('', 20);
    at(1).registerEventTimeTimer('', 20);
    at('1').registerEventTimeTimer('', 20);
    expect(timers.numEventTimeTimers()).toBe(6);
    timers.advanceWatermark(20);
    expect(fired.map((f) => [f.time, f.key, f.namespace])).toEqual([
      [20, 'a', ''],
      [15, 'a', ''],
      [20, { id: 1 }, ''],
      [20, 1, ''],
      [20, '1', ''],
      [20, 'a', ''],
      [20, 'b', 'w1'],
    ]);
    expect(timers.numEventTimeTimers()).toBe(0);
  });
});
