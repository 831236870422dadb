// The demo behind `npm start`: a generated clickstream, keyed by page, counted in 2-second
// event-time windows with keyed state and timers, printed live as each window closes.
// Run it with `npm start`, or `npx sluice run -p 2 examples/clickstream.ts [seconds]`.
import {
  type Collector,
  DataGeneratorSource,
  KeyedProcessFunction,
  type OnTimerContext,
  type ProcessContext,
  type RuntimeContext,
  StreamExecutionEnvironment,
  type ValueState,
  ValueStateDescriptor,
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

/** Counts clicks per page and 2-second window; emits when the watermark passes the window. */
class WindowedCount extends KeyedProcessFunction<string, Click, string> {
  #counts!: ValueState<Record<string, number>>;

  override open(ctx: RuntimeContext): void {
    this.#counts = ctx.getState(new ValueStateDescriptor<Record<string, number>>('counts'));
  }

  processElement(click: Click, ctx: ProcessContext<string>, _out: Collector<string>): void {
    const windowStart = click.time - (click.time % WINDOW);
    const counts = this.#counts.value() ?? {};
    counts[windowStart] = (counts[windowStart] ?? 0) + 1;
    this.#counts.update(counts);
    ctx.timerService().registerEventTimeTimer(windowStart + WINDOW - 1);
  }

  override onTimer(timestamp: number, ctx: OnTimerContext<string>, out: Collector<string>): void {
    const windowStart = timestamp + 1 - WINDOW;
    const counts = this.#counts.value() ?? {};
    const n = counts[windowStart] ?? 0;
    delete counts[windowStart];
    this.#counts.update(Object.keys(counts).length === 0 ? undefined : counts);
    const from = new Date(windowStart).toISOString().slice(11, 19);
    out.collect(
      `[${from} +${WINDOW / 1000}s] ${ctx.getCurrentKey().padEnd(10)} ${String(n).padStart(5)} clicks`,
    );
  }
}

const env = StreamExecutionEnvironment.getExecutionEnvironment(
  process.env.SLUICE_INLINE ? { 'execution.local.mode': 'inline' } : {},
);
env.setParallelism(2);

const clicks = env.fromSource(
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
);

clicks
  .keyBy((c) => c.page)
  .process(new WindowedCount())
  .name('count per page and window')
  .print()
  .setParallelism(1);

if (!StreamExecutionEnvironment.isPlanMode()) {
  console.log(
    `Sluice demo: ${RATE} clicks/s for ${seconds} s, counted per page in ${WINDOW / 1000}-second event-time windows\n`,
  );
}
const result = await env.execute('clickstream demo');
console.log(`\nDone in ${(result.getNetRuntime() / 1000).toFixed(1)} s.`);
