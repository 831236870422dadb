// Public surface of the connectors layer: built-in sources and sinks.

export { BlackholeSink } from './blackhole/blackhole-sink.ts';
export { IterableSource, type IterableSplit } from './collection/iterable-source.ts';
export {
  type DataGeneratorOptions,
  DataGeneratorSource,
  type GeneratorSplit,
} from './datagen/data-generator-source.ts';
export {
  defaultRowEncoder,
  FileSink,
  type RollingPolicy,
  type RowEncoder,
  RowFormatBuilder,
} from './file/file-sink.ts';
export { FileSource, type FileSourceSplit, listFiles } from './file/file-source.ts';
export {
  type Auction,
  type Bid,
  CHANNELS_NUMBER,
  createNexmarkGenerator,
  DEFAULT_NEXMARK_BASE_TIME,
  DEFAULT_NEXMARK_CONFIG,
  FIRST_AUCTION_ID,
  FIRST_CATEGORY_ID,
  FIRST_PERSON_ID,
  generateEvents,
  HOT_CHANNELS,
  type NexmarkConfig,
  type NexmarkEnumeratorState,
  type NexmarkEvent,
  type NexmarkEventType,
  type NexmarkGenerator,
  type NexmarkOptions,
  NexmarkSource,
  type NexmarkSourceOptions,
  type NexmarkSourceSplit,
  type NexmarkSplit,
  NUM_CATEGORIES,
  nexmarkEventTime,
  type Person,
  resolveNexmarkConfig,
  splitEventRange,
} from './nexmark/index.ts';
export { formatForPrint, PrintSink } from './print/print-sink.ts';
export { NumberSequenceSource, type NumberSequenceSplit } from './sequence/number-sequence-source.ts';
export {
  type BatchCursor,
  type IteratorCursor,
  IteratorSourceReader,
  type SplitCursor,
} from './source-base/iterator-source-reader.ts';
export { StaticSplitEnumerator } from './source-base/static-split-enumerator.ts';
