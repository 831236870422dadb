// filter(): forwards the records the predicate accepts.
import type { StreamRecord } from '../../core/index.ts';
import type { FilterFunction } from '../../functions/index.ts';
import { OneInputOperator } from './stream-operator.ts';

/** Runs a FilterFunction. */
export class StreamFilterOperator<T> extends OneInputOperator {
  readonly #fn: FilterFunction<T>;
  readonly #test: (value: T) => boolean;
  #keyed = false;
  constructor(fn: FilterFunction<T>) {
    super();
    this.#fn = fn;
    this.#test = typeof fn === 'function' ? fn : (v) => fn.filter(v);
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
    if (this.#test(record.value as T)) this.ctx.output.collect(record);
  }
}
