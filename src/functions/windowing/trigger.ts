// The contract of triggers: when a window is evaluated (fired) and when its contents are purged.
// Triggers see their window's timers and keyed state through a TriggerContext.
import type { StateDescriptor } from '../../state/index.ts';
import type { Window } from './window.ts';

/**
 * What a trigger decides: `CONTINUE` (nothing), `FIRE` (evaluate the window, keep its contents),
 * `PURGE` (drop the contents) or `FIRE_AND_PURGE`.
 *
 * @example
 * const result: TriggerResult = count >= 10 ? 'FIRE_AND_PURGE' : 'CONTINUE';
 */
export type TriggerResult = 'CONTINUE' | 'FIRE' | 'PURGE' | 'FIRE_AND_PURGE';

/**
 * True when the result evaluates the window.
 *
 * @example
 * isFire('FIRE_AND_PURGE'); // true
 */
export function isFire(result: TriggerResult): boolean {
  return result === 'FIRE' || result === 'FIRE_AND_PURGE';
}

/**
 * True when the result drops the window's contents.
 *
 * @example
 * isPurge('FIRE'); // false
 */
export function isPurge(result: TriggerResult): boolean {
  return result === 'PURGE' || result === 'FIRE_AND_PURGE';
}

/**
 * What a trigger may do: read time, register timers for its window, and keep state scoped to
 * the current key and window.
 *
 * @example
 * onElement(e: Click, ts: number, window: TimeWindow, ctx: TriggerContext): TriggerResult {
 *   ctx.registerEventTimeTimer(window.maxTimestamp());
 *   const seen = ctx.getPartitionedState(new ValueStateDescriptor<number>('my-trigger-seen'));
 *   seen.update((seen.value() ?? 0) + 1);
 *   return 'CONTINUE';
 * }
 */
export interface TriggerContext {
  getCurrentProcessingTime(): number;
  getCurrentWatermark(): number;
  /** Calls `onProcessingTime` with this window once the clock reaches `time`. */
  registerProcessingTimeTimer(time: number): void;
  /** Calls `onEventTime` with this window once the watermark reaches `time`. */
  registerEventTimeTimer(time: number): void;
  deleteProcessingTimeTimer(time: number): void;
  deleteEventTimeTimer(time: number): void;
  /** State of the current key and window (give it a name no other state of the job uses). */
  getPartitionedState<S>(descriptor: StateDescriptor<S>): S;
}

/**
 * The context of `onMerge`: also merges the merged windows' state into the new window.
 *
 * @example
 * onMerge(window: TimeWindow, ctx: OnMergeContext): void {
 *   ctx.mergePartitionedState(countDescriptor);
 * }
 */
export interface OnMergeContext extends TriggerContext {
  /** Merges the merged windows' values of a list, reducing or aggregating state into this window. */
  mergePartitionedState(descriptor: StateDescriptor<unknown>): void;
}

/**
 * Decides when a window is evaluated (Flink's Trigger). Implement it for custom triggers; a
 * trigger that supports merging windows (sessions) implements `canMerge()` and `onMerge()`.
 *
 * @example
 * const everyElement: Trigger<unknown, Window> = {
 *   onElement: () => 'FIRE',
 *   onEventTime: () => 'CONTINUE',
 *   onProcessingTime: () => 'CONTINUE',
 *   clear: () => {},
 *   toString: () => 'EveryElementTrigger',
 * };
 */
export interface Trigger<T, W extends Window> {
  /** Called for every element added to a window; `timestamp` is the element's event time. */
  onElement(element: T, timestamp: number, window: W, ctx: TriggerContext): TriggerResult;
  /** A processing-time timer of this window fired. */
  onProcessingTime(time: number, window: W, ctx: TriggerContext): TriggerResult;
  /** An event-time timer of this window fired. */
  onEventTime(time: number, window: W, ctx: TriggerContext): TriggerResult;
  /** True when the trigger can be used with merging windows (then `onMerge` is called). */
  canMerge?(): boolean;
  /** Windows were merged into `window`: merge trigger state and re-register timers. */
  onMerge?(window: W, ctx: OnMergeContext): void;
  /** The window is removed: delete its timers and state. */
  clear(window: W, ctx: TriggerContext): void;
  toString(): string;
}
