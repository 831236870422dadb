// Job module: a job of two independent pipelines. "short" (200 numbers) ends early and writes
// to a FileSink under --short; "long" (--long numbers at 1,000/s) goes on, and in its first
// attempt fails once the short pipeline's output is committed (visible; noted in --failures) — a failure after a
// bounded part of the job has ended. With checkpointing every --interval ms and a restart
// strategy the job recovers; returns the long pipeline's collected numbers.
// --mode timers: pendingTimersAtEnd (processing-time timers pending when an input ends).
import { appendFileSync, existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  AbstractRichFunction,
  type Collector,
  DataGeneratorSource,
  FileSink,
  KeyedProcessFunction,
  type OnTimerContext,
  type ProcessContext,
  RestartStrategies,
  type RuntimeContext,
  StreamExecutionEnvironment,
  WatermarkStrategy,
} from '../../src/index.ts';
import { options } from './support.ts';

export const SHORT = 200;

/** True when a committed (not hidden) part file with content exists under `dir`. */
function committed(dir: string): boolean {
  if (!existsSync(dir)) return false;
  return readdirSync(dir).some((f) => !f.startsWith('.') && statSync(join(dir, f)).size > 0);
}

/** Fails the first attempt once the short pipeline's output is visible. */
class FailWhenShortCommitted extends AbstractRichFunction {
  readonly #dir: string;
  readonly #failures: string;
  #attempt = 0;
  constructor(dir: string, failures: string) {
    super();
    this.#dir = dir;
    this.#failures = failures;
  }
  override open(ctx: RuntimeContext): void {
    this.#attempt = ctx.getAttemptNumber();
  }
  map(v: number): number {
    if (this.#attempt === 0 && v % 10 === 0 && committed(this.#dir)) {
      appendFileSync(this.#failures, `${v}\n`);
      throw new Error(`injected failure at ${v}, after the short pipeline committed its output`);
    }
    return v;
  }
}

export default async function main(args: readonly string[]): Promise<{ rows: unknown[] }> {
  const o = options(args);
  if (o.mode === 'timers') return { rows: await pendingTimersAtEnd(o.checkpoints!) };
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(Number(o.parallelism ?? '1'));
  env.enableCheckpointing(Number(o.interval ?? '200'));
  env.getCheckpointConfig().setCheckpointStorage(o.checkpoints!);
  env.setRestartStrategy(RestartStrategies.fixedDelayRestart(2, 10));
  env
    .fromSource(new DataGeneratorSource((i) => i, SHORT), WatermarkStrategy.noWatermarks(), 'short')
    .uid('short')
    .map((v) => String(v))
    .uid('short-format')
    .sinkTo(FileSink.forRowFormat<string>(o.short!).build())
    .uid('short-files');
  const rows = await env
    .fromSource(
      new DataGeneratorSource((i) => i, Number(o.long ?? '3000'), { recordsPerSecond: 1_000 }),
      WatermarkStrategy.noWatermarks(),
      'long',
    )
    .uid('long')
    .map(new FailWhenShortCommitted(o.short!, o.failures!))
    .uid('long-fail')
    .executeAndCollect('final checkpoint');
  return { rows };
}

/** Registers a processing-time timer 1 s ahead for each element; a timer emits `timer|key`. */
export class LateTimers extends KeyedProcessFunction<number, number, string> {
  processElement(v: number, ctx: ProcessContext<number>, out: Collector<string>): void {
    ctx.timerService().registerProcessingTimeTimer(ctx.timerService().currentProcessingTime() + 1_000);
    out.collect(`element|${v}`);
  }
  override onTimer(_t: number, ctx: OnTimerContext<number>, out: Collector<string>): void {
    out.collect(`timer|${ctx.getCurrentKey()}`);
  }
}

/**
 * A short keyed pipeline whose processing-time timers are pending when its input ends, and a
 * longer one (3.5 s) that keeps the job running: the short one waits for its final checkpoint
 * (every 3 s) meanwhile, past its timers' time. Returns the short pipeline's collected rows.
 */
export async function pendingTimersAtEnd(checkpoints: string): Promise<string[]> {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(1);
  env.enableCheckpointing(3_000);
  env.getCheckpointConfig().setCheckpointStorage(checkpoints);
  env
    .fromSource(
      new DataGeneratorSource((i) => i, 3_500, { recordsPerSecond: 1_000 }),
      WatermarkStrategy.noWatermarks(),
      'long',
    )
    .filter(() => false)
    .print();
  // 5 elements over ~250 ms: the first checkpoint (at the start) comes before the end, the next
  // one ~3 s later, so the ended task waits well past its timers' time (1 s after each element).
  return env
    .fromSource(
      new DataGeneratorSource((i) => i + 1, 5, { recordsPerSecond: 20 }),
      WatermarkStrategy.noWatermarks(),
      'short',
    )
    .keyBy((v) => v)
    .process(new LateTimers())
    .executeAndCollect('pending timers at the end');
}
