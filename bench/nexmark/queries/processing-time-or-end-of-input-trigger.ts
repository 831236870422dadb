// The trigger q12 puts on its processing-time windows: fire when the clock passes the window's end,
// as the default trigger does, and also at the end of a bounded input, whose pending
// processing-time timers never fire; without it the windows open at the end of the stream would be lost.
import {
  MAX_WATERMARK,
  type Trigger,
  type TriggerContext,
  type TriggerResult,
  type Window,
} from '../../../src/index.ts';

/**
 * {@link ProcessingTimeTrigger} plus an event-time timer at `MAX_WATERMARK` per window: the final
 * watermark of a bounded input fires (and purges) every window still open, once. A window the
 * clock fired first is cleared by the window operator, which deletes that timer (`clear`), so no
 * window is emitted twice. Not for merging windows.
 *
 * @example
 * bids.keyBy((b) => b.bidder)
 *   .window(TumblingProcessingTimeWindows.of(10_000))
 *   .trigger(ProcessingTimeOrEndOfInputTrigger.create())
 *   .aggregate(count, emit);
 */
export class ProcessingTimeOrEndOfInputTrigger implements Trigger<unknown, Window> {
  static readonly #instance = new ProcessingTimeOrEndOfInputTrigger();
  private constructor() {}

  /** The trigger (stateless, shared). */
  static create(): ProcessingTimeOrEndOfInputTrigger {
    return ProcessingTimeOrEndOfInputTrigger.#instance;
  }

  onElement(_element: unknown, _timestamp: number, window: Window, ctx: TriggerContext): TriggerResult {
    // Both registrations are deduplicated per key and window: one timer each, however many elements.
    ctx.registerProcessingTimeTimer(window.maxTimestamp());
    ctx.registerEventTimeTimer(MAX_WATERMARK);
    return 'CONTINUE';
  }

  onProcessingTime(_time: number, _window: Window, _ctx: TriggerContext): TriggerResult {
    return 'FIRE';
  }

  onEventTime(time: number, _window: Window, _ctx: TriggerContext): TriggerResult {
    // Purged: should the window's processing-time timer still fire, the window is empty and emits nothing.
    return time >= MAX_WATERMARK ? 'FIRE_AND_PURGE' : 'CONTINUE';
  }

  clear(window: Window, ctx: TriggerContext): void {
    ctx.deleteProcessingTimeTimer(window.maxTimestamp());
    ctx.deleteEventTimeTimer(MAX_WATERMARK);
  }

  toString(): string {
    return 'ProcessingTimeOrEndOfInputTrigger';
  }
}
