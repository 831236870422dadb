// Checkpoint barriers at a task with several input channels. Exactly-once: a channel whose
// barrier arrived is blocked until every channel's barrier has arrived (alignment), so the
// snapshot contains exactly the records before the barrier. At-least-once: nothing is blocked;
// the snapshot is taken when the last barrier arrives (replays may then duplicate records).
import type { StreamEvent } from '../../core/index.ts';
import type { InputChannel, InputGate } from '../network/input-gate.ts';

/** A checkpoint barrier event. */
export type Barrier = Extract<StreamEvent, { kind: 'barrier' }>;

/**
 * Aligns barriers over the channels of an input gate.
 *
 * @example
 * const handler = new CheckpointBarrierHandler(gate, true, (b) => task.checkpoint(b), (id, why) => task.decline(id, why));
 */
export class CheckpointBarrierHandler {
  readonly #gate: InputGate;
  readonly #exactlyOnce: boolean;
  readonly #onAligned: (barrier: Barrier) => void;
  readonly #onAbort: (checkpointId: number, reason: string) => void;
  #current = 0;
  #barrier: Barrier | undefined;
  #seen = new Set<InputChannel>();

  constructor(
    gate: InputGate,
    exactlyOnce: boolean,
    onAligned: (barrier: Barrier) => void,
    onAbort: (checkpointId: number, reason: string) => void,
  ) {
    this.#gate = gate;
    this.#exactlyOnce = exactlyOnce;
    this.#onAligned = onAligned;
    this.#onAbort = onAbort;
  }

  /** True while waiting for barriers of a checkpoint. */
  get aligning(): boolean {
    return this.#barrier !== undefined || this.#tracked.size > 0;
  }

  /** A barrier arrived on `channel`; returns true when the channel must stop being consumed. */
  onBarrier(channel: InputChannel, barrier: Barrier): boolean {
    if (!this.#exactlyOnce) {
      this.#track(channel, barrier);
      return false;
    }
    if (barrier.checkpointId < this.#current) return false;
    if (barrier.checkpointId === this.#current && this.#barrier === undefined) return false;
    if (barrier.checkpointId > this.#current) {
      if (this.#barrier !== undefined) {
        const old = this.#current;
        this.#reset();
        this.#onAbort(
          old,
          `barrier of checkpoint ${barrier.checkpointId} arrived before alignment of checkpoint ${old} completed`,
        );
      }
      this.#current = barrier.checkpointId;
      this.#barrier = barrier;
    }
    this.#seen.add(channel);
    if (this.#complete()) return false;
    if (this.#exactlyOnce) {
      this.#gate.block(channel);
      return true;
    }
    return false;
  }

  /** A channel ended: it no longer holds back the alignment. */
  onChannelFinished(): void {
    if (!this.#exactlyOnce) {
      for (const [id, t] of [...this.#tracked]) if (this.#tracked.has(id)) this.#completeTracked(t.barrier);
      return;
    }
    if (this.#barrier !== undefined) this.#complete();
  }

  /** Aborts the alignment of `checkpointId` (the coordinator gave up on it). */
  abort(checkpointId: number): void {
    this.#tracked.delete(checkpointId);
    if (this.#barrier !== undefined && this.#current === checkpointId) this.#reset();
  }

  /**
   * At-least-once: several checkpoints may be in flight (a fast channel can deliver the barrier
   * of checkpoint n+1 before a slow one delivers n's), so each is counted on its own, as Flink's
   * CheckpointBarrierTracker does; completing n drops older ones (the coordinator subsumes them).
   */
  readonly #tracked = new Map<number, { barrier: Barrier; seen: Set<InputChannel> }>();

  #track(channel: InputChannel, barrier: Barrier): void {
    const id = barrier.checkpointId;
    if (id <= this.#current) return;
    let t = this.#tracked.get(id);
    if (t === undefined) {
      t = { barrier, seen: new Set() };
      this.#tracked.set(id, t);
    }
    t.seen.add(channel);
    this.#completeTracked(barrier);
  }

  #completeTracked(barrier: Barrier): void {
    const t = this.#tracked.get(barrier.checkpointId);
    if (t === undefined) return;
    for (const c of this.#gate.channels) if (!c.finished && !t.seen.has(c)) return;
    this.#current = barrier.checkpointId;
    for (const id of [...this.#tracked.keys()]) if (id <= barrier.checkpointId) this.#tracked.delete(id);
    this.#onAligned(t.barrier);
  }

  #complete(): boolean {
    const barrier = this.#barrier;
    if (barrier === undefined) return false;
    for (const c of this.#gate.channels) if (!c.finished && !this.#seen.has(c)) return false;
    this.#reset();
    this.#onAligned(barrier);
    return true;
  }

  #reset(): void {
    this.#barrier = undefined;
    this.#seen = new Set();
    this.#gate.unblockAll();
  }
}
