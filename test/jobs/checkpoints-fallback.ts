// Job module: recovery when a retained checkpoint cannot be restored. A slow keyed count
// checkpoints every 20 ms (3 retained); in its first attempt, once two checkpoints completed,
// an operator stops further checkpoints from completing, damages the newest completed
// checkpoint (--corrupt newest) or every one (--corrupt all) — --how garbage|truncate|delete —
// and fails the job. Returns the collected [key, count] rows and the damaged files.
import {
  existsSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import {
  type CheckpointedFunction,
  type Collector,
  DataGeneratorSource,
  type ProcessContext,
  ProcessFunction,
  RestartStrategies,
  type RuntimeContext,
  StreamExecutionEnvironment,
  WatermarkStrategy,
} from '../../src/index.ts';
import { KeyedCount, options } from './support.ts';

export const RECORDS = 400;
export const KEYS = 4;

/** Completed checkpoints under the base directory, newest first. */
function completed(base: string): string[] {
  if (!existsSync(base)) return [];
  const dirs: Array<[number, string]> = [];
  for (const job of readdirSync(base)) {
    for (const chk of readdirSync(join(base, job))) {
      const dir = join(base, job, chk);
      if (chk.startsWith('chk-') && existsSync(join(dir, '_metadata')))
        dirs.push([Number(chk.slice(4)), dir]);
    }
  }
  return dirs.sort((a, b) => b[0] - a[0]).map(([, d]) => d);
}

/** Damages the biggest state file of a checkpoint (the keyed count's); returns its path. */
function damage(dir: string, how: string): string {
  const files = readdirSync(dir).filter((f) => f.endsWith('.state'));
  const biggest = files.sort((a, b) => statSync(join(dir, b)).size - statSync(join(dir, a)).size)[0]!;
  const path = join(dir, biggest);
  if (how === 'delete') rmSync(path);
  else if (how === 'truncate') truncateSync(path, Math.floor(readFileSync(path).length / 2));
  else writeFileSync(path, Buffer.from([0xc1, 0xc1, 0xc1, 0xff, 0x00, 0x13]));
  return path;
}

/**
 * First attempt only: once two checkpoints completed, declines every further checkpoint; 300 ms
 * later (any checkpoint still being written has completed by then) damages checkpoints and fails.
 */
class Saboteur extends ProcessFunction<[number, number], [number, number]> implements CheckpointedFunction {
  readonly #o: Record<string, string>;
  #attempt = 0;
  #armedAt: number | undefined;
  constructor(o: Record<string, string>) {
    super();
    this.#o = o;
  }
  override open(ctx: RuntimeContext): void {
    this.#attempt = ctx.getAttemptNumber();
  }
  snapshotState(): void {
    // (Only in the first attempt: the restarted job must complete its checkpoints, the final one too.)
    if (this.#attempt === 0 && this.#armedAt !== undefined)
      throw new Error('no more checkpoints before the failure');
  }
  processElement(v: [number, number], _ctx: ProcessContext<never>, out: Collector<[number, number]>): void {
    if (this.#attempt === 0) {
      const base = this.#o.checkpoints!;
      if (this.#armedAt === undefined && completed(base).length >= 2) this.#armedAt = Date.now();
      if (this.#armedAt !== undefined && Date.now() - this.#armedAt > 300) {
        const all = completed(base);
        const victims = this.#o.corrupt === 'all' ? all : all.slice(0, 1);
        const damaged = victims.map((d) => damage(d, this.#o.how ?? 'garbage'));
        writeFileSync(this.#o.damaged!, JSON.stringify(damaged));
        throw new Error('injected failure after damaging checkpoints');
      }
    }
    out.collect(v);
  }
}

export default async function main(args: readonly string[]): Promise<{ rows: Array<[number, number]> }> {
  const o = options(args);
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(1);
  env.enableCheckpointing(20);
  env.getCheckpointConfig().setCheckpointStorage(o.checkpoints!);
  env.getCheckpointConfig().setNumRetainedCheckpoints(3);
  env.getCheckpointConfig().setTolerableCheckpointFailureNumber(1_000_000);
  env.setRestartStrategy(RestartStrategies.fixedDelayRestart(5, 20));
  const rows = await env
    .fromSource(
      new DataGeneratorSource((i) => i, RECORDS, { recordsPerSecond: 400 }),
      WatermarkStrategy.noWatermarks(),
      'numbers',
    )
    .uid('numbers')
    .keyBy((v) => v % KEYS)
    .process(new KeyedCount())
    .uid('count')
    .process(new Saboteur(o))
    .uid('saboteur')
    .executeAndCollect('checkpoint fallback');
  return { rows };
}
