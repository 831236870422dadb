// Public surface of the runtime layer: operators, tasks, channels, timers.

export { BufferCodec, type DecodedBuffer } from './network/buffer-codec.ts';
export type {
  CreditMessage,
  DataMessage,
  NetworkMessage,
  NetworkSender,
  PriorityMessage,
} from './network/network-message.ts';
export { CoBroadcastOperator } from './operators/co-broadcast-operator.ts';
export { CoProcessOperator } from './operators/co-process-operator.ts';
export { CollectSinkOperator } from './operators/collect-sink-operator.ts';
export { IntervalJoinOperator, type IntervalJoinSpec } from './operators/interval-join-operator.ts';
export {
  type HarnessOutput,
  OperatorTestHarness,
  type OperatorTestHarnessOptions,
} from './operators/operator-test-harness.ts';
export {
  PaneSharingWindowOperator,
  type PaneSharingWindowSpec,
} from './operators/pane-sharing-window-operator.ts';
export { ProcessOperator } from './operators/process-operator.ts';
export { SinkWriterOperator } from './operators/sink-writer-operator.ts';
export {
  isSourceOperatorFactory,
  SourceOperator,
  type SourceOperatorFactory,
  sourceOperatorFactory,
} from './operators/source-operator.ts';
export { StreamFilterOperator } from './operators/stream-filter-operator.ts';
export { StreamFlatMapOperator } from './operators/stream-flat-map-operator.ts';
export { StreamGroupedReduceOperator } from './operators/stream-grouped-reduce-operator.ts';
export { StreamMapOperator } from './operators/stream-map-operator.ts';
export {
  AbstractStreamOperator,
  describeRecord,
  OneInputOperator,
  type OperatorContext,
  type OperatorEvent,
  type Output,
  operatorError,
  type StreamOperator,
  type StreamOperatorFactory,
  TimestampedCollector,
  TwoInputOperator,
} from './operators/stream-operator.ts';
export { TimestampsAndWatermarksOperator } from './operators/timestamps-and-watermarks-operator.ts';
export type { InternalWindowFunction, WindowFunctionHost } from './operators/window-function-runner.ts';
export {
  createWindowOperator,
  type WindowAggregation,
  WindowOperator,
  type WindowOperatorSpec,
} from './operators/window-operator.ts';
export { type Barrier, CheckpointBarrierHandler } from './tasks/checkpoint-barrier-handler.ts';
export {
  type CheckpointAck,
  StreamTask,
  type TaskDeployment,
  type TaskEnvironment,
  type TaskMetrics,
  type TaskMetricsSnapshot,
  type TaskRestore,
  type TaskSettings,
  type TaskState,
} from './tasks/stream-task.ts';
export {
  type InternalTimer,
  InternalTimerService,
  type Triggerable,
} from './timers/internal-timer-service.ts';
export {
  ManualProcessingTimeService,
  type ProcessingTimeService,
  SystemProcessingTimeService,
} from './timers/processing-time-service.ts';
