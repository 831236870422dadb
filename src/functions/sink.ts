// The sink contract (Flink's Sink v2 shape): a writer per subtask; two-phase commit comes with checkpoints.

/** What a sink writer sees of the current record. */
export interface SinkWriterContext {
  timestamp(): number | undefined;
  currentWatermark(): number;
}

/** Writes records of one subtask. */
export interface SinkWriter<T> {
  write(value: T, ctx: SinkWriterContext): void;
  /** Flushes buffered data; `endOfInput` is true when a bounded input ended. */
  flush(endOfInput: boolean): void | Promise<void>;
  close(): void | Promise<void>;
}

/** What a sink writer is created with. */
export interface SinkInitContext {
  getSubtaskId(): number;
  getNumberOfParallelSubtasks(): number;
  getAttemptNumber(): number;
  /** Writes text to the job's standard output (the client's console). */
  printToStdout(text: string): void;
  printToStderr(text: string): void;
}

/**
 * A sink (Flink's Sink v2 shape).
 *
 * @example
 * stream.sinkTo(FileSink.forRowFormat('/tmp/out').build());
 */
export interface Sink<T> {
  createWriter(ctx: SinkInitContext): SinkWriter<T> | Promise<SinkWriter<T>>;
}
