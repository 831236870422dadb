// Turns every FIRE of another trigger into FIRE_AND_PURGE (tumbling count windows).
import type { OnMergeContext, Trigger, TriggerContext, TriggerResult } from './trigger.ts';
import type { Window } from './window.ts';

function purging(result: TriggerResult): TriggerResult {
  return result === 'FIRE' ? 'FIRE_AND_PURGE' : result;
}

/**
 * Wraps a trigger so that every firing also purges the window's contents.
 *
 * @example
 * stream.keyBy((e) => e.user).window(GlobalWindows.create()).trigger(PurgingTrigger.of(CountTrigger.of(10)));
 */
export class PurgingTrigger<T, W extends Window> implements Trigger<T, W> {
  readonly #nested: Trigger<T, W>;
  private constructor(nested: Trigger<T, W>) {
    this.#nested = nested;
  }

  /** Purges on every firing of `nested`. */
  static of<T, W extends Window>(nested: Trigger<T, W>): PurgingTrigger<T, W> {
    return new PurgingTrigger(nested);
  }

  /** The wrapped trigger. */
  getNestedTrigger(): Trigger<T, W> {
    return this.#nested;
  }

  onElement(element: T, timestamp: number, window: W, ctx: TriggerContext): TriggerResult {
    return purging(this.#nested.onElement(element, timestamp, window, ctx));
  }

  onEventTime(time: number, window: W, ctx: TriggerContext): TriggerResult {
    return purging(this.#nested.onEventTime(time, window, ctx));
  }

  onProcessingTime(time: number, window: W, ctx: TriggerContext): TriggerResult {
    return purging(this.#nested.onProcessingTime(time, window, ctx));
  }

  canMerge(): boolean {
    return this.#nested.canMerge?.() ?? false;
  }

  onMerge(window: W, ctx: OnMergeContext): void {
    this.#nested.onMerge?.(window, ctx);
  }

  clear(window: W, ctx: TriggerContext): void {
    this.#nested.clear(window, ctx);
  }

  toString(): string {
    return `PurgingTrigger(${this.#nested.toString()})`;
  }
}
