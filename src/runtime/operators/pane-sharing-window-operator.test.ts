// Pane sharing is an optimization, not a semantics: on random keyed input with random watermarks,
// lateness and side output, the pane-sharing operator emits exactly what the per-window operator
// emits (same firings with the same contents, at the same points between watermarks, and the same
// late records), in event time and in processing time.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ContinuousEventTimeTrigger,
  OutputTag,
  SlidingEventTimeWindows,
  SlidingProcessingTimeWindows,
  type TimeWindow,
  TumblingEventTimeWindows,
  TumblingProcessingTimeWindows,
} from '../../functions/index.ts';
import type { AggregateFunction } from '../../state/index.ts';
import { type HarnessOutput, OperatorTestHarness } from './operator-test-harness.ts';
import { PaneSharingWindowOperator } from './pane-sharing-window-operator.ts';
import type { InternalWindowFunction } from './window-function-runner.ts';
import { createWindowOperator, type WindowAggregation, WindowOperator } from './window-operator.ts';

type KV = [string, number];
const late = new OutputTag<unknown>('late');

/** A multiset aggregate: the sorted values (so results are independent of combination order). */
const collect: AggregateFunction<KV, number[], number[]> = {
  createAccumulator: () => [],
  add: (v, acc) => {
    acc.push(v[1]);
    return acc;
  },
  getResult: (acc) => [...acc].sort((a, b) => a - b),
  merge: (a, b) => a.concat(b),
};
const sumReduce: WindowAggregation = {
  kind: 'reduce',
  reduce: (a, b) => [(a as KV)[0], (a as KV)[1] + (b as KV)[1]],
};

const withWindow: InternalWindowFunction = {
  process(key, ctx, elements, out) {
    const w = ctx.window as TimeWindow;
    out.collect(JSON.stringify([key, w.start, w.end, elements[0]]));
  },
};

/** Records emitted during one input step, sorted (ties between timers are unordered). */
function segment(output: readonly HarnessOutput[], from: number): string[] {
  return output
    .slice(from)
    .filter((o) => o.kind !== 'watermark')
    .map((o) => JSON.stringify(o))
    .sort();
}

type Step = { kind: 'element'; key: string; ts: number; v: number } | { kind: 'advance'; by: number };

const steps = fc.array(
  fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record({
        kind: fc.constant('element' as const),
        key: fc.constantFrom('a', 'b', 'c'),
        ts: fc.integer({ min: 0, max: 120 }),
        v: fc.integer({ min: 1, max: 9 }),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({ kind: fc.constant('advance' as const), by: fc.integer({ min: 0, max: 25 }) }),
    },
  ),
  { maxLength: 60 },
);

const shape = fc
  .record({
    slide: fc.integer({ min: 1, max: 12 }),
    factor: fc.integer({ min: 1, max: 5 }),
    extra: fc.integer({ min: 0, max: 7 }),
    offset: fc.integer({ min: 0, max: 11 }),
  })
  .map(({ slide, factor, extra, offset }) => ({
    size: slide * factor + (extra % slide),
    slide,
    offset: offset % slide,
  }));

async function run(
  make: () => WindowOperator | PaneSharingWindowOperator,
  input: Step[],
  eventTime: boolean,
): Promise<{ out: string[][]; dropped: number }> {
  const op = make();
  const h = new OperatorTestHarness(op, { keySelector: (v: KV) => v[0] });
  await h.open();
  let time = 0;
  const out: string[][] = [];
  for (const s of input) {
    const from = h.output.length;
    if (s.kind === 'element') h.processElement([s.key, s.v], s.ts);
    else {
      time += s.by;
      if (eventTime) h.processWatermark(time);
      else h.setProcessingTime(time);
    }
    out.push(segment(h.output, from));
  }
  const from = h.output.length;
  if (eventTime) h.processWatermark(Number.MAX_SAFE_INTEGER);
  else h.setProcessingTime(time + 10_000);
  out.push(segment(h.output, from));
  return { out, dropped: op.numLateRecordsDropped };
}

describe('PaneSharingWindowOperator', () => {
  it('is chosen for tumbling and sliding reduce/aggregate with the default trigger only', () => {
    const base = {
      trigger: undefined,
      evictor: undefined,
      allowedLateness: 0,
      lateDataTag: undefined,
      windowFunction: undefined,
      userFunction: undefined,
    };
    expect(
      createWindowOperator({ ...base, assigner: SlidingEventTimeWindows.of(10, 2), aggregation: sumReduce }),
    ).toBeInstanceOf(PaneSharingWindowOperator);
    expect(
      createWindowOperator({
        ...base,
        assigner: TumblingProcessingTimeWindows.of(10),
        aggregation: sumReduce,
      }),
    ).toBeInstanceOf(PaneSharingWindowOperator);
    expect(
      createWindowOperator({ ...base, assigner: SlidingEventTimeWindows.of(2, 10), aggregation: sumReduce }),
    ).toBeInstanceOf(WindowOperator);
    expect(
      createWindowOperator({
        ...base,
        assigner: TumblingEventTimeWindows.of(10),
        trigger: ContinuousEventTimeTrigger.of(2),
        aggregation: sumReduce,
      }),
    ).toBeInstanceOf(WindowOperator);
    expect(
      createWindowOperator({
        ...base,
        assigner: SlidingEventTimeWindows.of(10, 2),
        aggregation: { kind: 'process' },
      }),
    ).toBeInstanceOf(WindowOperator);
    expect(
      createWindowOperator({
        ...base,
        assigner: SlidingEventTimeWindows.of(10, 2),
        aggregation: { kind: 'aggregate', aggregate: { ...collect, merge: undefined } as never },
      }),
    ).toBeInstanceOf(WindowOperator);
    expect(
      createWindowOperator({
        ...base,
        assigner: SlidingEventTimeWindows.of(10, 2),
        aggregation: sumReduce,
        windowFunction: { process: () => {}, clear: () => {} },
        userFunction: undefined,
      }),
    ).toBeInstanceOf(WindowOperator);
  });

  it('emits exactly what the per-window operator emits (event time, lateness, late data)', async () => {
    await fc.assert(
      fc.asyncProperty(
        shape,
        fc.integer({ min: 0, max: 30 }),
        fc.boolean(),
        fc.boolean(),
        steps,
        async (s, lateness, useTag, agg, input) => {
          const spec = {
            assigner: SlidingEventTimeWindows.of(s.size, s.slide, s.offset),
            trigger: undefined,
            evictor: undefined,
            allowedLateness: lateness,
            lateDataTag: useTag ? late : undefined,
            aggregation: agg ? ({ kind: 'aggregate', aggregate: collect } as WindowAggregation) : sumReduce,
            windowFunction: agg ? withWindow : undefined,
            userFunction: undefined,
          } as const;
          const expected = await run(() => new WindowOperator(spec), input, true);
          const actual = await run(
            () => createWindowOperator(spec) as PaneSharingWindowOperator,
            input,
            true,
          );
          expect(actual).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('emits exactly what the per-window operator emits (processing time)', async () => {
    await fc.assert(
      fc.asyncProperty(shape, steps, async (s, input) => {
        const spec = {
          assigner: SlidingProcessingTimeWindows.of(s.size, s.slide, s.offset),
          trigger: undefined,
          evictor: undefined,
          allowedLateness: 0,
          lateDataTag: undefined,
          aggregation: { kind: 'aggregate', aggregate: collect } as WindowAggregation,
          windowFunction: withWindow,
          userFunction: undefined,
        } as const;
        const expected = await run(() => new WindowOperator(spec), input, false);
        const actual = await run(() => createWindowOperator(spec) as PaneSharingWindowOperator, input, false);
        expect(actual).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps only the panes live windows need', async () => {
    const op = createWindowOperator({
      assigner: SlidingEventTimeWindows.of(100, 10),
      trigger: undefined,
      evictor: undefined,
      allowedLateness: 0,
      lateDataTag: undefined,
      aggregation: sumReduce,
      windowFunction: undefined,
      userFunction: undefined,
    });
    const h = new OperatorTestHarness(op, { keySelector: (v: KV) => v[0] });
    await h.open();
    for (let t = 0; t < 1000; t++) h.processElement(['a', 1], t);
    h.processWatermark(Number.MAX_SAFE_INTEGER);
    expect(h.values()).toHaveLength(109);
    expect(h.backend!.numEntries()).toBe(0);
  });
});
