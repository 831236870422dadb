// State backend choices with Flink-like names; they write `state.backend.*` configuration.
import { type Configuration, CoreOptions } from '../core/index.ts';

/**
 * A state backend choice for `env.setStateBackend(...)`.
 *
 * @example
 * env.setStateBackend(new EmbeddedLmdbStateBackend({ dir: '/var/lib/sluice/state' }));
 */
export interface StateBackend {
  /** @internal writes the choice into a configuration */
  applyTo(conf: Configuration): void;
  readonly type: string;
}

/**
 * Keyed state in JS Maps on the heap (the default): fastest, bounded by memory.
 *
 * @example
 * env.setStateBackend(new HashMapStateBackend());
 */
export class HashMapStateBackend implements StateBackend {
  readonly type = 'hashmap';
  applyTo(conf: Configuration): void {
    conf.set(CoreOptions.STATE_BACKEND, 'hashmap');
  }
}

/**
 * Keyed state in an embedded LMDB store on local disk: state larger than memory.
 *
 * @example
 * env.setStateBackend(new EmbeddedLmdbStateBackend({ dir: '/var/sluice/state' }));
 */
export class EmbeddedLmdbStateBackend implements StateBackend {
  readonly type = 'lmdb';
  readonly #dir: string;
  constructor(options: { dir?: string } = {}) {
    this.#dir = options.dir ?? '';
  }
  applyTo(conf: Configuration): void {
    conf.set(CoreOptions.STATE_BACKEND, 'lmdb');
    conf.set(CoreOptions.STATE_BACKEND_DIR, this.#dir);
  }
}
