// The `nexmark` source: the generator as a split-based, checkpointable source. Splits are ranges of
// event numbers (events are a function of their number), read in parallel and resumed from `next`.
import { IllegalArgumentError } from '../../core/index.ts';
import type {
  Boundedness,
  InputStatus,
  ReaderOutput,
  Source,
  SourceReader,
  SourceReaderContext,
  SourceSplit,
  SplitEnumerator,
  SplitEnumeratorContext,
} from '../../functions/index.ts';
import { type NexmarkConfig, type NexmarkOptions, resolveNexmarkConfig } from './nexmark-config.ts';
import type { NexmarkEvent } from './nexmark-event.ts';
import { createNexmarkGenerator, type NexmarkGenerator } from './nexmark-generator.ts';
import { eventRangeOfSplit } from './nexmark-split.ts';

/** Events a reader emits per poll: large enough to amortize the poll, small enough to yield often. */
const BATCH = 512;
/** Default events per split: ~20 ms of generation, so parallel readers advance in event time together. */
const DEFAULT_SPLIT_SIZE = 50_000;
/**
 * Default split under a rate limit: 10 ms of the schedule. Splits are due one after another, so a
 * reader whose split is not due yet emits nothing and holds back the job's watermark; short
 * splits keep the readers taking turns within milliseconds.
 */
const PACED_SPLIT_MS = 10;

/**
 * A range of event numbers `[from, to)` with its read position `next`: plain data, checkpointed
 * as is and resumed exactly (event `n` depends only on the config and `n`).
 *
 * @example
 * ```ts
 * import type { NexmarkSourceSplit } from './nexmark-source.ts';
 * const split: NexmarkSourceSplit = { splitId: 'nexmark-0-of-4', from: 0, to: 250, next: 100 };
 * ```
 */
export interface NexmarkSourceSplit extends SourceSplit {
  readonly from: number;
  readonly to: number;
  /** First event number not yet emitted (`from <= next <= to`). */
  next: number;
  /**
   * With a rate limit: epoch milliseconds at which event 0 was due, so that a restored split keeps
   * the schedule it started with. Absent without a rate limit.
   */
  readonly startTime?: number;
}

/**
 * The enumerator's checkpoint: splits handed back and not yet reassigned, and the next range to
 * cut. Ranges are cut on request, so the state stays small however many splits a stream has.
 */
export interface NexmarkEnumeratorState {
  readonly remaining: NexmarkSourceSplit[];
  /** Index of the next range to cut. */
  readonly nextIndex: number;
  readonly startTime: number | undefined;
  /**
   * Bounded streams: the number of ranges `splitEventRange(numEvents, splitCount)` divides the
   * stream into. Absent in checkpoints of versions that listed every split in `remaining`.
   */
  readonly splitCount?: number;
}

/**
 * Options of a {@link NexmarkSource}: the generator's options (see `NexmarkConfig`) plus how the
 * source reads them.
 */
export type NexmarkSourceOptions = NexmarkOptions & {
  /**
   * Rate limit over all parallel readers together: event `n` is not emitted before
   * `startTime + n * 1000 / eventsPerSecond`. Default: as fast as possible.
   */
  readonly eventsPerSecond?: number | undefined;
  /**
   * With `eventsPerSecond`: the epoch milliseconds at which event 0 is due. Default: when the job's
   * split enumerator starts. Setting it to `baseTime` with `firstEventRate = eventsPerSecond`
   * replays events in real time (event time = the wall-clock time the event was due).
   */
  readonly startTime?: number | undefined;
  /**
   * Events per split (readers take splits one after another). Default 50 000; with
   * `eventsPerSecond`, 10 ms of events (at least 100).
   */
  readonly splitSize?: number | undefined;
};

/**
 * A parallel, checkpointable source of Nexmark events (persons, auctions and bids). Each event is
 * emitted with its `dateTime` as the record timestamp, so
 * `WatermarkStrategy.forMonotonousTimestamps()` (or `forBoundedOutOfOrderness(..)` when
 * `outOfOrderGroupSize > 1`) is all a job needs for event time. Splits are contiguous ranges of
 * event numbers handed out in ascending order on request, so every reader's timestamps only grow;
 * the stream is the same for any parallelism. `numEvents: 0` makes the source unbounded.
 *
 * @example
 * ```ts
 * import { NexmarkSource, StreamExecutionEnvironment, WatermarkStrategy } from 'sluice';
 * const env = StreamExecutionEnvironment.getExecutionEnvironment();
 * env
 *   .fromSource(
 *     new NexmarkSource({ numEvents: 1_000_000, eventsPerSecond: 100_000 }),
 *     WatermarkStrategy.forMonotonousTimestamps(),
 *     'nexmark',
 *   )
 *   .filter((e) => e.type === 'bid')
 *   .print();
 * ```
 */
export class NexmarkSource implements Source<NexmarkEvent, NexmarkSourceSplit, NexmarkEnumeratorState> {
  /** The resolved generator config (validated and frozen). */
  readonly config: NexmarkConfig;
  readonly #rate: number | undefined;
  readonly #startTime: number | undefined;
  readonly #splitSize: number;

  /** @throws IllegalArgumentError for unknown options or bad values, naming them */
  constructor(options: NexmarkSourceOptions = {}) {
    const { eventsPerSecond, startTime, splitSize, ...generatorOptions } = options;
    try {
      this.config = resolveNexmarkConfig(generatorOptions);
    } catch (e) {
      throw new IllegalArgumentError(`NexmarkSource: ${(e as Error).message}`, { cause: e });
    }
    if (eventsPerSecond !== undefined && !(Number.isFinite(eventsPerSecond) && eventsPerSecond > 0)) {
      throw new IllegalArgumentError(
        `NexmarkSource: eventsPerSecond must be a positive number, got ${String(eventsPerSecond)}`,
      );
    }
    if (startTime !== undefined && !Number.isFinite(startTime)) {
      throw new IllegalArgumentError(`NexmarkSource: startTime must be epoch milliseconds, got ${startTime}`);
    }
    if (splitSize !== undefined && !(Number.isSafeInteger(splitSize) && splitSize > 0)) {
      throw new IllegalArgumentError(`NexmarkSource: splitSize must be a positive integer, got ${splitSize}`);
    }
    this.#rate = eventsPerSecond;
    this.#startTime = startTime;
    this.#splitSize =
      splitSize ??
      (eventsPerSecond === undefined
        ? DEFAULT_SPLIT_SIZE
        : Math.max(100, Math.round((eventsPerSecond * PACED_SPLIT_MS) / 1000)));
  }

  getBoundedness(): Boundedness {
    return this.config.numEvents > 0 ? 'BOUNDED' : 'CONTINUOUS_UNBOUNDED';
  }

  createEnumerator(
    ctx: SplitEnumeratorContext<NexmarkSourceSplit>,
  ): SplitEnumerator<NexmarkSourceSplit, NexmarkEnumeratorState> {
    const startTime = this.#rate === undefined ? undefined : (this.#startTime ?? Date.now());
    const total = this.config.numEvents;
    const state: NexmarkEnumeratorState = { remaining: [], nextIndex: 0, startTime };
    if (total === 0) return new NexmarkSplitEnumerator(ctx, state, total, this.#splitSize);
    // At least one split per reader: the ranges of splitEventRange(total, splitCount), cut on request.
    const splitCount = Math.max(ctx.currentParallelism(), Math.ceil(total / this.#splitSize));
    return new NexmarkSplitEnumerator(ctx, { ...state, splitCount }, total, this.#splitSize);
  }

  restoreEnumerator(
    ctx: SplitEnumeratorContext<NexmarkSourceSplit>,
    checkpoint: NexmarkEnumeratorState,
  ): SplitEnumerator<NexmarkSourceSplit, NexmarkEnumeratorState> {
    return new NexmarkSplitEnumerator(ctx, checkpoint, this.config.numEvents, this.#splitSize);
  }

  createReader(ctx: SourceReaderContext): SourceReader<NexmarkEvent, NexmarkSourceSplit> {
    return new NexmarkSourceReader(ctx, createNexmarkGenerator(this.config), this.#rate);
  }
}

/**
 * Hands out splits in ascending order on request (faster readers take more). Bounded: a fixed
 * list. Unbounded: ranges `[k * splitSize, (k + 1) * splitSize)` cut on demand.
 */
class NexmarkSplitEnumerator implements SplitEnumerator<NexmarkSourceSplit, NexmarkEnumeratorState> {
  readonly #ctx: SplitEnumeratorContext<NexmarkSourceSplit>;
  readonly #remaining: NexmarkSourceSplit[];
  #nextIndex: number;
  readonly #startTime: number | undefined;
  readonly #total: number;
  readonly #splitCount: number | undefined;
  readonly #splitSize: number;

  constructor(
    ctx: SplitEnumeratorContext<NexmarkSourceSplit>,
    state: NexmarkEnumeratorState,
    numEvents: number,
    splitSize: number,
  ) {
    this.#ctx = ctx;
    this.#remaining = state.remaining.map((s) => ({ ...s }));
    this.#nextIndex = state.nextIndex;
    this.#startTime = state.startTime;
    this.#total = numEvents;
    this.#splitCount = state.splitCount;
    this.#splitSize = splitSize;
  }

  start(): void {}

  handleSplitRequest(subtaskId: number): void {
    const split = this.#remaining.shift() ?? this.#cut();
    if (split === undefined) this.#ctx.signalNoMoreSplits(subtaskId);
    else this.#ctx.assignSplit(split, subtaskId);
  }

  /** The next range: `[k * splitSize, (k + 1) * splitSize)` unbounded, else range k of splitCount. */
  #cut(): NexmarkSourceSplit | undefined {
    let split: NexmarkSourceSplit;
    const k = this.#nextIndex;
    if (this.#total === 0) {
      const from = k * this.#splitSize;
      split = { splitId: `nexmark-range-${k}`, from, to: from + this.#splitSize, next: from };
    } else {
      const n = this.#splitCount;
      if (n === undefined || k >= n) return undefined;
      const s = eventRangeOfSplit(this.#total, n, k);
      // Sizes differ by at most one, so the empty ranges (more readers than events) come last.
      if (s.to === s.from) return undefined;
      split = { splitId: s.id, from: s.from, to: s.to, next: s.next };
    }
    this.#nextIndex = k + 1;
    return this.#startTime === undefined ? split : { ...split, startTime: this.#startTime };
  }

  addSplitsBack(splits: NexmarkSourceSplit[]): void {
    // Back to the front, in ascending order, so readers keep reading event numbers in order.
    this.#remaining.unshift(...[...splits].sort((a, b) => a.next - b.next));
  }

  addReader(): void {}

  snapshotState(): NexmarkEnumeratorState {
    return {
      remaining: this.#remaining.map((s) => ({ ...s })),
      nextIndex: this.#nextIndex,
      startTime: this.#startTime,
      ...(this.#splitCount === undefined ? {} : { splitCount: this.#splitCount }),
    };
  }

  close(): void {}
}

/**
 * Reads its splits one after another, emitting events in batches straight from the generator.
 * It keeps one split in reserve (requested while the current one is read), so a reader never
 * waits for the enumerator between splits.
 */
class NexmarkSourceReader implements SourceReader<NexmarkEvent, NexmarkSourceSplit> {
  readonly #ctx: SourceReaderContext;
  readonly #generator: NexmarkGenerator;
  /** Milliseconds per event under the rate limit, or 0. */
  readonly #msPerEvent: number;
  /** Assigned splits; the first is being read. */
  readonly #splits: NexmarkSourceSplit[] = [];
  #requested = false;
  #noMoreSplits = false;
  #wake: (() => void) | undefined;
  #available: Promise<void> | undefined;

  constructor(ctx: SourceReaderContext, generator: NexmarkGenerator, rate: number | undefined) {
    this.#ctx = ctx;
    this.#generator = generator;
    this.#msPerEvent = rate === undefined ? 0 : 1000 / rate;
  }

  start(): void {
    this.#request();
  }

  #request(): void {
    if (this.#requested || this.#noMoreSplits || this.#splits.length >= 2) return;
    this.#requested = true;
    this.#ctx.sendSplitRequest();
  }

  pollNext(output: ReaderOutput<NexmarkEvent>): InputStatus {
    const split = this.#splits[0];
    if (split === undefined) {
      if (this.#noMoreSplits) return 'END_OF_INPUT';
      this.#request();
      return 'NOTHING_AVAILABLE';
    }
    const from = split.next;
    let end = Math.min(split.to, from + BATCH);
    if (this.#msPerEvent > 0) {
      // Events whose due time has come: n <= (now - startTime) / msPerEvent.
      const due = Math.floor((Date.now() - (split.startTime ?? 0)) / this.#msPerEvent) + 1;
      if (due < end) end = due;
      if (end <= from) return 'NOTHING_AVAILABLE';
    }
    const generator = this.#generator;
    for (let n = from; n < end; n++) {
      const event = generator.event(n);
      output.collect(
        event,
        event.type === 'bid'
          ? event.bid.dateTime
          : event.type === 'auction'
            ? event.auction.dateTime
            : event.person.dateTime,
      );
    }
    split.next = end;
    if (end === split.to) {
      this.#splits.shift();
      this.#request();
    }
    return 'MORE_AVAILABLE';
  }

  isAvailable(): Promise<void> {
    const split = this.#splits[0];
    if (split !== undefined) {
      if (this.#msPerEvent === 0) return Promise.resolve();
      const dueAt = (split.startTime ?? 0) + split.next * this.#msPerEvent;
      const wait = Math.ceil(dueAt - Date.now());
      return wait <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, wait));
    }
    if (this.#noMoreSplits) return Promise.resolve();
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

  addSplits(splits: NexmarkSourceSplit[]): void {
    this.#requested = false;
    for (const s of splits) if (s.next < s.to) this.#splits.push({ ...s });
    // Ascending by position, so the reader's event times only grow. The enumerator hands out
    // ascending ranges, but splits restored at another parallelism arrive in any order (a reader
    // may get a later split of one old reader before an earlier one of another).
    this.#splits.sort((a, b) => a.next - b.next);
    this.#request();
    this.#signal();
  }

  notifyNoMoreSplits(): void {
    this.#noMoreSplits = true;
    this.#requested = false;
    this.#signal();
  }

  snapshotState(): NexmarkSourceSplit[] {
    return this.#splits.map((s) => ({ ...s }));
  }

  close(): void {
    this.#splits.length = 0;
    this.#signal();
  }
}
