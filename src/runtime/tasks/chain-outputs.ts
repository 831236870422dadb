// The outputs that connect operators: direct calls inside a chain (no copy, no serialization),
// record writers towards other tasks, and a router for fan-out and side outputs.
import { END_OF_PARTITION, StreamRecord } from '../../core/index.ts';
import type { RecordWriter } from '../network/record-writer.ts';
import { enterOperator, type StateOwner } from '../operators/active-operator.ts';
import {
  describeRecord,
  type Output,
  operatorError,
  type StreamOperator,
} from '../operators/stream-operator.ts';

/** Calls the next operator of the chain directly. */
export class ChainingOutput implements Output {
  readonly #op: StreamOperator;
  readonly #input: 1 | 2;
  /** Each hop gets its own envelope so operators may reuse the one they receive. */
  readonly #record = new StreamRecord<unknown>(undefined);
  constructor(op: StreamOperator, input: 1 | 2) {
    this.#op = op;
    this.#input = input;
  }
  collect(record: StreamRecord): void {
    const r = this.#record;
    r.value = record.value;
    r.timestamp = record.timestamp;
    r.kind = record.kind;
    const previous = enterOperator(this.#op as unknown as StateOwner);
    try {
      this.#op.processElement(r);
    } catch (e) {
      throw operatorError(this.#op.ctx, e, `record ${describeRecord(record.value)}`);
    } finally {
      enterOperator(previous);
    }
  }
  collectSide(): void {}
  emitWatermark(timestamp: number): void {
    this.#op.processWatermark(timestamp, this.#input);
  }
  emitWatermarkStatus(idle: boolean): void {
    this.#op.processWatermarkStatus(idle, this.#input);
  }
}

/** Sends records to another task through a record writer. */
export class RecordWriterOutput implements Output {
  readonly writer: RecordWriter;
  constructor(writer: RecordWriter) {
    this.writer = writer;
  }
  collect(record: StreamRecord): void {
    this.writer.emit(record);
  }
  collectSide(): void {}
  emitWatermark(timestamp: number): void {
    this.writer.broadcastEvent({ kind: 'watermark', timestamp });
  }
  emitWatermarkStatus(idle: boolean): void {
    this.writer.broadcastEvent({ kind: 'watermark-status', idle });
  }
  endOfPartition(): void {
    this.writer.broadcastEvent(END_OF_PARTITION);
  }
}

/** An operator's output: main outputs, side outputs by tag, and watermarks to all of them. */
export class OutputRouter implements Output {
  readonly #main: Output[];
  readonly #sides: Map<string, Output[]>;
  readonly #all: Output[];
  constructor(main: Output[], sides: Map<string, Output[]>) {
    this.#main = main;
    this.#sides = sides;
    this.#all = [...main, ...[...sides.values()].flat()];
  }
  collect(record: StreamRecord): void {
    const main = this.#main;
    if (main.length === 1) main[0]!.collect(record);
    else for (let i = 0; i < main.length; i++) main[i]!.collect(record);
  }
  collectSide(tag: string, record: StreamRecord): void {
    const outs = this.#sides.get(tag);
    if (outs !== undefined) for (const o of outs) o.collect(record);
  }
  emitWatermark(timestamp: number): void {
    for (const o of this.#all) o.emitWatermark(timestamp);
  }
  emitWatermarkStatus(idle: boolean): void {
    for (const o of this.#all) o.emitWatermarkStatus(idle);
  }
}
