// The sink contract (Flink's Sink v2 shape): a writer per subtask; two-phase commit comes with checkpoints.

/**
 * What a sink writer sees of the current record.
 *
 * @example
 * write(value: T, ctx: SinkWriterContext) {
 *   this.#lines.push(`${ctx.timestamp() ?? '-'} ${JSON.stringify(value)}`);
 * }
 */
export interface SinkWriterContext {
  timestamp(): number | undefined;
  currentWatermark(): number;
}

/**
 * Writes records of one subtask.
 *
 * @example
 * const writer: SinkWriter<string> = {
 *   write: (value) => lines.push(value),
 *   flush: (endOfInput) => (endOfInput ? save(lines) : undefined),
 *   close: () => {},
 * };
 */
export interface SinkWriter<T> {
  write(value: T, ctx: SinkWriterContext): void;
  /** Flushes buffered data; `endOfInput` is true when a bounded input ended. */
  flush(endOfInput: boolean): void | Promise<void>;
  close(): void | Promise<void>;
}

/**
 * What a sink writer is created with.
 *
 * @example
 * createWriter(ctx: SinkInitContext) {
 *   const prefix = `subtask ${ctx.getSubtaskId() + 1}/${ctx.getNumberOfParallelSubtasks()}`;
 *   return { write: (v: string) => ctx.printToStdout(`${prefix} ${v}\n`), flush: () => {}, close: () => {} };
 * }
 */
export interface SinkInitContext {
  getSubtaskId(): number;
  getNumberOfParallelSubtasks(): number;
  getAttemptNumber(): number;
  /** Writes text to the job's standard output (the client's console). */
  printToStdout(text: string): void;
  printToStderr(text: string): void;
  /** True when the job takes checkpoints: two-phase-commit writers then commit only at checkpoints. */
  isCheckpointingEnabled(): boolean;
  /** The task's processing-time service, for writers that act on the clock (rolling idle files). */
  getProcessingTimeService(): SinkProcessingTimeService;
}

/**
 * Processing-time callbacks for a sink writer (Flink's `ProcessingTimeService` of the Sink v2
 * init context). A callback runs in the task's mailbox — between records, never during a call of
 * the writer — once the wall clock reaches its time; callbacks still pending when the input ends
 * or the task stops do not run.
 *
 * @example
 * const time = ctx.getProcessingTimeService();
 * const cancel = time.registerTimer(time.getCurrentProcessingTime() + 1_000, () => writer.rollIfIdle());
 */
export interface SinkProcessingTimeService {
  getCurrentProcessingTime(): number;
  /** Runs `callback(time)` once the clock reaches `time`; returns a function that cancels it. */
  registerTimer(time: number, callback: (time: number) => void): () => void;
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

/**
 * A writer whose output becomes visible only when a checkpoint completes (two-phase commit):
 * `prepareCommit()` is called at each checkpoint barrier and returns what is ready to commit.
 *
 * @example
 * prepareCommit(checkpointId: number): FileCommittable[] {
 *   this.#rollPartFile(); // close the current file; it becomes visible when the checkpoint completes
 *   return this.#takeClosedFiles();
 * }
 */
export interface TwoPhaseCommittingSinkWriter<T, C> extends SinkWriter<T> {
  prepareCommit(checkpointId: number): C[];
}

/**
 * Makes prepared output visible. `commit` must be idempotent: after a recovery it may run again.
 *
 * @example
 * const committer: Committer<{ pending: string; final: string }> = {
 *   commit: (files) => files.forEach((f) => existsSync(f.pending) && renameSync(f.pending, f.final)),
 * };
 */
export interface Committer<C> {
  commit(committables: C[]): void | Promise<void>;
}

/**
 * A sink with exactly-once output: writes are pre-committed at the checkpoint barrier and
 * committed once the checkpoint is complete (Flink's TwoPhaseCommittingSink).
 *
 * @example
 * stream.sinkTo(FileSink.forRowFormat('/tmp/out').build()); // FileSink is a TwoPhaseCommittingSink
 */
export interface TwoPhaseCommittingSink<T, C> extends Sink<T> {
  createWriter(
    ctx: SinkInitContext,
  ): TwoPhaseCommittingSinkWriter<T, C> | Promise<TwoPhaseCommittingSinkWriter<T, C>>;
  createCommitter(): Committer<C>;
}
