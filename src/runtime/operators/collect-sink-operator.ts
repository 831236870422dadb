// executeAndCollect(): sends every record back to the client in batches.
import type { StreamRecord } from '../../core/index.ts';
import { OneInputOperator } from './stream-operator.ts';

/** Ships records to the client that runs the job. */
export class CollectSinkOperator extends OneInputOperator {
  #batch: unknown[] = [];

  processElement(record: StreamRecord): void {
    if (this.#batch.push(record.value) >= 1024) this.#send();
  }

  #send(): void {
    if (this.#batch.length === 0) return;
    this.ctx.emitToClient(this.#batch);
    this.#batch = [];
  }

  override finish(): void {
    this.#send();
  }
}
