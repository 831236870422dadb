// Keeps at most N elements in a window, evicting from the beginning (sliding count windows).
import type { Evictor, EvictorContext, TimestampedValue } from './evictor.ts';
import type { Window } from './window.ts';
import { checkCount } from './window-assigner.ts';

/**
 * Keeps the last `maxCount` elements of a window (before the function by default, after it when
 * `doEvictAfter`).
 *
 * @example
 * stream.keyBy((e) => e.user).window(GlobalWindows.create()).evictor(CountEvictor.of(100)).trigger(CountTrigger.of(10));
 */
export class CountEvictor implements Evictor<unknown, Window> {
  readonly #maxCount: number;
  readonly #after: boolean;
  private constructor(maxCount: number, after: boolean) {
    this.#maxCount = maxCount;
    this.#after = after;
  }

  /** Keeps `maxCount` elements. */
  static of(maxCount: number, doEvictAfter = false): CountEvictor {
    checkCount('CountEvictor.of()', 'maxCount', maxCount);
    return new CountEvictor(maxCount, doEvictAfter);
  }

  evictBefore(
    elements: TimestampedValue<unknown>[],
    size: number,
    _window: Window,
    _ctx: EvictorContext,
  ): void {
    if (!this.#after) this.#evict(elements, size);
  }

  evictAfter(
    elements: TimestampedValue<unknown>[],
    size: number,
    _window: Window,
    _ctx: EvictorContext,
  ): void {
    if (this.#after) this.#evict(elements, size);
  }

  #evict(elements: TimestampedValue<unknown>[], size: number): void {
    if (size <= this.#maxCount) return;
    elements.splice(0, size - this.#maxCount);
  }

  toString(): string {
    return `CountEvictor(${this.#maxCount})`;
  }
}
