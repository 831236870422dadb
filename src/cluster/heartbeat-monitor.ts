// Which peers have gone silent: pure bookkeeping of when each was last heard from, with the
// clock passed in, so the timeout logic is tested without sleeping.

/**
 * Tracks the last time each target was heard from.
 *
 * @example
 * const monitor = new HeartbeatMonitor(5000);
 * monitor.heard('tm-1', Date.now());
 * for (const id of monitor.expired(Date.now())) console.log(`${id} timed out`);
 */
export class HeartbeatMonitor {
  readonly timeoutMs: number;
  readonly #lastHeard = new Map<string, number>();

  constructor(timeoutMs: number) {
    this.timeoutMs = timeoutMs;
  }

  /** Any message from `id` counts as a heartbeat. */
  heard(id: string, now: number): void {
    this.#lastHeard.set(id, now);
  }

  /** Stops watching `id`. */
  forget(id: string): void {
    this.#lastHeard.delete(id);
  }

  /** Milliseconds since `id` was last heard from, or undefined when it is not watched. */
  sinceLastHeard(id: string, now: number): number | undefined {
    const t = this.#lastHeard.get(id);
    return t === undefined ? undefined : now - t;
  }

  /** Targets not heard from for longer than the timeout; they are no longer watched. */
  expired(now: number): string[] {
    const out: string[] = [];
    for (const [id, t] of this.#lastHeard) {
      if (now - t > this.timeoutMs) out.push(id);
    }
    for (const id of out) this.#lastHeard.delete(id);
    return out;
  }
}
