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

/** What sliding windows share in both time domains: size, slide, offset, the windows of a time. */
abstract class SlidingWindows implements WindowAssigner<unknown, TimeWindow> {
  readonly #size: number;
  readonly #slide: number;
  readonly #offset: number;
  readonly #name: string;

  protected constructor(size: number, slide: number, offset: number, name: string) {
    this.#size = size;
    this.#slide = slide;
    this.#offset = offset;
    this.#name = name;
  }

  /** The time the element is assigned by: its timestamp, or the current processing time. */
  protected abstract timeOf(timestamp: number, context: WindowAssignerContext): number;
  abstract getDefaultTrigger(): Trigger<unknown, TimeWindow>;
  abstract isEventTime(): boolean;

  assignWindows(_element: unknown, timestamp: number, context: WindowAssignerContext): readonly TimeWindow[] {
    return slidingWindows(this.timeOf(timestamp, context), this.#size, this.#slide, this.#offset);
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

  getWindowSerializer(): WindowSerializer<TimeWindow> {
    return TimeWindow.serializer;
  }

  toString(): string {
    return `${this.#name}(${this.#size}, ${this.#slide})`;
  }
}

/** Checks the arguments of `of()` of a sliding assigner named `name`. */
function checkSliding(name: string, size: number, slide: number, offset: number): void {
  checkMillis(`${name}.of()`, 'size', size, 1);
  checkMillis(`${name}.of()`, 'slide', slide, 1);
  checkOffset(`${name}.of()`, offset, 'slide', slide);
}

/**
 * Sliding event-time windows of `size` ms starting every `slide` ms. With `reduce()` or
 * `aggregate()`, overlapping windows share partial aggregates, so an element costs about the
 * same as in a tumbling window.
 *
 * @example
 * stream.keyBy((c) => c.page).window(SlidingEventTimeWindows.of(600_000, 60_000)).aggregate(countClicks);
 */
export class SlidingEventTimeWindows extends SlidingWindows {
  /** Windows of `size` ms every `slide` ms, shifted by `offset` (|offset| < slide). */
  static of(size: number, slide: number, offset = 0): SlidingEventTimeWindows {
    checkSliding('SlidingEventTimeWindows', size, slide, offset);
    return new SlidingEventTimeWindows(size, slide, offset, 'SlidingEventTimeWindows');
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
 * Sliding processing-time windows of `size` ms starting every `slide` ms.
 *
 * @example
 * stream.keyBy((c) => c.page).window(SlidingProcessingTimeWindows.of(60_000, 10_000)).reduce((a, b) => a + b);
 */
export class SlidingProcessingTimeWindows extends SlidingWindows {
  /** Windows of `size` ms every `slide` ms, shifted by `offset` (|offset| < slide). */
  static of(size: number, slide: number, offset = 0): SlidingProcessingTimeWindows {
    checkSliding('SlidingProcessingTimeWindows', size, slide, offset);
    return new SlidingProcessingTimeWindows(size, slide, offset, 'SlidingProcessingTimeWindows');
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
