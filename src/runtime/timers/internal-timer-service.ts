// Per-operator timers by key, namespace and timestamp: deduplicated, fired in timestamp order,
// event-time timers when the watermark passes them, processing-time timers by the clock.
// Timers are grouped by timestamp (many share one: a window's end), so the heap holds timestamps.
import type { KeyedStateBackend } from '../../state/index.ts';
import { assignToKeyGroup, normalizeKey, VOID_NAMESPACE } from '../../state/index.ts';
import type { ProcessingTimeService } from './processing-time-service.ts';

/** A registered timer. */
export interface InternalTimer<N> {
  readonly timestamp: number;
  readonly key: unknown;
  readonly namespace: N;
}

/** Receives timer firings; the key context is set to the timer's key before the call. */
export interface Triggerable<N> {
  onEventTime(timer: InternalTimer<N>): void;
  onProcessingTime(timer: InternalTimer<N>): void;
}

/** A key or namespace as a Map key: primitives as they are (a Map keeps 1 and "1" apart), objects in canonical form. */
function mapKey(value: unknown): unknown {
  return value !== null && typeof value === 'object' ? normalizeKey(value) : value;
}

/**
 * The timers of one timestamp, deduplicated without building a string per timer: timers in the
 * void namespace (process functions) by key, others (windows) by namespace, then key, so that the
 * many keys of one window share one inner map.
 */
class TimerBucket<N> {
  readonly byKey = new Map<unknown, InternalTimer<N>>();
  readonly byNamespace = new Map<unknown, Map<unknown, InternalTimer<N>>>();
  size = 0;

  /** The map a timer of `namespace` belongs in (created when `create`). */
  mapOf(namespace: N, create: boolean): Map<unknown, InternalTimer<N>> | undefined {
    if (namespace === VOID_NAMESPACE) return this.byKey;
    const ns = mapKey(namespace);
    let map = this.byNamespace.get(ns);
    if (map === undefined && create) {
      map = new Map();
      this.byNamespace.set(ns, map);
    }
    return map;
  }
}

/** A binary min-heap of timestamps (a timestamp may appear more than once; see TimerQueue). */
class TimestampHeap {
  readonly items: number[] = [];
  push(t: number): void {
    const a = this.items;
    let i = a.length;
    a.push(t);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = a[p]!;
      if (parent <= t) break;
      a[i] = parent;
      i = p;
    }
    a[i] = t;
  }
  pop(): void {
    const a = this.items;
    const last = a.pop();
    const n = a.length;
    if (n === 0 || last === undefined) return;
    let i = 0;
    while (true) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && a[r]! < a[l]! ? r : l;
      if (a[c]! >= last) break;
      a[i] = a[c]!;
      i = c;
    }
    a[i] = last;
  }
}

/**
 * The timers of one time domain, grouped by timestamp: a heap of the distinct timestamps and a
 * bucket of timers per timestamp, so that the many timers of one window end cost one heap entry,
 * and dedup needs no string per timer. Deleting a timer leaves its timestamp in the heap; a
 * timestamp without a bucket is skipped when it comes up.
 */
class TimerQueue<N> {
  readonly #heap = new TimestampHeap();
  readonly #buckets = new Map<number, TimerBucket<N>>();
  size = 0;

  /** Adds a timer unless an equal one exists. */
  add(time: number, key: unknown, namespace: N): void {
    let bucket = this.#buckets.get(time);
    if (bucket === undefined) {
      bucket = new TimerBucket<N>();
      this.#buckets.set(time, bucket);
      this.#heap.push(time);
    }
    const map = bucket.mapOf(namespace, true)!;
    const k = mapKey(key);
    if (map.has(k)) return;
    map.set(k, { timestamp: time, key, namespace });
    bucket.size++;
    this.size++;
  }

  delete(time: number, key: unknown, namespace: N): void {
    const bucket = this.#buckets.get(time);
    if (bucket === undefined) return;
    const map = bucket.mapOf(namespace, false);
    if (map === undefined || !map.delete(mapKey(key))) return;
    if (map.size === 0 && map !== bucket.byKey) bucket.byNamespace.delete(mapKey(namespace));
    bucket.size--;
    this.size--;
    if (bucket.size === 0) this.#buckets.delete(time);
  }

  /** The earliest timestamp with a timer, or undefined. */
  peekTime(): number | undefined {
    const heap = this.#heap;
    while (heap.items.length > 0) {
      const t = heap.items[0]!;
      const bucket = this.#buckets.get(t);
      if (bucket !== undefined && bucket.size > 0) return t;
      if (bucket !== undefined) this.#buckets.delete(t);
      heap.pop();
    }
    return undefined;
  }

  /**
   * Removes and fires, in timestamp order, every timer at or before `time`. A timer registered
   * by a firing one at or before `time` fires too (in this call), and a timer deleted by a
   * firing one does not.
   */
  fireUntil(time: number, fire: (timer: InternalTimer<N>) => void): void {
    outer: for (let t = this.peekTime(); t !== undefined && t <= time; t = this.peekTime()) {
      const bucket = this.#buckets.get(t)!;
      for (const [k, timer] of bucket.byKey) {
        bucket.byKey.delete(k);
        bucket.size--;
        this.size--;
        fire(timer);
        // A firing timer registered an earlier one: take timestamps from the top again.
        if (this.#heap.items[0] !== t) continue outer;
      }
      for (const [ns, map] of bucket.byNamespace) {
        for (const [k, timer] of map) {
          map.delete(k);
          if (map.size === 0 && bucket.byNamespace.get(ns) === map) bucket.byNamespace.delete(ns);
          bucket.size--;
          this.size--;
          fire(timer);
          if (this.#heap.items[0] !== t) continue outer;
        }
      }
    }
  }

  /** Every timer, for snapshots. */
  *timers(): IterableIterator<InternalTimer<N>> {
    for (const bucket of this.#buckets.values()) {
      yield* bucket.byKey.values();
      for (const map of bucket.byNamespace.values()) yield* map.values();
    }
  }
}

/**
 * Timer service of one keyed operator subtask.
 *
 * @example
 * const timers = new InternalTimerService(backend, clock, operator);
 * timers.registerEventTimeTimer('', 1000);
 */
export class InternalTimerService<N = string> {
  readonly #backend: KeyedStateBackend;
  readonly #clock: ProcessingTimeService;
  readonly #target: Triggerable<N>;
  readonly #eventTimers = new TimerQueue<N>();
  readonly #procTimers = new TimerQueue<N>();
  #cancelScheduled: (() => void) | undefined;
  #scheduledFor = Number.POSITIVE_INFINITY;
  #watermark = Number.MIN_SAFE_INTEGER;
  readonly #fireEventTime = (timer: InternalTimer<N>): void => {
    this.#backend.setCurrentKey(timer.key);
    this.#target.onEventTime(timer);
  };
  readonly #fireProcessingTime = (timer: InternalTimer<N>): void => {
    this.#backend.setCurrentKey(timer.key);
    this.#target.onProcessingTime(timer);
  };

  constructor(backend: KeyedStateBackend, clock: ProcessingTimeService, target: Triggerable<N>) {
    this.#backend = backend;
    this.#clock = clock;
    this.#target = target;
  }

  currentWatermark(): number {
    return this.#watermark;
  }

  currentProcessingTime(): number {
    return this.#clock.now();
  }

  registerEventTimeTimer(namespace: N, time: number): void {
    this.#eventTimers.add(time, this.#backend.getCurrentKey(), namespace);
  }

  deleteEventTimeTimer(namespace: N, time: number): void {
    this.#eventTimers.delete(time, this.#backend.getCurrentKey(), namespace);
  }

  registerProcessingTimeTimer(namespace: N, time: number): void {
    this.#procTimers.add(time, this.#backend.getCurrentKey(), namespace);
    if (time < this.#scheduledFor) this.#schedule(time);
  }

  deleteProcessingTimeTimer(namespace: N, time: number): void {
    this.#procTimers.delete(time, this.#backend.getCurrentKey(), namespace);
  }

  /** Number of live event-time timers. */
  numEventTimeTimers(): number {
    return this.#eventTimers.size;
  }

  /** Number of live processing-time timers. */
  numProcessingTimeTimers(): number {
    return this.#procTimers.size;
  }

  /** Fires every event-time timer at or before `watermark`, in timestamp order. */
  advanceWatermark(watermark: number): void {
    this.#watermark = watermark;
    this.#eventTimers.fireUntil(watermark, this.#fireEventTime);
  }

  #schedule(time: number): void {
    this.#cancelScheduled?.();
    this.#scheduledFor = time;
    this.#cancelScheduled = this.#clock.schedule(time, (t) => this.#onProcessingTime(t));
  }

  #onProcessingTime(time: number): void {
    this.#scheduledFor = Number.POSITIVE_INFINITY;
    this.#cancelScheduled = undefined;
    this.#procTimers.fireUntil(time, this.#fireProcessingTime);
    const next = this.#procTimers.peekTime();
    if (next !== undefined) this.#schedule(next);
  }

  /** Every live timer as [timestamp, key, namespace] (for a checkpoint). */
  snapshot(): { eventTime: Array<[number, unknown, N]>; processingTime: Array<[number, unknown, N]> } {
    return {
      eventTime: Array.from(this.#eventTimers.timers(), (t): [number, unknown, N] => [
        t.timestamp,
        t.key,
        t.namespace,
      ]),
      processingTime: Array.from(this.#procTimers.timers(), (t): [number, unknown, N] => [
        t.timestamp,
        t.key,
        t.namespace,
      ]),
    };
  }

  /** Re-registers the timers whose keys belong to this subtask's key groups. */
  restore(snapshot: {
    eventTime: ReadonlyArray<readonly [number, unknown, N]>;
    processingTime: ReadonlyArray<readonly [number, unknown, N]>;
  }): void {
    const { start, end } = this.#backend.keyGroupRange;
    const max = this.#backend.maxParallelism;
    const owns = (key: unknown): boolean => {
      const kg = assignToKeyGroup(key, max);
      return kg >= start && kg <= end;
    };
    for (const [ts, key, ns] of snapshot.eventTime) {
      if (!owns(key)) continue;
      this.#backend.setCurrentKey(key);
      this.registerEventTimeTimer(ns, ts);
    }
    for (const [ts, key, ns] of snapshot.processingTime) {
      if (!owns(key)) continue;
      this.#backend.setCurrentKey(key);
      this.registerProcessingTimeTimer(ns, ts);
    }
  }

  /** Cancels the scheduled clock callback (task shutdown). */
  close(): void {
    this.#cancelScheduled?.();
    this.#cancelScheduled = undefined;
  }
}
