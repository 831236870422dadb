// State backends are plug-ins chosen by configuration (`state.backend.type`): each registers a
// factory under its name, and tasks create one keyed backend per keyed operator subtask.
import { IllegalArgumentError } from '../core/index.ts';
import { HeapKeyedStateBackend, type KeyedStateBackend } from './heap-keyed-state-backend.ts';
import type { KeyGroupRange } from './key-group-assignment.ts';

/** What a backend is created for. */
export interface KeyedStateBackendParameters {
  readonly maxParallelism: number;
  readonly keyGroupRange: KeyGroupRange;
  /** Processing-time clock (TTL). */
  readonly clock: () => number;
  /** Identifies the operator subtask, e.g. for a per-subtask directory of an embedded store. */
  readonly jobId: string;
  readonly operatorId: string;
  readonly subtaskIndex: number;
  /** Backend-specific options from the job configuration (e.g. a directory). */
  readonly options: Readonly<Record<string, unknown>>;
}

/** Creates keyed state backends of one kind. */
export interface StateBackendFactory {
  readonly type: string;
  create(parameters: KeyedStateBackendParameters): KeyedStateBackend;
}

const factories = new Map<string, StateBackendFactory>();

/** Registers a state backend kind (built-in: `hashmap`). */
export function registerStateBackend(factory: StateBackendFactory): void {
  factories.set(factory.type, factory);
}

/** Creates a keyed state backend of the given kind. */
export function createKeyedStateBackend(
  type: string,
  parameters: KeyedStateBackendParameters,
): KeyedStateBackend {
  const factory = factories.get(type);
  if (factory === undefined) {
    throw new IllegalArgumentError(
      `state backend "${type}" is not known; known backends: ${[...factories.keys()].join(', ')}`,
    );
  }
  return factory.create(parameters);
}

registerStateBackend({
  type: 'hashmap',
  create: (p) => new HeapKeyedStateBackend(p.maxParallelism, p.keyGroupRange, p.clock),
});
