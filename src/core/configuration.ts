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

function intOption(
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

function enumOption<T extends string>(
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

/** Every configuration option Sluice knows, by key. */
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
