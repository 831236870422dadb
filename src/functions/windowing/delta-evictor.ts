// Evicts the elements that differ from the window's newest element by at least a threshold.
import { checkThreshold, type DeltaFunction, deltaFunction } from './delta-trigger.ts';
import { type Evictor, type EvictorContext, removeWhere, type TimestampedValue } from './evictor.ts';
import type { Window } from './window.ts';

/**
 * Evicts every element `e` with `delta(e, last) >= threshold`, where `last` is the newest element.
 *
 * @example
 * stream.keyBy((r) => r.sensor).window(GlobalWindows.create())
 *   .evictor(DeltaEvictor.of(10, (a: Reading, b: Reading) => Math.abs(a.value - b.value)))
 *   .trigger(CountTrigger.of(5));
 */
export class DeltaEvictor<T> implements Evictor<T, Window> {
  readonly #threshold: number;
  readonly #delta: (a: T, b: T) => number;
  readonly #after: boolean;

  private constructor(threshold: number, delta: (a: T, b: T) => number, after: boolean) {
    this.#threshold = threshold;
    this.#delta = delta;
    this.#after = after;
  }

  /** Evicts elements at least `threshold` away from the newest one. */
  static of<T>(threshold: number, delta: DeltaFunction<T>, doEvictAfter = false): DeltaEvictor<T> {
    checkThreshold('DeltaEvictor.of()', threshold);
    return new DeltaEvictor(threshold, deltaFunction('DeltaEvictor.of()', delta), doEvictAfter);
  }

  evictBefore(elements: TimestampedValue<T>[], _size: number, _window: Window, _ctx: EvictorContext): void {
    if (!this.#after) this.#evict(elements);
  }

  evictAfter(elements: TimestampedValue<T>[], _size: number, _window: Window, _ctx: EvictorContext): void {
    if (this.#after) this.#evict(elements);
  }

  #evict(elements: TimestampedValue<T>[]): void {
    const last = elements[elements.length - 1];
    if (last === undefined) return;
    removeWhere(elements, (e) => this.#delta(e.value, last.value) >= this.#threshold);
  }

  toString(): string {
    return `DeltaEvictor(${this.#threshold})`;
  }
}
