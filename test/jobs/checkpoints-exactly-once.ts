// Job module: a self-checking job under failure injection. Every record gets a per-key sequence
// number from keyed state; the output must hold each record once and each key's numbers without
// gap or repetition, however often the job fails and restores.
//   --parallelism p   --records n   --seed s   --failures f
//   --out dir (FileSink)   --checkpoints dir   --mode EXACTLY_ONCE|AT_LEAST_ONCE
// The job writes its output to a FileSink and collects it (executeAndCollect) in the same run.
//   --topology two-input   two sources (even and odd numbers) go through union().keyBy() and
//                          through connect().keyBy() (keys + 100): fan-in of 4 channels at p=2.
// Attempt a < f fails on purpose: in a seeded subtask, after a seeded number of records, a seeded
// function (the map before keyBy, or the keyed function) throws or kills its worker thread.
import { isMainThread } from 'node:worker_threads';
import {
  type Collector,
  DataGeneratorSource,
  type DataStream,
  FileSink,
  KeyedCoProcessFunction,
  KeyedProcessFunction,
  type ProcessContext,
  RestartStrategies,
  type RuntimeContext,
  StreamExecutionEnvironment,
  type ValueState,
  ValueStateDescriptor,
  WatermarkStrategy,
} from '../../src/index.ts';
import { options } from './support.ts';

/** [key, sequence number within the key, record, attempt that emitted it]. */
export type SequencedRecord = [key: number, seq: number, value: number, attempt: number];

export const KEYS = 13;

/** One planned failure. */
export interface InjectedFailure {
  readonly attempt: number;
  readonly subtask: number;
  readonly afterRecords: number;
  readonly kind: 'throw' | 'kill';
  readonly where: 'map' | 'keyed';
}

/** A small deterministic PRNG (mulberry32): the same seed plans the same failures everywhere. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The failures a seed plans for a run: one per attempt, early enough that each one happens. */
export function planFailures(
  seed: number,
  failures: number,
  parallelism: number,
  records: number,
): InjectedFailure[] {
  const next = random(seed);
  const perSubtask = records / parallelism;
  return Array.from({ length: failures }, (_, attempt) => ({
    attempt,
    subtask: Math.floor(next() * parallelism),
    afterRecords: 20 + Math.floor(next() * perSubtask * 0.2),
    kind: next() < 0.5 ? 'throw' : 'kill',
    where: next() < 0.5 ? 'map' : 'keyed',
  }));
}

/** Counts the records of this subtask in this attempt and fails where the plan says. */
class Injector {
  readonly #plan: readonly InjectedFailure[];
  readonly #where: 'map' | 'keyed';
  #failure: InjectedFailure | undefined;
  #seen = 0;
  constructor(plan: readonly InjectedFailure[], where: 'map' | 'keyed') {
    this.#plan = plan;
    this.#where = where;
  }
  open(ctx: RuntimeContext): void {
    const attempt = ctx.getAttemptNumber();
    const subtask = ctx.getIndexOfThisSubtask();
    this.#failure = this.#plan.find(
      (f) => f.attempt === attempt && f.subtask === subtask && f.where === this.#where,
    );
    this.#seen = 0;
  }
  onRecord(value: number): void {
    const f = this.#failure;
    if (f === undefined || ++this.#seen !== f.afterRecords) return;
    // Never kill the test process itself (inline execution): throw there instead.
    if (f.kind === 'kill' && !isMainThread) process.exit(1);
    throw new Error(`injected failure of attempt ${f.attempt} at record ${value}`);
  }
}

/** The connect() variant: both inputs count in the same keyed state; keys are offset by 100. */
class CoSequencer extends KeyedCoProcessFunction<number, number, number, SequencedRecord> {
  #seq!: ValueState<number>;
  #attempt = 0;
  override open(ctx: RuntimeContext): void {
    this.#seq = ctx.getState(new ValueStateDescriptor<number>('seq', { defaultValue: 0 }));
    this.#attempt = ctx.getAttemptNumber();
  }
  #next(v: number, ctx: ProcessContext<number>, out: Collector<SequencedRecord>): void {
    const seq = this.#seq.value()! + 1;
    this.#seq.update(seq);
    out.collect([ctx.getCurrentKey() + 100, seq, v, this.#attempt]);
  }
  processElement1(v: number, ctx: ProcessContext<number>, out: Collector<SequencedRecord>): void {
    this.#next(v, ctx, out);
  }
  processElement2(v: number, ctx: ProcessContext<number>, out: Collector<SequencedRecord>): void {
    this.#next(v, ctx, out);
  }
}

class Sequencer extends KeyedProcessFunction<number, number, SequencedRecord> {
  readonly #injector: Injector;
  #seq!: ValueState<number>;
  #attempt = 0;
  constructor(plan: readonly InjectedFailure[]) {
    super();
    this.#injector = new Injector(plan, 'keyed');
  }
  override open(ctx: RuntimeContext): void {
    this.#seq = ctx.getState(new ValueStateDescriptor<number>('seq', { defaultValue: 0 }));
    this.#attempt = ctx.getAttemptNumber();
    this.#injector.open(ctx);
  }
  processElement(v: number, ctx: ProcessContext<number>, out: Collector<SequencedRecord>): void {
    const seq = this.#seq.value()! + 1;
    this.#seq.update(seq);
    this.#injector.onRecord(v);
    out.collect([ctx.getCurrentKey(), seq, v, this.#attempt]);
  }
}

export default async function main(args: readonly string[]): Promise<SequencedRecord[]> {
  const o = options(args);
  const p = Number(o.parallelism ?? '2');
  const records = Number(o.records ?? '6000');
  const failures = Number(o.failures ?? '0');
  const plan = planFailures(Number(o.seed ?? '1'), failures, p, records);
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(p);
  env.enableCheckpointing(50, o.mode === 'AT_LEAST_ONCE' ? 'AT_LEAST_ONCE' : 'EXACTLY_ONCE');
  env.getCheckpointConfig().setCheckpointStorage(o.checkpoints ?? '');
  env.setRestartStrategy(RestartStrategies.fixedDelayRestart(failures + 1, 10));
  const injector = new Injector(plan, 'map');
  const inject = {
    open: (ctx: RuntimeContext) => injector.open(ctx),
    map: (v: number) => {
      injector.onRecord(v);
      return v;
    },
  };
  // About 1.5 s of data, so that checkpoints complete between the failures.
  const numbers = (name: string, count: number, fn: (i: number) => number) =>
    env
      .fromSource(
        new DataGeneratorSource(fn, count, { recordsPerSecond: count / 1.5 }),
        WatermarkStrategy.noWatermarks(),
        name,
      )
      .uid(name);
  let sequenced: DataStream<SequencedRecord>;
  if (o.topology === 'two-input') {
    const evens = numbers('evens', records / 2, (i) => 2 * i)
      .map(inject)
      .uid('inject');
    const odds = numbers('odds', records / 2, (i) => 2 * i + 1);
    const unioned = evens
      .union(odds)
      .keyBy((v) => v % KEYS)
      .process(new Sequencer(plan))
      .uid('sequencer');
    const connected = evens
      .connect(odds)
      .keyBy(
        (v) => v % KEYS,
        (v) => v % KEYS,
      )
      .process(new CoSequencer())
      .uid('co-sequencer');
    sequenced = unioned.union(connected);
  } else {
    sequenced = numbers('numbers', records, (i) => i)
      .map(inject)
      .uid('inject')
      .keyBy((v) => v % KEYS)
      .process(new Sequencer(plan))
      .uid('sequencer');
  }
  // Two exactly-once sinks in one run: FileSink (two-phase commit) and executeAndCollect.
  sequenced.sinkTo(FileSink.forRowFormat<SequencedRecord>(o.out!).build()).uid('files');
  return sequenced.executeAndCollect(`exactly-once p=${p} seed=${o.seed}`);
}
