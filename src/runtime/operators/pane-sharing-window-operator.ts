// Sliding windows with reduce()/aggregate() without the size/slide cost per element: time is cut
// into panes of gcd(size, slide); an element is added to one pane's partial aggregate, and a
// window is the combination of its panes when it fires. Produces exactly what WindowOperator
// produces with the default trigger (firings, late firings, late data), as long as the reduce
// function and AggregateFunction.merge are associative and commutative.
import { IllegalArgumentError, MAX_WATERMARK, MIN_WATERMARK, type StreamRecord } from '../../core/index.ts';
import { type OutputTag, TimeWindow } from '../../functions/index.ts';
import { type ValueState, ValueStateDescriptor } from '../../state/index.ts';
import type { InternalTimer } from '../timers/internal-timer-service.ts';
import { OneInputOperator } from './stream-operator.ts';
import { type InternalWindowFunction, WindowFunctionRunner } from './window-function-runner.ts';
import type { WindowAggregation } from './window-operator.ts';

/** The panes of one key, kept in keyed state. */
interface PaneBuffer {
  /** Pane starts, ascending. */
  s: number[];
  /** Partial results parallel to `s`: reduced values, or accumulators. */
  v: unknown[];
  /** Time of this key's pending timer, or null. */
  t: number | null;
  /** The last timer time handled: windows ending at or before it + 1 are closed. */
  f: number | null;
  /**
   * Processing time only: a closed window that an element in its last millisecond started again
   * (Flink re-creates it with just the new elements), as [end, partial result].
   */
  r: [number, unknown] | null;
}

/** What the pane-sharing operator is built from. */
export interface PaneSharingWindowSpec {
  readonly size: number;
  readonly slide: number;
  readonly offset: number;
  readonly eventTime: boolean;
  readonly allowedLateness: number;
  readonly lateDataTag: OutputTag<unknown> | undefined;
  readonly aggregation: Exclude<WindowAggregation, { kind: 'process' }>;
  readonly windowFunction: InternalWindowFunction | undefined;
  /** The user's function object: opened and closed. */
  readonly userFunction: unknown;
}

const TIMER_NS = 'panes';

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** Index of the first element of sorted `xs` that is >= x. */
function lowerBound(xs: readonly number[], x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Tumbling and sliding windows (slide <= size) with incremental aggregation and the default
 * trigger.
 *
 * Per key it keeps the sorted panes that some live window still needs and one timer: the next
 * time a window with content ends or a pane's last window is cleaned up. A late element (within
 * the allowed lateness) re-fires its already-fired windows at once, in the assigner's order.
 *
 * @example
 * new PaneSharingWindowOperator({ size: 100, slide: 1, offset: 0, eventTime: true, allowedLateness: 0,
 *   lateDataTag: undefined, aggregation: { kind: 'reduce', reduce: (a, b) => a + b }, windowFunction: undefined,
 *   userFunction: undefined });
 */
export class PaneSharingWindowOperator extends OneInputOperator {
  readonly #spec: PaneSharingWindowSpec;
  readonly #size: number;
  readonly #slide: number;
  readonly #offset: number;
  readonly #pane: number;
  readonly #eventTime: boolean;
  readonly #lateness: number;
  #panes!: ValueState<PaneBuffer>;
  #runner!: WindowFunctionRunner;
  #numLateRecordsDropped = 0;

  constructor(spec: PaneSharingWindowSpec) {
    super();
    this.#spec = spec;
    this.#size = spec.size;
    this.#slide = spec.slide;
    this.#offset = spec.offset;
    this.#pane = gcd(spec.size, spec.slide);
    this.#eventTime = spec.eventTime;
    this.#lateness = spec.allowedLateness;
  }

  /** Late elements dropped because no side output was set (Flink's `numLateRecordsDropped`). */
  get numLateRecordsDropped(): number {
    return this.#numLateRecordsDropped;
  }

  override async open(): Promise<void> {
    this.#panes = this.ctx.keyedBackend!.getPartitionedState(
      new ValueStateDescriptor<PaneBuffer>('window-panes'),
    );
    this.#runner = new WindowFunctionRunner(
      {
        ctx: this.ctx,
        currentWatermark: () => this.currentWatermark(),
        sideOutput: (tag, value, ts) => this.outputSide(tag, value, ts),
      },
      this.#spec.windowFunction,
      TimeWindow.serializer as never,
      false,
    );
    await this.openFunction(this.#spec.userFunction);
  }

  override async close(): Promise<void> {
    await this.closeFunction(this.#spec.userFunction);
    await super.close();
  }

  /** The max timestamp of the last window that contains the pane starting at `paneStart`. */
  #lastWindowMaxTimestamp(paneStart: number): number {
    return TimeWindow.getWindowStartWithOffset(paneStart, this.#offset, this.#slide) + this.#size - 1;
  }

  /** When a window with this max timestamp is cleaned up (Infinity: never). */
  #cleanupTime(maxTimestamp: number): number {
    if (!this.#eventTime) return maxTimestamp;
    const t = maxTimestamp + this.#lateness;
    return t >= MAX_WATERMARK ? Number.POSITIVE_INFINITY : t;
  }

  processElement(record: StreamRecord): void {
    this.setKeyContext(record, 0);
    const value = record.value;
    let ts: number;
    let watermark: number;
    if (this.#eventTime) {
      ts = record.timestamp ?? MIN_WATERMARK;
      if (ts <= MIN_WATERMARK) {
        throw new IllegalArgumentError(
          `SlidingEventTimeWindows(${this.#size}, ${this.#slide}): the record has no event timestamp; call assignTimestampsAndWatermarks(...) before an event-time window`,
        );
      }
      watermark = this.currentWatermark();
    } else {
      ts = this.ctx.processingTime.now();
      watermark = Number.NEGATIVE_INFINITY;
    }
    const size = this.#size;
    const lastStart = TimeWindow.getWindowStartWithOffset(ts, this.#offset, this.#slide);
    // The element's latest window is its last to be cleaned up: if it is late, all are.
    if (this.#cleanupTime(lastStart + size - 1) <= watermark) {
      if (ts + this.#lateness <= watermark) {
        const tag = this.#spec.lateDataTag;
        if (tag !== undefined) this.outputSide(tag, value, record.timestamp);
        else this.#numLateRecordsDropped++;
      }
      return;
    }
    const buf = this.#panes.value() ?? { s: [], v: [], t: null, f: null, r: null };
    const paneStart = TimeWindow.getWindowStartWithOffset(ts, this.#offset, this.#pane);
    const newPane = this.#addToPane(buf, paneStart, value);
    let next = Number.POSITIVE_INFINITY;
    // The element's earliest window ends first. If it has not ended (nor, in processing time, been
    // fired in this millisecond), no window of the element has: nothing fires now, and its end is
    // the next time this key needs a timer. No visit of the size/slide windows.
    const firstMax =
      TimeWindow.getWindowStartWithOffset(ts - size + this.#slide, this.#offset, this.#slide) + size - 1;
    if (firstMax > watermark && (buf.f === null || firstMax > buf.f)) next = firstMax;
    // Otherwise the element's windows in the assigner's order (latest start first), as Flink.
    else
      for (let start = lastStart; start > ts - size; start -= this.#slide) {
        const maxTimestamp = start + size - 1;
        if (this.#cleanupTime(maxTimestamp) <= watermark) break;
        if (maxTimestamp <= watermark) this.#fire(buf, start);
        else if (buf.f !== null && maxTimestamp <= buf.f) {
          // Processing time: this window already fired and was removed in this millisecond.
          buf.r = [
            start + size,
            buf.r === null ? this.#partial(undefined, value) : this.#partial(buf.r[1], value),
          ];
          next = Math.min(next, maxTimestamp);
        } else next = Math.min(next, maxTimestamp);
      }
    if (newPane) next = Math.min(next, this.#cleanupTime(this.#lastWindowMaxTimestamp(paneStart)));
    this.#schedule(buf, next);
    this.#panes.update(buf);
  }

  /** Adds a value to its pane; true when the pane is new. */
  #addToPane(buf: PaneBuffer, paneStart: number, value: unknown): boolean {
    const { s, v } = buf;
    const n = s.length;
    let i: number;
    let exists: boolean;
    if (n > 0 && s[n - 1] === paneStart) {
      i = n - 1;
      exists = true;
    } else if (n === 0 || s[n - 1]! < paneStart) {
      i = n;
      exists = false;
    } else {
      i = lowerBound(s, paneStart);
      exists = s[i] === paneStart;
    }
    const partial = this.#partial(exists ? v[i] : undefined, value);
    if (exists) v[i] = partial;
    else if (i === n) {
      s.push(paneStart);
      v.push(partial);
    } else {
      s.splice(i, 0, paneStart);
      v.splice(i, 0, partial);
    }
    return !exists;
  }

  /** Adds a value to a partial result (undefined: none yet). */
  #partial(partial: unknown, value: unknown): unknown {
    const aggregation = this.#spec.aggregation;
    if (aggregation.kind === 'reduce')
      return partial === undefined ? value : aggregation.reduce(partial, value);
    const fn = aggregation.aggregate;
    return fn.add(value, partial === undefined ? fn.createAccumulator() : partial);
  }

  /** Makes the key's timer fire at `time` at the latest. */
  #schedule(buf: PaneBuffer, time: number): void {
    if (!Number.isFinite(time) || (buf.t !== null && buf.t <= time)) return;
    const timers = this.timers();
    if (buf.t !== null) {
      if (this.#eventTime) timers.deleteEventTimeTimer(TIMER_NS, buf.t);
      else timers.deleteProcessingTimeTimer(TIMER_NS, buf.t);
    }
    if (this.#eventTime) timers.registerEventTimeTimer(TIMER_NS, time);
    else timers.registerProcessingTimeTimer(TIMER_NS, time);
    buf.t = time;
  }

  override onEventTime(timer: InternalTimer<string>): void {
    if (this.#eventTime) this.#onTimer(timer.timestamp);
  }

  override onProcessingTime(timer: InternalTimer<string>): void {
    if (!this.#eventTime) this.#onTimer(timer.timestamp);
  }

  #onTimer(time: number): void {
    const buf = this.#panes.value();
    if (buf === undefined) return;
    buf.t = null;
    // 1. The window ending right after `time`, if windows end there, it has content and it has
    // not fired yet; and a window started again after it was removed.
    const start = time + 1 - this.#size;
    if ((buf.f === null || time > buf.f) && this.#isWindowStart(start)) {
      const i = lowerBound(buf.s, start);
      if (i < buf.s.length && buf.s[i]! <= time) this.#fire(buf, start);
    }
    const revived = buf.r;
    if (revived !== null && revived[0] - 1 <= time) {
      buf.r = null;
      this.#emit(revived[0] - this.#size, revived[1]);
    }
    if (buf.f === null || time > buf.f) buf.f = time;
    // 2. Panes that no live window needs any more (fire first: with no lateness, a window's
    // firing and its cleanup are at the same time).
    let drop = 0;
    while (drop < buf.s.length && this.#cleanupTime(this.#lastWindowMaxTimestamp(buf.s[drop]!)) <= time)
      drop++;
    if (drop > 0) {
      buf.s.splice(0, drop);
      buf.v.splice(0, drop);
    }
    if (buf.s.length === 0 && buf.r === null) {
      this.#panes.clear();
      return;
    }
    // 3. The next window end with content, or the next pane cleanup.
    const nextCleanup =
      buf.s.length === 0
        ? Number.POSITIVE_INFINITY
        : this.#cleanupTime(this.#lastWindowMaxTimestamp(buf.s[0]!));
    const nextRevived = buf.r === null ? Number.POSITIVE_INFINITY : buf.r[0] - 1;
    this.#schedule(buf, Math.min(this.#nextFireTime(buf, time), nextCleanup, nextRevived));
    this.#panes.update(buf);
  }

  #isWindowStart(start: number): boolean {
    return TimeWindow.getWindowStartWithOffset(start, this.#offset, this.#slide) === start;
  }

  /** The max timestamp of the first window ending after `time + 1` that contains a pane. */
  #nextFireTime(buf: PaneBuffer, time: number): number {
    const size = this.#size;
    const slide = this.#slide;
    // Window ends are aligned to offset + size.
    let end = TimeWindow.getWindowStartWithOffset(time + 1, this.#offset + size, slide) + slide;
    const i = lowerBound(buf.s, end - size);
    if (i >= buf.s.length) return Number.POSITIVE_INFINITY;
    const pane = buf.s[i]!;
    if (pane >= end) end = TimeWindow.getWindowStartWithOffset(pane, this.#offset + size, slide) + slide;
    return end - 1;
  }

  /** Evaluates the window starting at `start` from its panes. */
  #fire(buf: PaneBuffer, start: number): void {
    const end = start + this.#size;
    const { s, v } = buf;
    let i = lowerBound(s, start);
    if (i >= s.length || s[i]! >= end) return;
    const aggregation = this.#spec.aggregation;
    let partial: unknown;
    if (aggregation.kind === 'reduce') {
      // The reduce function must not modify its arguments: panes are shared by windows.
      partial = v[i];
      for (i++; i < s.length && s[i]! < end; i++) partial = aggregation.reduce(partial, v[i]);
    } else if (i + 1 >= s.length || s[i + 1]! >= end) {
      partial = v[i];
    } else {
      // A fresh accumulator first: merge(a, b) may update a, and panes are shared by windows.
      const fn = aggregation.aggregate;
      partial = fn.createAccumulator();
      for (; i < s.length && s[i]! < end; i++) partial = fn.merge!(partial, v[i]);
    }
    this.#emit(start, partial);
  }

  /** Emits the window starting at `start` from its partial result. */
  #emit(start: number, partial: unknown): void {
    const aggregation = this.#spec.aggregation;
    const result = aggregation.kind === 'reduce' ? partial : aggregation.aggregate.getResult(partial);
    const window = new TimeWindow(start, start + this.#size);
    this.#runner.emit(this.ctx.keyedBackend!.getCurrentKey(), window, [result]);
  }
}
