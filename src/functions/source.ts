// The split-based source contract (Flink's FLIP-27): an enumerator in the JobManager discovers
// splits and assigns them; readers in the tasks read them and checkpoint their positions.

/**
 * Whether a source ends.
 *
 * @example
 * source.getBoundedness() === 'BOUNDED'; // the source ends; its end emits the max watermark
 */
export type Boundedness = 'BOUNDED' | 'CONTINUOUS_UNBOUNDED';

/**
 * A unit of work of a source (a file, a range, a partition). Plain data: it crosses threads.
 *
 * @example
 * interface RangeSplit extends SourceSplit { readonly splitId: string; next: number; readonly end: number }
 */
export interface SourceSplit {
  readonly splitId: string;
}

/**
 * Result of one poll of a reader.
 *
 * @example
 * pollNext(output: ReaderOutput<number>): InputStatus {
 *   if (this.#queue.length === 0) return this.#done ? 'END_OF_INPUT' : 'NOTHING_AVAILABLE';
 *   output.collect(this.#queue.shift()!);
 *   return 'MORE_AVAILABLE';
 * }
 */
export type InputStatus = 'MORE_AVAILABLE' | 'NOTHING_AVAILABLE' | 'END_OF_INPUT';

/**
 * Where a reader emits records.
 *
 * @example
 * output.collect(event, event.time); // the timestamp is optional: a strategy's assigner may set it
 */
export interface ReaderOutput<T> {
  /** Emits a record, with the event timestamp the source knows (if any). */
  collect(value: T, timestamp?: number): void;
  /** An output whose watermark is tracked per split (Flink's per-split watermarks). */
  createOutputForSplit(splitId: string): ReaderOutput<T>;
  releaseOutputForSplit(splitId: string): void;
}

/**
 * What a reader can ask of the runtime.
 *
 * @example
 * if (this.#splits.length === 0) ctx.sendSplitRequest(); // ask the enumerator for work
 */
export interface SourceReaderContext {
  getIndexOfSubtask(): number;
  currentParallelism(): number;
  /** Asks the enumerator for a split (pull-based assignment). */
  sendSplitRequest(): void;
}

/**
 * Reads splits inside a task. `pollNext` is synchronous; readers waiting on I/O return NOTHING_AVAILABLE and resolve `isAvailable()` when data is there.
 *
 * @example
 * class LineReader implements SourceReader<string, FileSplit> {
 *   pollNext(output: ReaderOutput<string>): InputStatus { output.collect(this.#nextLine()); return 'MORE_AVAILABLE'; }
 *   // …start, isAvailable, addSplits, notifyNoMoreSplits, snapshotState, close
 * }
 */
export interface SourceReader<T, S extends SourceSplit> {
  start(): void | Promise<void>;
  pollNext(output: ReaderOutput<T>): InputStatus;
  isAvailable(): Promise<void>;
  addSplits(splits: S[]): void;
  notifyNoMoreSplits(): void;
  /** The current positions of the reader's unfinished splits. */
  snapshotState(checkpointId: number): S[];
  close(): void | Promise<void>;
}

/**
 * What an enumerator can do.
 *
 * @example
 * handleSplitRequest(subtask: number) {
 *   const split = this.#remaining.shift();
 *   if (split === undefined) this.#ctx.signalNoMoreSplits(subtask);
 *   else this.#ctx.assignSplit(split, subtask);
 * }
 */
export interface SplitEnumeratorContext<S extends SourceSplit> {
  currentParallelism(): number;
  registeredReaders(): number[];
  assignSplit(split: S, subtask: number): void;
  signalNoMoreSplits(subtask: number): void;
}

/**
 * Discovers and assigns splits, in the JobManager.
 *
 * @example
 * class RangeEnumerator implements SplitEnumerator<RangeSplit, RangeSplit[]> {
 *   handleSplitRequest(subtask: number) { … } // assign a split or signal that there are no more
 *   snapshotState(): RangeSplit[] { return [...this.#remaining]; }
 *   // …start, addSplitsBack, addReader, close
 * }
 */
export interface SplitEnumerator<S extends SourceSplit, E> {
  start(): void | Promise<void>;
  handleSplitRequest(subtaskId: number): void;
  addSplitsBack(splits: S[], subtaskId: number): void;
  addReader(subtaskId: number): void;
  snapshotState(checkpointId: number): E;
  close(): void | Promise<void>;
}

/**
 * A split-based source.
 *
 * @example
 * env.fromSource(new NumberSequenceSource(1, 100), WatermarkStrategy.noWatermarks(), 'numbers');
 */
export interface Source<T, S extends SourceSplit = SourceSplit, E = unknown> {
  getBoundedness(): Boundedness;
  createEnumerator(ctx: SplitEnumeratorContext<S>): SplitEnumerator<S, E>;
  restoreEnumerator(ctx: SplitEnumeratorContext<S>, checkpoint: E): SplitEnumerator<S, E>;
  createReader(ctx: SourceReaderContext): SourceReader<T, S>;
  /** The highest parallelism this source supports (1 for non-parallel sources). */
  readonly maxSourceParallelism?: number;
}
