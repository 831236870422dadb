// The configuration of the standalone cluster's processes: one typed schema (the cluster options
// below plus every core option), read from a YAML file, then `SLUICE_*` environment variables,
// then command-line flags, each overriding the one before. Validated at start: an unknown key or
// a bad value is an error that names the key and where it came from.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import {
  type ConfigOption,
  Configuration,
  CoreOptions,
  enumOption,
  IllegalArgumentError,
  intOption,
} from '../core/index.ts';

function stringOption(key: string, defaultValue: string, description: string): ConfigOption<string> {
  return {
    key,
    defaultValue,
    description,
    parse(raw) {
      if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
      if (typeof raw !== 'string') {
        throw new IllegalArgumentError(
          `configuration "${key}": expected a string, got ${JSON.stringify(raw)}`,
        );
      }
      return raw;
    },
  };
}

/** Options of the JobManager and TaskManager processes (Flink's keys where Flink has one). */
export const ClusterOptions = {
  REST_PORT: intOption(
    'rest.port',
    8081,
    0,
    'Port of the JobManager: REST API and TaskManager RPC (an HTTP Upgrade on the same port); 0 = any free port.',
  ),
  REST_BIND_ADDRESS: stringOption(
    'rest.bind-address',
    '127.0.0.1',
    'Address the JobManager listens on; 0.0.0.0 to accept connections from other hosts.',
  ),
  REST_MAX_CONTENT_LENGTH: intOption(
    'rest.server.max-content-length',
    104_857_600,
    1024,
    'Largest request body (job bundle upload) in bytes; larger requests get 413.',
  ),
  JOBMANAGER_ADDRESS: stringOption(
    'jobmanager.rpc.address',
    '127.0.0.1',
    'Host of the JobManager that TaskManagers register with (set by --jobmanager host:port).',
  ),
  JOBMANAGER_PORT: intOption(
    'jobmanager.rpc.port',
    8081,
    1,
    "Port of the JobManager that TaskManagers register with (the JobManager's rest.port).",
  ),
  TASKMANAGER_BIND_HOST: stringOption(
    'taskmanager.bind-host',
    '127.0.0.1',
    "Address the TaskManager's data port listens on; 0.0.0.0 to accept other hosts' TaskManagers.",
  ),
  TASKMANAGER_HOST: stringOption(
    'taskmanager.host',
    '',
    'Address other TaskManagers use to reach this one; empty = bind-host, or when binding 0.0.0.0 (or ::) the local address of its connection to the JobManager.',
  ),
  TASKMANAGER_DATA_PORT: intOption(
    'taskmanager.data.port',
    0,
    0,
    'Port of the data plane (records between TaskManagers); 0 = any free port.',
  ),
  TASKMANAGER_DATA_CONNECT_TIMEOUT: intOption(
    'taskmanager.network.netty.client.connectTimeoutSec',
    10,
    1,
    'Seconds a TaskManager waits for a data link to another TaskManager that records are queued for; then the jobs using both fail over with the reason (Flink: 120).',
  ),
  TASKMANAGER_RESOURCE_ID: stringOption(
    'taskmanager.resource-id',
    '',
    'Stable id of the TaskManager; empty = host name, port and a random suffix.',
  ),
  TASKMANAGER_REGISTRATION_TIMEOUT: intOption(
    'taskmanager.registration.timeout',
    300_000,
    0,
    'Milliseconds a TaskManager keeps trying to reach the JobManager before it exits; 0 = forever.',
  ),
  HEARTBEAT_INTERVAL: intOption(
    'heartbeat.interval',
    1000,
    10,
    'Milliseconds between heartbeats of the JobManager and each TaskManager (both ways).',
  ),
  HEARTBEAT_TIMEOUT: intOption(
    'heartbeat.timeout',
    5000,
    20,
    'Milliseconds without a message after which the other side counts as lost (its tasks fail).',
  ),
  SLOT_REQUEST_TIMEOUT: intOption(
    'slot.request.timeout',
    300_000,
    1,
    'Milliseconds a job waits for enough free slots before it fails (NoResourceAvailableException).',
  ),
  PLAN_MODE_TIMEOUT: intOption(
    'jobmanager.plan-mode.timeout',
    30_000,
    1,
    'Milliseconds a submitted job program may take to reach its execute() call when the JobManager re-runs it in plan mode; one that loops or waits longer is stopped and its submission refused.',
  ),
  SCHEDULER_MODE: enumOption(
    'scheduler-mode',
    'default',
    ['default', 'reactive'] as const,
    '"reactive": a job\'s default parallelism follows the cluster\'s slots; adding or removing TaskManagers rescales running jobs through a savepoint.',
  ),
  RESOURCE_STABILIZATION_TIMEOUT: intOption(
    'jobmanager.adaptive-scheduler.resource-stabilization-timeout',
    2000,
    0,
    'Reactive mode: milliseconds the set of slots must stay unchanged before running jobs are rescaled.',
  ),
  HA_TYPE: enumOption(
    'high-availability.type',
    'none',
    ['none', 'file'] as const,
    '"file": the JobManager records its jobs in high-availability.storageDir; restarted, it runs them again from their latest checkpoints.',
  ),
  HA_STORAGE_DIR: stringOption(
    'high-availability.storageDir',
    '',
    'Directory of the job records for high-availability.type file (a shared volume if the JobManager may move).',
  ),
  SECURITY_TOKEN: stringOption(
    'security.token',
    '',
    'Shared secret: when set, REST clients, TaskManagers and data links must present it (Authorization: Bearer <token>).',
  ),
  IO_TMP_DIRS: stringOption(
    'io.tmp.dirs',
    '',
    'Directory for uploaded job bundles; empty = the OS temp directory.',
  ),
} as const;

/**
 * Flink's older names of options, read as their current keys: `high-availability: file` (Flink's
 * deprecated key of `high-availability.type`) is what many Flink configurations still say.
 */
const DEPRECATED_KEYS: ReadonlyMap<string, string> = new Map([
  ['high-availability', 'high-availability.type'],
]);

const CLUSTER_OPTIONS = new Map<string, ConfigOption<unknown>>(
  Object.values(ClusterOptions).map((o) => [o.key, o as ConfigOption<unknown>]),
);
const CORE_KEYS = new Set<string>(Object.values(CoreOptions).map((o) => o.key));

/** Every key the cluster configuration accepts: cluster options and core options. */
export function clusterConfigurationKeys(): string[] {
  return [...CLUSTER_OPTIONS.keys(), ...CORE_KEYS].sort();
}

/** The environment variable of a key: `SLUICE_` + the key upper-cased, non-alphanumerics as `_`. */
export function environmentVariableOf(key: string): string {
  return `SLUICE_${key.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/** Where the values come from; later sources override earlier ones. */
export interface ClusterConfigurationSources {
  /** Path of a YAML file (flat `a.b: v` keys or nested maps). */
  readonly file?: string | undefined;
  /** The environment (only `SLUICE_*` variables are read). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Values from command-line flags, by key. */
  readonly flags?: Readonly<Record<string, unknown>>;
}

/**
 * A validated cluster configuration.
 *
 * @example
 * const conf = ClusterConfiguration.load({ file: 'conf.yaml', env: process.env, flags: { 'rest.port': 8081 } });
 * conf.get(ClusterOptions.REST_PORT);
 */
export class ClusterConfiguration {
  readonly #values = new Map<string, unknown>();
  /** The core options (job defaults) among the values. */
  readonly core: Configuration;

  private constructor(values: Map<string, unknown>) {
    this.#values = values;
    const core: Record<string, unknown> = {};
    for (const [k, v] of values) if (CORE_KEYS.has(k)) core[k] = v;
    this.core = Configuration.fromMap(core);
    if (this.get(ClusterOptions.HA_TYPE) === 'file' && this.get(ClusterOptions.HA_STORAGE_DIR) === '') {
      throw new IllegalArgumentError(
        'configuration "high-availability.type" is file but "high-availability.storageDir" is not set',
      );
    }
    const interval = this.get(ClusterOptions.HEARTBEAT_INTERVAL);
    const timeout = this.get(ClusterOptions.HEARTBEAT_TIMEOUT);
    if (timeout <= interval) {
      throw new IllegalArgumentError(
        `configuration "heartbeat.timeout" (${timeout} ms) must be greater than "heartbeat.interval" (${interval} ms)`,
      );
    }
  }

  /** Reads and validates the sources. */
  static load(sources: ClusterConfigurationSources = {}): ClusterConfiguration {
    const values = new Map<string, unknown>();
    if (sources.file !== undefined) {
      for (const [k, v] of Object.entries(readYamlFile(sources.file))) {
        const key = DEPRECATED_KEYS.get(k) ?? k;
        values.set(key, validate(key, v, `configuration file ${sources.file}`));
      }
    }
    const byVariable = new Map(
      [...clusterConfigurationKeys(), ...DEPRECATED_KEYS.keys()].map((k) => [
        environmentVariableOf(k),
        DEPRECATED_KEYS.get(k) ?? k,
      ]),
    );
    for (const [name, raw] of Object.entries(sources.env ?? {})) {
      if (!name.startsWith('SLUICE_') || raw === undefined) continue;
      const key = byVariable.get(name);
      if (key === undefined) {
        throw new IllegalArgumentError(
          `environment variable ${name} is not a configuration key; variables are SLUICE_ + the key upper-cased ` +
            `with non-alphanumerics as _, e.g. ${environmentVariableOf('rest.port')} for rest.port`,
        );
      }
      values.set(key, validate(key, raw, `environment variable ${name}`));
    }
    for (const [k, v] of Object.entries(sources.flags ?? {})) {
      const key = DEPRECATED_KEYS.get(k) ?? k;
      if (v !== undefined) values.set(key, validate(key, v, 'command line'));
    }
    return new ClusterConfiguration(values);
  }

  /** A value, or the option's default. */
  get<T>(option: ConfigOption<T>): T {
    return this.#values.has(option.key) ? (this.#values.get(option.key) as T) : option.defaultValue;
  }

  /** Every cluster option with its effective value, and the core options that were set. */
  entries(): { key: string; value: unknown }[] {
    const out = new Map<string, unknown>();
    for (const o of CLUSTER_OPTIONS.values()) out.set(o.key, this.get(o));
    for (const [k, v] of this.#values) out.set(k, v);
    return [...out].sort(([a], [b]) => a.localeCompare(b)).map(([key, value]) => ({ key, value }));
  }
}

function validate(key: string, raw: unknown, source: string): unknown {
  try {
    const option = CLUSTER_OPTIONS.get(key);
    if (option !== undefined) return option.parse(raw);
    if (CORE_KEYS.has(key)) return Configuration.fromMap({ [key]: raw }).toMap()[key];
  } catch (e) {
    throw new IllegalArgumentError(`${source}: ${(e as Error).message}`, { cause: e });
  }
  throw new IllegalArgumentError(
    `${source}: unknown configuration key "${key}"; known keys: ${clusterConfigurationKeys().join(', ')}`,
  );
}

function readYamlFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new IllegalArgumentError(`configuration file ${path} cannot be read: ${(e as Error).message}`, {
      cause: e,
    });
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new IllegalArgumentError(`configuration file ${path} is not valid YAML: ${(e as Error).message}`, {
      cause: e,
    });
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    throw new IllegalArgumentError(
      `configuration file ${path}: expected a map of keys to values at the top level`,
    );
  }
  const flat: Record<string, unknown> = {};
  const walk = (prefix: string, node: Record<string, unknown>): void => {
    for (const [k, v] of Object.entries(node)) {
      const key = prefix === '' ? k : `${prefix}.${k}`;
      // A nested map spells a dotted key (Flink's config.yaml allows both), unless the dotted
      // prefix is itself a key.
      if (
        v !== null &&
        typeof v === 'object' &&
        !Array.isArray(v) &&
        !CLUSTER_OPTIONS.has(key) &&
        !CORE_KEYS.has(key)
      ) {
        walk(key, v as Record<string, unknown>);
      } else flat[key] = v;
    }
  };
  walk('', doc as Record<string, unknown>);
  return flat;
}
