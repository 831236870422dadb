// decideRestart is pure: feed it failure times and check the decisions of each strategy.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decideRestart,
  describeRestartStrategy,
  type RestartHistory,
  type RestartStrategy,
} from './restart-strategy.ts';

const fresh: RestartHistory = { failures: [], attemptsSinceReset: 0, lastStart: 0 };

/** Applies failures at the given times; returns the delays until the first refusal, and its reason. */
function failAt(strategy: RestartStrategy, times: number[], random = 0.5) {
  let history = fresh;
  const delays: number[] = [];
  for (const t of times) {
    const d = decideRestart(strategy, history, t, random);
    if (!d.restart) return { delays, refused: d.reason };
    delays.push(d.delay);
    history = { ...d.history, lastStart: t + d.delay };
  }
  return { delays, refused: undefined };
}

describe('decideRestart', () => {
  it('none never restarts', () => {
    expect(decideRestart({ kind: 'none' }, fresh, 0, 0)).toEqual({
      restart: false,
      reason: 'the restart strategy is "none"',
    });
  });

  it('fixed-delay restarts `attempts` times with its delay, then gives up', () => {
    const r = failAt({ kind: 'fixed-delay', attempts: 3, delay: 250 }, [10, 20, 30, 40, 50]);
    expect(r.delays).toEqual([250, 250, 250]);
    expect(r.refused).toBe('fixed-delay restart strategy exhausted its 3 attempts');
    expect(failAt({ kind: 'fixed-delay', attempts: 0, delay: 1 }, [1]).delays).toEqual([]);
  });

  it('failure-rate restarts while at most maxFailures fall within the interval', () => {
    const strategy: RestartStrategy = { kind: 'failure-rate', maxFailures: 2, interval: 1_000, delay: 5 };
    // Two failures within a second restart; the third within the same second does not.
    const r = failAt(strategy, [0, 500, 900]);
    expect(r.delays).toEqual([5, 5]);
    expect(r.refused).toBe('failure-rate restart strategy: more than 2 failures within 1000 ms');
    // Spread out, failures go on restarting forever.
    const spread = failAt(strategy, [0, 600, 1_200, 1_800, 2_400, 3_000]);
    expect(spread.refused).toBeUndefined();
    expect(spread.delays).toHaveLength(6);
  });

  it('exponential-delay grows the delay by the multiplier up to the maximum', () => {
    const strategy: RestartStrategy = {
      kind: 'exponential-delay',
      initialBackoff: 100,
      maxBackoff: 1_000,
      multiplier: 2,
      resetThreshold: 1_000_000,
      jitter: 0,
      attempts: 100,
    };
    expect(failAt(strategy, [1, 2, 3, 4, 5, 6]).delays).toEqual([100, 200, 400, 800, 1_000, 1_000]);
  });

  it('exponential-delay starts over after running `resetThreshold` without failure', () => {
    const strategy: RestartStrategy = {
      kind: 'exponential-delay',
      initialBackoff: 100,
      maxBackoff: 10_000,
      multiplier: 3,
      resetThreshold: 5_000,
      jitter: 0,
      attempts: 2,
    };
    let history = fresh;
    const step = (now: number) => {
      const d = decideRestart(strategy, history, now, 0.5);
      if (d.restart) history = { ...d.history, lastStart: now };
      return d;
    };
    expect(step(10)).toMatchObject({ restart: true, delay: 100 });
    expect(step(20)).toMatchObject({ restart: true, delay: 300 });
    // Attempts since the last reset are exhausted...
    expect(step(30)).toEqual({
      restart: false,
      reason: 'exponential-delay restart strategy exhausted its 2 attempts',
    });
    // ...but after a quiet period the backoff (and the count) start over.
    expect(step(20 + 5_000)).toMatchObject({ restart: true, delay: 100 });
  });

  it('exponential-delay jitter stays within ±jitter of the delay', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 0.999, noNaN: true }),
        fc.integer({ min: 0, max: 8 }),
        (random, n) => {
          const strategy: RestartStrategy = {
            kind: 'exponential-delay',
            initialBackoff: 1_000,
            maxBackoff: 60_000,
            multiplier: 1.5,
            resetThreshold: Number.MAX_SAFE_INTEGER,
            jitter: 0.1,
            attempts: 100,
          };
          const d = decideRestart(strategy, { ...fresh, attemptsSinceReset: n }, 1, random);
          if (!d.restart) return false;
          const base = Math.min(60_000, 1_000 * 1.5 ** n);
          return d.delay >= Math.floor(base * 0.9) && d.delay <= Math.ceil(base * 1.1);
        },
      ),
    );
  });
});

describe('describeRestartStrategy', () => {
  it("words every strategy with its settings, as Flink's REST API does", () => {
    expect(describeRestartStrategy({ kind: 'none' })).toBe('Restart deactivated.');
    expect(describeRestartStrategy({ kind: 'fixed-delay', attempts: 3, delay: 200 })).toBe(
      'Restart with fixed delay (200 ms). #3 restart attempts.',
    );
    expect(
      describeRestartStrategy({ kind: 'failure-rate', maxFailures: 2, interval: 60_000, delay: 10 }),
    ).toBe('Failure rate restart with maximum of 2 failures within interval 60000 ms and fixed delay 10 ms.');
    expect(
      describeRestartStrategy({
        kind: 'exponential-delay',
        initialBackoff: 1_000,
        maxBackoff: 60_000,
        multiplier: 1.5,
        resetThreshold: 3_600_000,
        jitter: 0.1,
        attempts: 2_147_483_647,
      }),
    ).toMatch(
      /^Restart with exponential delay: \(initial backoff: 1000 ms, max backoff: 60000 ms, multiplier: 1\.5,/,
    );
  });
});
