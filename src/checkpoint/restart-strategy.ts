// Restart strategies (Flink's names), as data plus a pure decision: given the failure history,
// restart after a delay or give up.

/** How a job restarts after a failure. */
export type RestartStrategy =
  | { readonly kind: 'none' }
  | { readonly kind: 'fixed-delay'; readonly attempts: number; readonly delay: number }
  | {
      readonly kind: 'exponential-delay';
      readonly initialBackoff: number;
      readonly maxBackoff: number;
      readonly multiplier: number;
      readonly resetThreshold: number;
      readonly jitter: number;
      readonly attempts: number;
    }
  | {
      readonly kind: 'failure-rate';
      readonly maxFailures: number;
      readonly interval: number;
      readonly delay: number;
    };

/**
 * A restart strategy in words, as Flink's REST API describes it (`restart-strategy` of
 * `GET /jobs/:id/config`).
 *
 * @example
 * describeRestartStrategy({ kind: 'fixed-delay', attempts: 3, delay: 10_000 });
 * // 'Restart with fixed delay (10000 ms). #3 restart attempts.'
 */
export function describeRestartStrategy(strategy: RestartStrategy): string {
  switch (strategy.kind) {
    case 'none':
      return 'Restart deactivated.';
    case 'fixed-delay':
      return `Restart with fixed delay (${strategy.delay} ms). #${strategy.attempts} restart attempts.`;
    case 'exponential-delay':
      return (
        `Restart with exponential delay: (initial backoff: ${strategy.initialBackoff} ms, max backoff: ${strategy.maxBackoff} ms, ` +
        `multiplier: ${strategy.multiplier}, reset threshold: ${strategy.resetThreshold} ms, jitter: ${strategy.jitter}, ` +
        `attempts before reset backoff: ${strategy.attempts})`
      );
    case 'failure-rate':
      return `Failure rate restart with maximum of ${strategy.maxFailures} failures within interval ${strategy.interval} ms and fixed delay ${strategy.delay} ms.`;
    default: {
      const never: never = strategy;
      return never;
    }
  }
}

/** What has happened so far. */
export interface RestartHistory {
  /** Times of failures that led to restarts (most recent last). */
  readonly failures: readonly number[];
  /** Consecutive restarts since the backoff was last reset (exponential-delay). */
  readonly attemptsSinceReset: number;
  /** When the job last (re)started running. */
  readonly lastStart: number;
}

/** The decision for a failure at `now`. */
export type RestartDecision =
  | { readonly restart: true; readonly delay: number; readonly history: RestartHistory }
  | { readonly restart: false; readonly reason: string };

/** Decides whether to restart; `random` is in [0, 1) (injected for determinism in tests). */
export function decideRestart(
  strategy: RestartStrategy,
  history: RestartHistory,
  now: number,
  random: number,
): RestartDecision {
  switch (strategy.kind) {
    case 'none':
      return { restart: false, reason: 'the restart strategy is "none"' };
    case 'fixed-delay': {
      if (history.failures.length >= strategy.attempts) {
        return {
          restart: false,
          reason: `fixed-delay restart strategy exhausted its ${strategy.attempts} attempts`,
        };
      }
      return {
        restart: true,
        delay: strategy.delay,
        history: {
          ...history,
          failures: [...history.failures, now],
          attemptsSinceReset: history.attemptsSinceReset + 1,
        },
      };
    }
    case 'exponential-delay': {
      const reset = now - history.lastStart >= strategy.resetThreshold;
      const attempts = reset ? 0 : history.attemptsSinceReset;
      if (attempts >= strategy.attempts) {
        return {
          restart: false,
          reason: `exponential-delay restart strategy exhausted its ${strategy.attempts} attempts`,
        };
      }
      const base = Math.min(strategy.maxBackoff, strategy.initialBackoff * strategy.multiplier ** attempts);
      const jitter = base * strategy.jitter * (2 * random - 1);
      return {
        restart: true,
        delay: Math.max(0, Math.round(base + jitter)),
        history: { ...history, failures: [...history.failures, now], attemptsSinceReset: attempts + 1 },
      };
    }
    case 'failure-rate': {
      const recent = history.failures.filter((t) => now - t < strategy.interval);
      if (recent.length + 1 > strategy.maxFailures) {
        return {
          restart: false,
          reason: `failure-rate restart strategy: more than ${strategy.maxFailures} failures within ${strategy.interval} ms`,
        };
      }
      return {
        restart: true,
        delay: strategy.delay,
        history: {
          ...history,
          failures: [...recent, now],
          attemptsSinceReset: history.attemptsSinceReset + 1,
        },
      };
    }
    default: {
      const never: never = strategy;
      return never;
    }
  }
}
