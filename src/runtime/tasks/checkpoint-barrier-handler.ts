// Checkpoint barriers at a task with several input channels. Exactly-once: a channel whose
// barrier arrived is blocked until every channel's barrier has arrived (alignment), so the
// snapshot contains exactly the records before the barrier. At-least-once: nothing is blocked;
// the snapshot is taken when the last barrier arrives (replays may then duplicate records).
// Unaligned (exactly-once): the snapshot is taken at the first barrier, which arrived as a priority
// event ahead of the channel's queued data; what then arrives on each channel until its own
// barrier is recorded as the checkpoint's input channel state, and nothing is blocked.
// Aligned with a timeout (unaligned checkpoints with execution.checkpointing.aligned-checkpoint-timeout):
// a checkpoint starts aligned; when its alignment is still incomplete after the timeout (counted from
// the checkpoint's start), or an upstream task sends it unaligned, it switches to unaligned at once.
import type { StreamEvent } from '../../core/index.ts';
import { type BufferCodec, type DecodedBuffer, LocalBatch } from '../network/buffer-codec.ts';
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
  /**
   * Aligned checkpoints that switch to unaligned after `ms` since their start (Flink's
   * aligned-checkpoint timeout; absent or 0: checkpoints are unaligned from the start). `after`
   * runs `action` once `delayMs` have passed (in the task's mailbox) and returns its cancellation.
   */
  readonly alignmentTimeout?: {
    readonly ms: number;
    after(delayMs: number, action: () => void): () => void;
  };
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
  /** Cancels the alignment timeout of the checkpoint being aligned. */
  #cancelTimeout: (() => void) | undefined;

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
      // An upstream task switched this checkpoint to unaligned while it is aligned here: switch too.
      else if (this.#barrier !== undefined) this.#switchToUnaligned(channel, queuedBefore);
      return;
    }
    this.#supersede(id);
    this.#current = id;
    this.#startUnaligned(barrier, new Set(), channel, queuedBefore);
  }

  /**
   * The aligned checkpoint in progress becomes unaligned: the channels whose barrier arrived are
   * released (what follows their barrier comes after the snapshot), the others are recorded up to
   * their barrier — or `priority`'s `queuedBefore` buffers, when an unaligned barrier on it caused
   * the switch.
   */
  #switchToUnaligned(priority?: InputChannel, queuedBefore = 0): void {
    const barrier = this.#barrier;
    if (barrier === undefined) return;
    const arrived = this.#seen;
    this.#reset();
    this.#startUnaligned(barrier, arrived, priority, queuedBefore);
  }

  /**
   * Snapshots (hooks.snapshot) and starts recording every channel that is not in `arrived`:
   * the rest of its current buffer and its queue now, then what arrives until its barrier.
   * `priority` (whose unaligned barrier starts this) contributes its `queuedBefore` buffers only.
   */
  #startUnaligned(
    barrier: Barrier,
    arrived: ReadonlySet<InputChannel>,
    priority: InputChannel | undefined,
    queuedBefore: number,
  ): void {
    const hooks = this.#unalignedHooks!;
    if (!hooks.snapshot(barrier)) return;
    const u: UnalignedInProgress = { barrier, open: new Set(), recorded: [] };
    this.#unaligned = u;
    const codec = hooks.codec;
    const id = barrier.checkpointId;
    const serialize = (b: Uint8Array): Uint8Array =>
      b instanceof LocalBatch
        ? codec.encode(b.decoded.values, b.decoded.timestamps, b.decoded.kinds, null)
        : b;
    /** Records `from` up to `to` of a decoded buffer, re-encoded (undefined when none). */
    const slice = (d: DecodedBuffer, from: number, to: number): Uint8Array | undefined =>
      to <= from
        ? undefined
        : codec.encode(
            d.values.slice(from, to),
            d.timestamps === null ? null : d.timestamps.slice(from, to),
            d.kinds === null ? null : d.kinds.slice(from, to),
            null,
          );
    // A switch from aligned: the channels still to deliver their barrier carry it in-band, among
    // their buffers (queued or yet to arrive): only what precedes it is channel state.
    const inBand = priority === undefined;
    /** What of `b` precedes this checkpoint's in-band barrier, and whether the barrier is in it. */
    const cut = (b: Uint8Array): { records: Uint8Array | undefined; barrier: boolean } => {
      const d = b instanceof LocalBatch ? b.decoded : codec.decode(b);
      const at = barrierIndex(d, id, 0);
      return at === undefined
        ? { records: serialize(b), barrier: false }
        : { records: slice(d, 0, at), barrier: true };
    };
    for (const c of this.#gate.channels) {
      if (c.finished || arrived.has(c)) continue;
      const buffers: Uint8Array[] = [];
      let closed = false;
      // The rest of the buffer being consumed: records from the cursor on come after the snapshot
      // (up to the barrier, when it is in that buffer).
      const cursor = c.cursor;
      if (cursor !== undefined) {
        const d = cursor.decoded;
        const at = inBand ? barrierIndex(d, id, cursor.event) : undefined;
        const part = slice(d, cursor.record, at ?? d.values.length);
        if (part !== undefined) buffers.push(part);
        closed ||= at !== undefined;
      }
      const queued = c === priority ? c.queue.slice(0, queuedBefore) : c.queue;
      for (const b of queued) {
        if (closed) break;
        if (!inBand) {
          buffers.push(serialize(b));
          continue;
        }
        const r = cut(b);
        if (r.records !== undefined) buffers.push(r.records);
        closed = r.barrier;
      }
      u.recorded.push({ channel: c, buffers });
      // (The priority barrier's channel: its barrier came after the `queuedBefore` buffers.)
      if (closed || c === priority) continue;
      u.open.add(c);
      c.recording = inBand
        ? (b) => {
            const r = cut(b);
            if (r.records !== undefined) buffers.push(r.records);
            if (r.barrier) this.#channelBarrier(c);
          }
        : (b) => buffers.push(serialize(b));
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
    if (barrier.checkpointId === this.#current && this.#barrier === undefined) {
      // The checkpoint switched to unaligned here: this channel's recording ends at its barrier.
      if (this.#unaligned?.barrier.checkpointId === barrier.checkpointId) this.#channelBarrier(channel);
      return false;
    }
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
      this.#armTimeout(barrier);
    }
    this.#seen.add(channel);
    if (this.#complete()) return false;
    if (this.#timedOut(barrier)) {
      this.#switchToUnaligned();
      return false;
    }
    this.#gate.block(channel);
    return true;
  }

  /** Remaining alignment time of `barrier`'s checkpoint (ms), or undefined without a timeout. */
  #remaining(barrier: Barrier): number | undefined {
    const t = this.#unalignedHooks?.alignmentTimeout;
    // Savepoints are always aligned.
    if (t === undefined || t.ms <= 0 || barrier.savepoint) return undefined;
    return t.ms - (Date.now() - barrier.timestamp);
  }

  #timedOut(barrier: Barrier): boolean {
    const remaining = this.#remaining(barrier);
    return remaining !== undefined && remaining <= 0;
  }

  #armTimeout(barrier: Barrier): void {
    const remaining = this.#remaining(barrier);
    if (remaining === undefined || remaining <= 0) return;
    const id = barrier.checkpointId;
    this.#cancelTimeout = this.#unalignedHooks!.alignmentTimeout!.after(remaining, () => {
      if (this.#barrier?.checkpointId === id) this.#switchToUnaligned();
    });
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
    this.#cancelTimeout?.();
    this.#cancelTimeout = undefined;
    this.#barrier = undefined;
    this.#seen = new Set();
    this.#gate.unblockAll();
  }
}

/**
 * The record index at which checkpoint `id`'s barrier sits in a decoded buffer (records before it
 * precede the barrier), looking at the events from flat index `fromEvent` on (a cursor's `event`);
 * undefined when absent.
 */
function barrierIndex(d: DecodedBuffer, id: number, fromEvent: number): number | undefined {
  const events = d.events;
  if (events === null) return undefined;
  for (let i = fromEvent; i + 1 < events.length; i += 2) {
    const e = events[i + 1];
    if (typeof e === 'object' && e.kind === 'barrier' && e.checkpointId === id) return events[i] as number;
  }
  return undefined;
}
