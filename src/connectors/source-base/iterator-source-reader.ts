// A reader that asks for one split at a time and emits the records of an iterator over it, in
// batches; the base of the collection, sequence, generator and file sources.
import type {
  InputStatus,
  ReaderOutput,
  SourceReader,
  SourceReaderContext,
  SourceSplit,
} from '../../functions/index.ts';

const BATCH = 256;

/**
 * A split being read: an iterator over its records, or (faster: no iterator result per record,
 * no generator frame) a function that emits a batch of records itself.
 */
export type SplitCursor<T> = IteratorCursor<T> | BatchCursor<T>;

/** Reads a split through an iterator. */
export interface IteratorCursor<T> {
  readonly iterator: Iterator<T, unknown>;
  readonly timestampOf?: (value: T) => number | undefined;
}

/** Reads a split by emitting batches directly to the reader output. */
export interface BatchCursor<T> {
  /**
   * Emits at most `max` records to `output` and returns how many it emitted; fewer than `max`
   * means the split is exhausted. The reader calls `advance(split, n)` afterwards.
   */
  readonly emit: (output: ReaderOutput<T>, max: number) => number;
  /** Releases the cursor's resources (the reader is closed while the split is being read). */
  readonly close?: () => void;
}

/**
 * Base reader: subclasses turn a split into an iterator (and update the split's position).
 *
 * @example
 * class Reader extends IteratorSourceReader<number, MySplit> { open(split) { return { iterator: [1, 2][Symbol.iterator]() }; } }
 * class FastReader extends IteratorSourceReader<number, MySplit> {
 *   open(split) { return { emit: (out, max) => { out.collect(42); return 1 < max ? 1 : max; } }; }
 * }
 */
export abstract class IteratorSourceReader<T, S extends SourceSplit> implements SourceReader<T, S> {
  protected readonly context: SourceReaderContext;
  readonly #pending: S[] = [];
  #current: { split: S; cursor: SplitCursor<T> } | undefined;
  #noMoreSplits = false;
  #requested = false;
  #available: Promise<void> | undefined;
  #wake: (() => void) | undefined;

  constructor(context: SourceReaderContext) {
    this.context = context;
  }

  /** Opens a split for reading. */
  protected abstract open(split: S): SplitCursor<T>;
  /** Called after each record of a split is emitted: update the split's position. */
  protected advance(_split: S, _count: number): void {}
  /** The current state of a split for snapshots. */
  protected splitState(split: S): S {
    return split;
  }
  /** Limits how many records may be emitted now (rate limiting); undefined = no limit. */
  protected permits(): number | undefined {
    return undefined;
  }
  /** When `permits()` returned 0: a promise for when more may be emitted. */
  protected waitForPermits(): Promise<void> {
    return Promise.resolve();
  }

  start(): void {}

  pollNext(output: ReaderOutput<T>): InputStatus {
    let current = this.#current;
    if (current === undefined) {
      const next = this.#pending.shift();
      if (next === undefined) {
        if (this.#noMoreSplits) return 'END_OF_INPUT';
        if (!this.#requested) {
          this.#requested = true;
          this.context.sendSplitRequest();
        }
        return 'NOTHING_AVAILABLE';
      }
      current = { split: next, cursor: this.open(next) };
      this.#current = current;
    }
    let limit = BATCH;
    const permits = this.permits();
    if (permits !== undefined) {
      if (permits <= 0) return 'NOTHING_AVAILABLE';
      limit = Math.min(limit, permits);
    }
    const cursor = current.cursor;
    if ('emit' in cursor) {
      const n = cursor.emit(output, limit);
      this.advance(current.split, n);
      if (n < limit) this.#current = undefined;
      return 'MORE_AVAILABLE';
    }
    const { iterator, timestampOf } = cursor;
    let n = 0;
    for (; n < limit; n++) {
      const r = iterator.next();
      if (r.done === true) {
        this.advance(current.split, n);
        this.#current = undefined;
        return 'MORE_AVAILABLE';
      }
      const value = r.value;
      output.collect(value, timestampOf === undefined ? undefined : timestampOf(value));
    }
    this.advance(current.split, n);
    return 'MORE_AVAILABLE';
  }

  isAvailable(): Promise<void> {
    if (this.#current !== undefined && this.permits() === 0) return this.waitForPermits();
    if (this.#current !== undefined || this.#pending.length > 0 || this.#noMoreSplits)
      return Promise.resolve();
    this.#available ??= new Promise((resolve) => {
      this.#wake = resolve;
    });
    return this.#available;
  }

  #signal(): void {
    const wake = this.#wake;
    this.#available = undefined;
    this.#wake = undefined;
    wake?.();
  }

  addSplits(splits: S[]): void {
    this.#requested = false;
    this.#pending.push(...splits);
    this.#signal();
  }

  notifyNoMoreSplits(): void {
    this.#noMoreSplits = true;
    this.#signal();
  }

  snapshotState(): S[] {
    const out: S[] = [];
    if (this.#current !== undefined) out.push(this.splitState(this.#current.split));
    out.push(...this.#pending);
    return out;
  }

  close(): void {
    const current = this.#current;
    this.#current = undefined;
    if (current === undefined) return;
    if ('emit' in current.cursor) current.cursor.close?.();
    else current.cursor.iterator.return?.();
  }
}
