// process() on a stream, keyed or not: the user's process function with context, side outputs
// and (keyed) timers.
import type { StreamRecord } from '../../core/index.ts';
import type { KeyedProcessFunction, ProcessFunction } from '../../functions/index.ts';
import { ProcessInvocation, type TimeDomain } from './process-invocation.ts';
import { OneInputOperator } from './stream-operator.ts';

type AnyProcessFunction = ProcessFunction<unknown, unknown> | KeyedProcessFunction<unknown, unknown, unknown>;

/** Runs a ProcessFunction or KeyedProcessFunction. */
export class ProcessOperator extends OneInputOperator {
  readonly #fn: AnyProcessFunction;
  readonly #keyed: boolean;
  #inv!: ProcessInvocation;

  constructor(fn: AnyProcessFunction, keyed: boolean) {
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
        if (!this.#keyed) throw new Error('getCurrentKey(): the stream is not keyed');
        return this.ctx.keyedBackend?.getCurrentKey();
      },
    });
    return this.openFunction(this.#fn);
  }

  override async close(): Promise<void> {
    await this.closeFunction(this.#fn);
    await super.close();
  }

  processElement(record: StreamRecord): void {
    if (this.#keyed) this.setKeyContext(record, 0);
    this.#inv.enterRecord(record);
    this.#fn.processElement(record.value, this.#inv.context as never, this.#inv.collector);
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
