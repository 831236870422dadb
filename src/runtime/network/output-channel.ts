// One subpartition of a task's output: records are buffered, serialized when the buffer is full
// (or flushed), and sent only while the receiver has granted credit. Unsent buffers make the
// channel unavailable, which stops the task from taking more input: that is backpressure.
// An unaligned checkpoint barrier overtakes the buffers waiting for credit (see `overtake`).
import type { StreamEvent, StreamRecord } from '../../core/index.ts';
import { type BufferCodec, LocalBatch } from './buffer-codec.ts';
import type { NetworkSender } from './network-message.ts';

/** Settings shared by the output channels of a task. */
export interface OutputChannelSettings {
  readonly codec: BufferCodec;
  readonly sender: NetworkSender;
  /** Target serialized size of a buffer in bytes. */
  readonly bufferSize: number;
  /** Initial credit (the receiver's buffers per channel). */
  readonly initialCredit: number;
  /** 0 = send every record at once. */
  readonly bufferTimeout: number;
  /** Called when a channel has pending records and no flush is scheduled yet. */
  readonly onPending: () => void;
  /** Called when a blocked channel becomes available again. */
  readonly onAvailable: () => void;
}

/** Records per batch towards a receiver in the same thread. */
const LOCAL_BATCH_RECORDS = 1024;

/** A subpartition towards one downstream subtask. */
export class OutputChannel {
  readonly id: number;
  readonly targetSlot: number;
  readonly #s: OutputChannelSettings;
  #values: unknown[] = [];
  /** Created at the first record with a timestamp (most jobs without event time have none). */
  #timestamps: (number | undefined)[] | null = null;
  #kinds: number[] | null = null;
  #events: (number | StreamEvent)[] | null = null;
  #credit: number;
  readonly #backlog: Uint8Array[] = [];
  #limit: number;
  /** The receiver runs in this thread: batches are handed over unserialized. */
  readonly #local: boolean;
  /** Records and bytes sent (metrics). */
  recordsOut = 0;
  bytesOut = 0;

  constructor(id: number, targetSlot: number, settings: OutputChannelSettings) {
    this.id = id;
    this.targetSlot = targetSlot;
    this.#s = settings;
    this.#credit = settings.initialCredit;
    this.#local = settings.sender.isLocal?.(targetSlot) === true;
    // Local batches cost nothing per byte: larger ones amortize the per-buffer work.
    this.#limit = settings.bufferTimeout === 0 ? 1 : this.#local ? LOCAL_BATCH_RECORDS : 256;
  }

  /** True when nothing waits for credit. */
  get available(): boolean {
    return this.#backlog.length === 0;
  }

  /** True when records are buffered but not yet serialized. */
  get hasPending(): boolean {
    return this.#values.length > 0 || this.#events !== null;
  }

  add(record: StreamRecord): void {
    const n = this.#values.push(record.value);
    const ts = record.timestamp;
    if (this.#timestamps !== null) this.#timestamps.push(ts);
    else if (ts !== undefined) {
      this.#timestamps = new Array<number | undefined>(n - 1).fill(undefined);
      this.#timestamps.push(ts);
    }
    if (record.kind !== 0 || this.#kinds !== null) {
      if (this.#kinds === null) this.#kinds = new Array<number>(n - 1).fill(0);
      this.#kinds.push(record.kind);
    }
    if (n === 1) this.#s.onPending();
    if (n >= this.#limit) this.flush();
  }

  addEvent(event: StreamEvent): void {
    if (this.#events === null) {
      this.#events = [];
      if (this.#values.length === 0) this.#s.onPending();
    }
    this.#events.push(this.#values.length, event);
    if (event.kind === 'end-of-partition' || this.#s.bufferTimeout === 0) this.flush();
  }

  flush(): void {
    const count = this.#values.length;
    if (count === 0 && this.#events === null) return;
    const buf = this.#local
      ? this.#s.codec.wrap(this.#values, this.#timestamps, this.#kinds, this.#events)
      : this.#s.codec.encode(this.#values, this.#timestamps, this.#kinds, this.#events);
    if (count > 0 && this.#s.bufferTimeout !== 0 && !this.#local) {
      const perRecord = buf.byteLength / count;
      this.#limit = Math.max(16, Math.min(8192, Math.floor(this.#s.bufferSize / Math.max(1, perRecord))));
    }
    this.recordsOut += count;
    this.bytesOut += buf.byteLength;
    this.#values = [];
    this.#timestamps = null;
    this.#kinds = null;
    this.#events = null;
    if (this.#credit > 0 && this.#backlog.length === 0) {
      this.#credit--;
      this.#s.sender.send(this.targetSlot, { t: 'data', ch: this.id, buf });
    } else {
      this.#backlog.push(buf);
    }
  }

  /**
   * Unaligned checkpoint: sends `event` (a barrier) at once, without credit, as a priority message
   * ahead of the buffers waiting for credit, and returns those overtaken buffers, serialized: the
   * channel's in-flight data for the checkpoint (they are still sent afterwards, after the
   * barrier). Records not yet in a buffer are flushed first (into the backlog if there is no credit).
   */
  overtake(event: StreamEvent): Uint8Array[] {
    this.flush();
    const codec = this.#s.codec;
    // Copies: a buffer in the backlog is transferred (detached) when it is sent to another thread.
    const overtaken = this.#backlog.map((b) =>
      b instanceof LocalBatch
        ? codec.encode(b.decoded.values, b.decoded.timestamps, b.decoded.kinds, null)
        : b.slice(),
    );
    const buf = this.#local
      ? codec.wrap([], null, null, [0, event])
      : codec.encode([], null, null, [0, event]);
    this.#s.sender.send(this.targetSlot, { t: 'priority', ch: this.id, buf });
    return overtaken;
  }

  onCredit(n: number): void {
    this.#credit += n;
    const wasBlocked = this.#backlog.length > 0;
    while (this.#credit > 0 && this.#backlog.length > 0) {
      this.#credit--;
      this.#s.sender.send(this.targetSlot, { t: 'data', ch: this.id, buf: this.#backlog.shift()! });
    }
    if (wasBlocked && this.#backlog.length === 0) this.#s.onAvailable();
  }
}
