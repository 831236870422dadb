// MergingWindowSet: state windows are re-pointed, not moved; the merge function sees exactly the
// pre-existing windows; and under random out-of-order input the in-flight windows are the sessions
// an offline computation finds, each holding exactly its elements.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventTimeSessionWindows, type MergingWindowAssigner, TimeWindow } from '../../functions/index.ts';
import { MergingWindowSet } from './merging-window-set.ts';

const assigner = EventTimeSessionWindows.withGap(10);
const w = (s: number, e: number) => new TimeWindow(s, e);

describe('MergingWindowSet', () => {
  it('a window that merges with nothing is its own state window', () => {
    const set = new MergingWindowSet(assigner, TimeWindow.serializer, undefined);
    const calls: unknown[] = [];
    expect(set.addWindow(w(0, 10), (...args) => calls.push(args))).toEqual(w(0, 10));
    expect(set.getStateWindow(w(0, 10))).toEqual(w(0, 10));
    expect(calls).toEqual([]);
    expect(set.toPersisted()).toEqual([['0,10', '0,10']]);
  });

  it('merging keeps the state of the first merged window and reports the others', () => {
    const set = new MergingWindowSet(assigner, TimeWindow.serializer, undefined);
    set.addWindow(w(0, 10), () => {});
    set.addWindow(w(15, 25), () => {});
    const calls: string[] = [];
    const result = set.addWindow(w(8, 18), (res, merged, target, sources) =>
      calls.push(`${res} <- ${merged.join(' ')} | ${target} <- ${sources.join(' ')}`),
    );
    expect(result).toEqual(w(0, 25));
    expect(calls).toEqual([`${w(0, 25)} <- ${w(0, 10)} ${w(15, 25)} | ${w(0, 10)} <- ${w(15, 25)}`]);
    expect(set.getStateWindow(w(0, 25))).toEqual(w(0, 10));
    expect(set.getStateWindow(w(0, 10))).toBeUndefined();
  });

  it('a window inside an existing one merges into it without a merge call', () => {
    const set = new MergingWindowSet(assigner, TimeWindow.serializer, [['0,30', '0,10']]);
    const calls: unknown[] = [];
    expect(set.addWindow(w(5, 15), (...args) => calls.push(args))).toEqual(w(0, 30));
    expect(calls).toEqual([]);
    expect(set.getStateWindow(w(0, 30))).toEqual(w(0, 10));
    // An equal window keeps the existing state window (Flink would re-point it to itself).
    expect(set.addWindow(w(0, 30), () => {})).toEqual(w(0, 30));
    expect(set.getStateWindow(w(0, 30))).toEqual(w(0, 10));
  });

  it('retiring removes a window; unknown windows are an internal error', () => {
    const set = new MergingWindowSet(assigner, TimeWindow.serializer, undefined);
    set.addWindow(w(0, 10), () => {});
    set.retireWindow(w(0, 10));
    expect(set.toPersisted()).toBeUndefined();
    expect(() => set.retireWindow(w(0, 10))).toThrow(/not in the in-flight window set/);
  });

  it('the session fast path merges exactly as the general path, kept alive or reloaded', () => {
    // Same merging, but not the built-in session assigners' mergeWindows: the general path.
    const general: MergingWindowAssigner<unknown, TimeWindow> = {
      assignWindows: (e, t, c) => assigner.assignWindows(e, t, c),
      isEventTime: () => true,
      getDefaultTrigger: () => assigner.getDefaultTrigger(),
      getWindowSerializer: () => TimeWindow.serializer,
      mergeWindows: (windows, callback) => TimeWindow.mergeWindows(windows, callback),
    };
    const op = fc.oneof(
      {
        weight: 6,
        arbitrary: fc.record({ add: fc.integer({ min: 0, max: 120 }), gap: fc.integer({ min: 1, max: 20 }) }),
      },
      { weight: 1, arbitrary: fc.record({ retire: fc.nat() }) },
      { weight: 1, arbitrary: fc.record({ reload: fc.constant(true) }) },
    );
    fc.assert(
      fc.property(fc.array(op, { minLength: 10, maxLength: 60 }), (ops) => {
        let fast = new MergingWindowSet(assigner, TimeWindow.serializer, undefined);
        const slow = new MergingWindowSet(general, TimeWindow.serializer, undefined);
        const inFlight = (): TimeWindow[] =>
          (slow.toPersisted() ?? []).map(([ns]) => TimeWindow.serializer.fromNamespace(ns));
        for (const o of ops) {
          if ('add' in o) {
            const calls: string[][] = [[], []];
            const record =
              (i: number) =>
              (r: TimeWindow, m: readonly TimeWindow[], t: TimeWindow, s: readonly TimeWindow[]) =>
                calls[i]!.push(`${r} <- ${m.join(' ')} | ${t} <- ${s.join(' ')}`);
            const a = fast.addWindow(w(o.add, o.add + o.gap), record(0));
            const b = slow.addWindow(w(o.add, o.add + o.gap), record(1));
            expect(a).toEqual(b);
            expect(calls[0]).toEqual(calls[1]);
            expect(fast.getStateWindow(a)).toEqual(slow.getStateWindow(b));
          } else if ('retire' in o) {
            const windows = inFlight();
            const victim = windows[o.retire % Math.max(1, windows.length)];
            if (victim === undefined) continue;
            fast.retireWindow(victim);
            slow.retireWindow(victim);
          } else {
            fast = new MergingWindowSet(assigner, TimeWindow.serializer, fast.toPersisted());
          }
          expect(new Map(fast.toPersisted() ?? [])).toEqual(new Map(slow.toPersisted() ?? []));
        }
      }),
    );
  });

  it('a set is dirty after a change and clean once persisted', () => {
    const set = new MergingWindowSet(assigner, TimeWindow.serializer, [['0,30', '0,10']]);
    expect(set.dirty).toBe(false);
    set.addWindow(w(5, 15), () => {});
    expect(set.dirty).toBe(false);
    set.addWindow(w(25, 35), () => {});
    expect(set.dirty).toBe(true);
    expect(set.toPersisted()).toEqual([['0,35', '0,10']]);
    expect(set.dirty).toBe(false);
  });

  it('in-flight windows are the sessions of the elements, each with exactly its elements', () => {
    const gap = 10;
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 300 }), { maxLength: 40 }), (timestamps) => {
        let persisted = undefined as ReturnType<MergingWindowSet<TimeWindow>['toPersisted']>;
        const contents = new Map<string, number[]>();
        for (const t of timestamps) {
          const set = new MergingWindowSet(
            EventTimeSessionWindows.withGap(gap),
            TimeWindow.serializer,
            persisted,
          );
          const actual = set.addWindow(w(t, t + gap), (_res, _merged, target, sources) => {
            const into = contents.get(target.namespace) ?? [];
            for (const s of sources) {
              into.push(...(contents.get(s.namespace) ?? []));
              contents.delete(s.namespace);
            }
            contents.set(target.namespace, into);
          });
          const state = set.getStateWindow(actual)!.namespace;
          contents.set(state, [...(contents.get(state) ?? []), t]);
          persisted = set.toPersisted();
        }
        // Offline sessions: sort, merge while the next window intersects (touching included).
        const sessions: Array<{ start: number; end: number; ts: number[] }> = [];
        for (const t of [...timestamps].sort((a, b) => a - b)) {
          const last = sessions[sessions.length - 1];
          if (last !== undefined && t <= last.end) {
            last.end = Math.max(last.end, t + gap);
            last.ts.push(t);
          } else sessions.push({ start: t, end: t + gap, ts: [t] });
        }
        const actual = (persisted ?? [])
          .map(([win, state]) => {
            const tw = TimeWindow.serializer.fromNamespace(win);
            return {
              start: tw.start,
              end: tw.end,
              ts: [...(contents.get(state) ?? [])].sort((a, b) => a - b),
            };
          })
          .sort((a, b) => a.start - b.start);
        expect(actual).toEqual(sessions);
      }),
    );
  });
});
