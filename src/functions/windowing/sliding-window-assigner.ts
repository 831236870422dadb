// Sliding (hopping) windows: windows of `size` starting every `slide`, so an element belongs to
// about size/slide windows; in event time or processing time.
import { MIN_WATERMARK } from '../../core/index.ts';
import { EventTimeTrigger } from './event-time-trigger.ts';
import { ProcessingTimeTrigger } from './processing-time-trigger.ts';
import { TimeWindow } from './time-window.ts';
import type { Trigger } from './trigger.ts';
import { missingTimestamp } from './tumbling-window-assigner.ts';
import type { WindowSerializer } from './window.ts';
import {
  checkMillis,
  checkOffset,
  type WindowAssigner,
  type WindowAssignerContext,
} from './window-assigner.ts';

/** The windows of `timestamp`, latest start first (Flink's order). */
function slidingWindows(timestamp: number, size: number, slide: number, offset: number): TimeWindow[] {
  const windows: TimeWindow[] = [];
  const lastStart = TimeWindow.getWindowStartWithOffset(timestamp, offset, slide);
  for (let start = lastStart; start > timestamp - size; start -= slide) {
    windows.push(new TimeWindow(start, start + size));
  }
  return windows;
}

/**
 * Sliding event-time windows of `size` ms starting every `slide` ms. With `reduce()` or
 * `aggregate()`, overlapping windows share partial aggregates, so an element costs about the
 * same as in a tumbling window.
 *
 * @example
 * stream.keyBy((c) => c.page).window(SlidingEventTimeWindows.of(600_000, 60_000)).aggregate(countClicks);
 */
export class SlidingEventTimeWindows implements WindowAssigner<unknown, TimeWindow> {
  readonly #size: number;
  readonly #slide: number;
  readonly #offset: number;

  private constructor(size: number, slide: number, offset: number) {
    this.#size = size;
    this.#slide = slide;
    this.#offset = offset;
  }

  /** Windows of `size` ms every `slide` ms, shifted by `offset` (|offset| < slide). */
  static of(size: number, slide: number, offset = 0): SlidingEventTimeWindows {
    checkMillis('SlidingEventTimeWindows.of()', 'size', size, 1);
    checkMillis('SlidingEventTimeWindows.of()', 'slide', slide, 1);
    checkOffset('SlidingEventTimeWindows.of()', offset, 'slide', slide);
    return new SlidingEventTimeWindows(size, slide, offset);
  }

  assignWindows(
    _element: unknown,
    timestamp: number,
    _context: WindowAssignerContext,
  ): readonly TimeWindow[] {
    if (timestamp <= MIN_WATERMARK) throw missingTimestamp(this.toString());
    return slidingWindows(timestamp, this.#size, this.#slide, this.#offset);
  }

  getSize(): number {
    return this.#size;
  }

  getSlide(): number {
    return this.#slide;
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
    return `SlidingEventTimeWindows(${this.#size}, ${this.#slide})`;
  }
}

/**
 * Sliding processing-time windows of `size` ms starting every `slide` ms.
 *
 * @example
 * stream.keyBy((c) => c.page).window(SlidingProcessingTimeWindows.of(60_000, 10_000)).reduce((a, b) => a + b);
 */
export class SlidingProcessingTimeWindows implements WindowAssigner<unknown, TimeWindow> {
  readonly #size: number;
  readonly #slide: number;
  readonly #offset: number;

  private constructor(size: number, slide: number, offset: number) {
    this.#size = size;
    this.#slide = slide;
    this.#offset = offset;
  }

  /** Windows of `size` ms every `slide` ms, shifted by `offset` (|offset| < slide). */
  static of(size: number, slide: number, offset = 0): SlidingProcessingTimeWindows {
    checkMillis('SlidingProcessingTimeWindows.of()', 'size', size, 1);
    checkMillis('SlidingProcessingTimeWindows.of()', 'slide', slide, 1);
    checkOffset('SlidingProcessingTimeWindows.of()', offset, 'slide', slide);
    return new SlidingProcessingTimeWindows(size, slide, offset);
  }

  assignWindows(
    _element: unknown,
    _timestamp: number,
    context: WindowAssignerContext,
  ): readonly TimeWindow[] {
    return slidingWindows(context.getCurrentProcessingTime(), this.#size, this.#slide, this.#offset);
  }

  getSize(): number {
    return this.#size;
  }

  getSlide(): number {
    return this.#slide;
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
    return `SlidingProcessingTimeWindows(${this.#size}, ${this.#slide})`;
  }
}
