// GlobalWindows: every element of a key in one window that only a custom trigger fires (count
// windows are built on it).
import { GlobalWindow } from './global-window.ts';
import type { OnMergeContext, Trigger, TriggerContext, TriggerResult } from './trigger.ts';
import type { WindowSerializer } from './window.ts';
import type { WindowAssigner, WindowAssignerContext } from './window-assigner.ts';

/** The default trigger of GlobalWindows: never fires. */
class NeverTrigger implements Trigger<unknown, GlobalWindow> {
  onElement(
    _element: unknown,
    _timestamp: number,
    _window: GlobalWindow,
    _ctx: TriggerContext,
  ): TriggerResult {
    return 'CONTINUE';
  }
  onEventTime(_time: number, _window: GlobalWindow, _ctx: TriggerContext): TriggerResult {
    return 'CONTINUE';
  }
  onProcessingTime(_time: number, _window: GlobalWindow, _ctx: TriggerContext): TriggerResult {
    return 'CONTINUE';
  }
  canMerge(): boolean {
    return true;
  }
  onMerge(_window: GlobalWindow, _ctx: OnMergeContext): void {}
  clear(_window: GlobalWindow, _ctx: TriggerContext): void {}
  toString(): string {
    return 'NeverTrigger';
  }
}

const WINDOWS: readonly GlobalWindow[] = Object.freeze([GlobalWindow.get()]);

/**
 * Puts every element of a key into the single {@link GlobalWindow}. Its default trigger never
 * fires, so set one (e.g. `CountTrigger`).
 *
 * @example
 * stream.keyBy((e) => e.user).window(GlobalWindows.create()).trigger(CountTrigger.of(10)).reduce((a, b) => a + b);
 */
export class GlobalWindows implements WindowAssigner<unknown, GlobalWindow> {
  static readonly #instance = new GlobalWindows();
  private constructor() {}

  /** The global window assigner. */
  static create(): GlobalWindows {
    return GlobalWindows.#instance;
  }

  assignWindows(
    _element: unknown,
    _timestamp: number,
    _context: WindowAssignerContext,
  ): readonly GlobalWindow[] {
    return WINDOWS;
  }

  getDefaultTrigger(): Trigger<unknown, GlobalWindow> {
    return new NeverTrigger();
  }

  getWindowSerializer(): WindowSerializer<GlobalWindow> {
    return GlobalWindow.serializer;
  }

  isEventTime(): boolean {
    return false;
  }

  toString(): string {
    return 'GlobalWindows()';
  }
}
