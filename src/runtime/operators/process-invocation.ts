// What the process-function operators (one input, connected, broadcast) share: the context a
// user's process function sees, the collector that stamps the current timestamp on its output,
// and the bookkeeping of "which record or timer is being handled" that both depend on.
import { StreamRecord } from '../../core/index.ts';
import type { OnTimerContext, OutputTag, TimerService } from '../../functions/index.ts';
import { type Output, TimestampedCollector } from './stream-operator.ts';

/** The time domain of a firing timer. */
export type TimeDomain = ReturnType<OnTimerContext<unknown>['timeDomain']>;

/** What the operator lends the invocation: its output, timers, side outputs and key. */
export interface ProcessInvocationHooks {
  readonly output: Output;
  readonly timerService: TimerService;
  outputSide<X>(tag: OutputTag<X>, value: X, timestamp: number | undefined): void;
  /** The current key; throws if the stream is not keyed and the function asks for it. */
  currentKey(): unknown;
}

/**
 * The context and collector handed to a process function, kept current per record and timer.
 *
 * @example
 * const inv = new ProcessInvocation(hooks);
 * inv.enterRecord(record);
 * fn.processElement(record.value, inv.context, inv.collector);
 */
export class ProcessInvocation {
  /** Timestamp of the record or event-time timer being handled. */
  timestamp: number | undefined;
  domain: TimeDomain = 'EVENT_TIME';
  readonly #out = new StreamRecord<unknown>(undefined);
  readonly collector: TimestampedCollector<unknown>;
  /** The context for records and timers: `OnTimerContext` (a superset of `ProcessContext`). */
  readonly context: OnTimerContext<unknown>;

  constructor(hooks: ProcessInvocationHooks) {
    this.collector = new TimestampedCollector(hooks.output, this.#out);
    const timerService = hooks.timerService;
    this.context = {
      timestamp: () => this.timestamp,
      timerService: () => timerService,
      output: <X>(tag: OutputTag<X>, value: X) => hooks.outputSide(tag, value, this.timestamp),
      getCurrentKey: () => hooks.currentKey(),
      timeDomain: () => this.domain,
    };
  }

  /** A record is about to be handed to the function: its timestamp goes on everything emitted. */
  enterRecord(record: StreamRecord): void {
    this.timestamp = record.timestamp;
    this.#out.timestamp = record.timestamp;
    this.#out.kind = 0;
  }

  /** A timer fires: event-time timers stamp their time on the output, processing-time ones none. */
  enterTimer(timestamp: number, domain: TimeDomain): void {
    this.domain = domain;
    this.timestamp = domain === 'EVENT_TIME' ? timestamp : undefined;
    this.#out.timestamp = this.timestamp;
    this.#out.kind = 0;
  }
}
