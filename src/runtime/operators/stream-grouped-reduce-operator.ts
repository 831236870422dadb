// reduce() on a keyed stream (and sum/min/max/minBy/maxBy, which are reductions): keeps the
// running value per key in keyed state and emits it after every record.
import type { StreamRecord } from '../../core/index.ts';
import { type ValueState, ValueStateDescriptor } from '../../state/index.ts';
import { OneInputOperator } from './stream-operator.ts';

/** Runs a rolling reduction per key. */
export class StreamGroupedReduceOperator<T> extends OneInputOperator {
  readonly #reduce: (a: T, b: T) => T;
  readonly #fn: unknown;
  #state!: ValueState<T>;
  readonly #validate: ((value: T) => void) | undefined;

  /** `validate` checks every record, also the first of a key (which is not reduced). */
  constructor(reduce: (a: T, b: T) => T, fn: unknown, validate?: (value: T) => void) {
    super();
    this.#reduce = reduce;
    this.#fn = fn;
    this.#validate = validate;
  }
  override open(): Promise<void> {
    const descriptor = new ValueStateDescriptor<T>('_reduce');
    // This state belongs to the operator itself (never to a user function shared by subtasks),
    // so it is taken from this subtask's backend directly, without the per-call indirection of
    // the handles a RuntimeContext gives out (see active-operator.ts).
    const backend = this.ctx.keyedBackend;
    this.#state =
      backend === undefined
        ? this.runtimeContext().getState(descriptor) // throws: reduce() needs a keyed stream
        : backend.getPartitionedState(descriptor);
    return this.openFunction(this.#fn);
  }
  override async close(): Promise<void> {
    await this.closeFunction(this.#fn);
    await super.close();
  }
  processElement(record: StreamRecord): void {
    this.setKeyContext(record, 0);
    const current = this.#state.value();
    if (current === undefined) this.#validate?.(record.value as T);
    const next = current === undefined ? (record.value as T) : this.#reduce(current, record.value as T);
    this.#state.update(next);
    record.value = next;
    this.ctx.output.collect(record);
  }
}
