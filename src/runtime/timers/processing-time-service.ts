// Processing time for one task: the wall clock by default, a manual clock in tests. Timer
// callbacks are handed to the task's mailbox so they never interleave with record processing.

/** A clock with one-shot timers. */
export interface ProcessingTimeService {
  now(): number;
  /** Runs `callback(time)` once the clock reaches `time`; returns a function that cancels it. */
  schedule(time: number, callback: (time: number) => void): () => void;
}

/**
 * Wall-clock processing time.
 *
 * @example
 * const pts = new SystemProcessingTimeService((fn) => fn());
 */
export class SystemProcessingTimeService implements ProcessingTimeService {
  readonly #run: (action: () => void) => void;
  readonly #pending = new Set<NodeJS.Timeout>();
  #quiesced = false;

  /** `run` executes an action in the owning task's mailbox. */
  constructor(run: (action: () => void) => void) {
    this.#run = run;
  }

  now(): number {
    return Date.now();
  }

  schedule(time: number, callback: (time: number) => void): () => void {
    if (this.#quiesced) return () => {};
    const handle = setTimeout(
      () => {
        this.#pending.delete(handle);
        this.#run(() => callback(time));
      },
      Math.max(0, time - Date.now()),
    );
    this.#pending.add(handle);
    return () => {
      clearTimeout(handle);
      this.#pending.delete(handle);
    };
  }

  /**
   * From now on no timer fires: pending ones are cancelled and new ones are ignored (a task whose
   * input ended and whose operators finished, as Flink quiesces its timer service then).
   */
  quiesce(): void {
    this.#quiesced = true;
    this.shutdown();
  }

  /** Cancels every pending timer (task shutdown). */
  shutdown(): void {
    for (const h of this.#pending) clearTimeout(h);
    this.#pending.clear();
  }
}

/**
 * A clock that moves only when told: deterministic tests of processing-time logic.
 *
 * @example
 * const clock = new ManualProcessingTimeService(0);
 * clock.advanceTo(1000); // fires timers due at or before 1000
 */
export class ManualProcessingTimeService implements ProcessingTimeService {
  #now: number;
  #timers: Array<{ time: number; callback: (time: number) => void; cancelled: boolean }> = [];

  constructor(start = 0) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  schedule(time: number, callback: (time: number) => void): () => void {
    const entry = { time, callback, cancelled: false };
    this.#timers.push(entry);
    return () => {
      entry.cancelled = true;
    };
  }

  /** Moves the clock forward, firing due timers in time order. */
  advanceTo(time: number): void {
    while (true) {
      const due = this.#timers
        .filter((t) => !t.cancelled && t.time <= time)
        .sort((a, b) => a.time - b.time)[0];
      if (due === undefined) break;
      due.cancelled = true;
      this.#now = Math.max(this.#now, due.time);
      due.callback(due.time);
    }
    this.#timers = this.#timers.filter((t) => !t.cancelled);
    this.#now = Math.max(this.#now, time);
  }
}
