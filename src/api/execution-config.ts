// Per-job settings a program changes through env.getConfig(), as Flink's ExecutionConfig.
import { IllegalArgumentError } from '../core/index.ts';

/**
 * Execution settings of a job.
 *
 * @example
 * env.getConfig().setAutoWatermarkInterval(100);
 */
export class ExecutionConfig {
  #autoWatermarkInterval: number;

  constructor(autoWatermarkInterval: number) {
    this.#autoWatermarkInterval = autoWatermarkInterval;
  }

  /** Milliseconds between periodic watermarks (0 disables periodic watermarks). */
  setAutoWatermarkInterval(intervalMs: number): this {
    if (!Number.isInteger(intervalMs) || intervalMs < 0) {
      throw new IllegalArgumentError(
        `setAutoWatermarkInterval(): expected a non-negative integer of ms, got ${intervalMs}`,
      );
    }
    this.#autoWatermarkInterval = intervalMs;
    return this;
  }

  getAutoWatermarkInterval(): number {
    return this.#autoWatermarkInterval;
  }
}
