// The messages tasks exchange over channels: data buffers one way, credits the other way, and
// priority events (unaligned checkpoint barriers) that need no credit and overtake queued data.

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

/**
 * A buffer holding one priority event for channel `ch` (an unaligned checkpoint barrier). It is
 * sent without credit and the receiver handles it at once, ahead of the buffers queued before it.
 * Transports carry it like a data buffer, in order with the other messages of the channel.
 */
export interface PriorityMessage {
  readonly t: 'priority';
  readonly ch: number;
  readonly buf: Uint8Array;
}

/** Data-plane messages. */
export type NetworkMessage = DataMessage | CreditMessage | PriorityMessage;

/** Sends data-plane messages to the slot hosting the other end of a channel. */
export interface NetworkSender {
  send(targetSlot: number, message: NetworkMessage): void;
  /**
   * True when `targetSlot` runs in the calling thread: data for it may skip serialization
   * (`BufferCodec.wrap`). Absent or false: always serialize.
   */
  isLocal?(targetSlot: number): boolean;
}
