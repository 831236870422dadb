// sinkTo(): hands every record to the sink's writer of this subtask. For two-phase-commit sinks,
// pre-commits at each checkpoint barrier, keeps the committables in operator state, and commits
// them when the checkpoint completes (again after a recovery: commits are idempotent).
import type { StreamRecord } from '../../core/index.ts';
import type {
  Committer,
  Sink,
  SinkWriter,
  SinkWriterContext,
  TwoPhaseCommittingSink,
  TwoPhaseCommittingSinkWriter,
} from '../../functions/index.ts';
import { ListStateDescriptor } from '../../state/index.ts';
import { OneInputOperator, operatorError } from './stream-operator.ts';

/** Committables not yet committed, with the checkpoint that prepared them. */
const COMMITTABLES = new ListStateDescriptor<[number, unknown]>('__sluice_sink_committables__');

function isTwoPhase<T>(sink: Sink<T>): sink is TwoPhaseCommittingSink<T, unknown> {
  return typeof (sink as Partial<TwoPhaseCommittingSink<T, unknown>>).createCommitter === 'function';
}

/** Runs a Sink's writer (and committer). */
export class SinkWriterOperator<T> extends OneInputOperator {
  readonly #sink: Sink<T>;
  #writer!: SinkWriter<T>;
  #committer: Committer<unknown> | undefined;
  /** Prepared but uncommitted committables, by checkpoint id. */
  #pending: Array<[number, unknown]> = [];
  #timestamp: number | undefined;
  readonly #context: SinkWriterContext = {
    timestamp: () => this.#timestamp,
    currentWatermark: () => this.currentWatermark(),
  };

  constructor(sink: Sink<T>) {
    super();
    this.#sink = sink;
  }

  override async open(): Promise<void> {
    const ctx = this.ctx;
    const checkpointing = ctx.checkpointingEnabled;
    this.#writer = await this.#sink.createWriter({
      getSubtaskId: () => ctx.subtaskIndex,
      getNumberOfParallelSubtasks: () => ctx.parallelism,
      getAttemptNumber: () => ctx.attemptNumber,
      printToStdout: (text) => ctx.print(text, 'stdout'),
      printToStderr: (text) => ctx.print(text, 'stderr'),
      isCheckpointingEnabled: () => checkpointing,
      getProcessingTimeService: () => ({
        getCurrentProcessingTime: () => ctx.processingTime.now(),
        registerTimer: (time, callback) => ctx.processingTime.schedule(time, callback),
      }),
    });
    if (isTwoPhase(this.#sink)) {
      this.#committer = this.#sink.createCommitter();
      // Committables restored from a checkpoint were pre-committed before the failure: commit them.
      const restored = ctx.operatorState.getListState(COMMITTABLES);
      const recovered = restored.get();
      restored.clear();
      if (recovered.length > 0) await this.#commit(recovered.map(([, c]) => c));
    }
  }

  async #commit(committables: unknown[]): Promise<void> {
    try {
      await this.#committer?.commit(committables);
    } catch (e) {
      throw operatorError(this.ctx, e, 'commit');
    }
  }

  processElement(record: StreamRecord): void {
    this.#timestamp = record.timestamp;
    this.#writer.write(record.value as T, this.#context);
  }

  protected override prepareSnapshot(checkpointId: number): void {
    if (this.#committer === undefined) return;
    const prepared = (this.#writer as TwoPhaseCommittingSinkWriter<T, unknown>).prepareCommit(checkpointId);
    for (const c of prepared) this.#pending.push([checkpointId, c]);
    this.ctx.operatorState.getListState(COMMITTABLES).update(this.#pending);
  }

  override async notifyCheckpointComplete(checkpointId: number): Promise<void> {
    const ready = this.#pending.filter(([id]) => id <= checkpointId);
    if (ready.length > 0) {
      this.#pending = this.#pending.filter(([id]) => id > checkpointId);
      await this.#commit(ready.map(([, c]) => c));
    }
    await super.notifyCheckpointComplete(checkpointId);
  }

  override async finish(): Promise<void> {
    await this.#writer.flush(true);
    // A final checkpoint follows: its snapshot prepares the last transaction, committed when it completes.
    if (this.ctx.awaitsFinalCheckpoint()) return;
    if (this.#committer !== undefined) {
      // The bounded input ended: nothing will be replayed, so everything prepared is final.
      const last = (this.#writer as TwoPhaseCommittingSinkWriter<T, unknown>).prepareCommit(
        Number.MAX_SAFE_INTEGER,
      );
      const all = [...this.#pending.map(([, c]) => c), ...last];
      this.#pending = [];
      if (all.length > 0) await this.#commit(all);
    }
  }

  override async close(): Promise<void> {
    await this.#writer?.close();
    await super.close();
  }
}
