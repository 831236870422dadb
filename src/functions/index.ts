// Public surface of the functions layer: user-function contracts, contexts, sources and sinks.

export {
  AbstractRichFunction,
  BroadcastProcessFunction,
  type CheckpointedFunction,
  type CheckpointListener,
  type CoFlatMapFunction,
  type CoMapFunction,
  CoProcessFunction,
  type FilterFunction,
  type FlatMapFunction,
  type FunctionSnapshotContext,
  KeyedBroadcastProcessFunction,
  KeyedCoProcessFunction,
  KeyedProcessFunction,
  type KeySelector,
  type MapFunction,
  type Partitioner,
  ProcessFunction,
  type RichFunction,
} from './functions.ts';
export { OutputTag } from './output-tag.ts';
export type {
  BroadcastContext,
  Collector,
  KeyedBroadcastContext,
  OnTimerContext,
  ProcessContext,
  ReadOnlyBroadcastContext,
  RuntimeContext,
  TimerService,
} from './runtime-context.ts';
export type {
  Committer,
  Sink,
  SinkInitContext,
  SinkProcessingTimeService,
  SinkWriter,
  SinkWriterContext,
  TwoPhaseCommittingSink,
  TwoPhaseCommittingSinkWriter,
} from './sink.ts';
export type {
  Boundedness,
  InputStatus,
  ReaderOutput,
  Source,
  SourceReader,
  SourceReaderContext,
  SourceSplit,
  SplitEnumerator,
  SplitEnumeratorContext,
} from './source.ts';
export {
  type TimestampAssigner,
  type WatermarkGenerator,
  type WatermarkGeneratorContext,
  type WatermarkOutput,
  WatermarkStrategy,
} from './watermark-strategy.ts';
export { ContinuousEventTimeTrigger } from './windowing/continuous-event-time-trigger.ts';
export { ContinuousProcessingTimeTrigger } from './windowing/continuous-processing-time-trigger.ts';
export { CountEvictor } from './windowing/count-evictor.ts';
export { CountTrigger } from './windowing/count-trigger.ts';
export { DeltaEvictor } from './windowing/delta-evictor.ts';
export { type DeltaFunction, DeltaTrigger } from './windowing/delta-trigger.ts';
export { EventTimeTrigger } from './windowing/event-time-trigger.ts';
export type { Evictor, EvictorContext, TimestampedValue } from './windowing/evictor.ts';
export { GlobalWindow } from './windowing/global-window.ts';
export { GlobalWindows } from './windowing/global-window-assigner.ts';
export {
  type CoGroupFunction,
  type FlatJoinFunction,
  type JoinFunction,
  type ProcessJoinContext,
  ProcessJoinFunction,
  type ProcessJoinFunctionLike,
} from './windowing/join-functions.ts';
export { ProcessingTimeTrigger } from './windowing/processing-time-trigger.ts';
export { PurgingTrigger } from './windowing/purging-trigger.ts';
export {
  EventTimeSessionWindows,
  ProcessingTimeSessionWindows,
  type SessionWindowTimeGapExtractor,
} from './windowing/session-window-assigner.ts';
export {
  SlidingEventTimeWindows,
  SlidingProcessingTimeWindows,
} from './windowing/sliding-window-assigner.ts';
export { TimeEvictor } from './windowing/time-evictor.ts';
export { TimeWindow } from './windowing/time-window.ts';
export {
  isFire,
  isPurge,
  type OnMergeContext,
  type Trigger,
  type TriggerContext,
  type TriggerResult,
} from './windowing/trigger.ts';
export {
  TumblingEventTimeWindows,
  TumblingProcessingTimeWindows,
} from './windowing/tumbling-window-assigner.ts';
export type { Window, WindowSerializer } from './windowing/window.ts';
export {
  isMergingWindowAssigner,
  type MergeCallback,
  type MergingWindowAssigner,
  type WindowAssigner,
  type WindowAssignerContext,
} from './windowing/window-assigner.ts';
export {
  type AllWindowFunction,
  type KeyedStateStore,
  ProcessAllWindowFunction,
  type ProcessAllWindowFunctionLike,
  type ProcessWindowContext,
  ProcessWindowFunction,
  type ProcessWindowFunctionLike,
  type WindowFunction,
} from './windowing/window-functions.ts';
