// Keeps the elements of the last N ms of a window, relative to its newest element.
import { type Evictor, type EvictorContext, removeWhere, type TimestampedValue } from './evictor.ts';
import type { Window } from './window.ts';
import { checkMillis } from './window-assigner.ts';

/**
 * Evicts the elements whose timestamp is at most `max timestamp in the window - windowSize`
 * (windows without timestamps are left alone).
 *
 * @example
 * stream.keyBy((e) => e.user).window(GlobalWindows.create()).evictor(TimeEvictor.of(60_000)).trigger(CountTrigger.of(10));
 */
export class TimeEvictor implements Evictor<unknown, Window> {
  readonly #windowSize: number;
  readonly #after: boolean;
  private constructor(windowSize: number, after: boolean) {
    this.#windowSize = windowSize;
    this.#after = after;
  }

  /** Keeps the elements of the last `windowSize` ms. */
  static of(windowSize: number, doEvictAfter = false): TimeEvictor {
    checkMillis('TimeEvictor.of()', 'windowSize', windowSize, 0);
    return new TimeEvictor(windowSize, doEvictAfter);
  }

  evictBefore(
    elements: TimestampedValue<unknown>[],
    _size: number,
    _window: Window,
    _ctx: EvictorContext,
  ): void {
    if (!this.#after) this.#evict(elements);
  }

  evictAfter(
    elements: TimestampedValue<unknown>[],
    _size: number,
    _window: Window,
    _ctx: EvictorContext,
  ): void {
    if (this.#after) this.#evict(elements);
  }

  #evict(elements: TimestampedValue<unknown>[]): void {
    if (elements.length === 0 || elements[0]!.timestamp === undefined) return;
    let max = Number.NEGATIVE_INFINITY;
    for (const e of elements) if (e.timestamp !== undefined && e.timestamp > max) max = e.timestamp;
    const cutoff = max - this.#windowSize;
    removeWhere(elements, (e) => e.timestamp !== undefined && e.timestamp <= cutoff);
  }

  toString(): string {
    return `TimeEvictor(${this.#windowSize})`;
  }
}
