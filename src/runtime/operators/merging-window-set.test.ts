// MergingWindowSet: state windows are re-pointed, not moved; the merge function sees exactly the
// pre-existing windows; and under random out-of-order input the in-flight windows are the sessions
// an offline computation finds, each holding exactly its elements.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventTimeSessionWindows, TimeWindow } from '../../functions/index.ts';
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
