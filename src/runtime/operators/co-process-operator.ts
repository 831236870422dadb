// process() on connected streams, keyed or not (co-map and co-flatMap are adapted to it).
import type { StreamRecord } from '../../core/index.ts';
import type { CoProcessFunction, KeyedCoProcessFunction } from '../../functions/index.ts';
import { ProcessInvocation, type TimeDomain } from './process-invocation.ts';
import { TwoInputOperator } from './stream-operator.ts';

type AnyCoProcessFunction =
  | CoProcessFunction<unknown, unknown, unknown>
  | KeyedCoProcessFunction<unknown, unknown, unknown, unknown>;

/** Runs a CoProcessFunction or KeyedCoProcessFunction. */
export class CoProcessOperator extends TwoInputOperator {
  readonly #fn: AnyCoProcessFunction;
  readonly #keyed: boolean;
  #inv!: ProcessInvocation;

  constructor(fn: AnyCoProcessFunction, keyed: boolean) {
    super();
    this.#fn = fn;
    this.#keyed = keyed;
  }

  override open(): Promise<void> {
    this.#inv = new ProcessInvocation({
      output: this.ctx.output,
      timerService: this.timerServiceView(),
      outputSide: (tag, value, timestamp) => this.outputSide(tag, value, timestamp),
      currentKey: () => {
        if (!this.#keyed) throw new Error('getCurrentKey(): the streams are not keyed');
        return this.ctx.keyedBackend?.getCurrentKey();
      },
    });
    return this.openFunction(this.#fn);
  }

  override async close(): Promise<void> {
    await this.closeFunction(this.#fn);
    await super.close();
  }

  override processElement1(record: StreamRecord): void {
    if (this.#keyed) this.setKeyContext(record, 0);
    this.#inv.enterRecord(record);
    this.#fn.processElement1(record.value, this.#inv.context as never, this.#inv.collector);
  }

  override processElement2(record: StreamRecord): void {
    if (this.#keyed) this.setKeyContext(record, 1);
    this.#inv.enterRecord(record);
    this.#fn.processElement2(record.value, this.#inv.context as never, this.#inv.collector);
  }

  override onEventTime(timer: { timestamp: number }): void {
    this.#fire(timer.timestamp, 'EVENT_TIME');
  }

  override onProcessingTime(timer: { timestamp: number }): void {
    this.#fire(timer.timestamp, 'PROCESSING_TIME');
  }

  #fire(timestamp: number, domain: TimeDomain): void {
    this.#inv.enterTimer(timestamp, domain);
    this.#fn.onTimer(timestamp, this.#inv.context as never, this.#inv.collector);
  }
}
