// Restart strategies with Flink's factory names; they write `restart-strategy.*` configuration.
import { type Configuration, CoreOptions, IllegalArgumentError } from '../core/index.ts';

/**
 * A restart strategy configuration, applied with `env.setRestartStrategy(...)`.
 *
 * @example
 * const strategy: RestartStrategyConfiguration = RestartStrategies.failureRateRestart(3, 60_000, 1_000);
 * env.setRestartStrategy(strategy);
 */
export interface RestartStrategyConfiguration {
  /** @internal writes the strategy into a configuration */
  applyTo(conf: Configuration): void;
  readonly description: string;
}

function nonNegative(what: string, v: number): void {
  if (!Number.isFinite(v) || v < 0)
    throw new IllegalArgumentError(`${what}: expected a non-negative number, got ${v}`);
}

/**
 * Factories of restart strategies (Flink's RestartStrategies).
 *
 * @example
 * env.setRestartStrategy(RestartStrategies.fixedDelayRestart(3, 1_000));
 */
export const RestartStrategies = {
  /** Never restart: the first failure fails the job. */
  noRestart(): RestartStrategyConfiguration {
    return { description: 'none', applyTo: (c) => c.set(CoreOptions.RESTART_STRATEGY, 'none') };
  },
  /** Restart up to `attempts` times, `delayMs` apart. */
  fixedDelayRestart(attempts: number, delayMs: number): RestartStrategyConfiguration {
    nonNegative('fixedDelayRestart() attempts', attempts);
    nonNegative('fixedDelayRestart() delay', delayMs);
    return {
      description: `fixed-delay(${attempts}, ${delayMs} ms)`,
      applyTo: (c) => {
        c.set(CoreOptions.RESTART_STRATEGY, 'fixed-delay');
        c.set(CoreOptions.RESTART_ATTEMPTS, attempts);
        c.set(CoreOptions.RESTART_DELAY, delayMs);
      },
    };
  },
  /** Restart with growing delays: initial × multiplier^n up to max, reset after a quiet period. */
  exponentialDelayRestart(
    initialBackoffMs: number,
    maxBackoffMs: number,
    backoffMultiplier: number,
    resetBackoffThresholdMs: number,
    jitterFactor: number,
  ): RestartStrategyConfiguration {
    nonNegative('exponentialDelayRestart() initial backoff', initialBackoffMs);
    nonNegative('exponentialDelayRestart() max backoff', maxBackoffMs);
    if (!(backoffMultiplier >= 1)) {
      throw new IllegalArgumentError(
        `exponentialDelayRestart(): multiplier must be >= 1, got ${backoffMultiplier}`,
      );
    }
    nonNegative('exponentialDelayRestart() reset threshold', resetBackoffThresholdMs);
    nonNegative('exponentialDelayRestart() jitter', jitterFactor);
    return {
      description: `exponential-delay(${initialBackoffMs}..${maxBackoffMs} ms x${backoffMultiplier})`,
      applyTo: (c) => {
        c.set(CoreOptions.RESTART_STRATEGY, 'exponential-delay');
        c.set(CoreOptions.RESTART_INITIAL_BACKOFF, initialBackoffMs);
        c.set(CoreOptions.RESTART_MAX_BACKOFF, maxBackoffMs);
        c.set(CoreOptions.RESTART_BACKOFF_MULTIPLIER, backoffMultiplier);
        c.set(CoreOptions.RESTART_RESET_THRESHOLD, resetBackoffThresholdMs);
        c.set(CoreOptions.RESTART_JITTER, jitterFactor);
      },
    };
  },
  /** Restart while at most `maxFailures` failures happen within `intervalMs`. */
  failureRateRestart(maxFailures: number, intervalMs: number, delayMs: number): RestartStrategyConfiguration {
    nonNegative('failureRateRestart() failures', maxFailures);
    nonNegative('failureRateRestart() interval', intervalMs);
    nonNegative('failureRateRestart() delay', delayMs);
    return {
      description: `failure-rate(${maxFailures} per ${intervalMs} ms)`,
      applyTo: (c) => {
        c.set(CoreOptions.RESTART_STRATEGY, 'failure-rate');
        c.set(CoreOptions.RESTART_FAILURE_RATE_MAX, maxFailures);
        c.set(CoreOptions.RESTART_FAILURE_RATE_INTERVAL, intervalMs);
        c.set(CoreOptions.RESTART_FAILURE_RATE_DELAY, delayMs);
      },
    };
  },
} as const;
