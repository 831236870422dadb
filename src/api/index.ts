// Public surface of the DataStream API.

export { AllWindowedStream } from './all-windowed-stream.ts';
export { CheckpointConfig, type ExternalizedCheckpointRetention } from './checkpoint-config.ts';
export { CoGroupedStreams, JoinedStreams, type TaggedUnion } from './co-grouped-streams.ts';
export { BroadcastConnectedStream, BroadcastStream, ConnectedStreams } from './connected-streams.ts';
export { DataStream, DataStreamSink, KeyedStream } from './data-stream.ts';
export { ExecutionConfig } from './execution-config.ts';
export { IntervalJoin, IntervalJoined } from './interval-join.ts';
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
export { WindowedStream } from './windowed-stream.ts';
