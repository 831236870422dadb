// map(): one record in, one out, keeping the timestamp.
import type { StreamRecord } from '../../core/index.ts';
import type { MapFunction } from '../../functions/index.ts';
import { OneInputOperator } from './stream-operator.ts';

/** Runs a MapFunction. */
export class StreamMapOperator<T, R> extends OneInputOperator {
  readonly #fn: MapFunction<T, R>;
  readonly #map: (value: T) => R;
  #keyed = false;
  constructor(fn: MapFunction<T, R>) {
    super();
    this.#fn = fn;
    this.#map = typeof fn === 'function' ? fn : (v) => fn.map(v);
  }
  override open(): Promise<void> {
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
    record.value = this.#map(record.value as T);
    this.ctx.output.collect(record);
  }
}
