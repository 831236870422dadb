// The contract of evictors: remove elements from a window before and/or after its function runs.
import type { Window } from './window.ts';

/**
 * An element of a window with its event timestamp (`undefined` when it has none).
 *
 * @example
 * const e: TimestampedValue<number> = { value: 42, timestamp: 1_000 };
 */
export interface TimestampedValue<T> {
  readonly value: T;
  readonly timestamp: number | undefined;
}

/**
 * What an evictor may read.
 *
 * @example
 * evictBefore(es: TimestampedValue<Reading>[], size: number, w: Window, ctx: EvictorContext) { ctx.getCurrentWatermark(); }
 */
export interface EvictorContext {
  getCurrentProcessingTime(): number;
  getCurrentWatermark(): number;
}

/**
 * Removes elements from a window when it fires (Flink's Evictor): `evictBefore` runs before the
 * window function, `evictAfter` after it. Remove elements by modifying the `elements` array in
 * place (e.g. `splice`); what remains stays in the window.
 *
 * @example
 * const keepPositive: Evictor<number, Window> = {
 *   evictBefore: (elements) => {
 *     for (let i = elements.length - 1; i >= 0; i--) if (elements[i]!.value <= 0) elements.splice(i, 1);
 *   },
 *   evictAfter: () => {},
 * };
 */
export interface Evictor<T, W extends Window> {
  evictBefore(elements: TimestampedValue<T>[], size: number, window: W, ctx: EvictorContext): void;
  evictAfter(elements: TimestampedValue<T>[], size: number, window: W, ctx: EvictorContext): void;
  toString?(): string;
}

/** @internal removes the elements matching `predicate` in place, keeping order. */
export function removeWhere<T>(elements: T[], predicate: (element: T) => boolean): void {
  let kept = 0;
  for (let i = 0; i < elements.length; i++) {
    const e = elements[i]!;
    if (!predicate(e)) elements[kept++] = e;
  }
  elements.length = kept;
}
