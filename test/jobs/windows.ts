// A job module for the window tests: keyed tumbling, sliding (pane-shared aggregate) and session
// windows with lateness and a late-data side output, a window join, an interval join and count
// windows, over deterministic input, at the given parallelism across worker threads.
import {
  type AggregateFunction,
  type Collector,
  EventTimeSessionWindows,
  OutputTag,
  type ProcessContext,
  ProcessFunction,
  type ProcessJoinContext,
  ProcessJoinFunction,
  type ProcessWindowContext,
  ProcessWindowFunction,
  SlidingEventTimeWindows,
  StreamExecutionEnvironment,
  type TimeWindow,
  TumblingEventTimeWindows,
  WatermarkStrategy,
} from '../../src/index.ts';
import { options, type Tagged } from './support.ts';

/** An event of the window checks, with the watermark its source emits after it. */
export interface WindowEvent {
  readonly key: string;
  readonly ts: number;
  readonly v: number;
  readonly wm: number;
}

/** Deterministic pseudo-random input: 8 keys, mostly increasing time, some late elements. */
export function windowJobInput(count = 600): WindowEvent[] {
  let seed = 42;
  const next = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return Math.floor((seed / 2147483648) * n); // the high bits: an LCG's low bits cycle
  };
  const out: WindowEvent[] = [];
  let wm = Number.MIN_SAFE_INTEGER;
  for (let i = 0; i < count; i++) {
    const base = i * 5;
    const ts = Math.max(0, base - (next(10) === 0 ? 60 + next(100) : next(40)));
    wm = Math.max(wm, base - 30);
    out.push({ key: `k${next(8)}`, ts, v: i, wm });
  }
  return out;
}

/** The window checks' parameters (shared with the test's model runs). */
export const WINDOW_CHECKS = {
  tumbling: { kind: 'tumbling', size: 50, offset: 0 },
  sliding: { kind: 'sliding', size: 100, slide: 10, offset: 0 },
  session: { kind: 'session', gap: 30 },
  lateness: 20,
} as const;

/** What the window functions emit: [key, start, end, sorted values, max timestamp]. */
export type WindowResult = [key: string, start: number, end: number, values: number[], timestamp: number];
type Result = WindowResult;

/** Sorted values of a window, kept as an accumulator that merges (so sliding windows share panes). */
export const collectValues: AggregateFunction<WindowEvent, number[], number[]> = {
  createAccumulator: () => [],
  add: (e, acc) => {
    acc.push(e.v);
    return acc;
  },
  getResult: (acc) => [...acc].sort((a, b) => a - b),
  merge: (a, b) => a.concat(b),
};

/** Describes a window from its aggregate (the sorted values). */
export class Describe extends ProcessWindowFunction<number[], Result, string, TimeWindow> {
  process(
    key: string,
    ctx: ProcessWindowContext<TimeWindow>,
    r: readonly number[][],
    out: Collector<Result>,
  ) {
    out.collect([key, ctx.window.start, ctx.window.end, r[0]!, ctx.window.maxTimestamp()]);
  }
}

/** Describes a window from all its elements (no aggregate). */
export class DescribeAll extends ProcessWindowFunction<WindowEvent, Result, string, TimeWindow> {
  process(
    key: string,
    ctx: ProcessWindowContext<TimeWindow>,
    es: readonly WindowEvent[],
    out: Collector<Result>,
  ) {
    out.collect([
      key,
      ctx.window.start,
      ctx.window.end,
      es.map((e) => e.v).sort((a, b) => a - b),
      ctx.window.maxTimestamp(),
    ]);
  }
}

/** Tags a record with its check and the watermark the tagging operator had when it arrived. */
class Tag<T> extends ProcessFunction<T, Tagged> {
  readonly #check: string;
  constructor(check: string) {
    super();
    this.#check = check;
  }
  processElement(value: T, ctx: ProcessContext, out: Collector<Tagged>) {
    out.collect([this.#check, [ctx.timerService().currentWatermark(), value]]);
  }
}

class PairUp extends ProcessJoinFunction<[string, number], [string, number], [number, number, number]> {
  processElement(
    l: [string, number],
    r: [string, number],
    ctx: ProcessJoinContext,
    out: Collector<[number, number, number]>,
  ) {
    out.collect([l[1], r[1], ctx.getTimestamp()]);
  }
}

/** Left and right inputs of the join checks: [key, ts], in timestamp order. */
export function joinInputs(): { left: Array<[string, number]>; right: Array<[string, number]> } {
  const left: Array<[string, number]> = [];
  const right: Array<[string, number]> = [];
  for (let t = 0; t < 300; t += 3) left.push([`j${t % 4}`, t]);
  for (let t = 1; t < 300; t += 7) right.push([`j${t % 4}`, t]);
  return { left, right };
}

export default async function main(args: readonly string[]): Promise<Tagged[]> {
  const { parallelism = '2' } = options(args);
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(Number(parallelism));
  const perEvent = WatermarkStrategy.forGenerator<WindowEvent>(() => ({
    onEvent: (e, _ts, out) => out.emitWatermark(e.wm),
    onPeriodicEmit: () => {},
  })).withTimestampAssigner((e) => e.ts);
  // One source subtask with its watermarks, so that every window subtask sees the same sequence.
  const events = env
    .fromCollection(windowJobInput())
    .assignTimestampsAndWatermarks(perEvent)
    .setParallelism(1);
  const keyed = events.keyBy((e) => e.key);
  const { tumbling, sliding, session, lateness } = WINDOW_CHECKS;
  const late = new OutputTag<WindowEvent>('late');

  const t = keyed.window(TumblingEventTimeWindows.of(tumbling.size)).process(new DescribeAll());
  const s = keyed
    .window(SlidingEventTimeWindows.of(sliding.size, sliding.slide))
    .allowedLateness(lateness)
    .aggregate(collectValues, new Describe());
  const ses = keyed
    .window(EventTimeSessionWindows.withGap(session.gap))
    .allowedLateness(lateness)
    .sideOutputLateData(late)
    .process(new DescribeAll());

  const { left, right } = joinInputs();
  const inOrder = WatermarkStrategy.forMonotonousTimestamps<[string, number]>().withTimestampAssigner(
    (e) => e[1],
  );
  const l = env.fromCollection(left).assignTimestampsAndWatermarks(inOrder).setParallelism(1);
  const r = env.fromCollection(right).assignTimestampsAndWatermarks(inOrder).setParallelism(1);
  const joined = l
    .join(r)
    .where((e) => e[0])
    .equalTo((e) => e[0])
    .window(TumblingEventTimeWindows.of(20))
    .apply((a, b): [number, number] => [a[1], b[1]]);
  const interval = l
    .keyBy((e) => e[0])
    .intervalJoin(r.keyBy((e) => e[0]))
    .between(-4, 6)
    .upperBoundExclusive()
    .process(new PairUp());
  const counted = keyed.countWindow(10).reduce((a, b) => ({ key: a.key, ts: a.ts, v: a.v + b.v, wm: a.wm }));

  return t
    .process(new Tag<Result>('tumbling'))
    .union(
      s.process(new Tag<Result>('sliding')),
      ses.process(new Tag<Result>('session')),
      ses.getSideOutput(late).process(new Tag<WindowEvent>('session-late')),
      joined.process(new Tag<[number, number]>('join')),
      interval.process(new Tag<[number, number, number]>('interval')),
      counted.process(new Tag<WindowEvent>('count')),
    )
    .executeAndCollect('windows');
}
