// flatMap(): one record in, any number out; arrow functions return an iterable, objects
// with a flatMap(value, out) method use the collector.
import { StreamRecord } from '../../core/index.ts';
import type { Collector, FlatMapFunction } from '../../functions/index.ts';
import { OneInputOperator, TimestampedCollector } from './stream-operator.ts';

/** Runs a FlatMapFunction. */
export class StreamFlatMapOperator<T, R> extends OneInputOperator {
  readonly #fn: FlatMapFunction<T, R>;
  #collector: TimestampedCollector<R> | undefined;
  readonly #out = new StreamRecord<R>(undefined as R);
  #keyed = false;
  constructor(fn: FlatMapFunction<T, R>) {
    super();
    this.#fn = fn;
  }
  override open(): Promise<void> {
    this.#collector = new TimestampedCollector(this.ctx.output, this.#out);
    this.#keyed = this.ctx.keyedBackend !== undefined;
    return this.openFunction(this.#fn);
  }
  override async close(): Promise<void> {
    await this.closeFunction(this.#fn);
    await super.close();
  }
  processElement(record: StreamRecord): void {
    // On a keyed stream the function may use keyed state: scope it to the record's key.
    if (this.#keyed) this.setKeyContext(record, 0);
    const out = this.#out;
    out.timestamp = record.timestamp;
    out.kind = record.kind;
    const fn = this.#fn;
    if (typeof fn === 'function') {
      const output = this.ctx.output;
      for (const v of fn(record.value as T)) {
        out.value = v;
        output.collect(out);
      }
    } else {
      fn.flatMap(record.value as T, this.#collector as Collector<R>);
    }
  }
}
