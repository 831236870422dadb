// Checkpoint barriers at a task with several input channels. Exactly-once: a channel whose
// barrier arrived is blocked until every channel's barrier has arrived (alignment), so the
// snapshot contains exactly the records before the barrier. At-least-once: nothing is blocked;
// the snapshot is taken when the last barrier arrives (replays may then duplicate records).
// Unaligned (exactly-once): the snapshot is taken at the first barrier, which arrived as a priority
// event ahead of the channel's queued data; what then arrives on each channel until its own
// barrier is recorded as the checkpoint's input channel state, and nothing is blocked.
import type { StreamEvent } from '../../core/index.ts';
import { type BufferCodec, LocalBatch } from '../network/buffer-codec.ts';
import type { InputChannel, InputGate } from '../network/input-gate.ts';

/** A checkpoint barrier event. */
export type Barrier = Extract<StreamEvent, { kind: 'barrier' }>;

/** The in-flight buffers of one input channel recorded for an unaligned checkpoint. */
export interface RecordedInputChannel {
  readonly channel: InputChannel;
  /** Serialized buffers in arrival order; only their records count (events are regenerated). */
  readonly buffers: Uint8Array[];
}

/**
 * What the task does for an unaligned checkpoint.
 *
 * @example
 * const hooks: UnalignedCheckpointHooks = {
 *   codec,
 *   snapshot: (barrier) => task.snapshotAndOvertake(barrier),
 *   complete: (barrier, inputs) => task.writeWithChannelState(barrier, inputs),
 * };
 */
export interface UnalignedCheckpointHooks {
  readonly codec: BufferCodec;
  /**
   * At the first barrier: snapshot the operators and send the barrier downstream ahead of the
   * output backlog. False when the snapshot was declined (the checkpoint is then not tracked).
   */
  snapshot(barrier: Barrier): boolean;
  /** Every channel's barrier arrived (or the channel ended): the input channel state is complete. */
  complete(barrier: Barrier, inputs: readonly RecordedInputChannel[]): void;
}

/** An unaligned checkpoint between its first and its last barrier. */
interface UnalignedInProgress {
  readonly barrier: Barrier;
  /** Channels whose barrier has not arrived yet (and that have not ended). */
  readonly open: Set<InputChannel>;
  readonly recorded: RecordedInputChannel[];
}

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
  readonly #unalignedHooks: UnalignedCheckpointHooks | undefined;
  #current = 0;
  #barrier: Barrier | undefined;
  #seen = new Set<InputChannel>();
  #unaligned: UnalignedInProgress | undefined;

  /** `unaligned`: hooks of unaligned checkpoints (exactly-once only), when they are enabled. */
  constructor(
    gate: InputGate,
    exactlyOnce: boolean,
    onAligned: (barrier: Barrier) => void,
    onAbort: (checkpointId: number, reason: string) => void,
    unaligned?: UnalignedCheckpointHooks,
  ) {
    this.#gate = gate;
    this.#exactlyOnce = exactlyOnce;
    this.#onAligned = onAligned;
    this.#onAbort = onAbort;
    this.#unalignedHooks = exactlyOnce ? unaligned : undefined;
  }

  /** True while waiting for barriers of a checkpoint. */
  get aligning(): boolean {
    return this.#barrier !== undefined || this.#tracked.size > 0 || this.#unaligned !== undefined;
  }

  /**
   * An unaligned barrier arrived on `channel` as a priority event: the `queuedBefore` buffers at
   * the head of the channel's queue (default: all of them) and the rest of the buffer being
   * consumed were sent before it. The first barrier of a checkpoint takes the snapshot; until a
   * channel's barrier arrives, its data is recorded. Nothing is blocked.
   */
  onPriorityBarrier(channel: InputChannel, barrier: Barrier, queuedBefore = channel.queue.length): void {
    const hooks = this.#unalignedHooks;
    if (hooks === undefined) {
      // Not configured for unaligned checkpoints (only with an inconsistent job configuration):
      // the data this barrier overtook cannot be recorded any more, so the checkpoint is declined.
      this.#onAbort(barrier.checkpointId, 'unaligned barrier at a task without unaligned checkpoints');
      return;
    }
    const id = barrier.checkpointId;
    // (No barrier follows the end of a channel; a finished channel's is not counted.)
    if (id < this.#current || channel.finished) return;
    if (id === this.#current) {
      if (this.#unaligned?.barrier.checkpointId === id) this.#channelBarrier(channel);
      return;
    }
    this.#supersede(id);
    this.#current = id;
    if (!hooks.snapshot(barrier)) return;
    const u: UnalignedInProgress = { barrier, open: new Set(), recorded: [] };
    this.#unaligned = u;
    const serialize = (b: Uint8Array): Uint8Array =>
      b instanceof LocalBatch
        ? hooks.codec.encode(b.decoded.values, b.decoded.timestamps, b.decoded.kinds, null)
        : b;
    for (const c of this.#gate.channels) {
      if (c.finished) continue;
      const buffers: Uint8Array[] = [];
      // The rest of the buffer being consumed: records from the cursor on come after the snapshot.
      const cursor = c.cursor;
      if (cursor !== undefined && cursor.record < cursor.decoded.values.length) {
        const { values, timestamps, kinds } = cursor.decoded;
        const from = cursor.record;
        buffers.push(
          hooks.codec.encode(
            values.slice(from),
            timestamps === null ? null : timestamps.slice(from),
            kinds === null ? null : kinds.slice(from),
            null,
          ),
        );
      }
      const queued = c === channel ? c.queue.slice(0, queuedBefore) : c.queue;
      for (const b of queued) buffers.push(serialize(b));
      u.recorded.push({ channel: c, buffers });
      if (c === channel) continue;
      u.open.add(c);
      c.recording = (b) => buffers.push(serialize(b));
    }
    this.#completeUnaligned();
  }

  /** A newer checkpoint's barrier: an unfinished older one is given up. */
  #supersede(id: number): void {
    const old = this.#current;
    const reason = `barrier of checkpoint ${id} arrived before checkpoint ${old} completed at this task`;
    if (this.#barrier !== undefined) {
      this.#reset();
      this.#onAbort(old, reason);
    }
    if (this.#unaligned !== undefined) {
      this.#discardUnaligned();
      this.#onAbort(old, reason);
    }
  }

  #channelBarrier(channel: InputChannel): void {
    const u = this.#unaligned;
    if (u === undefined || !u.open.delete(channel)) return;
    channel.recording = undefined;
    this.#completeUnaligned();
  }

  #completeUnaligned(): void {
    const u = this.#unaligned;
    if (u === undefined || u.open.size > 0) return;
    this.#unaligned = undefined;
    this.#unalignedHooks!.complete(u.barrier, u.recorded);
  }

  #discardUnaligned(): void {
    const u = this.#unaligned;
    if (u === undefined) return;
    for (const c of u.open) c.recording = undefined;
    this.#unaligned = undefined;
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
      this.#supersede(barrier.checkpointId);
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
    const u = this.#unaligned;
    if (u !== undefined) {
      for (const c of [...u.open]) if (c.finished) this.#channelBarrier(c);
    }
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
    if (this.#unaligned?.barrier.checkpointId === checkpointId) this.#discardUnaligned();
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
