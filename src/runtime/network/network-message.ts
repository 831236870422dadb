// The messages tasks exchange over channels: data buffers one way, credits the other way.

/** A buffer of serialized elements for channel `ch`. */
export interface DataMessage {
  readonly t: 'data';
  readonly ch: number;
  readonly buf: Uint8Array;
}

/** The receiver of channel `ch` grants `n` more buffers. */
export interface CreditMessage {
  readonly t: 'credit';
  readonly ch: number;
  readonly n: number;
}

/** Data-plane messages. */
export type NetworkMessage = DataMessage | CreditMessage;

/** Sends data-plane messages to the slot hosting the other end of a channel. */
export interface NetworkSender {
  send(targetSlot: number, message: NetworkMessage): void;
  /**
   * True when `targetSlot` runs in the calling thread: data for it may skip serialization
   * (`BufferCodec.wrap`). Absent or false: always serialize.
   */
  isLocal?(targetSlot: number): boolean;
}
