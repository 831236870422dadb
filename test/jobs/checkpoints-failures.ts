// Job module: checkpoints and restarts when things go wrong.
//   --mode two-jobs      a slow keyed job (uids numbers, count, buffer) stopped with a savepoint
//                        into --savepoints once --progress shows 40 records, then a second job
//                        resumed from it; returns { savepoint, rows }
//   --mode restore       the second job alone, restored from --restore; --variant v2
//                        drops the stateless "format" map and the stateful "buffer" function;
//                        --allow true passes allowNonRestoredState
//   --mode storage       checkpoints into --storage (unwritable in the test); --tolerable n;
//                        --repairAt k makes it writable when record k passes (so the final
//                        checkpoint, which a bounded job with checkpoints ends with, succeeds)
//   --mode snapshot      a CheckpointedFunction whose snapshotState() throws for the first
//                        --throws checkpoints; --tolerable n
//   --mode restart       a map that always fails at record 5; --strategy fixed|rate|none
// --restart none|fixed (modes storage, snapshot), --attempts file: JSON lines of attempt numbers.
import { appendFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  type CheckpointedFunction,
  type Collector,
  DataGeneratorSource,
  type ListState,
  ListStateDescriptor,
  type ProcessContext,
  ProcessFunction,
  RestartStrategies,
  type RuntimeContext,
  StreamExecutionEnvironment,
  WatermarkStrategy,
} from '../../src/index.ts';
import { readJsonLines } from '../integration/support.ts';
import { JsonLinesSink, KeyedCount, options } from './support.ts';

/** Keeps the last record in operator list state (so it has state in every checkpoint). */
class LastSeen extends ProcessFunction<[number, number], [number, number]> implements CheckpointedFunction {
  #last: [number, number] | undefined;
  #state!: ListState<[number, number]>;
  override open(ctx: RuntimeContext): void {
    this.#state = ctx.getOperatorListState(new ListStateDescriptor<[number, number]>('last'));
  }
  snapshotState(): void {
    this.#state.update(this.#last === undefined ? [] : [this.#last]);
  }
  processElement(v: [number, number], _ctx: ProcessContext<never>, out: Collector<[number, number]>): void {
    this.#last = v;
    out.collect(v);
  }
}

/** A CheckpointedFunction whose snapshotState() throws for the first `throws` checkpoints. */
class FlakySnapshot extends ProcessFunction<number, number> implements CheckpointedFunction {
  readonly #throws: number;
  #snapshots = 0;
  constructor(throws: number) {
    super();
    this.#throws = throws;
  }
  snapshotState(): void {
    if (++this.#snapshots <= this.#throws) throw new Error(`snapshot ${this.#snapshots} cannot be taken`);
  }
  processElement(v: number, _ctx: ProcessContext<never>, out: Collector<number>): void {
    out.collect(v);
  }
}

/** Fails at record 5, every attempt; records each attempt it opens in. */
class Poisoned {
  readonly #file: string;
  #attempt = -1;
  constructor(file: string) {
    this.#file = file;
  }
  open(ctx: RuntimeContext): void {
    this.#attempt = ctx.getAttemptNumber();
    appendFileSync(this.#file, `${this.#attempt}\n`);
  }
  map(v: number): number {
    if (v === 5) throw new RangeError(`record 5 is poison (attempt ${this.#attempt})`);
    return v;
  }
}

/** The counting job: slow (stopped with a savepoint by the caller) or restored and fast. */
function counts(env: StreamExecutionEnvironment, slow: boolean, variant: string | undefined) {
  const counted = env
    .fromSource(
      // The same 600 records in both versions (the restored splits keep their ends); slowly
      // while the caller waits to take a savepoint, quickly once restored.
      new DataGeneratorSource((i) => i, 600, { recordsPerSecond: slow ? 200 : 5_000 }),
      WatermarkStrategy.noWatermarks(),
      'numbers',
    )
    .uid('numbers')
    .keyBy((v) => v % 4)
    .process(new KeyedCount())
    .uid('count');
  return variant === 'v2'
    ? counted
    : counted
        .map((t): [number, number] => [t[0], t[1]])
        .name('format')
        .process(new LastSeen())
        .name('buffer')
        .uid('buffer');
}

function environment(o: Record<string, string>, restore?: string): StreamExecutionEnvironment {
  const env = StreamExecutionEnvironment.getExecutionEnvironment({
    ...(restore === undefined ? {} : { 'execution.savepoint.path': restore }),
    ...(o.allow === 'true' ? { 'execution.savepoint.ignore-unclaimed-state': true } : {}),
  });
  env.setParallelism(1);
  env.enableCheckpointing(20);
  env.getCheckpointConfig().setCheckpointStorage(o.storage ?? o.checkpoints ?? '');
  if (o.tolerable !== undefined)
    env.getCheckpointConfig().setTolerableCheckpointFailureNumber(Number(o.tolerable));
  env.setRestartStrategy(
    o.restart === 'fixed' ? RestartStrategies.fixedDelayRestart(3, 10) : RestartStrategies.noRestart(),
  );
  return env;
}

export default async function main(
  args: readonly string[],
): Promise<{ savepoint?: string; rows?: unknown[] }> {
  const o = options(args);
  const mode = o.mode ?? 'two-jobs';

  if (mode === 'two-jobs') {
    // A program of two jobs: the first is stopped with a savepoint once it made progress, the
    // second starts from that savepoint. In the workers' plan mode the first job's stand-in
    // client answers with the same savepoint path.
    const first = environment(o);
    counts(first, true, undefined).sinkTo(new JsonLinesSink(o.progress!));
    const client = await first.executeAsync('slow counts');
    while (readJsonLines(o.progress!).length < 40) await new Promise((r) => setTimeout(r, 5));
    const savepoint = await client.stopWithSavepoint(o.savepoints!);
    const second = environment(o, savepoint);
    return { savepoint, rows: await counts(second, false, undefined).executeAndCollect('restored counts') };
  }
  const env = environment(o, o.restore);
  if (mode === 'restore') {
    return { rows: await counts(env, false, o.variant).executeAndCollect('restored counts') };
  }

  if (mode === 'storage' || mode === 'snapshot') {
    const numbers = env
      .fromSource(
        new DataGeneratorSource((i) => i, 600, { recordsPerSecond: 1_000 }),
        WatermarkStrategy.noWatermarks(),
        'numbers',
      )
      .uid('numbers');
    const repairAt = o.repairAt === undefined ? undefined : Number(o.repairAt);
    const storage = o.storage;
    const passed =
      mode === 'snapshot'
        ? numbers.process(new FlakySnapshot(Number(o.throws ?? '2'))).uid('flaky')
        : repairAt === undefined || storage === undefined
          ? numbers
          : numbers.map((v) => {
              if (v === repairAt) {
                rmSync(dirname(storage), { force: true });
                mkdirSync(storage, { recursive: true });
              }
              return v;
            });
    return { rows: await passed.executeAndCollect(`checkpoint failures: ${mode}`) };
  }

  // mode === 'restart'
  const strategy =
    o.strategy === 'fixed'
      ? RestartStrategies.fixedDelayRestart(2, 10)
      : o.strategy === 'rate'
        ? RestartStrategies.failureRateRestart(2, 60_000, 10)
        : RestartStrategies.noRestart();
  env.setRestartStrategy(strategy);
  const attemptsFile = o.attempts!;
  await env
    .fromSequence(1, 100)
    .map(new Poisoned(attemptsFile))
    .name('poisoned')
    .uid('poisoned')
    .executeAndCollect(`restart ${o.strategy}`);
  return {};
}
