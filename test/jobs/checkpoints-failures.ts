// Job module: checkpoints and restarts when things go wrong.
//   --mode running       a slow keyed job (uids numbers, count, buffer); returns { client }
//   --mode restore       the bounded version of that job, restored from --restore; --variant v2
//                        drops the stateless "format" map and the stateful "buffer" function;
//                        --allow true passes allowNonRestoredState
//   --mode storage       checkpoints into --storage (unwritable in the test); --tolerable n
//   --mode snapshot      a CheckpointedFunction whose snapshotState() throws for the first
//                        --throws checkpoints; --tolerable n
//   --mode restart       a map that always fails at record 5; --strategy fixed|rate|none
// --restart none|fixed (modes storage, snapshot), --attempts file: JSON lines of attempt numbers.
import { appendFileSync } from 'node:fs';
import {
  type CheckpointedFunction,
  type Collector,
  DataGeneratorSource,
  type JobClient,
  KeyedProcessFunction,
  type ListState,
  ListStateDescriptor,
  type ProcessContext,
  ProcessFunction,
  RestartStrategies,
  type RuntimeContext,
  StreamExecutionEnvironment,
  type ValueState,
  ValueStateDescriptor,
  WatermarkStrategy,
} from '../../src/index.ts';
import { JsonLinesSink, options } from './support.ts';

class Count extends KeyedProcessFunction<number, number, [number, number]> {
  #count!: ValueState<number>;
  override open(ctx: RuntimeContext): void {
    this.#count = ctx.getState(new ValueStateDescriptor<number>('count', { defaultValue: 0 }));
  }
  processElement(_v: number, ctx: ProcessContext<number>, out: Collector<[number, number]>): void {
    const n = this.#count.value()! + 1;
    this.#count.update(n);
    out.collect([ctx.getCurrentKey(), n]);
  }
}

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

export default async function main(
  args: readonly string[],
): Promise<{ client?: JobClient; rows?: unknown[] }> {
  const o = options(args);
  const mode = o.mode ?? 'running';
  const env = StreamExecutionEnvironment.getExecutionEnvironment({
    ...(o.restore === undefined ? {} : { 'execution.savepoint.path': o.restore }),
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

  if (mode === 'running' || mode === 'restore') {
    const endless = mode === 'running'; // runs for 3 s: the test stops it with a savepoint
    const counted = env
      .fromSource(
        // The same 600 records in both versions (the restored splits keep their ends); slowly
        // while the test waits for a savepoint, quickly once restored.
        new DataGeneratorSource((i) => i, 600, { recordsPerSecond: endless ? 200 : 5_000 }),
        WatermarkStrategy.noWatermarks(),
        'numbers',
      )
      .uid('numbers')
      .keyBy((v) => v % 4)
      .process(new Count())
      .uid('count');
    const shaped =
      o.variant === 'v2'
        ? counted
        : counted
            .map((t): [number, number] => [t[0], t[1]])
            .name('format')
            .process(new LastSeen())
            .name('buffer')
            .uid('buffer');
    if (endless) {
      shaped.sinkTo(new JsonLinesSink(o.progress!));
      return { client: await env.executeAsync('slow counts') };
    }
    return { rows: await shaped.executeAndCollect('restored counts') };
  }

  if (mode === 'storage' || mode === 'snapshot') {
    const numbers = env
      .fromSource(
        new DataGeneratorSource((i) => i, 600, { recordsPerSecond: 1_000 }),
        WatermarkStrategy.noWatermarks(),
        'numbers',
      )
      .uid('numbers');
    const passed =
      mode === 'snapshot'
        ? numbers.process(new FlakySnapshot(Number(o.throws ?? '2'))).uid('flaky')
        : numbers;
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
