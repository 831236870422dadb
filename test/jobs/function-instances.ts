// Job module: user functions that keep state in instance fields, which is only correct when every
// subtask and every attempt gets its own instance of them (as Flink deserializes them per task).
//   --check counter    a map with a record counter field at parallelism 2; emits
//                      [subtask, value, count]: each subtask must count 1, 2, ... its own records
//   --check buffering  Flink's BufferingSink pattern (a CheckpointedFunction with a list field,
//                      re-filled from operator state in open()); attempt 0 fails after a completed
//                      checkpoint with elements in the buffer: emits [value, attempt] exactly once
//   --slots n          task slots (n < 2 puts both subtasks of a vertex in one worker thread)
//   --local threads|inline   --checkpoints dir (buffering)
//   --out file         also writes the collected rows there as JSON (for `sluice run -m`)
import { writeFileSync } from 'node:fs';
import {
  type CheckpointedFunction,
  type CheckpointListener,
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
import { options } from './support.ts';

/** [subtask, value, what the subtask's counter field said after counting the value]. */
export type CountedRecord = [subtask: number, value: number, count: number];

/** [value, attempt that emitted it]. */
export type BufferedRecord = [value: number, attempt: number];

/** Records of the buffering check (two generator splits of 300: a multiple of the threshold). */
export const BUFFERED_RECORDS = 600;
const THRESHOLD = 10;

/** Counts the records it maps in a field, as a RichMapFunction with a non-checkpointed counter. */
class CountingMap {
  #count = 0;
  #subtask = -1;
  open(ctx: RuntimeContext): void {
    this.#subtask = ctx.getIndexOfThisSubtask();
  }
  map(value: number): CountedRecord {
    this.#count++;
    return [this.#subtask, value, this.#count];
  }
}

/**
 * Flink's BufferingSink, as a function: elements wait in a list field and leave in groups of
 * THRESHOLD; the field goes to operator state at each checkpoint and comes back from it in open().
 * Attempt 0 of subtask 0 fails once a checkpoint has completed and three elements wait, so the
 * failed instance holds restored and replayed elements in its field.
 */
class BufferingFunction
  extends ProcessFunction<number, BufferedRecord>
  implements CheckpointedFunction, CheckpointListener
{
  readonly #buffered: number[] = [];
  #state!: ListState<number>;
  #attempt = 0;
  #failHere = false;
  #checkpointed = false;

  override open(ctx: RuntimeContext): void {
    this.#state = ctx.getOperatorListState(new ListStateDescriptor<number>('buffered-elements'));
    // Flink's initializeState(): add the restored elements to the (fresh) list field.
    for (const v of this.#state.get()) this.#buffered.push(v);
    this.#attempt = ctx.getAttemptNumber();
    this.#failHere = this.#attempt === 0 && ctx.getIndexOfThisSubtask() === 0;
  }

  processElement(value: number, _ctx: ProcessContext, out: Collector<BufferedRecord>): void {
    this.#buffered.push(value);
    if (this.#failHere && this.#checkpointed && this.#buffered.length === 3) {
      throw new Error(`injected failure of attempt 0 at element ${value}`);
    }
    if (this.#buffered.length < THRESHOLD) return;
    for (const v of this.#buffered) out.collect([v, this.#attempt]);
    this.#buffered.length = 0;
  }

  snapshotState(): void {
    this.#state.update([...this.#buffered]);
  }

  notifyCheckpointComplete(): void {
    this.#checkpointed = true;
  }
}

export default async function main(args: readonly string[]): Promise<unknown[]> {
  const o = options(args);
  const env = StreamExecutionEnvironment.getExecutionEnvironment({
    'execution.local.mode': o.local ?? 'threads',
    ...(o.slots === undefined ? {} : { 'taskmanager.numberOfTaskSlots': Number(o.slots) }),
  });
  env.setParallelism(2);
  if (o.check === 'counter') {
    return env
      .fromSequence(1, 200)
      .setParallelism(1)
      .rebalance()
      .map(new CountingMap())
      .uid('counting-map')
      .executeAndCollect('function instances: counter');
  }
  if (o.check === 'buffering') {
    env.enableCheckpointing(50);
    env.getCheckpointConfig().setCheckpointStorage(o.checkpoints ?? '');
    env.setRestartStrategy(RestartStrategies.fixedDelayRestart(1, 10));
    // About 1.5 s of data, so checkpoints complete while it flows.
    const rows = await env
      .fromSource(
        new DataGeneratorSource((i) => i, BUFFERED_RECORDS, { recordsPerSecond: BUFFERED_RECORDS / 1.5 }),
        WatermarkStrategy.noWatermarks(),
        'numbers',
      )
      .uid('numbers')
      .process(new BufferingFunction())
      .uid('buffering')
      .executeAndCollect('function instances: buffering');
    if (o.out !== undefined) writeFileSync(o.out, JSON.stringify(rows));
    return rows;
  }
  throw new Error(`unknown check ${o.check}`);
}
