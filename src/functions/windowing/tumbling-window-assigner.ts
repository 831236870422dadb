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

/**
 * Tumbling event-time windows of `size` ms, aligned to the epoch plus `offset`.
 *
 * @example
 * stream.keyBy((c) => c.user).window(TumblingEventTimeWindows.of(60_000)).reduce((a, b) => a + b);
 */
export class TumblingEventTimeWindows implements WindowAssigner<unknown, TimeWindow> {
  readonly #size: number;
  readonly #offset: number;
  readonly #cache = new WindowCache();

  private constructor(size: number, offset: number) {
    this.#size = size;
    this.#offset = offset;
  }

  /** Windows of `size` ms, shifted by `offset` ms (|offset| < size), e.g. for time zones. */
  static of(size: number, offset = 0): TumblingEventTimeWindows {
    checkMillis('TumblingEventTimeWindows.of()', 'size', size, 1);
    checkOffset('TumblingEventTimeWindows.of()', offset, 'size', size);
    return new TumblingEventTimeWindows(size, offset);
  }

  assignWindows(
    _element: unknown,
    timestamp: number,
    _context: WindowAssignerContext,
  ): readonly TimeWindow[] {
    if (timestamp <= MIN_WATERMARK) throw missingTimestamp(this.toString());
    return this.#cache.get(
      TimeWindow.getWindowStartWithOffset(timestamp, this.#offset, this.#size),
      this.#size,
    );
  }

  getSize(): number {
    return this.#size;
  }

  getOffset(): number {
    return this.#offset;
  }

  getDefaultTrigger(): Trigger<unknown, TimeWindow> {
    return EventTimeTrigger.create();
  }

  getWindowSerializer(): WindowSerializer<TimeWindow> {
    return TimeWindow.serializer;
  }

  isEventTime(): boolean {
    return true;
  }

  toString(): string {
    return `TumblingEventTimeWindows(${this.#size})`;
  }
}

/**
 * Tumbling processing-time windows of `size` ms: each element goes to the window of the
 * current processing time.
 *
 * @example
 * stream.keyBy((c) => c.user).window(TumblingProcessingTimeWindows.of(10_000)).reduce((a, b) => a + b);
 */
export class TumblingProcessingTimeWindows implements WindowAssigner<unknown, TimeWindow> {
  readonly #size: number;
  readonly #offset: number;
  readonly #cache = new WindowCache();

  private constructor(size: number, offset: number) {
    this.#size = size;
    this.#offset = offset;
  }

  /** Windows of `size` ms, shifted by `offset` ms (|offset| < size). */
  static of(size: number, offset = 0): TumblingProcessingTimeWindows {
    checkMillis('TumblingProcessingTimeWindows.of()', 'size', size, 1);
    checkOffset('TumblingProcessingTimeWindows.of()', offset, 'size', size);
    return new TumblingProcessingTimeWindows(size, offset);
  }

  assignWindows(
    _element: unknown,
    _timestamp: number,
    context: WindowAssignerContext,
  ): readonly TimeWindow[] {
    const now = context.getCurrentProcessingTime();
    return this.#cache.get(TimeWindow.getWindowStartWithOffset(now, this.#offset, this.#size), this.#size);
  }

  getSize(): number {
    return this.#size;
  }

  getOffset(): number {
    return this.#offset;
  }

  getDefaultTrigger(): Trigger<unknown, TimeWindow> {
    return ProcessingTimeTrigger.create();
  }

  getWindowSerializer(): WindowSerializer<TimeWindow> {
    return TimeWindow.serializer;
  }

  isEventTime(): boolean {
    return false;
  }

  toString(): string {
    return `TumblingProcessingTimeWindows(${this.#size})`;
  }
}
