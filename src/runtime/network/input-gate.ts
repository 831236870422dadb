// The receiving side of a task: its input channels, the buffers that arrived on them, and the
// per-input watermark valve (minimum over non-idle, unfinished channels).
import { MIN_WATERMARK } from '../../core/index.ts';
import type { DecodedBuffer } from './buffer-codec.ts';
import type { NetworkSender } from './network-message.ts';

/** A decoded buffer being consumed, with the position reached. */
export interface BufferCursor {
  readonly decoded: DecodedBuffer;
  /** Next record index. */
  record: number;
  /** Next index into the flat events array. */
  event: number;
}

/** One upstream subtask's channel into this task. */
export class InputChannel {
  readonly id: number;
  readonly input: 1 | 2;
  readonly sourceSlot: number;
  readonly queue: Uint8Array[] = [];
  /** The buffer being consumed (kept when the channel is blocked in the middle of it). */
  cursor: BufferCursor | undefined;
  watermark = MIN_WATERMARK;
  idle = false;
  finished = false;
  /** Blocked by checkpoint barrier alignment: its data waits until the checkpoint is taken. */
  blocked = false;
  /** Listed in the gate's queue of channels with data. */
  queued = false;
  /** Buffers consumed whose credit has not been sent upstream yet. */
  unannouncedCredit = 0;
  /**
   * Unaligned checkpoint in progress and this channel's barrier not arrived yet: every buffer
   * arriving is in-flight data of the checkpoint and is handed to this recorder too.
   */
  recording: ((buffer: Uint8Array) => void) | undefined;
  constructor(id: number, input: 1 | 2, sourceSlot: number) {
    this.id = id;
    this.input = input;
    this.sourceSlot = sourceSlot;
  }
  get hasData(): boolean {
    return this.cursor !== undefined || this.queue.length > 0;
  }
}

/** Tracks the combined watermark and idleness of one logical input. */
export class WatermarkValve {
  readonly #channels: InputChannel[];
  #last = MIN_WATERMARK;
  #idle = false;
  constructor(channels: InputChannel[]) {
    this.#channels = channels;
  }

  /** Returns the new combined watermark if it advanced, else undefined. */
  combined(): number | undefined {
    let min = Number.POSITIVE_INFINITY;
    for (const c of this.#channels) if (!c.idle && !c.finished && c.watermark < min) min = c.watermark;
    if (min === Number.POSITIVE_INFINITY || min <= this.#last) return undefined;
    this.#last = min;
    return min;
  }

  /** Returns the new idleness if it changed, else undefined. */
  idleChange(): boolean | undefined {
    const active = this.#channels.filter((c) => !c.finished);
    const idle = active.length > 0 && active.every((c) => c.idle);
    if (idle === this.#idle) return undefined;
    this.#idle = idle;
    return idle;
  }
}

/** All input channels of a task, and the channels that have data, in round-robin order. */
export class InputGate {
  readonly channels: InputChannel[];
  readonly byId = new Map<number, InputChannel>();
  readonly valves: [WatermarkValve, WatermarkValve];
  /** Unblocked channels with data; each channel at most once. */
  readonly #available: InputChannel[] = [];
  #head = 0;
  readonly #sender: NetworkSender;
  /** Channels with unannounced credit. */
  readonly #unannounced: InputChannel[] = [];
  #open: number;
  /** Buffers received (metrics). */
  buffersIn = 0;

  constructor(channels: InputChannel[], sender: NetworkSender) {
    this.channels = channels;
    for (const c of channels) this.byId.set(c.id, c);
    this.valves = [
      new WatermarkValve(channels.filter((c) => c.input === 1)),
      new WatermarkValve(channels.filter((c) => c.input === 2)),
    ];
    this.#sender = sender;
    this.#open = channels.length;
  }

  #enqueue(c: InputChannel): void {
    if (c.queued || c.blocked || !c.hasData) return;
    c.queued = true;
    this.#available.push(c);
  }

  /** A buffer arrived from the network. */
  onBuffer(channelId: number, buffer: Uint8Array): void {
    const c = this.byId.get(channelId);
    if (c === undefined) return;
    c.queue.push(buffer);
    c.recording?.(buffer);
    this.buffersIn++;
    this.#enqueue(c);
  }

  get hasData(): boolean {
    return this.#head < this.#available.length;
  }

  /** The next channel with data to consume; call `done(channel)` after consuming from it. */
  nextChannel(): InputChannel | undefined {
    while (this.#head < this.#available.length) {
      const c = this.#available[this.#head++]!;
      if (this.#head > 1024 && this.#head * 2 > this.#available.length) {
        this.#available.splice(0, this.#head);
        this.#head = 0;
      }
      c.queued = false;
      if (!c.blocked && c.hasData) return c;
    }
    return undefined;
  }

  /** Puts a channel back in the round-robin if it still has data. */
  done(channel: InputChannel): void {
    this.#enqueue(channel);
  }

  /** Stops consuming a channel (barrier alignment). */
  block(channel: InputChannel): void {
    channel.blocked = true;
  }

  /** Resumes every blocked channel. */
  unblockAll(): void {
    for (const c of this.channels) {
      if (!c.blocked) continue;
      c.blocked = false;
      this.#enqueue(c);
    }
  }

  /** Notes the credit of a fully consumed buffer; {@link announceCredits} sends it. */
  release(channel: InputChannel): void {
    if (channel.finished) return;
    if (channel.unannouncedCredit++ === 0) this.#unannounced.push(channel);
  }

  /**
   * Sends the credits noted since the last call, one message per channel. The task calls it once
   * per batch of input rather than per buffer: every credit message wakes the sender's thread,
   * and a batch often consumes several buffers.
   */
  announceCredits(): void {
    const list = this.#unannounced;
    for (let i = 0; i < list.length; i++) {
      const c = list[i]!;
      const n = c.unannouncedCredit;
      c.unannouncedCredit = 0;
      if (!c.finished) this.#sender.send(c.sourceSlot, { t: 'credit', ch: c.id, n });
    }
    list.length = 0;
  }

  /** Marks a channel finished; returns true when every channel is. */
  finishChannel(channel: InputChannel): boolean {
    if (!channel.finished) {
      channel.finished = true;
      this.#open--;
    }
    return this.#open === 0;
  }

  get allFinished(): boolean {
    return this.#open === 0;
  }
}
