// Public surface of the Nexmark generator: the event model, the config, the generator and the
// splits parallel sources read, and the source. Everything else in this folder is internal.
export { CHANNELS_NUMBER, HOT_CHANNELS } from './nexmark-channel-table.ts';
export {
  DEFAULT_NEXMARK_BASE_TIME,
  DEFAULT_NEXMARK_CONFIG,
  type NexmarkConfig,
  type NexmarkOptions,
  resolveNexmarkConfig,
} from './nexmark-config.ts';
export {
  type Auction,
  type Bid,
  type NexmarkEvent,
  type NexmarkEventType,
  nexmarkEventTime,
  type Person,
} from './nexmark-event.ts';
export {
  createNexmarkGenerator,
  FIRST_AUCTION_ID,
  FIRST_CATEGORY_ID,
  FIRST_PERSON_ID,
  generateEvents,
  type NexmarkGenerator,
  NUM_CATEGORIES,
} from './nexmark-generator.ts';
export {
  type NexmarkEnumeratorState,
  NexmarkSource,
  type NexmarkSourceOptions,
  type NexmarkSourceSplit,
} from './nexmark-source.ts';
export { type NexmarkSplit, splitEventRange } from './nexmark-split.ts';
