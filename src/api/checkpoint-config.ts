// Checkpointing settings of a job, with Flink's CheckpointConfig names; they write into the
// environment's configuration (`execution.checkpointing.*`, `state.checkpoints.*`).
import { type Configuration, CoreOptions } from '../core/index.ts';

/**
 * Whether completed checkpoints are kept when the job is cancelled.
 *
 * @example
 * env.getCheckpointConfig().setExternalizedCheckpointRetention('RETAIN_ON_CANCELLATION');
 */
export type ExternalizedCheckpointRetention = 'DELETE_ON_CANCELLATION' | 'RETAIN_ON_CANCELLATION';

/**
 * Checkpoint settings (Flink's CheckpointConfig).
 *
 * @example
 * env.enableCheckpointing(1_000);
 * env.getCheckpointConfig().setCheckpointStorage('file:///var/sluice/checkpoints');
 * env.getCheckpointConfig().setMinPauseBetweenCheckpoints(500);
 */
export class CheckpointConfig {
  readonly #conf: Configuration;

  constructor(conf: Configuration) {
    this.#conf = conf;
  }

  /** Checkpoint storage: a directory path or `file://` URI (local disk or a shared mount). */
  setCheckpointStorage(dirOrUri: string): this {
    this.#conf.set(CoreOptions.CHECKPOINTS_DIRECTORY, dirOrUri);
    return this;
  }
  getCheckpointStorage(): string {
    return this.#conf.get(CoreOptions.CHECKPOINTS_DIRECTORY);
  }

  setCheckpointInterval(intervalMs: number): this {
    this.#conf.set(CoreOptions.CHECKPOINTING_INTERVAL, intervalMs);
    return this;
  }
  getCheckpointInterval(): number {
    return this.#conf.get(CoreOptions.CHECKPOINTING_INTERVAL);
  }
  isCheckpointingEnabled(): boolean {
    return this.getCheckpointInterval() > 0;
  }

  setCheckpointingMode(mode: 'EXACTLY_ONCE' | 'AT_LEAST_ONCE'): this {
    this.#conf.set(CoreOptions.CHECKPOINTING_MODE, mode);
    return this;
  }
  getCheckpointingMode(): 'EXACTLY_ONCE' | 'AT_LEAST_ONCE' {
    return this.#conf.get(CoreOptions.CHECKPOINTING_MODE);
  }

  setMinPauseBetweenCheckpoints(ms: number): this {
    this.#conf.set(CoreOptions.CHECKPOINTING_MIN_PAUSE, ms);
    return this;
  }
  getMinPauseBetweenCheckpoints(): number {
    return this.#conf.get(CoreOptions.CHECKPOINTING_MIN_PAUSE);
  }

  setCheckpointTimeout(ms: number): this {
    this.#conf.set(CoreOptions.CHECKPOINTING_TIMEOUT, ms);
    return this;
  }
  getCheckpointTimeout(): number {
    return this.#conf.get(CoreOptions.CHECKPOINTING_TIMEOUT);
  }

  setMaxConcurrentCheckpoints(n: number): this {
    this.#conf.set(CoreOptions.CHECKPOINTING_MAX_CONCURRENT, n);
    return this;
  }
  getMaxConcurrentCheckpoints(): number {
    return this.#conf.get(CoreOptions.CHECKPOINTING_MAX_CONCURRENT);
  }

  /** Consecutive failed checkpoints tolerated before the job fails over. */
  setTolerableCheckpointFailureNumber(n: number): this {
    this.#conf.set(CoreOptions.CHECKPOINTING_TOLERABLE_FAILURES, n);
    return this;
  }
  getTolerableCheckpointFailureNumber(): number {
    return this.#conf.get(CoreOptions.CHECKPOINTING_TOLERABLE_FAILURES);
  }

  /** Completed checkpoints to keep (older ones are deleted). */
  setNumRetainedCheckpoints(n: number): this {
    this.#conf.set(CoreOptions.CHECKPOINTS_RETAINED, n);
    return this;
  }
  getNumRetainedCheckpoints(): number {
    return this.#conf.get(CoreOptions.CHECKPOINTS_RETAINED);
  }

  setExternalizedCheckpointRetention(retention: ExternalizedCheckpointRetention): this {
    this.#conf.set(CoreOptions.CHECKPOINTING_RETENTION, retention);
    return this;
  }
  getExternalizedCheckpointRetention(): ExternalizedCheckpointRetention {
    return this.#conf.get(CoreOptions.CHECKPOINTING_RETENTION);
  }

  /**
   * Unaligned checkpoints (Flink's): in EXACTLY_ONCE mode, a task snapshots at the first barrier
   * of a checkpoint and forwards it at once, overtaking the data buffered in its channels; that
   * in-flight data is stored with the checkpoint and replayed on restore. Checkpoints then complete
   * under backpressure. Savepoints stay aligned. Enabling it with AT_LEAST_ONCE fails at execute().
   *
   * @example
   * env.enableCheckpointing(1_000);
   * env.getCheckpointConfig().enableUnalignedCheckpoints();
   */
  enableUnalignedCheckpoints(enabled = true): this {
    this.#conf.set(CoreOptions.CHECKPOINTING_UNALIGNED, enabled);
    return this;
  }
  isUnalignedCheckpointsEnabled(): boolean {
    return this.#conf.get(CoreOptions.CHECKPOINTING_UNALIGNED);
  }

  /**
   * With unaligned checkpoints: each checkpoint starts aligned, and a task whose alignment is not
   * complete `ms` after the checkpoint started switches to an unaligned snapshot (Flink's
   * `execution.checkpointing.aligned-checkpoint-timeout`). 0 (the default): unaligned from the start.
   * Checkpoints without backpressure then stay aligned (no in-flight data stored); those under
   * backpressure still complete.
   *
   * @example
   * env.getCheckpointConfig().enableUnalignedCheckpoints();
   * env.getCheckpointConfig().setAlignedCheckpointTimeout(30_000);
   */
  setAlignedCheckpointTimeout(ms: number): this {
    this.#conf.set(CoreOptions.CHECKPOINTING_ALIGNED_TIMEOUT, ms);
    return this;
  }
  getAlignedCheckpointTimeout(): number {
    return this.#conf.get(CoreOptions.CHECKPOINTING_ALIGNED_TIMEOUT);
  }
}
