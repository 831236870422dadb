// Fires a window every N elements (count windows are GlobalWindows with this trigger).
import { type ReducingState, ReducingStateDescriptor } from '../../state/index.ts';
import type { OnMergeContext, Trigger, TriggerContext, TriggerResult } from './trigger.ts';
import type { Window } from './window.ts';
import { checkCount } from './window-assigner.ts';

const COUNT = new ReducingStateDescriptor<number>('count-trigger-count', (a, b) => a + b);

/**
 * Fires once the window holds `maxCount` elements since the last firing (the count is kept in
 * window state, so it merges with session windows).
 *
 * @example
 * stream.keyBy((e) => e.user).window(GlobalWindows.create()).trigger(CountTrigger.of(100));
 */
export class CountTrigger implements Trigger<unknown, Window> {
  readonly #maxCount: number;
  private constructor(maxCount: number) {
    this.#maxCount = maxCount;
  }

  /** Fires every `maxCount` elements. */
  static of(maxCount: number): CountTrigger {
    checkCount('CountTrigger.of()', 'maxCount', maxCount);
    return new CountTrigger(maxCount);
  }

  onElement(_element: unknown, _timestamp: number, _window: Window, ctx: TriggerContext): TriggerResult {
    const count = ctx.getPartitionedState(COUNT) as ReducingState<number>;
    count.add(1);
    if ((count.get() ?? 0) >= this.#maxCount) {
      count.clear();
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

  canMerge(): boolean {
    return true;
  }

  onMerge(_window: Window, ctx: OnMergeContext): void {
    ctx.mergePartitionedState(COUNT);
  }

  clear(_window: Window, ctx: TriggerContext): void {
    ctx.getPartitionedState(COUNT).clear();
  }

  toString(): string {
    return `CountTrigger(${this.#maxCount})`;
  }
}
