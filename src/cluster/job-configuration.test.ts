// A job's fault-tolerance options from its configuration: Flink's default restart strategies and
// the checkpoint settings the coordinator gets.
import { describe, expect, it } from 'vitest';
import { Configuration } from '../core/index.ts';
import { jobOptionsFrom, restartStrategyFrom, taskSettingsFrom } from './job-configuration.ts';

describe('restartStrategyFrom', () => {
  it('defaults to no restarts without checkpointing', () => {
    expect(restartStrategyFrom(Configuration.fromMap({}))).toEqual({ kind: 'none' });
  });

  it('defaults to exponential delay (1 s doubling by 1.5 up to 1 min) with checkpointing', () => {
    const conf = Configuration.fromMap({ 'execution.checkpointing.interval': 1_000 });
    expect(restartStrategyFrom(conf)).toEqual({
      kind: 'exponential-delay',
      initialBackoff: 1_000,
      maxBackoff: 60_000,
      multiplier: 1.5,
      resetThreshold: 3_600_000,
      jitter: 0.1,
      attempts: Number.MAX_SAFE_INTEGER,
    });
  });

  it('an explicit strategy wins over the default', () => {
    const conf = Configuration.fromMap({
      'execution.checkpointing.interval': 1_000,
      'restart-strategy.type': 'fixed-delay',
      'restart-strategy.fixed-delay.attempts': 4,
    });
    expect(restartStrategyFrom(conf)).toEqual({ kind: 'fixed-delay', attempts: 4, delay: 1_000 });
    expect(restartStrategyFrom(Configuration.fromMap({ 'restart-strategy.type': 'none' }))).toEqual({
      kind: 'none',
    });
  });
});

describe('jobOptionsFrom', () => {
  it('maps checkpoint settings, storage, retention and the restore path', () => {
    const options = jobOptionsFrom(
      Configuration.fromMap({
        'execution.checkpointing.interval': 500,
        'execution.checkpointing.min-pause': 100,
        'execution.checkpointing.max-concurrent-checkpoints': 2,
        'execution.checkpointing.tolerable-failed-checkpoints': 3,
        'execution.checkpointing.externalized-checkpoint-retention': 'RETAIN_ON_CANCELLATION',
        'state.checkpoints.num-retained': 2,
        'state.checkpoints.dir': 'file:///var/cp',
        'execution.savepoint.path': '/sp/savepoint-1',
        'execution.savepoint.ignore-unclaimed-state': true,
      }),
    );
    expect(options.checkpointing).toEqual({
      settings: {
        interval: 500,
        timeout: 600_000,
        minPause: 100,
        maxConcurrent: 2,
        tolerableFailures: 3,
        retained: 2,
      },
      baseDir: '/var/cp',
      retainOnCancellation: true,
    });
    expect(options.restoreFrom).toEqual({ path: '/sp/savepoint-1', allowNonRestoredState: true });
  });

  it('passes unaligned checkpoints to the tasks, and refuses them with AT_LEAST_ONCE (as Flink)', () => {
    const conf = Configuration.fromMap({ 'execution.checkpointing.unaligned.enabled': true });
    expect(() => jobOptionsFrom(conf)).not.toThrow();
    expect(taskSettingsFrom(conf).unalignedCheckpoints).toBe(true);
    expect(taskSettingsFrom(Configuration.fromMap({})).unalignedCheckpoints).toBe(false);
    expect(() =>
      jobOptionsFrom(
        Configuration.fromMap({
          'execution.checkpointing.unaligned.enabled': true,
          'execution.checkpointing.mode': 'AT_LEAST_ONCE',
        }),
      ),
    ).toThrow('unaligned checkpoints are only supported with execution.checkpointing.mode EXACTLY_ONCE');
  });
});
