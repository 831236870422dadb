// One typed, validated schema of configuration options with defaults and documentation. An
// unknown key or a bad value is rejected with the key and the value named.
import { IllegalArgumentError } from './sluice-error.ts';

/** A documented, typed configuration option. */
export interface ConfigOption<T> {
  readonly key: string;
  readonly defaultValue: T;
  readonly description: string;
  /** Parses and validates a raw value (from YAML, environment or flags); throws on a bad value. */
  readonly parse: (raw: unknown) => T;
}

/** An integer option with a lower bound (shared by every configuration schema). */
export function intOption(
  key: string,
  defaultValue: number,
  min: number,
  description: string,
): ConfigOption<number> {
  return {
    key,
    defaultValue,
    description,
    parse(raw) {
      const n = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < min) {
        throw new IllegalArgumentError(
          `configuration "${key}": expected an integer >= ${min}, got ${JSON.stringify(raw)}`,
        );
      }
      return n;
    },
  };
}

/** An option taking one of a fixed set of strings. */
export function enumOption<T extends string>(
  key: string,
  defaultValue: T,
  values: readonly T[],
  description: string,
): ConfigOption<T> {
  return {
    key,
    defaultValue,
    description,
    parse(raw) {
      if (typeof raw !== 'string' || !(values as readonly string[]).includes(raw)) {
        throw new IllegalArgumentError(
          `configuration "${key}": expected one of ${values.join(', ')}, got ${JSON.stringify(raw)}`,
        );
      }
      return raw as T;
    },
  };
}

function stringOption(key: string, defaultValue: string, description: string): ConfigOption<string> {
  return {
    key,
    defaultValue,
    description,
    parse(raw) {
      if (typeof raw !== 'string') {
        throw new IllegalArgumentError(
          `configuration "${key}": expected a string, got ${JSON.stringify(raw)}`,
        );
      }
      return raw;
    },
  };
}

function boolOption(key: string, defaultValue: boolean, description: string): ConfigOption<boolean> {
  return {
    key,
    defaultValue,
    description,
    parse(raw) {
      if (raw === true || raw === 'true') return true;
      if (raw === false || raw === 'false') return false;
      throw new IllegalArgumentError(
        `configuration "${key}": expected true or false, got ${JSON.stringify(raw)}`,
      );
    },
  };
}

function numberOption(
  key: string,
  defaultValue: number,
  min: number,
  description: string,
): ConfigOption<number> {
  return {
    key,
    defaultValue,
    description,
    parse(raw) {
      const n = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
      if (typeof n !== 'number' || !Number.isFinite(n) || n < min) {
        throw new IllegalArgumentError(
          `configuration "${key}": expected a number >= ${min}, got ${JSON.stringify(raw)}`,
        );
      }
      return n;
    },
  };
}

/**
 * Every configuration option Sluice knows, by key.
 *
 * @example
 * const env = StreamExecutionEnvironment.getExecutionEnvironment({ [CoreOptions.BUFFER_TIMEOUT.key]: 10 });
 * env.getConfiguration().get(CoreOptions.DEFAULT_PARALLELISM); // 0 = number of CPU cores
 */
export const CoreOptions = {
  /** Default parallelism of operators that do not set their own. */
  DEFAULT_PARALLELISM: intOption(
    'parallelism.default',
    0,
    0,
    'Default parallelism; 0 = number of CPU cores.',
  ),
  /** Maximum parallelism (number of key groups) of keyed operators. */
  MAX_PARALLELISM: intOption(
    'pipeline.max-parallelism',
    128,
    1,
    'Number of key groups; the upper bound of rescaling. Fixed by the first run of a job.',
  ),
  /** Interval of periodic watermark emission. */
  AUTO_WATERMARK_INTERVAL: intOption(
    'pipeline.auto-watermark-interval',
    200,
    0,
    'Milliseconds between periodic watermarks; 0 disables periodic watermarks.',
  ),
  /** Buffer timeout. */
  BUFFER_TIMEOUT: intOption(
    'execution.buffer-timeout',
    100,
    0,
    'Milliseconds after which a partly filled network buffer is sent; 0 sends every record at once.',
  ),
  /** Slots of the embedded TaskManager. */
  TASK_SLOTS: intOption(
    'taskmanager.numberOfTaskSlots',
    0,
    0,
    'Task slots (worker threads) of a TaskManager; 0 = number of CPU cores (at least the job parallelism in the embedded cluster).',
  ),
  /** Credits per channel. */
  CREDITS_PER_CHANNEL: intOption(
    'taskmanager.network.credits-per-channel',
    4,
    1,
    'Buffers a receiver grants each input channel: bounds in-flight data and propagates backpressure.',
  ),
  /** Target buffer size. */
  BUFFER_SIZE: intOption(
    'taskmanager.memory.segment-size',
    32 * 1024,
    256,
    'Target size in bytes of a network buffer of serialized records.',
  ),
  /** Checkpoint interval; 0 disables checkpointing. */
  CHECKPOINTING_INTERVAL: intOption(
    'execution.checkpointing.interval',
    0,
    0,
    'Milliseconds between the starts of two checkpoints; 0 disables checkpointing.',
  ),
  CHECKPOINTING_MODE: enumOption(
    'execution.checkpointing.mode',
    'EXACTLY_ONCE',
    ['EXACTLY_ONCE', 'AT_LEAST_ONCE'] as const,
    'EXACTLY_ONCE aligns barriers of multi-input tasks; AT_LEAST_ONCE does not (replays may duplicate).',
  ),
  CHECKPOINTING_TIMEOUT: intOption(
    'execution.checkpointing.timeout',
    600_000,
    1,
    'Milliseconds after which a checkpoint in progress is aborted.',
  ),
  CHECKPOINTING_MIN_PAUSE: intOption(
    'execution.checkpointing.min-pause',
    0,
    0,
    'Minimum milliseconds between the end of one checkpoint and the start of the next.',
  ),
  CHECKPOINTING_MAX_CONCURRENT: intOption(
    'execution.checkpointing.max-concurrent-checkpoints',
    1,
    1,
    'Checkpoints that may be in progress at the same time.',
  ),
  CHECKPOINTING_TOLERABLE_FAILURES: intOption(
    'execution.checkpointing.tolerable-failed-checkpoints',
    0,
    0,
    'Consecutive checkpoint failures tolerated before the job fails over.',
  ),
  CHECKPOINTING_UNALIGNED: boolOption(
    'execution.checkpointing.unaligned.enabled',
    false,
    'Unaligned checkpoints: barriers overtake buffered data, which is stored with the checkpoint.',
  ),
  CHECKPOINTING_ALIGNED_TIMEOUT: intOption(
    'execution.checkpointing.aligned-checkpoint-timeout',
    0,
    0,
    'With unaligned checkpoints: milliseconds after a checkpoint started at which a task still aligning its barriers switches to an unaligned snapshot; 0 = unaligned from the start.',
  ),
  CHECKPOINTING_RETENTION: enumOption(
    'execution.checkpointing.externalized-checkpoint-retention',
    'DELETE_ON_CANCELLATION',
    ['DELETE_ON_CANCELLATION', 'RETAIN_ON_CANCELLATION'] as const,
    'Whether completed checkpoints are kept when the job is cancelled.',
  ),
  CHECKPOINTS_RETAINED: intOption('state.checkpoints.num-retained', 1, 1, 'Completed checkpoints kept.'),
  CHECKPOINTS_DIRECTORY: stringOption(
    'state.checkpoints.dir',
    '',
    'Directory (or file:// URI) of checkpoint storage; empty = a directory under the OS temp directory.',
  ),
  SAVEPOINT_DIRECTORY: stringOption('state.savepoints.dir', '', 'Default directory of savepoints.'),
  SAVEPOINT_PATH: stringOption(
    'execution.savepoint.path',
    '',
    'Savepoint or checkpoint to restore the job from.',
  ),
  SAVEPOINT_IGNORE_UNCLAIMED: boolOption(
    'execution.savepoint.ignore-unclaimed-state',
    false,
    'Allow a savepoint with state of operators that no longer exist (--allowNonRestoredState).',
  ),
  STATE_BACKEND: stringOption(
    'state.backend.type',
    'hashmap',
    'Keyed state backend: "hashmap" (heap) or "lmdb" (embedded, larger than memory).',
  ),
  STATE_BACKEND_DIR: stringOption(
    'state.backend.lmdb.dir',
    '',
    'Directory of the embedded backend; empty = temp directory.',
  ),
  RESTART_STRATEGY: enumOption(
    'restart-strategy.type',
    'default',
    ['default', 'none', 'fixed-delay', 'exponential-delay', 'failure-rate'] as const,
    'How failed jobs restart; "default" = none without checkpointing, exponential-delay with it.',
  ),
  RESTART_ATTEMPTS: intOption(
    'restart-strategy.fixed-delay.attempts',
    1,
    0,
    'Restart attempts of fixed-delay.',
  ),
  RESTART_DELAY: intOption(
    'restart-strategy.fixed-delay.delay',
    1000,
    0,
    'Milliseconds between fixed-delay restarts.',
  ),
  RESTART_INITIAL_BACKOFF: intOption(
    'restart-strategy.exponential-delay.initial-backoff',
    1000,
    0,
    'First delay of exponential-delay restarts (ms).',
  ),
  RESTART_MAX_BACKOFF: intOption(
    'restart-strategy.exponential-delay.max-backoff',
    60_000,
    0,
    'Largest delay of exponential-delay restarts (ms).',
  ),
  RESTART_BACKOFF_MULTIPLIER: numberOption(
    'restart-strategy.exponential-delay.backoff-multiplier',
    1.5,
    1,
    'Factor between consecutive exponential-delay restarts.',
  ),
  RESTART_RESET_THRESHOLD: intOption(
    'restart-strategy.exponential-delay.reset-backoff-threshold',
    3_600_000,
    0,
    'Milliseconds of running without failure after which the backoff starts over.',
  ),
  RESTART_JITTER: numberOption(
    'restart-strategy.exponential-delay.jitter-factor',
    0.1,
    0,
    'Random jitter added to exponential-delay restarts, as a fraction of the delay.',
  ),
  RESTART_EXP_ATTEMPTS: intOption(
    'restart-strategy.exponential-delay.attempts-before-reset-backoff',
    Number.MAX_SAFE_INTEGER,
    0,
    'Restart attempts of exponential-delay before the job fails.',
  ),
  RESTART_FAILURE_RATE_MAX: intOption(
    'restart-strategy.failure-rate.max-failures-per-interval',
    1,
    1,
    'Failures within the interval that still restart (failure-rate).',
  ),
  RESTART_FAILURE_RATE_INTERVAL: intOption(
    'restart-strategy.failure-rate.failure-rate-interval',
    60_000,
    1,
    'Interval of the failure-rate strategy (ms).',
  ),
  RESTART_FAILURE_RATE_DELAY: intOption(
    'restart-strategy.failure-rate.delay',
    1000,
    0,
    'Delay of failure-rate restarts (ms).',
  ),
  /** Where tasks run in the embedded cluster. */
  LOCAL_EXECUTION: enumOption(
    'execution.local.mode',
    'threads',
    ['threads', 'inline'] as const,
    '"threads": every slot is a worker thread that re-runs the program in plan mode; "inline": every task runs in the calling thread (debugging, unit tests).',
  ),
} as const;

/** Option type by its entry in {@link CoreOptions}. */
export type OptionValue<O> = O extends ConfigOption<infer T> ? T : never;

const OPTIONS_BY_KEY = new Map<string, ConfigOption<unknown>>(
  Object.values(CoreOptions).map((o) => [o.key, o as ConfigOption<unknown>]),
);

/**
 * A validated set of configuration values.
 *
 * @example
 * const conf = Configuration.fromMap({ 'parallelism.default': 4 });
 * conf.get(CoreOptions.DEFAULT_PARALLELISM); // 4
 */
export class Configuration {
  readonly #values = new Map<string, unknown>();
  static #globalDefaults: Readonly<Record<string, unknown>> = {};

  /**
   * Sets process-wide defaults that every new Configuration starts from (set by `sluice run -p`
   * and carried to worker threads with the job program so that plan mode sees the same values).
   */
  static setGlobalDefaults(raw: Readonly<Record<string, unknown>>): void {
    Configuration.fromMap(raw);
    Configuration.#globalDefaults = { ...raw };
  }

  /** The process-wide defaults. */
  static globalDefaults(): Readonly<Record<string, unknown>> {
    return Configuration.#globalDefaults;
  }

  constructor() {
    for (const [key, value] of Object.entries(Configuration.#globalDefaults)) {
      const option = OPTIONS_BY_KEY.get(key);
      if (option !== undefined) this.#values.set(key, option.parse(value));
    }
  }

  /** Builds a configuration from raw key/value pairs, rejecting unknown keys and bad values. */
  static fromMap(raw: Readonly<Record<string, unknown>>): Configuration {
    const conf = new Configuration();
    for (const [key, value] of Object.entries(raw)) conf.setRaw(key, value);
    return conf;
  }

  /** Sets a raw value for a key, validating both. */
  setRaw(key: string, raw: unknown): this {
    const option = OPTIONS_BY_KEY.get(key);
    if (option === undefined) {
      throw new IllegalArgumentError(
        `configuration: unknown key "${key}"; known keys: ${[...OPTIONS_BY_KEY.keys()].join(', ')}`,
      );
    }
    this.#values.set(key, option.parse(raw));
    return this;
  }

  /** Sets a typed value. */
  set<T>(option: ConfigOption<T>, value: T): this {
    this.#values.set(option.key, option.parse(value));
    return this;
  }

  /** Reads a value, or the option's default. */
  get<T>(option: ConfigOption<T>): T {
    return this.#values.has(option.key) ? (this.#values.get(option.key) as T) : option.defaultValue;
  }

  /** The explicitly set values as a plain object. */
  toMap(): Record<string, unknown> {
    return Object.fromEntries(this.#values);
  }

  /** A copy of this configuration. */
  clone(): Configuration {
    return Configuration.fromMap(this.toMap());
  }
}
