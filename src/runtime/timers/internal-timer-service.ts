// Per-operator timers by key, namespace and timestamp: deduplicated, fired in timestamp order,
// event-time timers when the watermark passes them, processing-time timers by the clock.
import type { KeyedStateBackend } from '../../state/index.ts';
import { assignToKeyGroup, normalizeKey } from '../../state/index.ts';
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

interface Entry<N> extends InternalTimer<N> {
  readonly id: string;
}

/**
 * A key or namespace as part of a timer id: typed, so that keys which print alike (1 and "1")
 * stay apart, and objects in canonical form, so that equal composite keys are one timer.
 */
function idPart(value: unknown): string {
  if (value !== null && typeof value === 'object') return String(normalizeKey(value));
  return `${typeof value}:${String(value)}`;
}

/** A binary min-heap of timers by timestamp. */
class TimerHeap<N> {
  readonly items: Entry<N>[] = [];
  push(e: Entry<N>): void {
    const a = this.items;
    a.push(e);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p]!.timestamp <= e.timestamp) break;
      a[i] = a[p]!;
      i = p;
    }
    a[i] = e;
  }
  peek(): Entry<N> | undefined {
    return this.items[0];
  }
  pop(): Entry<N> | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last !== undefined) {
      let i = 0;
      const n = a.length;
      while (true) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && a[r]!.timestamp < a[l]!.timestamp ? r : l;
        if (a[c]!.timestamp >= last.timestamp) break;
        a[i] = a[c]!;
        i = c;
      }
      a[i] = last;
    }
    return top;
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
  readonly #eventTimers = new TimerHeap<N>();
  readonly #eventIds = new Map<string, Entry<N>>();
  readonly #procTimers = new TimerHeap<N>();
  readonly #procIds = new Map<string, Entry<N>>();
  #cancelScheduled: (() => void) | undefined;
  #scheduledFor = Number.POSITIVE_INFINITY;
  #watermark = Number.MIN_SAFE_INTEGER;

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

  #id(namespace: N, time: number): string {
    return `${time}\u0000${idPart(this.#backend.getCurrentKey())}\u0000${idPart(namespace)}`;
  }

  registerEventTimeTimer(namespace: N, time: number): void {
    const id = this.#id(namespace, time);
    if (this.#eventIds.has(id)) return;
    const e: Entry<N> = { id, timestamp: time, key: this.#backend.getCurrentKey(), namespace };
    this.#eventIds.set(id, e);
    this.#eventTimers.push(e);
  }

  deleteEventTimeTimer(namespace: N, time: number): void {
    this.#eventIds.delete(this.#id(namespace, time));
  }

  registerProcessingTimeTimer(namespace: N, time: number): void {
    const id = this.#id(namespace, time);
    if (this.#procIds.has(id)) return;
    const e: Entry<N> = { id, timestamp: time, key: this.#backend.getCurrentKey(), namespace };
    this.#procIds.set(id, e);
    this.#procTimers.push(e);
    if (time < this.#scheduledFor) this.#schedule(time);
  }

  deleteProcessingTimeTimer(namespace: N, time: number): void {
    this.#procIds.delete(this.#id(namespace, time));
  }

  /** Number of live event-time timers. */
  numEventTimeTimers(): number {
    return this.#eventIds.size;
  }

  /** Number of live processing-time timers. */
  numProcessingTimeTimers(): number {
    return this.#procIds.size;
  }

  /** Fires every event-time timer at or before `watermark`, in timestamp order. */
  advanceWatermark(watermark: number): void {
    this.#watermark = watermark;
    const heap = this.#eventTimers;
    for (let top = heap.peek(); top !== undefined && top.timestamp <= watermark; top = heap.peek()) {
      heap.pop();
      if (this.#eventIds.get(top.id) !== top) continue;
      this.#eventIds.delete(top.id);
      this.#backend.setCurrentKey(top.key);
      this.#target.onEventTime(top);
    }
  }

  #schedule(time: number): void {
    this.#cancelScheduled?.();
    this.#scheduledFor = time;
    this.#cancelScheduled = this.#clock.schedule(time, (t) => this.#onProcessingTime(t));
  }

  #onProcessingTime(time: number): void {
    this.#scheduledFor = Number.POSITIVE_INFINITY;
    this.#cancelScheduled = undefined;
    const heap = this.#procTimers;
    for (let top = heap.peek(); top !== undefined && top.timestamp <= time; top = heap.peek()) {
      heap.pop();
      if (this.#procIds.get(top.id) !== top) continue;
      this.#procIds.delete(top.id);
      this.#backend.setCurrentKey(top.key);
      this.#target.onProcessingTime(top);
    }
    const next = heap.peek();
    if (next !== undefined) this.#schedule(next.timestamp);
  }

  /** Every live timer as [timestamp, key, namespace] (for a checkpoint). */
  snapshot(): { eventTime: Array<[number, unknown, N]>; processingTime: Array<[number, unknown, N]> } {
    return {
      eventTime: [...this.#eventIds.values()].map((t) => [t.timestamp, t.key, t.namespace]),
      processingTime: [...this.#procIds.values()].map((t) => [t.timestamp, t.key, t.namespace]),
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
