// Public surface of the state layer: key groups, descriptors, state interfaces and backends.

export {
  HeapKeyedStateBackend,
  type InternalKvState,
  type InternalMergingState,
  type KeyedStateBackend,
  type KeyedStateSnapshot,
  type KeyedStateSnapshotSlice,
  type PinnedKeyedStateSnapshot,
  readPinnedSnapshot,
  VOID_NAMESPACE,
} from './heap-keyed-state-backend.ts';
export {
  assignToKeyGroup,
  computeOperatorIndexForKeyGroup,
  hashKey,
  type Key,
  type KeyGroupRange,
  keyGroupRangeForOperator,
  normalizeKey,
} from './key-group-assignment.ts';
export {
  createLmdbKeyedStateBackend,
  type LmdbKeyedStateBackend,
  type LmdbKeyedStateBackendOptions,
  type LmdbStateBackendOptions,
} from './lmdb-keyed-state-backend.ts';
export {
  type BroadcastState,
  OperatorStateStore,
  type OperatorStateStoreSnapshot,
  type ReadOnlyBroadcastState,
} from './operator-state-store.ts';
export {
  createKeyedStateBackend,
  type KeyedStateBackendParameters,
  registerStateBackend,
  type StateBackendFactory,
} from './state-backend-registry.ts';
export {
  type AggregateFunction,
  type AggregatingState,
  AggregatingStateDescriptor,
  type ListState,
  ListStateDescriptor,
  type MapState,
  MapStateDescriptor,
  type ReduceFunction,
  type ReducingState,
  ReducingStateDescriptor,
  StateDescriptor,
  type StateKind,
  type ValueState,
  ValueStateDescriptor,
} from './state-descriptor.ts';
export {
  StateTtlConfig,
  type StateTtlConfigBuilder,
  type TtlStateVisibility,
  type TtlUpdateType,
} from './state-ttl-config.ts';
