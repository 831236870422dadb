// Job module: a job of two independent pipelines. "short" (200 numbers) ends early and writes
// to a FileSink under --short; "long" (--long numbers at 1,000/s) goes on, and in its first
// attempt fails once the short pipeline's output is committed (visible; noted in --failures) — a failure after a
// bounded part of the job has ended. With checkpointing every --interval ms and a restart
// strategy the job recovers; returns the long pipeline's collected numbers.
import { appendFileSync, existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  AbstractRichFunction,
  DataGeneratorSource,
  FileSink,
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

export default async function main(args: readonly string[]): Promise<{ rows: number[] }> {
  const o = options(args);
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
