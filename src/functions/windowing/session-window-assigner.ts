// Session windows: an element opens a window [t, t + gap) and windows that overlap or touch merge,
// so a session ends after a gap without elements; in event time or processing time, with a fixed
// gap or one computed per element.
import { describeValue, IllegalArgumentError, MIN_WATERMARK } from '../../core/index.ts';
import { EventTimeTrigger } from './event-time-trigger.ts';
import { ProcessingTimeTrigger } from './processing-time-trigger.ts';
import { TimeWindow } from './time-window.ts';
import type { Trigger } from './trigger.ts';
import { missingTimestamp } from './tumbling-window-assigner.ts';
import type { WindowSerializer } from './window.ts';
import {
  checkMillis,
  type MergeCallback,
  type MergingWindowAssigner,
  type WindowAssignerContext,
} from './window-assigner.ts';

/**
 * Computes the session gap (ms) of an element (dynamic session windows).
 *
 * @example
 * const gap: SessionWindowTimeGapExtractor<Click> = (c) => (c.mobile ? 60_000 : 30_000);
 */
export type SessionWindowTimeGapExtractor<T> = ((element: T) => number) | { extract(element: T): number };

function gapExtractor<T>(call: string, extractor: SessionWindowTimeGapExtractor<T>): (element: T) => number {
  if (typeof extractor === 'function') return extractor;
  if (extractor !== null && typeof extractor === 'object' && typeof extractor.extract === 'function') {
    return (e) => extractor.extract(e);
  }
  throw new IllegalArgumentError(
    `${call}: expected a function or an object with extract(), got ${describeValue(extractor)}`,
  );
}

function dynamicGap<T>(name: string, extract: (element: T) => number, element: T): number {
  const gap = extract(element);
  if (typeof gap !== 'number' || !Number.isSafeInteger(gap) || gap <= 0) {
    throw new IllegalArgumentError(
      `${name}: the session gap must be a positive integer number of milliseconds, got ${describeValue(gap)} for element ${describeValue(element)}`,
    );
  }
  return gap;
}

/** The common part of the four session assigners. */
abstract class SessionWindowAssigner<T> implements MergingWindowAssigner<T, TimeWindow> {
  abstract assignWindows(
    element: T,
    timestamp: number,
    context: WindowAssignerContext,
  ): readonly TimeWindow[];
  abstract isEventTime(): boolean;
  abstract toString(): string;

  mergeWindows(windows: readonly TimeWindow[], callback: MergeCallback<TimeWindow>): void {
    TimeWindow.mergeWindows(windows, callback);
  }

  getDefaultTrigger(): Trigger<T, TimeWindow> {
    return this.isEventTime() ? EventTimeTrigger.create() : ProcessingTimeTrigger.create();
  }

  getWindowSerializer(): WindowSerializer<TimeWindow> {
    return TimeWindow.serializer;
  }
}

/**
 * Event-time session windows: a session closes after `gap` ms of event time without elements.
 *
 * @example
 * stream.keyBy((c) => c.user).window(EventTimeSessionWindows.withGap(30 * 60_000)).process(new SessionSummary());
 */
export class EventTimeSessionWindows extends SessionWindowAssigner<unknown> {
  readonly #gap: number;

  private constructor(gap: number) {
    super();
    this.#gap = gap;
  }

  /** Sessions separated by at least `gap` ms. */
  static withGap(gap: number): EventTimeSessionWindows {
    checkMillis('EventTimeSessionWindows.withGap()', 'gap', gap, 1);
    return new EventTimeSessionWindows(gap);
  }

  /** Sessions whose gap is computed from each element (the element's window is [t, t + gap)). */
  static withDynamicGap<T>(
    extractor: SessionWindowTimeGapExtractor<T>,
  ): MergingWindowAssigner<T, TimeWindow> {
    return new DynamicEventTimeSessionWindows(
      gapExtractor('EventTimeSessionWindows.withDynamicGap()', extractor),
    );
  }

  assignWindows(
    _element: unknown,
    timestamp: number,
    _context: WindowAssignerContext,
  ): readonly TimeWindow[] {
    if (timestamp <= MIN_WATERMARK) throw missingTimestamp(this.toString());
    return [new TimeWindow(timestamp, timestamp + this.#gap)];
  }

  getGap(): number {
    return this.#gap;
  }

  isEventTime(): boolean {
    return true;
  }

  toString(): string {
    return `EventTimeSessionWindows(${this.#gap})`;
  }
}

class DynamicEventTimeSessionWindows<T> extends SessionWindowAssigner<T> {
  readonly #extract: (element: T) => number;
  constructor(extract: (element: T) => number) {
    super();
    this.#extract = extract;
  }
  assignWindows(element: T, timestamp: number, _context: WindowAssignerContext): readonly TimeWindow[] {
    if (timestamp <= MIN_WATERMARK) throw missingTimestamp(this.toString());
    return [new TimeWindow(timestamp, timestamp + dynamicGap(this.toString(), this.#extract, element))];
  }
  isEventTime(): boolean {
    return true;
  }
  toString(): string {
    return 'DynamicEventTimeSessionWindows()';
  }
}

/**
 * Processing-time session windows: a session closes after `gap` ms of wall-clock time without
 * elements.
 *
 * @example
 * stream.keyBy((c) => c.user).window(ProcessingTimeSessionWindows.withGap(60_000)).reduce((a, b) => a + b);
 */
export class ProcessingTimeSessionWindows extends SessionWindowAssigner<unknown> {
  readonly #gap: number;

  private constructor(gap: number) {
    super();
    this.#gap = gap;
  }

  /** Sessions separated by at least `gap` ms of processing time. */
  static withGap(gap: number): ProcessingTimeSessionWindows {
    checkMillis('ProcessingTimeSessionWindows.withGap()', 'gap', gap, 1);
    return new ProcessingTimeSessionWindows(gap);
  }

  /** Sessions whose gap is computed from each element. */
  static withDynamicGap<T>(
    extractor: SessionWindowTimeGapExtractor<T>,
  ): MergingWindowAssigner<T, TimeWindow> {
    return new DynamicProcessingTimeSessionWindows(
      gapExtractor('ProcessingTimeSessionWindows.withDynamicGap()', extractor),
    );
  }

  assignWindows(
    _element: unknown,
    _timestamp: number,
    context: WindowAssignerContext,
  ): readonly TimeWindow[] {
    const now = context.getCurrentProcessingTime();
    return [new TimeWindow(now, now + this.#gap)];
  }

  getGap(): number {
    return this.#gap;
  }

  isEventTime(): boolean {
    return false;
  }

  toString(): string {
    return `ProcessingTimeSessionWindows(${this.#gap})`;
  }
}

class DynamicProcessingTimeSessionWindows<T> extends SessionWindowAssigner<T> {
  readonly #extract: (element: T) => number;
  constructor(extract: (element: T) => number) {
    super();
    this.#extract = extract;
  }
  assignWindows(element: T, _timestamp: number, context: WindowAssignerContext): readonly TimeWindow[] {
    const now = context.getCurrentProcessingTime();
    return [new TimeWindow(now, now + dynamicGap(this.toString(), this.#extract, element))];
  }
  isEventTime(): boolean {
    return false;
  }
  toString(): string {
    return 'DynamicProcessingTimeSessionWindows()';
  }
}
