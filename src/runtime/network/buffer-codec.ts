// Serializes batches of stream elements into network buffers (msgpackr, one pack per buffer,
// which is several times faster than per-record encoding) and back; batches for a task in the
// same thread are handed over as they are (see LocalBatch).
import { Packr } from 'msgpackr';
import type { StreamEvent } from '../../core/index.ts';
import { RecordBufferEncoder } from './record-buffer-encoder.ts';

/** The decoded content of one buffer. Events sit before the record at their position. */
export interface DecodedBuffer {
  readonly values: unknown[];
  readonly timestamps: (number | undefined)[] | null;
  readonly kinds: number[] | null;
  /** Flat pairs: position, event, position, event, … */
  readonly events: (number | StreamEvent)[] | null;
}

/**
 * A batch for a receiver in the same thread: its arrays, handed over by reference instead of
 * serialized, as records are within a chain (records must not be mutated once emitted). It is a
 * zero-length Uint8Array so that it travels the data path of buffers unchanged; it never leaves
 * its thread (a copy elsewhere would be an empty buffer, which fails to decode).
 */
export class LocalBatch extends Uint8Array {
  readonly decoded: DecodedBuffer;
  constructor(decoded: DecodedBuffer) {
    super(0);
    this.decoded = decoded;
  }
}

/** Encoder/decoder of network buffers; one per thread is enough (it is stateless between calls). */
export class BufferCodec {
  readonly #packr = new Packr({ useRecords: true, moreTypes: true });
  readonly #encoder = new RecordBufferEncoder();

  encode(
    values: unknown[],
    timestamps: (number | undefined)[] | null,
    kinds: number[] | null,
    events: (number | StreamEvent)[] | null,
  ): Uint8Array {
    const buffer = [values, timestamps, kinds, events];
    // The same bytes as the Packr's, cheaper to write for the usual values; the Packr
    // takes what the encoder leaves to it (see RecordBufferEncoder).
    const fast = this.#encoder.encode(buffer);
    if (fast !== undefined) return fast;
    // pack() returns a view into a shared, reused buffer (and Buffer#slice would not copy):
    // copy it into an ArrayBuffer of its own so it can be transferred to another thread.
    const packed = this.#packr.pack(buffer);
    const copy = new Uint8Array(packed.length);
    copy.set(packed);
    return copy;
  }

  /** A batch for a receiver in the same thread: no serialization (see {@link LocalBatch}). */
  wrap(
    values: unknown[],
    timestamps: (number | undefined)[] | null,
    kinds: number[] | null,
    events: (number | StreamEvent)[] | null,
  ): LocalBatch {
    return new LocalBatch({ values, timestamps, kinds, events });
  }

  decode(buffer: Uint8Array): DecodedBuffer {
    if (buffer instanceof LocalBatch) return buffer.decoded;
    const [values, timestamps, kinds, events] = this.#packr.unpack(buffer) as [
      unknown[],
      (number | undefined)[] | null,
      number[] | null,
      (number | StreamEvent)[] | null,
    ];
    return { values, timestamps, kinds, events };
  }
}
