// The default trigger of event-time windows: fires once the watermark passes the window's end.
import type { OnMergeContext, Trigger, TriggerContext, TriggerResult } from './trigger.ts';
import type { Window } from './window.ts';

/**
 * Fires a window when the watermark reaches its max timestamp (`end - 1`); an element added
 * after that (within the allowed lateness) fires the window again at once.
 *
 * @example
 * stream.keyBy((e) => e.user).window(GlobalWindows.create()).trigger(EventTimeTrigger.create());
 */
export class EventTimeTrigger implements Trigger<unknown, Window> {
  static readonly #instance = new EventTimeTrigger();
  private constructor() {}

  /** The event-time trigger. */
  static create(): EventTimeTrigger {
    return EventTimeTrigger.#instance;
  }

  onElement(_element: unknown, _timestamp: number, window: Window, ctx: TriggerContext): TriggerResult {
    if (window.maxTimestamp() <= ctx.getCurrentWatermark()) return 'FIRE';
    ctx.registerEventTimeTimer(window.maxTimestamp());
    return 'CONTINUE';
  }

  onEventTime(time: number, window: Window, _ctx: TriggerContext): TriggerResult {
    return time === window.maxTimestamp() ? 'FIRE' : 'CONTINUE';
  }

  onProcessingTime(_time: number, _window: Window, _ctx: TriggerContext): TriggerResult {
    return 'CONTINUE';
  }

  canMerge(): boolean {
    return true;
  }

  onMerge(window: Window, ctx: OnMergeContext): void {
    // As in onElement: a merged window the watermark has passed fires on the element, not here.
    if (window.maxTimestamp() > ctx.getCurrentWatermark()) ctx.registerEventTimeTimer(window.maxTimestamp());
  }

  clear(window: Window, ctx: TriggerContext): void {
    ctx.deleteEventTimeTimer(window.maxTimestamp());
  }

  toString(): string {
    return 'EventTimeTrigger';
  }
}
