// Public surface of the DataStream API.

export { BroadcastConnectedStream, BroadcastStream, ConnectedStreams } from './connected-streams.ts';
export { DataStream, DataStreamSink, KeyedStream } from './data-stream.ts';
export { ExecutionConfig } from './execution-config.ts';
export { type JobClient, JobExecutionResult } from './job-client.ts';
export { StreamExecutionEnvironment } from './stream-execution-environment.ts';
