// Public surface of the core layer: errors, ids, stream elements, hashing, configuration.

export {
  type ConfigOption,
  Configuration,
  CoreOptions,
  enumOption,
  intOption,
  type OptionValue,
} from './configuration.ts';
export { isJobId, type JobId, newJobId } from './ids.ts';
export { murmurHashInt, murmurHashString } from './murmur-hash.ts';
export {
  assertNever,
  describeValue,
  type ErrorOrigin,
  IllegalArgumentError,
  JobExecutionError,
  type SerializedError,
  SluiceError,
  serializeError,
  UserFunctionError,
} from './sluice-error.ts';
export {
  END_OF_PARTITION,
  MAX_WATERMARK,
  MIN_WATERMARK,
  ROW_KIND_CODES,
  ROW_KINDS,
  type RowKind,
  type StreamEvent,
  StreamRecord,
} from './stream-element.ts';
