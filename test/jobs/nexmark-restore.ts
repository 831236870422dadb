// Job module: the public `NexmarkSource` in a user job that checkpoints, fails on purpose and
// restores, to show that split positions restore exactly (no event lost, none read twice).
//   --parallelism p   --events n   --rate r (events/s)   --split-size s   --seed s
//   --checkpoints dir   --fail-after k (attempt 0 fails in the first subtask that saw k events
//   and a completed checkpoint holding some of them; 0 = never)
//   --mode rescale --savepoints dir --progress file --stop-after k --restore-parallelism q:
//     the job (without failures) writes to --progress until k events went through, is stopped
//     with a savepoint, and a second job resumes from it at parallelism q; returns both outputs.
// Every event is keyed by its type and numbered in keyed state, so a source that resumed anywhere
// but at the checkpointed positions shows up as a gap or a repeated number.

import { existsSync, readFileSync } from 'node:fs';
import {
  type CheckpointedFunction,
  type CheckpointListener,
  type Collector,
  type FunctionSnapshotContext,
  KeyedProcessFunction,
  type NexmarkEvent,
  NexmarkSource,
  type ProcessContext,
  RestartStrategies,
  type RuntimeContext,
  StreamExecutionEnvironment,
  type ValueState,
  ValueStateDescriptor,
  WatermarkStrategy,
} from '../../src/index.ts';
import { readJsonLines } from '../integration/support.ts';
import { JsonLinesSink, options } from './support.ts';

/**
 * [event type, number of that type so far (keyed state), signature of the event, attempt, whether
 * the event's time was before the previous event's from the same source subtask].
 */
export type NumberedEvent = [
  type: NexmarkEvent['type'],
  seq: number,
  signature: string,
  attempt: number,
  backwards: boolean,
];

/** An event and whether its source subtask went back in event time with it. */
interface CheckedEvent {
  readonly e: NexmarkEvent;
  readonly backwards: boolean;
}

function eventTime(e: NexmarkEvent): number {
  return e.type === 'bid' ? e.bid.dateTime : e.type === 'auction' ? e.auction.dateTime : e.person.dateTime;
}

/** A short string that tells the events of one stream apart (fields from every part of the generator). */
export function signature(e: NexmarkEvent): string {
  switch (e.type) {
    case 'person':
      return `p ${e.person.id} ${e.person.dateTime} ${e.person.name} ${e.person.creditCard} ${e.person.extra.length}`;
    case 'auction':
      return `a ${e.auction.id} ${e.auction.dateTime} ${e.auction.seller} ${e.auction.reserve} ${e.auction.expires}`;
    case 'bid':
      return `b ${e.bid.auction} ${e.bid.bidder} ${e.bid.price} ${e.bid.dateTime} ${e.bid.channel} ${e.bid.extra}`;
  }
}

class NumberByType extends KeyedProcessFunction<string, CheckedEvent, NumberedEvent> {
  #seq!: ValueState<number>;
  #attempt = 0;
  override open(ctx: RuntimeContext): void {
    this.#seq = ctx.getState(new ValueStateDescriptor<number>('seq', { defaultValue: 0 }));
    this.#attempt = ctx.getAttemptNumber();
  }
  processElement(c: CheckedEvent, _ctx: ProcessContext<string>, out: Collector<NumberedEvent>): void {
    const seq = this.#seq.value()! + 1;
    this.#seq.update(seq);
    out.collect([c.e.type, seq, signature(c.e), this.#attempt, c.backwards]);
  }
}

/**
 * Marks events that go back in event time within this source subtask. In attempt 0 a subtask fails
 * once it saw `failAfter` events and a checkpoint holding some of them completed (so the restore
 * resumes mid-stream); whichever subtask gets there first fails the attempt.
 */
class CheckOrderAndFail implements CheckpointedFunction, CheckpointListener {
  readonly #failAfter: number;
  #failHere = false;
  #seen = 0;
  /** Events seen when each pending checkpoint was taken. */
  readonly #seenAt = new Map<number, number>();
  #checkpointed = false;
  #lastTime = Number.NEGATIVE_INFINITY;
  constructor(failAfter: number) {
    this.#failAfter = failAfter;
  }
  open(ctx: RuntimeContext): void {
    this.#failHere = this.#failAfter > 0 && ctx.getAttemptNumber() === 0;
  }
  map(e: NexmarkEvent): CheckedEvent {
    if (this.#failHere && ++this.#seen >= this.#failAfter && this.#checkpointed) {
      this.#failHere = false;
      throw new Error(`injected failure after ${this.#seen} events`);
    }
    const time = eventTime(e);
    const backwards = time < this.#lastTime;
    this.#lastTime = time;
    return { e, backwards };
  }
  snapshotState(ctx: FunctionSnapshotContext): void {
    this.#seenAt.set(ctx.checkpointId, this.#seen);
  }
  notifyCheckpointComplete(checkpointId: number): void {
    // A checkpoint that holds some of this attempt's events: the restore resumes mid-stream.
    if ((this.#seenAt.get(checkpointId) ?? 0) > 0) this.#checkpointed = true;
  }
}

/** Lines written so far; a line still being appended (no newline yet) does not count or parse. */
function completeLines(path: string): number {
  if (!existsSync(path)) return 0;
  const text = readFileSync(path, 'utf8');
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** What the rescale mode returns: the rows of the job stopped with a savepoint, and of the resumed job. */
export interface RescaleResult {
  readonly savepoint: string;
  readonly before: NumberedEvent[];
  readonly after: NumberedEvent[];
}

function environment(o: Record<string, string>, parallelism: number, restore?: string) {
  const env = StreamExecutionEnvironment.getExecutionEnvironment(
    restore === undefined ? undefined : { 'execution.savepoint.path': restore },
  );
  env.setParallelism(parallelism);
  env.enableCheckpointing(30);
  env.getCheckpointConfig().setCheckpointStorage(o.checkpoints ?? '');
  env.setRestartStrategy(RestartStrategies.fixedDelayRestart(2, 10));
  return env;
}

/** Source → (failure injection) → keyBy(type) → numbering, with the same uids in every job. */
function numbered(env: StreamExecutionEnvironment, o: Record<string, string>) {
  return env
    .fromSource(
      new NexmarkSource({
        numEvents: Number(o.events ?? '10000'),
        eventsPerSecond: Number(o.rate ?? '10000'),
        splitSize: Number(o['split-size'] ?? '700'),
        seed: Number(o.seed ?? '0'),
      }),
      WatermarkStrategy.forMonotonousTimestamps<NexmarkEvent>(),
      'nexmark',
    )
    .uid('nexmark')
    .map(new CheckOrderAndFail(Number(o['fail-after'] ?? '0')))
    .uid('fail')
    .keyBy((c) => c.e.type)
    .process(new NumberByType())
    .uid('number');
}

export default async function main(args: readonly string[]): Promise<NumberedEvent[] | RescaleResult> {
  const o = options(args);
  const parallelism = Number(o.parallelism ?? '1');
  if (o.mode === 'rescale') {
    // Two jobs in one program (as in checkpoints-failures.ts): in the workers' plan mode the first
    // job's stand-in client answers with the same savepoint path.
    const first = environment(o, parallelism);
    numbered(first, o).sinkTo(new JsonLinesSink<NumberedEvent>(o.progress!)).uid('progress');
    const client = await first.executeAsync('nexmark before the savepoint');
    const stopAfter = Number(o['stop-after'] ?? '1000');
    while (completeLines(o.progress!) < stopAfter) await new Promise((r) => setTimeout(r, 5));
    const savepoint = await client.stopWithSavepoint(o.savepoints!);
    const second = environment(o, Number(o['restore-parallelism'] ?? parallelism), savepoint);
    const after = await numbered(second, o).executeAndCollect('nexmark from the savepoint');
    return { savepoint, before: readJsonLines<NumberedEvent>(o.progress!), after };
  }
  return numbered(environment(o, parallelism), o).executeAndCollect('nexmark restore');
}
