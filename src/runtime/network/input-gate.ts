// The receiving side of a task: its input channels, the buffers that arrived on them, and the
// per-input watermark valve (minimum over non-idle, unfinished channels).
import { MIN_WATERMARK } from '../../core/index.ts';
import type { NetworkSender } from './network-message.ts';

/** One upstream subtask's channel into this task. */
export class InputChannel {
  readonly id: number;
  readonly input: 1 | 2;
  readonly sourceSlot: number;
  readonly queue: Uint8Array[] = [];
  watermark = MIN_WATERMARK;
  idle = false;
  finished = false;
  constructor(id: number, input: 1 | 2, sourceSlot: number) {
    this.id = id;
    this.input = input;
    this.sourceSlot = sourceSlot;
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

/** All input channels of a task and the order in which buffers arrived. */
export class InputGate {
  readonly channels: InputChannel[];
  readonly byId = new Map<number, InputChannel>();
  readonly valves: [WatermarkValve, WatermarkValve];
  /** Channels with buffers, in arrival order (a channel appears once per buffer). */
  readonly #ready: InputChannel[] = [];
  #readyHead = 0;
  readonly #sender: NetworkSender;
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

  /** A buffer arrived from the network. */
  onBuffer(channelId: number, buffer: Uint8Array): void {
    const c = this.byId.get(channelId);
    if (c === undefined) return;
    c.queue.push(buffer);
    this.#ready.push(c);
    this.buffersIn++;
  }

  get hasData(): boolean {
    return this.#readyHead < this.#ready.length;
  }

  /** Takes the next buffer in arrival order. */
  next(): { channel: InputChannel; buffer: Uint8Array } | undefined {
    if (this.#readyHead >= this.#ready.length) return undefined;
    const channel = this.#ready[this.#readyHead++]!;
    if (this.#readyHead > 1024 && this.#readyHead * 2 > this.#ready.length) {
      this.#ready.splice(0, this.#readyHead);
      this.#readyHead = 0;
    }
    return { channel, buffer: channel.queue.shift()! };
  }

  /** Returns a credit for a consumed buffer. */
  release(channel: InputChannel): void {
    if (!channel.finished) this.#sender.send(channel.sourceSlot, { t: 'credit', ch: channel.id, n: 1 });
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
