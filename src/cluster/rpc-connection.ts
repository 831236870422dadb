// One framed TCP connection (RPC or data link): decodes incoming frames, encodes outgoing ones,
// and reports its end once, with a reason. A malformed stream closes the connection; it never
// throws into the process.
import type { Socket } from 'node:net';
import { FrameDecoder, type FrameHandler, FrameWriter } from './frame-codec.ts';

/** What a connection delivers. */
export interface ConnectionHandler<In> {
  control(message: In): void;
  data?(targetSlot: number, channel: number, buffer: Uint8Array): void;
  credit?(targetSlot: number, channel: number, credits: number): void;
  priority?(targetSlot: number, channel: number, buffer: Uint8Array): void;
  /** The connection ended (called once). */
  closed(reason: string): void;
}

/**
 * A framed connection with typed control messages.
 *
 * @example
 * const conn = new RpcConnection<JobManagerMessage, TaskManagerMessage>(socket, handler);
 * conn.send({ t: 'heartbeat', metrics: [] });
 */
export class RpcConnection<In, Out> {
  readonly socket: Socket;
  readonly writer: FrameWriter;
  #handler: ConnectionHandler<In>;
  #closed = false;

  constructor(socket: Socket, handler: ConnectionHandler<In>, initial?: Buffer) {
    this.socket = socket;
    this.writer = new FrameWriter(socket);
    this.#handler = handler;
    socket.setNoDelay(true);
    socket.on('connect', () => void this.remote);
    void this.remote;
    const frames: FrameHandler = {
      control: (m) => this.#handler.control(m as In),
      data: (to, ch, buf) => this.#handler.data?.(to, ch, buf),
      credit: (to, ch, n) => this.#handler.credit?.(to, ch, n),
      priority: (to, ch, buf) => this.#handler.priority?.(to, ch, buf),
    };
    const decoder = new FrameDecoder(frames);
    const feed = (chunk: Buffer): void => {
      if (this.#closed) return;
      try {
        decoder.push(chunk);
      } catch (e) {
        this.close(`protocol error from ${this.remote}: ${(e as Error).message}`);
      }
    };
    socket.on('data', feed);
    socket.on('error', (e) => this.close(`connection to ${this.remote} failed: ${e.message}`));
    socket.on('close', () => this.close(`connection to ${this.remote} closed`));
    if (initial !== undefined && initial.length > 0) feed(initial);
  }

  #remote: string | undefined;

  /** `host:port` of the other end. */
  get remote(): string {
    if (this.#remote === undefined && this.socket.remoteAddress !== undefined) {
      this.#remote = `${this.socket.remoteAddress}:${this.socket.remotePort ?? '?'}`;
    }
    return this.#remote ?? 'a peer not yet connected';
  }

  get isClosed(): boolean {
    return this.#closed;
  }

  /** Replaces the handler (after a handshake). */
  setHandler(handler: ConnectionHandler<In>): void {
    this.#handler = handler;
  }

  /** Sends a control message (dropped once closed). */
  send(message: Out): void {
    if (!this.#closed) this.writer.control(message);
  }

  /** Closes the connection; the handler hears `reason` once. */
  close(reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.socket.end();
    setTimeout(() => this.socket.destroy(), 1000).unref();
    this.#handler.closed(reason);
  }
}
