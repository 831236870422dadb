// The built-in triggers, driven through a TriggerContext backed by the real heap state backend:
// when they fire, which timers they keep, how their state merges and clears.
import { describe, expect, it } from 'vitest';
import { HeapKeyedStateBackend, type InternalMergingState, type StateDescriptor } from '../../state/index.ts';
import { ContinuousEventTimeTrigger } from './continuous-event-time-trigger.ts';
import { ContinuousProcessingTimeTrigger } from './continuous-processing-time-trigger.ts';
import { CountTrigger } from './count-trigger.ts';
import { DeltaTrigger } from './delta-trigger.ts';
import { EventTimeTrigger } from './event-time-trigger.ts';
import { GlobalWindow } from './global-window.ts';
import { ProcessingTimeTrigger } from './processing-time-trigger.ts';
import { PurgingTrigger } from './purging-trigger.ts';
import { TimeWindow } from './time-window.ts';
import type { OnMergeContext } from './trigger.ts';

/** A trigger context over a heap backend, recording timers per window namespace. */
function harness() {
  const backend = new HeapKeyedStateBackend(128, { start: 0, end: 127 });
  backend.setCurrentKey('k');
  const timers = { event: new Set<string>(), proc: new Set<string>() };
  const time = { watermark: Number.MIN_SAFE_INTEGER, now: 0 };
  const contextFor = (ns: string, merged: string[] = []): OnMergeContext => ({
    getCurrentProcessingTime: () => time.now,
    getCurrentWatermark: () => time.watermark,
    registerEventTimeTimer: (t) => timers.event.add(`${ns}@${t}`),
    registerProcessingTimeTimer: (t) => timers.proc.add(`${ns}@${t}`),
    deleteEventTimeTimer: (t) => timers.event.delete(`${ns}@${t}`),
    deleteProcessingTimeTimer: (t) => timers.proc.delete(`${ns}@${t}`),
    getPartitionedState: <S>(d: StateDescriptor<S>): S => {
      const s = backend.getPartitionedState(d);
      s.setCurrentNamespace(ns);
      return s;
    },
    mergePartitionedState: (d) => {
      (backend.getPartitionedState(d) as unknown as InternalMergingState).mergeNamespaces(ns, merged);
    },
  });
  return { backend, timers, time, contextFor };
}

describe('EventTimeTrigger', () => {
  const t = EventTimeTrigger.create();
  const w = new TimeWindow(0, 10);

  it('registers a timer at the max timestamp, fires on it, and fires at once when the watermark has passed', () => {
    const h = harness();
    const ctx = h.contextFor(w.namespace);
    expect(t.onElement('a', 3, w, ctx)).toBe('CONTINUE');
    expect([...h.timers.event]).toEqual(['0,10@9']);
    expect(t.onEventTime(9, w, ctx)).toBe('FIRE');
    expect(t.onEventTime(15, w, ctx)).toBe('CONTINUE'); // a cleanup timer
    h.time.watermark = 9;
    expect(t.onElement('late', 3, w, ctx)).toBe('FIRE');
    t.clear(w, ctx);
    expect(h.timers.event.size).toBe(0);
  });

  it('on merge registers a timer only while the watermark is before the merged window', () => {
    const h = harness();
    t.onMerge(w, h.contextFor(w.namespace));
    expect([...h.timers.event]).toEqual(['0,10@9']);
    h.timers.event.clear();
    h.time.watermark = 9;
    t.onMerge(w, h.contextFor(w.namespace));
    expect(h.timers.event.size).toBe(0);
    expect(t.canMerge()).toBe(true);
  });
});

describe('ProcessingTimeTrigger', () => {
  it('registers a processing-time timer at the max timestamp and fires on it', () => {
    const h = harness();
    const t = ProcessingTimeTrigger.create();
    const w = new TimeWindow(0, 10);
    expect(t.onElement('a', 0, w, h.contextFor(w.namespace))).toBe('CONTINUE');
    expect([...h.timers.proc]).toEqual(['0,10@9']);
    expect(t.onProcessingTime(9, w, h.contextFor(w.namespace))).toBe('FIRE');
    expect(t.onEventTime(9, w, h.contextFor(w.namespace))).toBe('CONTINUE');
  });
});

describe('CountTrigger and PurgingTrigger', () => {
  it('fire every n elements per window, counting in window state', () => {
    const h = harness();
    const t = CountTrigger.of(3);
    const g = GlobalWindow.get();
    const ctx = h.contextFor('global');
    expect([1, 2, 3, 4, 5, 6].map((v) => t.onElement(v, 0, g, ctx))).toEqual([
      'CONTINUE',
      'CONTINUE',
      'FIRE',
      'CONTINUE',
      'CONTINUE',
      'FIRE',
    ]);
    expect(PurgingTrigger.of(CountTrigger.of(1)).onElement(1, 0, g, ctx)).toBe('FIRE_AND_PURGE');
    expect(String(PurgingTrigger.of(CountTrigger.of(1)))).toBe('PurgingTrigger(CountTrigger(1))');
  });

  it('merge counts of merged windows and clear them', () => {
    const h = harness();
    const t = CountTrigger.of(5);
    const a = new TimeWindow(0, 10);
    const b = new TimeWindow(10, 20);
    t.onElement(1, 0, a, h.contextFor(a.namespace));
    t.onElement(1, 0, a, h.contextFor(a.namespace));
    t.onElement(1, 0, b, h.contextFor(b.namespace));
    const merged = new TimeWindow(0, 20);
    t.onMerge(merged, h.contextFor(merged.namespace, [a.namespace, b.namespace]));
    // 3 counted so far: two more fire.
    expect(t.onElement(1, 0, merged, h.contextFor(merged.namespace))).toBe('CONTINUE');
    expect(t.onElement(1, 0, merged, h.contextFor(merged.namespace))).toBe('FIRE');
    t.onElement(1, 0, merged, h.contextFor(merged.namespace));
    t.clear(merged, h.contextFor(merged.namespace));
    expect(h.backend.numEntries()).toBe(0);
  });

  it('reject a non-positive count, naming it', () => {
    expect(() => CountTrigger.of(0)).toThrow(/maxCount must be a positive integer, got 0/);
  });
});

describe('ContinuousEventTimeTrigger', () => {
  it('fires every interval of event time (aligned) and at the end of the window', () => {
    const h = harness();
    const t = ContinuousEventTimeTrigger.of(4);
    const w = new TimeWindow(0, 10);
    const ctx = h.contextFor(w.namespace);
    expect(t.onElement('a', 1, w, ctx)).toBe('CONTINUE');
    expect([...h.timers.event].sort()).toEqual(['0,10@4', '0,10@9']);
    expect(t.onEventTime(4, w, ctx)).toBe('FIRE');
    expect([...h.timers.event].sort()).toEqual(['0,10@4', '0,10@8', '0,10@9']);
    expect(t.onEventTime(8, w, ctx)).toBe('FIRE');
    // The next fire time is capped at the window's max timestamp.
    expect(t.onEventTime(9, w, ctx)).toBe('FIRE');
    expect(t.onEventTime(5, w, ctx)).toBe('CONTINUE');
    t.clear(w, ctx);
    expect(h.backend.numEntries()).toBe(0);
  });
});

describe('ContinuousProcessingTimeTrigger', () => {
  it('fires every interval of processing time', () => {
    const h = harness();
    h.time.now = 5;
    const t = ContinuousProcessingTimeTrigger.of(4);
    const g = GlobalWindow.get();
    const ctx = h.contextFor('global');
    expect(t.onElement('a', 0, g, ctx)).toBe('CONTINUE');
    expect([...h.timers.proc]).toEqual(['global@8']);
    expect(t.onProcessingTime(8, g, ctx)).toBe('FIRE');
    expect(h.timers.proc.has('global@12')).toBe(true);
    t.clear(g, ctx);
    expect(h.timers.proc.has('global@12')).toBe(false);
  });
});

describe('DeltaTrigger', () => {
  it('fires when the delta to the last fired element exceeds the threshold', () => {
    const h = harness();
    const t = DeltaTrigger.of(5, (a: number, b: number) => Math.abs(a - b));
    const g = GlobalWindow.get();
    const ctx = h.contextFor('global');
    expect([0, 3, 5, 6, 9, 12].map((v) => t.onElement(v, 0, g, ctx))).toEqual([
      'CONTINUE',
      'CONTINUE',
      'CONTINUE',
      'FIRE',
      'CONTINUE',
      'FIRE',
    ]);
    expect(() => DeltaTrigger.of(Number.NaN, () => 0)).toThrow(/threshold must be a number, got NaN/);
  });
});
