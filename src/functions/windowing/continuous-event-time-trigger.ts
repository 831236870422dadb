// Early results: fires a window every `interval` of event time, and at its end.
import { type ReducingState, ReducingStateDescriptor } from '../../state/index.ts';
import type { OnMergeContext, Trigger, TriggerContext, TriggerResult } from './trigger.ts';
import type { Window } from './window.ts';
import { checkMillis } from './window-assigner.ts';

const FIRE_TIME = new ReducingStateDescriptor<number>('continuous-event-time-trigger-fire-time', (a, b) =>
  Math.min(a, b),
);

/**
 * Fires the window every `interval` ms of event time (aligned to multiples of the interval) and
 * when the watermark passes the window's end.
 *
 * @example
 * stream.keyBy((e) => e.user).window(TumblingEventTimeWindows.of(3_600_000))
 *   .trigger(ContinuousEventTimeTrigger.of(60_000));
 */
export class ContinuousEventTimeTrigger implements Trigger<unknown, Window> {
  readonly #interval: number;
  private constructor(interval: number) {
    this.#interval = interval;
  }

  /** Fires every `interval` ms of event time. */
  static of(interval: number): ContinuousEventTimeTrigger {
    checkMillis('ContinuousEventTimeTrigger.of()', 'interval', interval, 1);
    return new ContinuousEventTimeTrigger(interval);
  }

  onElement(_element: unknown, timestamp: number, window: Window, ctx: TriggerContext): TriggerResult {
    if (window.maxTimestamp() <= ctx.getCurrentWatermark()) return 'FIRE';
    ctx.registerEventTimeTimer(window.maxTimestamp());
    const fireTime = ctx.getPartitionedState(FIRE_TIME) as ReducingState<number>;
    if (fireTime.get() === undefined) {
      this.#registerNext(timestamp - (timestamp % this.#interval), window, ctx, fireTime);
    }
    return 'CONTINUE';
  }

  onEventTime(time: number, window: Window, ctx: TriggerContext): TriggerResult {
    if (time === window.maxTimestamp()) return 'FIRE';
    const fireTime = ctx.getPartitionedState(FIRE_TIME) as ReducingState<number>;
    if (fireTime.get() === time) {
      fireTime.clear();
      this.#registerNext(time, window, ctx, fireTime);
      return 'FIRE';
    }
    return 'CONTINUE';
  }

  onProcessingTime(_time: number, _window: Window, _ctx: TriggerContext): TriggerResult {
    return 'CONTINUE';
  }

  canMerge(): boolean {
    return true;
  }

  onMerge(_window: Window, ctx: OnMergeContext): void {
    ctx.mergePartitionedState(FIRE_TIME);
    const next = (ctx.getPartitionedState(FIRE_TIME) as ReducingState<number>).get();
    if (next !== undefined) ctx.registerEventTimeTimer(next);
  }

  clear(_window: Window, ctx: TriggerContext): void {
    const fireTime = ctx.getPartitionedState(FIRE_TIME) as ReducingState<number>;
    const time = fireTime.get();
    if (time !== undefined) {
      ctx.deleteEventTimeTimer(time);
      fireTime.clear();
    }
  }

  #registerNext(time: number, window: Window, ctx: TriggerContext, state: ReducingState<number>): void {
    const next = Math.min(time + this.#interval, window.maxTimestamp());
    state.add(next);
    ctx.registerEventTimeTimer(next);
  }

  toString(): string {
    return `ContinuousEventTimeTrigger(${this.#interval})`;
  }
}
