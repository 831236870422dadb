// Public surface of the checkpoint layer: the pure coordinator, restart strategies, storage and
// the task state format.
export {
  type CheckpointRecord,
  type CheckpointSettings,
  type CompletedCheckpoint,
  type CoordinatorCommand,
  type CoordinatorEvent,
  type CoordinatorState,
  coordinatorTransition,
  initialCoordinatorState,
  latestCompleted,
  type PendingCheckpoint,
  type SavepointRequest,
} from './checkpoint-coordinator.ts';
export {
  type AtomicFileWriter,
  type CheckpointMetadata,
  defaultCheckpointBase,
  directorySize,
  discardCheckpoint,
  METADATA_FILE,
  type OperatorMetadata,
  openAtomicFileWriter,
  readMetadata,
  readStateFile,
  type StateFileHandle,
  storagePath,
  writeFileAtomic,
  writeMetadata,
} from './checkpoint-storage.ts';
export {
  decideRestart,
  describeRestartStrategy,
  type RestartDecision,
  type RestartHistory,
  type RestartStrategy,
} from './restart-strategy.ts';
export { checkRestoreCompatibility, type RestoreFiles, restoreFilesFor } from './restore-assignment.ts';
export {
  appendChannelState,
  type ChannelEdgeRef,
  type ChannelStateSnapshot,
  channelStateSize,
  decodeTaskState,
  encodeTaskState,
  type InputChannelStateSnapshot,
  type OperatorListSnapshot,
  type OperatorSnapshot,
  type OutputChannelStateSnapshot,
  STATE_FORMAT_VERSION,
  type TaskStateSnapshot,
  type TimerSnapshot,
} from './task-state-snapshot.ts';
export {
  isSlicedTaskState,
  joinKeyedSlices,
  type PinnedOperatorKeyedState,
  SLICED_STATE_FORMAT_VERSION,
  type TaskStateWriteOptions,
  type TaskStateWriteResult,
  writeTaskStateFile,
} from './task-state-writer.ts';
