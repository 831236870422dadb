// Early results in processing time: fires a window every `interval` of wall-clock time.
import { type ReducingState, ReducingStateDescriptor } from '../../state/index.ts';
import type { OnMergeContext, Trigger, TriggerContext, TriggerResult } from './trigger.ts';
import type { Window } from './window.ts';
import { checkMillis } from './window-assigner.ts';

const FIRE_TIME = new ReducingStateDescriptor<number>(
  'continuous-processing-time-trigger-fire-time',
  (a, b) => Math.min(a, b),
);

/**
 * Fires the window every `interval` ms of processing time (aligned to multiples of the interval).
 *
 * @example
 * stream.keyBy((e) => e.user).window(GlobalWindows.create())
 *   .trigger(ContinuousProcessingTimeTrigger.of(10_000));
 */
export class ContinuousProcessingTimeTrigger implements Trigger<unknown, Window> {
  readonly #interval: number;
  private constructor(interval: number) {
    this.#interval = interval;
  }

  /** Fires every `interval` ms of processing time. */
  static of(interval: number): ContinuousProcessingTimeTrigger {
    checkMillis('ContinuousProcessingTimeTrigger.of()', 'interval', interval, 1);
    return new ContinuousProcessingTimeTrigger(interval);
  }

  onElement(_element: unknown, _timestamp: number, window: Window, ctx: TriggerContext): TriggerResult {
    const fireTime = ctx.getPartitionedState(FIRE_TIME) as ReducingState<number>;
    const now = ctx.getCurrentProcessingTime();
    if (fireTime.get() === undefined) this.#registerNext(now - (now % this.#interval), window, ctx, fireTime);
    return 'CONTINUE';
  }

  onEventTime(_time: number, _window: Window, _ctx: TriggerContext): TriggerResult {
    return 'CONTINUE';
  }

  onProcessingTime(time: number, window: Window, ctx: TriggerContext): TriggerResult {
    const fireTime = ctx.getPartitionedState(FIRE_TIME) as ReducingState<number>;
    if (fireTime.get() === time) {
      fireTime.clear();
      this.#registerNext(time, window, ctx, fireTime);
      return 'FIRE';
    }
    return 'CONTINUE';
  }

  canMerge(): boolean {
    return true;
  }

  onMerge(_window: Window, ctx: OnMergeContext): void {
    ctx.mergePartitionedState(FIRE_TIME);
    const next = (ctx.getPartitionedState(FIRE_TIME) as ReducingState<number>).get();
    if (next !== undefined) ctx.registerProcessingTimeTimer(next);
  }

  clear(_window: Window, ctx: TriggerContext): void {
    const fireTime = ctx.getPartitionedState(FIRE_TIME) as ReducingState<number>;
    const time = fireTime.get();
    if (time !== undefined) {
      ctx.deleteProcessingTimeTimer(time);
      fireTime.clear();
    }
  }

  #registerNext(time: number, window: Window, ctx: TriggerContext, state: ReducingState<number>): void {
    const next = Math.min(time + this.#interval, window.maxTimestamp());
    state.add(next);
    ctx.registerProcessingTimeTimer(next);
  }

  toString(): string {
    return `ContinuousProcessingTimeTrigger(${this.#interval})`;
  }
}
