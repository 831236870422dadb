// process() on a stream, keyed or not: the user's process function with context, side outputs
// and (keyed) timers.
import { StreamRecord } from '../../core/index.ts';
import type {
  KeyedProcessFunction,
  OnTimerContext,
  OutputTag,
  ProcessFunction,
} from '../../functions/index.ts';
import { OneInputOperator, TimestampedCollector } from './stream-operator.ts';

type AnyProcessFunction = ProcessFunction<unknown, unknown> | KeyedProcessFunction<unknown, unknown, unknown>;

/** Runs a ProcessFunction or KeyedProcessFunction. */
export class ProcessOperator extends OneInputOperator {
  readonly #fn: AnyProcessFunction;
  readonly #keyed: boolean;
  readonly #out = new StreamRecord<unknown>(undefined);
  #collector!: TimestampedCollector<unknown>;
  #timestamp: number | undefined;
  #domain: 'EVENT_TIME' | 'PROCESSING_TIME' = 'EVENT_TIME';
  #context!: OnTimerContext<unknown>;

  constructor(fn: AnyProcessFunction, keyed: boolean) {
    super();
    this.#fn = fn;
    this.#keyed = keyed;
  }

  override open(): Promise<void> {
    this.#collector = new TimestampedCollector(this.ctx.output, this.#out);
    const timerService = this.timerServiceView();
    this.#context = {
      timestamp: () => this.#timestamp,
      timerService: () => timerService,
      output: <X>(tag: OutputTag<X>, value: X) => this.outputSide(tag, value, this.#timestamp),
      getCurrentKey: () => {
        if (!this.#keyed) throw new Error('getCurrentKey(): the stream is not keyed');
        return this.ctx.keyedBackend?.getCurrentKey();
      },
      timeDomain: () => this.#domain,
    };
    return this.openFunction(this.#fn);
  }

  override async close(): Promise<void> {
    await this.closeFunction(this.#fn);
    await super.close();
  }

  processElement(record: StreamRecord): void {
    if (this.#keyed) this.setKeyContext(record, 0);
    this.#timestamp = record.timestamp;
    this.#out.timestamp = record.timestamp;
    this.#out.kind = 0;
    this.#fn.processElement(record.value, this.#context as never, this.#collector);
  }

  override onEventTime(timer: { timestamp: number }): void {
    this.#fire(timer.timestamp, 'EVENT_TIME');
  }

  override onProcessingTime(timer: { timestamp: number }): void {
    this.#fire(timer.timestamp, 'PROCESSING_TIME');
  }

  #fire(timestamp: number, domain: 'EVENT_TIME' | 'PROCESSING_TIME'): void {
    this.#domain = domain;
    this.#timestamp = domain === 'EVENT_TIME' ? timestamp : undefined;
    this.#out.timestamp = this.#timestamp;
    this.#fn.onTimer(timestamp, this.#context as never, this.#collector);
  }
}
