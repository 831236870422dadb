// Serializes batches of stream elements into network buffers (msgpackr, one pack per buffer,
// which is several times faster than per-record encoding) and back.
import { Packr } from 'msgpackr';
import type { StreamEvent } from '../../core/index.ts';

/** The decoded content of one buffer. Events sit before the record at their position. */
export interface DecodedBuffer {
  readonly values: unknown[];
  readonly timestamps: (number | undefined)[] | null;
  readonly kinds: number[] | null;
  /** Flat pairs: position, event, position, event, … */
  readonly events: (number | StreamEvent)[] | null;
}

/** Encoder/decoder of network buffers; one per thread is enough (it is stateless between calls). */
export class BufferCodec {
  readonly #packr = new Packr({ useRecords: true, moreTypes: true });

  encode(
    values: unknown[],
    timestamps: (number | undefined)[] | null,
    kinds: number[] | null,
    events: (number | StreamEvent)[] | null,
  ): Uint8Array {
    // pack() returns a view into a shared, reused buffer (and Buffer#slice would not copy):
    // copy it into an ArrayBuffer of its own so it can be transferred to another thread.
    const packed = this.#packr.pack([values, timestamps, kinds, events]);
    const copy = new Uint8Array(packed.length);
    copy.set(packed);
    return copy;
  }

  decode(buffer: Uint8Array): DecodedBuffer {
    const [values, timestamps, kinds, events] = this.#packr.unpack(buffer) as [
      unknown[],
      (number | undefined)[] | null,
      number[] | null,
      (number | StreamEvent)[] | null,
    ];
    return { values, timestamps, kinds, events };
  }
}
