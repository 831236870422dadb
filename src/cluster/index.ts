// Public surface of the cluster layer: the embedded cluster, JobManager, TaskManager, protocol.

export {
  ClusterConfiguration,
  type ClusterConfigurationSources,
  ClusterOptions,
  clusterConfigurationKeys,
  environmentVariableOf,
} from './cluster-configuration.ts';
export { DataPlane, type DataPlaneOptions } from './data-plane.ts';
export { Dispatcher, NotFoundError, type RunJarRequest, type UploadedJar } from './dispatcher.ts';
export { FileJobStore, latestCheckpointOf, type StoredJob } from './file-job-store.ts';
export { FrameDecoder, type FrameHandler, FrameType, FrameWriter } from './frame-codec.ts';
export { HeartbeatMonitor } from './heartbeat-monitor.ts';
export { engineModuleUrl, JobBundleStore, linkJobBundle } from './job-bundle-store.ts';
export { type CheckpointingHooks, JobCheckpointing } from './job-checkpointing.ts';
export { jobOptionsFrom, restartStrategyFrom, taskSettingsFrom } from './job-configuration.ts';
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
export type { SubtaskStatus } from './job-master.ts';
export { JobMaster, type JobOptions, type JobResult, type VertexStatus } from './job-master.ts';
export { MiniCluster, type MiniClusterOptions } from './mini-cluster.ts';
export type { TaskMetricsSample } from './protocol.ts';
export { PROTOCOL_VERSION, type SlotCommand, type SlotReport } from './protocol.ts';
export { bearerToken, ResourceManager, type TaskManagerInfo, tokenMatches } from './resource-manager.ts';
export { RPC_UPGRADE_PATH } from './rpc-messages.ts';
export { SlotRuntime } from './slot-runtime.ts';
export {
  defaultSlotCount,
  type RemoteNetworkMessage,
  type SlotMode,
  TaskManager,
  type TaskManagerOptions,
} from './task-manager.ts';
export type { AllocatedSlot, TaskManagerGateway } from './task-manager-gateway.ts';
export { RegistrationRefusedError, TaskManagerRunner } from './task-manager-runner.ts';
