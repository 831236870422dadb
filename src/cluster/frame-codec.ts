// The wire format of every TCP connection of a standalone cluster (JobManager ↔ TaskManager RPC
// and TaskManager ↔ TaskManager data plane): length-prefixed frames. Control messages are msgpackr
// maps; data buffers (already msgpackr-encoded batches of records) and credits have fixed binary
// headers so the data plane adds 13 bytes per buffer and never re-encodes records.
//
//   frame   = length:u32be  type:u8  body        (length counts type + body)
//   CONTROL   body = msgpackr(message)
//   DATA      body = targetSlot:u32be channel:u32be buffer
//   CREDIT    body = targetSlot:u32be channel:u32be credits:u32be
//   PRIORITY  body = targetSlot:u32be channel:u32be buffer   (an unaligned checkpoint barrier)
import type { Socket } from 'node:net';
import { Packr } from 'msgpackr';
import { SluiceError } from '../core/index.ts';

/** Frame types. */
export const FrameType = { CONTROL: 1, DATA: 2, CREDIT: 3, PRIORITY: 4 } as const;

/** Largest frame accepted (a control message may carry a job bundle). */
export const MAX_FRAME_BYTES = 512 * 1024 * 1024;

const packr = new Packr({ useRecords: false, moreTypes: true });

/** Encodes a control message body. */
export function packControl(message: unknown): Buffer {
  return packr.pack(message);
}

/** Decodes a control message body. */
export function unpackControl(body: Uint8Array): unknown {
  return packr.unpack(body);
}

/** What a decoder hands over for each complete frame. */
export interface FrameHandler {
  control(message: unknown): void;
  /** `buffer` is a copy the handler owns (it may transfer it to a worker thread). */
  data(targetSlot: number, channel: number, buffer: Uint8Array): void;
  credit(targetSlot: number, channel: number, credits: number): void;
  /** A priority event buffer (a copy the handler owns), sent without credit. */
  priority(targetSlot: number, channel: number, buffer: Uint8Array): void;
}

/**
 * Splits a byte stream into frames. Throws a SluiceError on a malformed stream; the connection
 * must then be closed.
 *
 * @example
 * const decoder = new FrameDecoder(handler);
 * socket.on('data', (chunk) => decoder.push(chunk));
 */
export class FrameDecoder {
  readonly #handler: FrameHandler;
  readonly #chunks: Buffer[] = [];
  #buffered = 0;
  /** Length of the frame being read, or -1 while its length prefix is incomplete. */
  #need = -1;

  constructor(handler: FrameHandler) {
    this.#handler = handler;
  }

  /** Feeds bytes from the connection. */
  push(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    for (;;) {
      if (this.#need < 0) {
        if (this.#buffered < 4) return;
        const length = this.#take(4).readUInt32BE(0);
        if (length < 1 || length > MAX_FRAME_BYTES) {
          throw new SluiceError(
            'PROTOCOL',
            `malformed frame: length ${length} (at most ${MAX_FRAME_BYTES})`,
            {
              origin: 'external',
            },
          );
        }
        this.#need = length;
      }
      if (this.#buffered < this.#need) return;
      const frame = this.#take(this.#need);
      this.#need = -1;
      this.#dispatch(frame);
    }
  }

  #dispatch(frame: Buffer): void {
    const type = frame[0];
    switch (type) {
      case FrameType.CONTROL:
        this.#handler.control(unpackControl(frame.subarray(1)));
        return;
      case FrameType.DATA:
      case FrameType.PRIORITY: {
        if (frame.length < 9) break;
        // A copy with its own ArrayBuffer: frames are slices of socket chunks.
        const buffer = new Uint8Array(frame.length - 9);
        buffer.set(frame.subarray(9));
        if (type === FrameType.DATA) this.#handler.data(frame.readUInt32BE(1), frame.readUInt32BE(5), buffer);
        else this.#handler.priority(frame.readUInt32BE(1), frame.readUInt32BE(5), buffer);
        return;
      }
      case FrameType.CREDIT:
        if (frame.length < 13) break;
        this.#handler.credit(frame.readUInt32BE(1), frame.readUInt32BE(5), frame.readUInt32BE(9));
        return;
      default:
        break;
    }
    throw new SluiceError('PROTOCOL', `malformed frame: type ${type} with ${frame.length - 1} body bytes`, {
      origin: 'external',
    });
  }

  #take(n: number): Buffer {
    const first = this.#chunks[0]!;
    this.#buffered -= n;
    if (first.length >= n) {
      if (first.length === n) this.#chunks.shift();
      else this.#chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let offset = 0;
    while (offset < n) {
      const c = this.#chunks[0]!;
      const k = Math.min(c.length, n - offset);
      c.copy(out, offset, 0, k);
      offset += k;
      if (k === c.length) this.#chunks.shift();
      else this.#chunks[0] = c.subarray(k);
    }
    return out;
  }
}

/**
 * Writes frames to a socket, corking it until the end of the current tick so that many small
 * frames leave in one write.
 *
 * @example
 * const writer = new FrameWriter(socket);
 * writer.control({ t: 'heartbeat' });
 */
export class FrameWriter {
  readonly #socket: Socket;
  #corked = false;

  constructor(socket: Socket) {
    this.#socket = socket;
  }

  /** Sends a control message. */
  control(message: unknown): void {
    const body = packControl(message);
    const header = Buffer.allocUnsafe(5);
    header.writeUInt32BE(body.length + 1, 0);
    header[4] = FrameType.CONTROL;
    this.#write(header, body);
  }

  /** Sends a data buffer for `channel` to the slot at address `targetSlot`. */
  data(targetSlot: number, channel: number, buffer: Uint8Array, type: 2 | 4 = FrameType.DATA): void {
    const header = Buffer.allocUnsafe(13);
    header.writeUInt32BE(buffer.length + 9, 0);
    header[4] = type;
    header.writeUInt32BE(targetSlot, 5);
    header.writeUInt32BE(channel, 9);
    this.#write(header, buffer);
  }

  /** Sends a priority event buffer (an unaligned checkpoint barrier) for `channel`. */
  priority(targetSlot: number, channel: number, buffer: Uint8Array): void {
    this.data(targetSlot, channel, buffer, FrameType.PRIORITY);
  }

  /** Grants `credits` buffers on `channel` to the slot at address `targetSlot`. */
  credit(targetSlot: number, channel: number, credits: number): void {
    const frame = Buffer.allocUnsafe(17);
    frame.writeUInt32BE(13, 0);
    frame[4] = FrameType.CREDIT;
    frame.writeUInt32BE(targetSlot, 5);
    frame.writeUInt32BE(channel, 9);
    frame.writeUInt32BE(credits, 13);
    this.#write(frame, undefined);
  }

  #write(a: Uint8Array, b: Uint8Array | undefined): void {
    const socket = this.#socket;
    if (socket.destroyed) return;
    if (!this.#corked) {
      this.#corked = true;
      socket.cork();
      process.nextTick(() => {
        this.#corked = false;
        socket.uncork();
      });
    }
    socket.write(a);
    if (b !== undefined && b.length > 0) socket.write(b);
  }
}
