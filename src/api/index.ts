// Public surface of the DataStream API.

export { CheckpointConfig, type ExternalizedCheckpointRetention } from './checkpoint-config.ts';
export { BroadcastConnectedStream, BroadcastStream, ConnectedStreams } from './connected-streams.ts';
export { DataStream, DataStreamSink, KeyedStream } from './data-stream.ts';
export { ExecutionConfig } from './execution-config.ts';
export { type JobClient, JobExecutionResult, jobResultError } from './job-client.ts';
export {
  type PipelineExecutor,
  type PipelineSubmission,
  pipelineExecutor,
  setPipelineExecutor,
} from './pipeline-executor.ts';
export { RestartStrategies, type RestartStrategyConfiguration } from './restart-strategies.ts';
export { EmbeddedLmdbStateBackend, HashMapStateBackend, type StateBackend } from './state-backends.ts';
export { StreamExecutionEnvironment } from './stream-execution-environment.ts';
