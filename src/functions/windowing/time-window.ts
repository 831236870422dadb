// The interval window [start, end) of tumbling, sliding and session windows, with Flink's rules
// for alignment (offsets, negative timestamps) and for merging (touching windows merge).
import { IllegalArgumentError } from '../../core/index.ts';
import type { Window, WindowSerializer } from './window.ts';

/**
 * A window covering the timestamps `start` (inclusive) to `end` (exclusive).
 *
 * @example
 * const w = new TimeWindow(0, 10);
 * w.maxTimestamp(); // 9
 * w.intersects(new TimeWindow(10, 20)); // true: touching windows merge
 */
export class TimeWindow implements Window {
  readonly start: number;
  readonly end: number;
  #namespace: string | undefined;

  constructor(start: number, end: number) {
    this.start = start;
    this.end = end;
  }

  /** `end - 1`: the last timestamp in the window. */
  maxTimestamp(): number {
    return this.end - 1;
  }

  /** True when the windows overlap or touch (Flink's rule: `start <= other.end && end >= other.start`). */
  intersects(other: TimeWindow): boolean {
    return this.start <= other.end && this.end >= other.start;
  }

  /** The smallest window that covers both. */
  cover(other: TimeWindow): TimeWindow {
    return new TimeWindow(Math.min(this.start, other.start), Math.max(this.end, other.end));
  }

  equals(other: unknown): boolean {
    return other instanceof TimeWindow && other.start === this.start && other.end === this.end;
  }

  toString(): string {
    return `TimeWindow{start=${this.start}, end=${this.end}}`;
  }

  /** Plain data for serialization (JSON, records). */
  toJSON(): { start: number; end: number } {
    return { start: this.start, end: this.end };
  }

  /** @internal the state namespace of this window (cached). */
  get namespace(): string {
    if (this.#namespace === undefined) this.#namespace = `${this.start},${this.end}`;
    return this.#namespace;
  }

  /**
   * The start of the window of size `windowSize` that contains `timestamp`, with windows aligned
   * to `offset` (also for negative timestamps).
   */
  static getWindowStartWithOffset(timestamp: number, offset: number, windowSize: number): number {
    const remainder = (timestamp - offset) % windowSize;
    return remainder < 0 ? timestamp - (remainder + windowSize) : timestamp - remainder;
  }

  /**
   * Merges overlapping (or touching) windows: sorts them by start and reports every group of more
   * than one window with the window that covers the group.
   */
  static mergeWindows(
    windows: readonly TimeWindow[],
    callback: (toBeMerged: readonly TimeWindow[], mergeResult: TimeWindow) => void,
  ): void {
    const sorted = [...windows].sort((a, b) => a.start - b.start);
    let cover: TimeWindow | undefined;
    let group: TimeWindow[] = [];
    const flush = (): void => {
      if (cover !== undefined && group.length > 1) callback(group, cover);
    };
    for (const w of sorted) {
      if (cover === undefined) {
        cover = w;
        group = [w];
      } else if (cover.intersects(w)) {
        cover = cover.cover(w);
        // A set in Flink: an equal window is the same window.
        if (!group.some((g) => g.equals(w))) group.push(w);
      } else {
        flush();
        cover = w;
        group = [w];
      }
    }
    flush();
  }

  /** Namespaces of time windows: `"start,end"`. */
  static readonly serializer: WindowSerializer<TimeWindow> = {
    toNamespace: (w) => w.namespace,
    fromNamespace: (ns) => {
      const comma = ns.indexOf(',');
      const start = Number(ns.slice(0, comma));
      const end = Number(ns.slice(comma + 1));
      if (comma < 0 || !Number.isFinite(start) || !Number.isFinite(end)) {
        throw new IllegalArgumentError(`not a time window namespace: ${JSON.stringify(ns)}`);
      }
      return new TimeWindow(start, end);
    },
  };
}
