// The window operator against a small reference model of Flink's semantics, on random keyed input
// with a watermark after every event (WatermarkStrategy.forGenerator): every firing (key, window,
// contents, timestamp, and the watermark it happened under) and every late record must match
// exactly, for tumbling, sliding (pane-shared aggregates and per-window lists) and session windows
// with allowed lateness, with and without a late-data side output.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Collector,
  EventTimeSessionWindows,
  OutputTag,
  type ProcessContext,
  ProcessFunction,
  SlidingEventTimeWindows,
  StreamExecutionEnvironment,
  type TimeWindow,
  TumblingEventTimeWindows,
  WatermarkStrategy,
  type WindowAssigner,
} from '../../src/index.ts';
import { collectValues, Describe, DescribeAll, type WindowResult } from '../jobs/windows.ts';
import {
  type Firing,
  type LateRecord,
  type ModelAssigner,
  type ModelEvent,
  runWindowModel,
} from './window-reference-model.ts';

type Row = ['fire', ...Firing] | ['late', ...LateRecord];
type Result = WindowResult;

/** Tags each record with the watermark its operator had when the record arrived. */
class TagWithWatermark<T> extends ProcessFunction<T, Row> {
  readonly #tag: 'fire' | 'late';
  constructor(tag: 'fire' | 'late') {
    super();
    this.#tag = tag;
  }
  processElement(value: T, ctx: ProcessContext, out: Collector<Row>) {
    const wm = ctx.timerService().currentWatermark();
    if (this.#tag === 'fire') {
      const [key, start, end, values, ts] = value as unknown as Result;
      expect(ctx.timestamp()).toBe(ts);
      out.collect(['fire', wm, key, start, end, values, ts]);
    } else {
      const e = value as unknown as ModelEvent;
      out.collect(['late', wm, e.key, e.ts, e.v]);
    }
  }
}

function assignerOf(a: ModelAssigner): WindowAssigner<unknown, TimeWindow> {
  switch (a.kind) {
    case 'tumbling':
      return TumblingEventTimeWindows.of(a.size, a.offset);
    case 'sliding':
      return SlidingEventTimeWindows.of(a.size, a.slide, a.offset);
    case 'session':
      return EventTimeSessionWindows.withGap(a.gap);
  }
}

async function runEngine(
  events: readonly ModelEvent[],
  assigner: ModelAssigner,
  lateness: number,
  sideOutput: boolean,
  incremental: boolean,
): Promise<Row[]> {
  const env = StreamExecutionEnvironment.getExecutionEnvironment({ 'execution.local.mode': 'inline' });
  env.setParallelism(1);
  const lateTag = new OutputTag<ModelEvent>('late');
  const strategy = WatermarkStrategy.forGenerator<ModelEvent>(() => ({
    onEvent: (e, _ts, out) => out.emitWatermark(e.wm),
    onPeriodicEmit: () => {},
  })).withTimestampAssigner((e) => e.ts);
  let windowed = env
    .fromCollection(events)
    .assignTimestampsAndWatermarks(strategy)
    .keyBy((e) => e.key)
    .window(assignerOf(assigner))
    .allowedLateness(lateness);
  if (sideOutput) windowed = windowed.sideOutputLateData(lateTag);
  const fired = incremental
    ? windowed.aggregate(collectValues, new Describe())
    : windowed.process(new DescribeAll());
  const rows = fired.process(new TagWithWatermark<Result>('fire'));
  return rows
    .union(fired.getSideOutput(lateTag).process(new TagWithWatermark<ModelEvent>('late')))
    .executeAndCollect();
}

/** Random input: keys, timestamps, values, and a non-decreasing watermark that at times jumps ahead. */
const events = fc
  .array(
    fc.record({
      key: fc.constantFrom('a', 'b', 'c'),
      ts: fc.integer({ min: 0, max: 200 }),
      v: fc.integer({ min: 0, max: 999 }),
      lag: fc.integer({ min: -40, max: 30 }),
    }),
    { maxLength: 40 },
  )
  .map((raw) => {
    let wm = Number.MIN_SAFE_INTEGER;
    return raw.map(({ key, ts, v, lag }): ModelEvent => {
      wm = Math.max(wm, ts - lag);
      return { key, ts, v, wm };
    });
  });

const assigners: Record<ModelAssigner['kind'], fc.Arbitrary<ModelAssigner>> = {
  tumbling: fc
    .record({ size: fc.integer({ min: 1, max: 50 }), offset: fc.nat(49) })
    .map(({ size, offset }) => ({ kind: 'tumbling', size, offset: offset % size })),
  sliding: fc
    .record({
      slide: fc.integer({ min: 1, max: 20 }),
      factor: fc.integer({ min: 1, max: 6 }),
      extra: fc.nat(19),
      offset: fc.nat(19),
    })
    .map(({ slide, factor, extra, offset }) => ({
      kind: 'sliding',
      size: slide * factor + (extra % slide),
      slide,
      offset: offset % slide,
    })),
  session: fc.integer({ min: 1, max: 30 }).map((gap) => ({ kind: 'session', gap })),
};

describe('window operator vs. reference model (per-event watermarks, inline)', () => {
  it.each(['tumbling', 'sliding', 'session'] as const)(
    '%s windows: identical firings and late records, with allowed lateness and side output',
    async (kind) => {
      await fc.assert(
        fc.asyncProperty(
          events,
          assigners[kind],
          fc.integer({ min: 0, max: 40 }),
          fc.boolean(),
          fc.boolean(),
          async (input, assigner, lateness, sideOutput, incremental) => {
            const model = runWindowModel(input, assigner, lateness, sideOutput);
            const rows = await runEngine(input, assigner, lateness, sideOutput, incremental);
            const firings = rows.filter((r) => r[0] === 'fire').map((r) => JSON.stringify(r.slice(1)));
            const late = rows.filter((r) => r[0] === 'late').map((r) => r.slice(1));
            // Firings at the same watermark may come in any order (timers of equal time); across
            // watermarks the order is fixed by the tag.
            expect(firings.sort()).toEqual(model.firings.map((f) => JSON.stringify(f)).sort());
            expect(late).toEqual(model.late);
          },
        ),
        { numRuns: 150 },
      );
    },
  );

  it('the model itself drops what the side output would receive', () => {
    const input: ModelEvent[] = [
      { key: 'a', ts: 5, v: 1, wm: 20 },
      { key: 'a', ts: 3, v: 2, wm: 20 },
    ];
    const a: ModelAssigner = { kind: 'tumbling', size: 10, offset: 0 };
    expect(runWindowModel(input, a, 0, true).late).toEqual([[20, 'a', 3, 2]]);
    expect(runWindowModel(input, a, 0, false).dropped).toBe(1);
    expect(runWindowModel(input, a, 0, true).firings).toEqual([
      [Number.MIN_SAFE_INTEGER, 'a', 0, 10, [1], 9],
    ]);
  });
});
