// executeAndCollect(): sends every record back to the client in batches. With checkpointing,
// records are released only when the checkpoint that covers them completes, and each batch has
// an id the client accepts once — so the collected result is exactly-once across failures.
import type { StreamRecord } from '../../core/index.ts';
import { ListStateDescriptor } from '../../state/index.ts';
import { OneInputOperator } from './stream-operator.ts';

/** Batches prepared at a checkpoint: [checkpoint id, batch id, values]. */
const PENDING = new ListStateDescriptor<[number, string, unknown[]]>('__sluice_collect_pending__');

/** Ships records to the client that runs the job. */
export class CollectSinkOperator extends OneInputOperator {
  #batch: unknown[] = [];
  #pending: Array<[number, string, unknown[]]> = [];

  override open(): void {
    if (!this.ctx.checkpointingEnabled) return;
    const restored = this.ctx.operatorState.getListState(PENDING);
    for (const [, id, values] of restored.get()) this.ctx.emitToClient(values, id);
    restored.clear();
  }

  processElement(record: StreamRecord): void {
    const n = this.#batch.push(record.value);
    if (n >= 1024 && !this.ctx.checkpointingEnabled) this.#send();
  }

  #send(): void {
    if (this.#batch.length === 0) return;
    this.ctx.emitToClient(this.#batch);
    this.#batch = [];
  }

  protected override prepareSnapshot(checkpointId: number): void {
    if (this.#batch.length > 0) {
      this.#pending.push([
        checkpointId,
        `${this.ctx.operatorId}:${checkpointId}:${this.ctx.subtaskIndex}`,
        this.#batch,
      ]);
      this.#batch = [];
    }
    this.ctx.operatorState.getListState(PENDING).update(this.#pending);
  }

  override async notifyCheckpointComplete(checkpointId: number): Promise<void> {
    const ready = this.#pending.filter(([id]) => id <= checkpointId);
    this.#pending = this.#pending.filter(([id]) => id > checkpointId);
    for (const [, id, values] of ready) this.ctx.emitToClient(values, id);
    await super.notifyCheckpointComplete(checkpointId);
  }

  override finish(): void {
    // A final checkpoint follows: the last batch is released when it completes.
    if (this.ctx.awaitsFinalCheckpoint()) return;
    for (const [, id, values] of this.#pending) this.ctx.emitToClient(values, id);
    this.#pending = [];
    this.#send();
  }
}
