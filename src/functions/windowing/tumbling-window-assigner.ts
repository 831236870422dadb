// Tumbling windows: fixed-size, non-overlapping time windows, in event time or processing time.
import { IllegalArgumentError, MIN_WATERMARK } from '../../core/index.ts';
import { EventTimeTrigger } from './event-time-trigger.ts';
import { ProcessingTimeTrigger } from './processing-time-trigger.ts';
import { TimeWindow } from './time-window.ts';
import type { Trigger } from './trigger.ts';
import type { WindowSerializer } from './window.ts';
import {
  checkMillis,
  checkOffset,
  type WindowAssigner,
  type WindowAssignerContext,
} from './window-assigner.ts';

/** @internal the error for an event-time assigner given an element without a timestamp. */
export function missingTimestamp(assigner: string): IllegalArgumentError {
  return new IllegalArgumentError(
    `${assigner}: the record has no event timestamp; call assignTimestampsAndWatermarks(...) (or use a source with a WatermarkStrategy) before an event-time window, or use a processing-time window`,
  );
}

/** One window per start, reused while consecutive elements fall into the same window. */
class WindowCache {
  #start = Number.NaN;
  #windows: readonly TimeWindow[] = [];
  get(start: number, size: number): readonly TimeWindow[] {
    if (start !== this.#start) {
      this.#start = start;
      this.#windows = [new TimeWindow(start, start + size)];
    }
    return this.#windows;
  }
}

/** What tumbling windows share in both time domains: size, offset, one window per element. */
abstract class TumblingWindows implements WindowAssigner<unknown, TimeWindow> {
  readonly #size: number;
  readonly #offset: number;
  readonly #name: string;
  readonly #cache = new WindowCache();

  protected constructor(size: number, offset: number, name: string) {
    this.#size = size;
    this.#offset = offset;
    this.#name = name;
  }

  /** The time the element is assigned by: its timestamp, or the current processing time. */
  protected abstract timeOf(timestamp: number, context: WindowAssignerContext): number;
  abstract getDefaultTrigger(): Trigger<unknown, TimeWindow>;
  abstract isEventTime(): boolean;

  assignWindows(_element: unknown, timestamp: number, context: WindowAssignerContext): readonly TimeWindow[] {
    const time = this.timeOf(timestamp, context);
    return this.#cache.get(TimeWindow.getWindowStartWithOffset(time, this.#offset, this.#size), this.#size);
  }

  getSize(): number {
    return this.#size;
  }

  getOffset(): number {
    return this.#offset;
  }

  getWindowSerializer(): WindowSerializer<TimeWindow> {
    return TimeWindow.serializer;
  }

  toString(): string {
    return `${this.#name}(${this.#size})`;
  }
}

/**
 * Tumbling event-time windows of `size` ms, aligned to the epoch plus `offset`.
 *
 * @example
 * stream.keyBy((c) => c.user).window(TumblingEventTimeWindows.of(60_000)).reduce((a, b) => a + b);
 */
export class TumblingEventTimeWindows extends TumblingWindows {
  /** Windows of `size` ms, shifted by `offset` ms (|offset| < size), e.g. for time zones. */
  static of(size: number, offset = 0): TumblingEventTimeWindows {
    checkMillis('TumblingEventTimeWindows.of()', 'size', size, 1);
    checkOffset('TumblingEventTimeWindows.of()', offset, 'size', size);
    return new TumblingEventTimeWindows(size, offset, 'TumblingEventTimeWindows');
  }

  protected timeOf(timestamp: number): number {
    if (timestamp <= MIN_WATERMARK) throw missingTimestamp(this.toString());
    return timestamp;
  }

  getDefaultTrigger(): Trigger<unknown, TimeWindow> {
    return EventTimeTrigger.create();
  }

  isEventTime(): boolean {
    return true;
  }
}

/**
 * Tumbling processing-time windows of `size` ms: each element goes to the window of the
 * current processing time.
 *
 * @example
 * stream.keyBy((c) => c.user).window(TumblingProcessingTimeWindows.of(10_000)).reduce((a, b) => a + b);
 */
export class TumblingProcessingTimeWindows extends TumblingWindows {
  /** Windows of `size` ms, shifted by `offset` ms (|offset| < size). */
  static of(size: number, offset = 0): TumblingProcessingTimeWindows {
    checkMillis('TumblingProcessingTimeWindows.of()', 'size', size, 1);
    checkOffset('TumblingProcessingTimeWindows.of()', offset, 'size', size);
    return new TumblingProcessingTimeWindows(size, offset, 'TumblingProcessingTimeWindows');
  }

  protected timeOf(_timestamp: number, context: WindowAssignerContext): number {
    return context.getCurrentProcessingTime();
  }

  getDefaultTrigger(): Trigger<unknown, TimeWindow> {
    return ProcessingTimeTrigger.create();
  }

  isEventTime(): boolean {
    return false;
  }
}
