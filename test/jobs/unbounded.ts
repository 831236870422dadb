// Job module: unbounded pipelines that a test watches through a JsonLinesSink and then cancels.
// main() returns the JobClient of executeAsync().
//   --mode processing-time  keyed processing-time timers (registered, deduplicated, deleted)
//   --mode idleness         an idle input does not hold back the watermark of a union
//   --mode backpressure     a fast source into a slow sink in the same slot; the sink reports how
//                           far the source got ahead of it
import {
  type Collector,
  DataGeneratorSource,
  type JobClient,
  KeyedProcessFunction,
  MAX_WATERMARK,
  type OnTimerContext,
  type ProcessContext,
  type RuntimeContext,
  StreamExecutionEnvironment,
  type ValueState,
  ValueStateDescriptor,
  WatermarkStrategy,
} from '../../src/index.ts';
import { JsonLinesSink, options } from './support.ts';

/** On a key's first element: a timer at now + 1 that is deleted again, one at now + 20 (twice). */
class ProcessingTimers extends KeyedProcessFunction<number, number, unknown> {
  #seen!: ValueState<boolean>;
  override open(ctx: RuntimeContext): void {
    this.#seen = ctx.getState(new ValueStateDescriptor<boolean>('seen'));
  }
  processElement(_v: number, ctx: ProcessContext<number>, out: Collector<unknown>): void {
    if (this.#seen.value() === true) return;
    this.#seen.update(true);
    const timers = ctx.timerService();
    const now = timers.currentProcessingTime();
    timers.registerProcessingTimeTimer(now + 1);
    timers.deleteProcessingTimeTimer(now + 1);
    timers.registerProcessingTimeTimer(now + 20);
    timers.registerProcessingTimeTimer(now + 20);
    out.collect({ kind: 'registered', key: ctx.getCurrentKey(), at: now + 20, deleted: now + 1 });
  }
  override onTimer(timestamp: number, ctx: OnTimerContext<number>, out: Collector<unknown>): void {
    out.collect({
      kind: 'fired',
      key: ctx.getCurrentKey(),
      at: timestamp,
      domain: ctx.timeDomain(),
      timestamp: ctx.timestamp() ?? null,
      seen: this.#seen.value(),
    });
  }
}

/** Fires an event-time timer per element and reports the watermark it fired at. */
class EventTimers extends KeyedProcessFunction<number, number, unknown> {
  processElement(v: number, ctx: ProcessContext<number>): void {
    ctx.timerService().registerEventTimeTimer(v);
  }
  override onTimer(timestamp: number, ctx: OnTimerContext<number>, out: Collector<unknown>): void {
    const watermark = ctx.timerService().currentWatermark();
    out.collect({ at: timestamp, watermark, end: watermark === MAX_WATERMARK });
  }
}

export default async function main(args: readonly string[]): Promise<JobClient> {
  const { mode = '', out = '', parallelism = '2' } = options(args);
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(Number(parallelism));
  const none = WatermarkStrategy.noWatermarks<number>();
  if (mode === 'processing-time') {
    env
      .fromSource(
        new DataGeneratorSource((i) => i, Number.POSITIVE_INFINITY, { recordsPerSecond: 400 }),
        none,
        'ticks',
      )
      .keyBy((i) => i % 4)
      .process(new ProcessingTimers())
      .sinkTo(new JsonLinesSink(out));
  } else if (mode === 'idleness') {
    env.getConfig().setAutoWatermarkInterval(10);
    const monotonous = WatermarkStrategy.forMonotonousTimestamps<number>().withTimestampAssigner((i) => i);
    // An active input whose event time advances, and a silent one that never ends and marks
    // itself idle: timers must fire on the active input's watermark alone.
    const active = env.fromSource(
      new DataGeneratorSource((i) => i, Number.POSITIVE_INFINITY, { recordsPerSecond: 500 }),
      monotonous,
      'active',
    );
    const silent = env.fromSource(
      new DataGeneratorSource((i) => i, Number.POSITIVE_INFINITY, { recordsPerSecond: 0.001 }),
      monotonous.withIdleness(50),
      'silent',
    );
    active
      .union(silent)
      .keyBy((i) => i % 5)
      .process(new EventTimers())
      .sinkTo(new JsonLinesSink(out));
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
  return env.executeAsync(mode);
}
