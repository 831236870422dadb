// The stream elements that flow through operators and channels: records (with an optional event
// timestamp and a row kind for changelogs) and the in-band events that travel in order with them.

/**
 * The change a record stands for (Flink's RowKind): `+I` insert, `-U` update-before,
 * `+U` update-after, `-D` delete. DataStream records are `+I`.
 *
 * @example
 * const kind: RowKind = '+I'; // every DataStream record is an insert
 */
export type RowKind = '+I' | '-U' | '+U' | '-D';

/** Numeric row kinds used on the wire and inside operators. */
export const ROW_KIND_CODES: Readonly<Record<RowKind, number>> = { '+I': 0, '-U': 1, '+U': 2, '-D': 3 };
/** Row kind by numeric code. */
export const ROW_KINDS: readonly RowKind[] = ['+I', '-U', '+U', '-D'];

/**
 * Smallest watermark: nothing is known about event time yet.
 *
 * @example
 * if (ctx.timerService().currentWatermark() === MIN_WATERMARK) return; // no watermark yet
 */
export const MIN_WATERMARK = Number.MIN_SAFE_INTEGER;
/**
 * Largest watermark: emitted at the end of a bounded input so every event-time timer fires.
 *
 * @example
 * if (ctx.timerService().currentWatermark() === MAX_WATERMARK) out.collect('input ended');
 */
export const MAX_WATERMARK = Number.MAX_SAFE_INTEGER;

/**
 * A record travelling through a chain of operators. Instances are reused by the emitting operator:
 * a receiving operator reads `value`, `timestamp` and `kind` and must not keep the record itself.
 */
export class StreamRecord<T = unknown> {
  value: T;
  /** Event timestamp in epoch milliseconds, or `undefined` when the record has none. */
  timestamp: number | undefined;
  /** Row kind code (see {@link ROW_KIND_CODES}); 0 (`+I`) for DataStream records. */
  kind: number;

  constructor(value: T, timestamp?: number, kind = 0) {
    this.value = value;
    this.timestamp = timestamp;
    this.kind = kind;
  }

  /** Replaces the value, keeping timestamp and kind; returns `this` typed for the new value. */
  replace<R>(value: R): StreamRecord<R> {
    const self = this as unknown as StreamRecord<R>;
    self.value = value;
    return self;
  }
}

/** In-band events that travel on channels in order with records. */
export type StreamEvent =
  | { readonly kind: 'watermark'; readonly timestamp: number }
  | { readonly kind: 'watermark-status'; readonly idle: boolean }
  | { readonly kind: 'end-of-partition' }
  | {
      readonly kind: 'barrier';
      readonly checkpointId: number;
      readonly timestamp: number;
      /** Savepoints are checkpoints in the stable format, triggered by the user. */
      readonly savepoint: boolean;
      /** Directory where each task writes its state for this checkpoint. */
      readonly targetDir: string;
      /**
       * Stop-with-savepoint: the job ends once this savepoint completes. Without drain
       * (`'no-drain'`), tasks then end without end-of-input processing: no final watermark, no
       * flushing, so nothing is emitted that the savepoint does not cover.
       */
      readonly stop?: 'drain' | 'no-drain';
    };

/** Event constant for the end of a subpartition. */
export const END_OF_PARTITION: StreamEvent = Object.freeze({ kind: 'end-of-partition' });
