// The contract of window assigners: which windows an element belongs to, the default trigger,
// whether windows merge (sessions), and how windows are named in keyed state.
import { describeValue, IllegalArgumentError } from '../../core/index.ts';
import type { Trigger } from './trigger.ts';
import type { Window, WindowSerializer } from './window.ts';

/**
 * What an assigner may read: the current processing time (processing-time windows).
 *
 * @example
 * assignWindows(e: Click, ts: number, ctx: WindowAssignerContext) { const now = ctx.getCurrentProcessingTime(); }
 */
export interface WindowAssignerContext {
  getCurrentProcessingTime(): number;
}

/**
 * Assigns elements to windows (Flink's WindowAssigner). Built-ins: tumbling, sliding, session
 * and global windows; implement it for custom windows.
 *
 * @example
 * const assigner = TumblingEventTimeWindows.of(60_000);
 * assigner.assignWindows(click, 125_000, ctx); // [TimeWindow{start=120000, end=180000}]
 */
export interface WindowAssigner<T, W extends Window> {
  /**
   * The windows of an element; `timestamp` is its event time (`MIN_WATERMARK` when it has none).
   * The returned array must not be modified by the caller.
   */
  assignWindows(element: T, timestamp: number, context: WindowAssignerContext): readonly W[];
  /** The trigger used when `WindowedStream.trigger()` is not called. */
  getDefaultTrigger(): Trigger<T, W>;
  getWindowSerializer(): WindowSerializer<W>;
  /** True for event-time windows (late data and allowed lateness apply to them only). */
  isEventTime(): boolean;
  toString(): string;
}

/**
 * Called with each group of windows that merge and the window they merge into.
 *
 * @example
 * const callback: MergeCallback<TimeWindow> = (merged, result) => console.log(merged.length, result);
 */
export type MergeCallback<W> = (toBeMerged: readonly W[], mergeResult: W) => void;

/**
 * An assigner whose windows merge (session windows).
 *
 * @example
 * EventTimeSessionWindows.withGap(30_000).mergeWindows(windows, (merged, result) => {});
 */
export interface MergingWindowAssigner<T, W extends Window> extends WindowAssigner<T, W> {
  /** Finds the windows among `windows` that merge and reports each group to `callback`. */
  mergeWindows(windows: readonly W[], callback: MergeCallback<W>): void;
}

/**
 * True for assigners of merging windows.
 *
 * @example
 * isMergingWindowAssigner(EventTimeSessionWindows.withGap(1000)); // true
 */
export function isMergingWindowAssigner<T, W extends Window>(
  assigner: WindowAssigner<T, W>,
): assigner is MergingWindowAssigner<T, W> {
  return typeof (assigner as Partial<MergingWindowAssigner<T, W>>).mergeWindows === 'function';
}

/** @internal validates a duration argument of an assigner, naming the call and the value. */
export function checkMillis(call: string, what: string, value: number, min: 0 | 1): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new IllegalArgumentError(
      `${call}: ${what} must be ${min === 1 ? 'a positive' : 'a non-negative'} integer number of milliseconds, got ${describeValue(value)}`,
    );
  }
}

/** @internal validates a count argument (count triggers, evictors and windows). */
export function checkCount(call: string, what: string, value: number): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new IllegalArgumentError(
      `${call}: ${what} must be a positive integer, got ${describeValue(value)}`,
    );
  }
}

/** @internal validates an offset (Flink's rule: |offset| < the alignment unit). */
export function checkOffset(call: string, offset: number, unitName: string, unit: number): void {
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || Math.abs(offset) >= unit) {
    throw new IllegalArgumentError(
      `${call}: offset must be an integer number of milliseconds with |offset| < ${unitName} (${unit}), got ${describeValue(offset)}`,
    );
  }
}
