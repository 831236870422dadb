// sinkTo(): hands every record to the sink's writer of this subtask; flushes at end of input.
import type { StreamRecord } from '../../core/index.ts';
import type { Sink, SinkWriter, SinkWriterContext } from '../../functions/index.ts';
import { OneInputOperator } from './stream-operator.ts';

/** Runs a Sink's writer. */
export class SinkWriterOperator<T> extends OneInputOperator {
  readonly #sink: Sink<T>;
  #writer!: SinkWriter<T>;
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
    this.#writer = await this.#sink.createWriter({
      getSubtaskId: () => ctx.subtaskIndex,
      getNumberOfParallelSubtasks: () => ctx.parallelism,
      getAttemptNumber: () => ctx.attemptNumber,
      printToStdout: (text) => ctx.print(text, 'stdout'),
      printToStderr: (text) => ctx.print(text, 'stderr'),
    });
  }

  processElement(record: StreamRecord): void {
    this.#timestamp = record.timestamp;
    this.#writer.write(record.value as T, this.#context);
  }

  override async finish(): Promise<void> {
    await this.#writer.flush(true);
  }

  override async close(): Promise<void> {
    await this.#writer?.close();
    await super.close();
  }
}
