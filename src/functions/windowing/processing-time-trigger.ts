// The default trigger of processing-time windows: fires when the clock passes the window's end.
import type { OnMergeContext, Trigger, TriggerContext, TriggerResult } from './trigger.ts';
import type { Window } from './window.ts';

/**
 * Fires a window when the processing-time clock reaches its max timestamp.
 *
 * @example
 * stream.keyBy((e) => e.user).window(GlobalWindows.create()).trigger(ProcessingTimeTrigger.create());
 */
export class ProcessingTimeTrigger implements Trigger<unknown, Window> {
  static readonly #instance = new ProcessingTimeTrigger();
  private constructor() {}

  /** The processing-time trigger. */
  static create(): ProcessingTimeTrigger {
    return ProcessingTimeTrigger.#instance;
  }

  onElement(_element: unknown, _timestamp: number, window: Window, ctx: TriggerContext): TriggerResult {
    ctx.registerProcessingTimeTimer(window.maxTimestamp());
    return 'CONTINUE';
  }

  onEventTime(_time: number, _window: Window, _ctx: TriggerContext): TriggerResult {
    return 'CONTINUE';
  }

  onProcessingTime(_time: number, _window: Window, _ctx: TriggerContext): TriggerResult {
    return 'FIRE';
  }

  canMerge(): boolean {
    return true;
  }

  onMerge(window: Window, ctx: OnMergeContext): void {
    if (window.maxTimestamp() > ctx.getCurrentProcessingTime()) {
      ctx.registerProcessingTimeTimer(window.maxTimestamp());
    }
  }

  clear(window: Window, ctx: TriggerContext): void {
    ctx.deleteProcessingTimeTimer(window.maxTimestamp());
  }

  toString(): string {
    return 'ProcessingTimeTrigger';
  }
}
