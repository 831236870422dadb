// The demo behind `npm start`: a generated clickstream, keyed by page, counted in 2-second
// tumbling event-time windows (incremental aggregation labelled by a ProcessWindowFunction),
// printed live as each window closes.
// Run it with `npm start`, or `npx sluice run -p 2 examples/clickstream.ts [seconds]`.
import {
  type AggregateFunction,
  type Collector,
  DataGeneratorSource,
  type ProcessWindowContext,
  ProcessWindowFunction,
  StreamExecutionEnvironment,
  type TimeWindow,
  TumblingEventTimeWindows,
  WatermarkStrategy,
} from '../src/index.ts';

interface Click {
  readonly user: string;
  readonly page: string;
  readonly time: number;
}

const PAGES = ['/home', '/search', '/product', '/cart', '/checkout'];
const RATE = 2_000; // clicks per second
const WINDOW = 2_000; // ms
const seconds = Number(process.argv[2] ?? 10);

/** Counts clicks incrementally: one number per window and page, whatever the traffic. */
const countClicks: AggregateFunction<Click, number, number> = {
  createAccumulator: () => 0,
  add: (_click, n) => n + 1,
  getResult: (n) => n,
  merge: (a, b) => a + b,
};

/** Labels each count with its page and window. */
class LabelWithWindow extends ProcessWindowFunction<number, string, string, TimeWindow> {
  process(
    page: string,
    ctx: ProcessWindowContext<TimeWindow>,
    counts: readonly number[],
    out: Collector<string>,
  ): void {
    const from = new Date(ctx.window.start).toISOString().slice(11, 19);
    out.collect(`[${from} +${WINDOW / 1000}s] ${page.padEnd(10)} ${String(counts[0]).padStart(5)} clicks`);
  }
}

const env = StreamExecutionEnvironment.getExecutionEnvironment(
  process.env.SLUICE_INLINE ? { 'execution.local.mode': 'inline' } : {},
);
env.setParallelism(2);

env
  .fromSource(
    new DataGeneratorSource<Click>(
      (i) => ({
        user: `user-${(i * 7919) % 1000}`,
        page: PAGES[(i * 31 + (i >> 7)) % PAGES.length]!,
        // Event time is the moment the click is generated (each slot reads its own clock).
        time: Date.now(),
      }),
      RATE * seconds,
      { recordsPerSecond: RATE },
    ),
    WatermarkStrategy.forBoundedOutOfOrderness<Click>(500).withTimestampAssigner((c) => c.time),
    'clicks',
  )
  .keyBy((c) => c.page)
  .window(TumblingEventTimeWindows.of(WINDOW))
  .aggregate(countClicks, new LabelWithWindow())
  .name('clicks per page and window')
  .print()
  .setParallelism(1);

if (!StreamExecutionEnvironment.isPlanMode()) {
  console.log(
    `Sluice demo: ${RATE} clicks/s for ${seconds} s, counted per page in ${WINDOW / 1000}-second event-time windows\n`,
  );
}
const result = await env.execute('clickstream demo');
console.log(`\nDone in ${(result.getNetRuntime() / 1000).toFixed(1)} s.`);
