// Public surface of the functions layer: user-function contracts, contexts, sources and sinks.

export {
  AbstractRichFunction,
  BroadcastProcessFunction,
  type CoFlatMapFunction,
  type CoMapFunction,
  CoProcessFunction,
  type FilterFunction,
  type FlatMapFunction,
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
export type { Sink, SinkInitContext, SinkWriter, SinkWriterContext } from './sink.ts';
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
