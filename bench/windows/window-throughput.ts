// Window throughput: events/s through a keyed window aggregate at parallelism 1, tumbling vs.
// sliding with size/slide = 100. Sliding windows share pane aggregates, so they should hold most of
// tumbling's throughput (Flink's per-window state falls roughly linearly with size/slide: the
// operator-only section also runs that per-window strategy for comparison).
//
//   npx tsx bench/windows/window-throughput.ts [--events 2000000] [--keys 100] [--per-ms 10]
//     [--size 60000] [--slide 600] [--runs 3]
import { parseArgs } from 'node:util';
import {
  type AggregateFunction,
  type Sink,
  SlidingEventTimeWindows,
  StreamExecutionEnvironment,
  TumblingEventTimeWindows,
  WatermarkStrategy,
  type Window,
  type WindowAssigner,
} from '../../src/index.ts';
import { createWindowOperator, OperatorTestHarness, WindowOperator } from '../../src/runtime/index.ts';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '2000000' },
    keys: { type: 'string', default: '100' },
    'per-ms': { type: 'string', default: '10' },
    size: { type: 'string', default: '60000' },
    slide: { type: 'string', default: '600' },
    runs: { type: 'string', default: '3' },
  },
});
const EVENTS = Number(values.events);
const KEYS = Number(values.keys);
const PER_MS = Number(values['per-ms']);
const SIZE = Number(values.size);
const SLIDE = Number(values.slide);
const RUNS = Number(values.runs);

interface Event {
  key: number;
  ts: number;
  v: number;
}

const event = (i: number): Event => ({ key: i % KEYS, ts: Math.floor(i / PER_MS), v: i & 7 });

const sum: AggregateFunction<Event, number, number> = {
  createAccumulator: () => 0,
  add: (e, acc) => acc + e.v,
  getResult: (acc) => acc,
  merge: (a, b) => a + b,
};

class CountingSink implements Sink<unknown> {
  count = 0;
  createWriter() {
    return { write: () => void this.count++, flush: () => {}, close: () => {} };
  }
}

/** The whole pipeline, inline at parallelism 1: generator → watermarks → keyBy → window aggregate → sink. */
async function pipeline(
  assigner: WindowAssigner<unknown, Window>,
  events: number,
): Promise<{ seconds: number; out: number }> {
  const env = StreamExecutionEnvironment.getExecutionEnvironment({ 'execution.local.mode': 'inline' });
  env.setParallelism(1);
  const sink = new CountingSink();
  env
    .fromGenerator(event, events)
    .assignTimestampsAndWatermarks(
      WatermarkStrategy.forMonotonousTimestamps<Event>().withTimestampAssigner((e) => e.ts),
    )
    .keyBy((e) => e.key)
    .window(assigner)
    .aggregate(sum)
    .sinkTo(sink);
  const start = performance.now();
  await env.execute();
  return { seconds: (performance.now() - start) / 1000, out: sink.count };
}

/** The window operator alone, fed through the test harness (watermark every 1000 events). */
async function operatorOnly(make: () => ReturnType<typeof createWindowOperator>, events: number) {
  const h = new OperatorTestHarness(make(), { keySelector: (e: Event) => e.key });
  await h.open();
  const start = performance.now();
  for (let i = 0; i < events; i++) {
    const e = event(i);
    h.processElement(e, e.ts);
    if (i % 1000 === 999) {
      h.processWatermark(e.ts - 1);
      h.clearOutput();
    }
  }
  h.processWatermark(Number.MAX_SAFE_INTEGER);
  return (performance.now() - start) / 1000;
}

const spec = (assigner: WindowAssigner<unknown, Window>) => ({
  assigner,
  trigger: undefined,
  evictor: undefined,
  allowedLateness: 0,
  lateDataTag: undefined,
  aggregation: { kind: 'aggregate', aggregate: sum as AggregateFunction<unknown, unknown, unknown> } as const,
  windowFunction: undefined,
  userFunction: undefined,
});

function best(xs: number[]): number {
  return Math.min(...xs);
}

const tumbling = TumblingEventTimeWindows.of(SIZE);
const sliding = SlidingEventTimeWindows.of(SIZE, SLIDE);

console.error(
  `events ${EVENTS}, keys ${KEYS}, ${PER_MS} events per ms of event time, size ${SIZE} ms, slide ${SLIDE} ms (size/slide = ${SIZE / SLIDE})`,
);
// Warm up the JIT on both paths.
await pipeline(tumbling, 200_000);
await pipeline(sliding, 200_000);

// Rounds interleave the cases so that background load hits them alike; each case reports its best
// round.
const cases: Array<[name: string, events: number, run: () => Promise<number>]> = [
  ['pipeline tumbling', EVENTS, async () => (await pipeline(tumbling, EVENTS)).seconds],
  ['pipeline sliding', EVENTS, async () => (await pipeline(sliding, EVENTS)).seconds],
  [
    'operator tumbling (panes)',
    EVENTS,
    () => operatorOnly(() => createWindowOperator(spec(tumbling)), EVENTS),
  ],
  [
    'operator tumbling (per window)',
    EVENTS,
    () => operatorOnly(() => new WindowOperator(spec(tumbling)), EVENTS),
  ],
  ['operator sliding (panes)', EVENTS, () => operatorOnly(() => createWindowOperator(spec(sliding)), EVENTS)],
  // Flink's strategy (state and timers per window) is ~size/slide times slower: fewer events.
  [
    'operator sliding (per window)',
    Math.ceil(EVENTS / 20),
    () => operatorOnly(() => new WindowOperator(spec(sliding)), Math.ceil(EVENTS / 20)),
  ],
];
const times = new Map<string, number[]>(cases.map(([name]) => [name, []]));
for (let r = 0; r < RUNS; r++) {
  for (const [name, , run] of cases) times.get(name)!.push(await run());
}
const results: Record<string, number> = {};
for (const [name, events] of cases) {
  results[name] = Math.round(events / best(times.get(name)!));
  console.error(`${name.padEnd(34)} ${results[name]!.toLocaleString('en-US').padStart(12)} events/s`);
}
const ratio = results['pipeline sliding']! / results['pipeline tumbling']!;
console.error(`sliding / tumbling (pipeline): ${(ratio * 100).toFixed(1)}%`);
console.log(
  JSON.stringify({ events: EVENTS, keys: KEYS, perMs: PER_MS, size: SIZE, slide: SLIDE, ...results, ratio }),
);
