// map(): one record in, one out, keeping the timestamp.
import type { StreamRecord } from '../../core/index.ts';
import type { MapFunction } from '../../functions/index.ts';
import { OneInputOperator } from './stream-operator.ts';

/** Runs a MapFunction. */
export class StreamMapOperator<T, R> extends OneInputOperator {
  readonly #fn: MapFunction<T, R>;
  readonly #map: (value: T) => R;
  constructor(fn: MapFunction<T, R>) {
    super();
    this.#fn = fn;
    this.#map = typeof fn === 'function' ? fn : (v) => fn.map(v);
  }
  override open(): Promise<void> {
    return this.openFunction(this.#fn);
  }
  override async close(): Promise<void> {
    await this.closeFunction(this.#fn);
    await super.close();
  }
  processElement(record: StreamRecord): void {
    record.value = this.#map(record.value as T);
    this.ctx.output.collect(record);
  }
}
