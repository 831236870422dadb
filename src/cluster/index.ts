// Public surface of the cluster layer: the embedded cluster, JobManager, TaskManager, protocol.

export {
  type ExecutionState,
  initialJobState,
  type JobCommand,
  type JobEvent,
  type JobLifecycleState,
  type JobStatus,
  jobTransition,
} from './job-lifecycle.ts';
export { JobManager } from './job-manager.ts';
export { JobMaster, type JobResult, type VertexStatus } from './job-master.ts';
export { MiniCluster, type MiniClusterOptions } from './mini-cluster.ts';
export { PROTOCOL_VERSION, type SlotCommand, type SlotReport } from './protocol.ts';
export { SlotRuntime } from './slot-runtime.ts';
export { defaultSlotCount, type SlotMode, TaskManager, type TaskManagerOptions } from './task-manager.ts';
