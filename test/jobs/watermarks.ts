// Job module: watermark generation and propagation. Checks whose outcome depends on record order
// run their source and process function at parallelism 1 (one channel, fully ordered); the
// min-over-inputs check runs at the job's parallelism.
import {
  type Collector,
  DataGeneratorSource,
  type DataStream,
  KeyedProcessFunction,
  type OnTimerContext,
  type ProcessContext,
  StreamExecutionEnvironment,
  WatermarkStrategy,
} from '../../src/index.ts';
import { options, type Tagged } from './support.ts';

interface Ev {
  src: string;
  /** Position in its source (records of one source and split arrive in this order). */
  i: number;
  t: number;
}

/** Reports, per element, its timestamp and the operator's watermark when it arrived. */
class ObserveWatermark extends KeyedProcessFunction<string, Ev, Tagged> {
  readonly #check: string;
  constructor(check: string) {
    super();
    this.#check = check;
  }
  processElement(e: Ev, ctx: ProcessContext<string>, out: Collector<Tagged>): void {
    out.collect([this.#check, [e.i, e.t, ctx.timerService().currentWatermark()]]);
  }
}

/** Registers an event-time timer per element and flags elements behind the watermark. */
class LatenessCheck extends KeyedProcessFunction<number, Ev, Tagged> {
  processElement(e: Ev, ctx: ProcessContext<number>, out: Collector<Tagged>): void {
    const watermark = ctx.timerService().currentWatermark();
    out.collect(['min-element', [e.src, e.t, watermark]]);
    ctx.timerService().registerEventTimeTimer(e.t);
  }
  override onTimer(timestamp: number, ctx: OnTimerContext<number>, out: Collector<Tagged>): void {
    out.collect(['min-timer', [timestamp, ctx.timerService().currentWatermark()]]);
  }
}

/**
 * A bounded, rate-limited source: it lasts half a second, so periodic watermarks are emitted
 * between its records even on a busy machine (a starved task may emit a burst of records).
 */
function slow(
  env: StreamExecutionEnvironment,
  count: number,
  make: (i: number) => Ev,
  strategy: WatermarkStrategy<Ev>,
) {
  return env.fromSource(new DataGeneratorSource(make, count, { recordsPerSecond: 400 }), strategy, 'slow');
}

export default async function main(args: readonly string[]): Promise<Tagged[]> {
  const { parallelism = '2' } = options(args);
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(Number(parallelism));
  env.getConfig().setAutoWatermarkInterval(2);
  const out: DataStream<Tagged>[] = [];

  // Bounded out-of-orderness (500 ms): timestamps jitter backwards by up to 40 ms.
  const jitter = (i: number) => ({ src: 'ooo', i, t: 1000 + i * 10 - ((i * 7) % 5) * 10 });
  out.push(
    slow(
      env,
      200,
      jitter,
      WatermarkStrategy.forBoundedOutOfOrderness<Ev>(500).withTimestampAssigner((e) => e.t),
    )
      .setParallelism(1)
      .keyBy(() => 'all')
      .process(new ObserveWatermark('bounded'))
      .setParallelism(1),
  );

  // Monotonous timestamps, assigned inside the pipeline (assignTimestampsAndWatermarks).
  out.push(
    slow(env, 200, (i) => ({ src: 'mono', i, t: i * 3 }), WatermarkStrategy.noWatermarks())
      .setParallelism(1)
      .assignTimestampsAndWatermarks(
        WatermarkStrategy.forMonotonousTimestamps<Ev>().withTimestampAssigner((e) => e.t),
      )
      .setParallelism(1)
      .keyBy(() => 'all')
      .process(new ObserveWatermark('monotonous'))
      .setParallelism(1),
  );

  // A generator that emits a watermark per event, applied inside the pipeline.
  out.push(
    env
      .fromElements<Ev>(
        { src: 'gen', i: 0, t: 10 },
        { src: 'gen', i: 1, t: 20 },
        { src: 'gen', i: 2, t: 30 },
        { src: 'gen', i: 3, t: 25 },
      )
      .assignTimestampsAndWatermarks(
        WatermarkStrategy.forGenerator<Ev>(() => ({
          onEvent: (_e, timestamp, output) => output.emitWatermark(timestamp),
          onPeriodicEmit: () => {},
        })).withTimestampAssigner((e) => e.t),
      )
      .setParallelism(1)
      .keyBy(() => 'all')
      .process(new ObserveWatermark('per-event'))
      .setParallelism(1),
  );

  // Two inputs whose event time runs at different speeds: the operator's watermark is the minimum,
  // so no element is ever behind it (with a maximum, B's elements would be late).
  const monotonous = WatermarkStrategy.forMonotonousTimestamps<Ev>().withTimestampAssigner((e) => e.t);
  const a = slow(env, 200, (i) => ({ src: 'A', i, t: i * 10 }), monotonous);
  const b = slow(env, 200, (i) => ({ src: 'B', i, t: i }), monotonous);
  out.push(
    a
      .union(b)
      .keyBy((e) => e.t % 3)
      .process(new LatenessCheck()),
  );

  const [first, ...rest] = out;
  return first!.union(...rest).executeAndCollect('watermarks');
}
