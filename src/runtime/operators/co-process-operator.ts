// process() on connected streams, keyed or not (co-map and co-flatMap are adapted to it).
import { StreamRecord } from '../../core/index.ts';
import type {
  CoProcessFunction,
  KeyedCoProcessFunction,
  OnTimerContext,
  OutputTag,
} from '../../functions/index.ts';
import { TimestampedCollector, TwoInputOperator } from './stream-operator.ts';

type AnyCoProcessFunction =
  | CoProcessFunction<unknown, unknown, unknown>
  | KeyedCoProcessFunction<unknown, unknown, unknown, unknown>;

/** Runs a CoProcessFunction or KeyedCoProcessFunction. */
export class CoProcessOperator extends TwoInputOperator {
  readonly #fn: AnyCoProcessFunction;
  readonly #keyed: boolean;
  readonly #out = new StreamRecord<unknown>(undefined);
  #collector!: TimestampedCollector<unknown>;
  #timestamp: number | undefined;
  #domain: 'EVENT_TIME' | 'PROCESSING_TIME' = 'EVENT_TIME';
  #context!: OnTimerContext<unknown>;

  constructor(fn: AnyCoProcessFunction, keyed: boolean) {
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
        if (!this.#keyed) throw new Error('getCurrentKey(): the streams are not keyed');
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

  override processElement1(record: StreamRecord): void {
    if (this.#keyed) this.setKeyContext(record, 0);
    this.#timestamp = record.timestamp;
    this.#out.timestamp = record.timestamp;
    this.#fn.processElement1(record.value, this.#context as never, this.#collector);
  }

  override processElement2(record: StreamRecord): void {
    if (this.#keyed) this.setKeyContext(record, 1);
    this.#timestamp = record.timestamp;
    this.#out.timestamp = record.timestamp;
    this.#fn.processElement2(record.value, this.#context as never, this.#collector);
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
