// Turns a job's configuration into what the runtime needs: the settings every task gets and the
// JobMaster's fault-tolerance options (checkpointing, restart strategy, restore point).

import { defaultCheckpointBase, type RestartStrategy, storagePath } from '../checkpoint/index.ts';
import { type Configuration, CoreOptions, IllegalArgumentError } from '../core/index.ts';
import type { TaskSettings } from '../runtime/index.ts';
import type { JobOptions } from './job-master.ts';

/** The restart strategy a configuration asks for (Flink's default: none without checkpointing). */
export function restartStrategyFrom(conf: Configuration): RestartStrategy {
  let kind = conf.get(CoreOptions.RESTART_STRATEGY);
  if (kind === 'default')
    kind = conf.get(CoreOptions.CHECKPOINTING_INTERVAL) > 0 ? 'exponential-delay' : 'none';
  switch (kind) {
    case 'none':
      return { kind: 'none' };
    case 'fixed-delay':
      return {
        kind: 'fixed-delay',
        attempts: conf.get(CoreOptions.RESTART_ATTEMPTS),
        delay: conf.get(CoreOptions.RESTART_DELAY),
      };
    case 'exponential-delay':
      return {
        kind: 'exponential-delay',
        initialBackoff: conf.get(CoreOptions.RESTART_INITIAL_BACKOFF),
        maxBackoff: conf.get(CoreOptions.RESTART_MAX_BACKOFF),
        multiplier: conf.get(CoreOptions.RESTART_BACKOFF_MULTIPLIER),
        resetThreshold: conf.get(CoreOptions.RESTART_RESET_THRESHOLD),
        jitter: conf.get(CoreOptions.RESTART_JITTER),
        attempts: conf.get(CoreOptions.RESTART_EXP_ATTEMPTS),
      };
    case 'failure-rate':
      return {
        kind: 'failure-rate',
        maxFailures: conf.get(CoreOptions.RESTART_FAILURE_RATE_MAX),
        interval: conf.get(CoreOptions.RESTART_FAILURE_RATE_INTERVAL),
        delay: conf.get(CoreOptions.RESTART_FAILURE_RATE_DELAY),
      };
    default: {
      const never: never = kind;
      return never;
    }
  }
}

/** Settings of every task of a job. */
export function taskSettingsFrom(
  conf: Configuration,
  overrides: { bufferTimeout?: number; autoWatermarkInterval?: number } = {},
): TaskSettings {
  const backendDir = conf.get(CoreOptions.STATE_BACKEND_DIR);
  return {
    bufferTimeout: overrides.bufferTimeout ?? conf.get(CoreOptions.BUFFER_TIMEOUT),
    bufferSize: conf.get(CoreOptions.BUFFER_SIZE),
    creditsPerChannel: conf.get(CoreOptions.CREDITS_PER_CHANNEL),
    autoWatermarkInterval: overrides.autoWatermarkInterval ?? conf.get(CoreOptions.AUTO_WATERMARK_INTERVAL),
    checkpointingEnabled: conf.get(CoreOptions.CHECKPOINTING_INTERVAL) > 0,
    checkpointMode: conf.get(CoreOptions.CHECKPOINTING_MODE),
    unalignedCheckpoints: conf.get(CoreOptions.CHECKPOINTING_UNALIGNED),
    alignedCheckpointTimeout: conf.get(CoreOptions.CHECKPOINTING_ALIGNED_TIMEOUT),
    stateBackend: conf.get(CoreOptions.STATE_BACKEND),
    stateBackendOptions: backendDir === '' ? {} : { dir: backendDir },
  };
}

/** Fault-tolerance options of a job; fails on settings this engine does not support. */
export function jobOptionsFrom(conf: Configuration): JobOptions {
  if (
    conf.get(CoreOptions.CHECKPOINTING_UNALIGNED) &&
    conf.get(CoreOptions.CHECKPOINTING_MODE) === 'AT_LEAST_ONCE'
  ) {
    throw new IllegalArgumentError(
      'execution.checkpointing.unaligned.enabled: unaligned checkpoints are only supported with ' +
        'execution.checkpointing.mode EXACTLY_ONCE (AT_LEAST_ONCE does not align barriers at all); ' +
        'turn one of them off',
    );
  }
  const dir = conf.get(CoreOptions.CHECKPOINTS_DIRECTORY);
  const savepointDir = conf.get(CoreOptions.SAVEPOINT_DIRECTORY);
  const restorePath = conf.get(CoreOptions.SAVEPOINT_PATH);
  return {
    checkpointing: {
      settings: {
        interval: conf.get(CoreOptions.CHECKPOINTING_INTERVAL),
        timeout: conf.get(CoreOptions.CHECKPOINTING_TIMEOUT),
        minPause: conf.get(CoreOptions.CHECKPOINTING_MIN_PAUSE),
        maxConcurrent: conf.get(CoreOptions.CHECKPOINTING_MAX_CONCURRENT),
        tolerableFailures: conf.get(CoreOptions.CHECKPOINTING_TOLERABLE_FAILURES),
        retained: conf.get(CoreOptions.CHECKPOINTS_RETAINED),
      },
      baseDir: dir === '' ? defaultCheckpointBase() : storagePath(dir),
      retainOnCancellation: conf.get(CoreOptions.CHECKPOINTING_RETENTION) === 'RETAIN_ON_CANCELLATION',
    },
    restartStrategy: restartStrategyFrom(conf),
    ...(restorePath === ''
      ? {}
      : {
          restoreFrom: {
            path: storagePath(restorePath),
            allowNonRestoredState: conf.get(CoreOptions.SAVEPOINT_IGNORE_UNCLAIMED),
          },
        }),
    ...(savepointDir === '' ? {} : { savepointDir: storagePath(savepointDir) }),
  };
}
