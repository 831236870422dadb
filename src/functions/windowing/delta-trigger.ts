// Fires when an element differs from the last fired one by more than a threshold.
import { describeValue, IllegalArgumentError } from '../../core/index.ts';
import { type ValueState, ValueStateDescriptor } from '../../state/index.ts';
import type { Trigger, TriggerContext, TriggerResult } from './trigger.ts';
import type { Window } from './window.ts';

/**
 * The distance between two elements (DeltaTrigger, DeltaEvictor).
 *
 * @example
 * const delta: DeltaFunction<Reading> = (a, b) => Math.abs(a.value - b.value);
 */
export type DeltaFunction<T> =
  | ((oldDataPoint: T, newDataPoint: T) => number)
  | { getDelta(a: T, b: T): number };

/** @internal normalizes a DeltaFunction. */
export function deltaFunction<T>(call: string, fn: DeltaFunction<T>): (a: T, b: T) => number {
  if (typeof fn === 'function') return fn;
  if (fn !== null && typeof fn === 'object' && typeof fn.getDelta === 'function') {
    return (a, b) => fn.getDelta(a, b);
  }
  throw new IllegalArgumentError(
    `${call}: expected a delta function or an object with getDelta(), got ${describeValue(fn)}`,
  );
}

/** @internal validates a delta threshold. */
export function checkThreshold(call: string, threshold: number): void {
  if (typeof threshold !== 'number' || Number.isNaN(threshold)) {
    throw new IllegalArgumentError(`${call}: threshold must be a number, got ${describeValue(threshold)}`);
  }
}

/**
 * Fires when the delta between the element and the element of the last firing exceeds
 * `threshold` (the first element of a window is kept as the reference and does not fire).
 *
 * @example
 * stream.keyBy((r) => r.sensor).window(GlobalWindows.create())
 *   .trigger(DeltaTrigger.of(5, (a: Reading, b: Reading) => Math.abs(a.value - b.value)));
 */
export class DeltaTrigger<T> implements Trigger<T, Window> {
  readonly #threshold: number;
  readonly #delta: (a: T, b: T) => number;
  readonly #state = new ValueStateDescriptor<T>('delta-trigger-last-element');

  private constructor(threshold: number, delta: (a: T, b: T) => number) {
    this.#threshold = threshold;
    this.#delta = delta;
  }

  /** Fires when `delta(last, element) > threshold`. */
  static of<T>(threshold: number, delta: DeltaFunction<T>): DeltaTrigger<T> {
    checkThreshold('DeltaTrigger.of()', threshold);
    return new DeltaTrigger(threshold, deltaFunction('DeltaTrigger.of()', delta));
  }

  onElement(element: T, _timestamp: number, _window: Window, ctx: TriggerContext): TriggerResult {
    const last = ctx.getPartitionedState(this.#state) as ValueState<T>;
    const previous = last.value();
    if (previous === undefined) {
      last.update(element);
      return 'CONTINUE';
    }
    if (this.#delta(previous, element) > this.#threshold) {
      last.update(element);
      return 'FIRE';
    }
    return 'CONTINUE';
  }

  onEventTime(_time: number, _window: Window, _ctx: TriggerContext): TriggerResult {
    return 'CONTINUE';
  }

  onProcessingTime(_time: number, _window: Window, _ctx: TriggerContext): TriggerResult {
    return 'CONTINUE';
  }

  clear(_window: Window, ctx: TriggerContext): void {
    ctx.getPartitionedState(this.#state).clear();
  }

  toString(): string {
    return `DeltaTrigger(${this.#threshold})`;
  }
}
