// A stream connected with a broadcast stream: input 2 carries broadcast elements, which update
// broadcast state (identical on every subtask); input 1 reads it. Keyed variant adds keyed state,
// timers and applyToKeyedState.
import { IllegalArgumentError, StreamRecord } from '../../core/index.ts';
import type {
  BroadcastProcessFunction,
  KeyedBroadcastContext,
  KeyedBroadcastProcessFunction,
  OnTimerContext,
  OutputTag,
  ReadOnlyBroadcastContext,
} from '../../functions/index.ts';
import type { MapStateDescriptor, StateDescriptor } from '../../state/index.ts';
import { TimestampedCollector, TwoInputOperator } from './stream-operator.ts';

type AnyBroadcastFunction =
  | BroadcastProcessFunction<unknown, unknown, unknown>
  | KeyedBroadcastProcessFunction<unknown, unknown, unknown, unknown>;

/** Runs a (Keyed)BroadcastProcessFunction. */
export class CoBroadcastOperator extends TwoInputOperator {
  readonly #fn: AnyBroadcastFunction;
  readonly #keyed: boolean;
  readonly #descriptors: readonly MapStateDescriptor<unknown, unknown>[];
  readonly #out = new StreamRecord<unknown>(undefined);
  #collector!: TimestampedCollector<unknown>;
  #timestamp: number | undefined;
  #domain: 'EVENT_TIME' | 'PROCESSING_TIME' = 'EVENT_TIME';
  #readOnly!: ReadOnlyBroadcastContext<unknown> & OnTimerContext<unknown>;
  #broadcastCtx!: KeyedBroadcastContext;

  constructor(
    fn: AnyBroadcastFunction,
    keyed: boolean,
    descriptors: readonly MapStateDescriptor<unknown, unknown>[],
  ) {
    super();
    this.#fn = fn;
    this.#keyed = keyed;
    this.#descriptors = descriptors;
  }

  #checkDescriptor(d: MapStateDescriptor<unknown, unknown>): void {
    if (!this.#descriptors.some((x) => x.name === d.name)) {
      throw new IllegalArgumentError(
        `operator "${this.ctx.operatorName}": broadcast state "${d.name}" was not declared in broadcast(...); declared: ${this.#descriptors.map((x) => x.name).join(', ')}`,
      );
    }
  }

  override open(): Promise<void> {
    this.#collector = new TimestampedCollector(this.ctx.output, this.#out);
    const timerService = this.timerServiceView();
    const store = this.ctx.operatorState;
    this.#readOnly = {
      timestamp: () => this.#timestamp,
      timerService: () => timerService,
      output: <X>(tag: OutputTag<X>, value: X) => this.outputSide(tag, value, this.#timestamp),
      getCurrentKey: () => this.ctx.keyedBackend?.getCurrentKey(),
      timeDomain: () => this.#domain,
      getBroadcastState: <K, V>(d: MapStateDescriptor<K, V>) => {
        this.#checkDescriptor(d as MapStateDescriptor<unknown, unknown>);
        return store.getBroadcastState(d);
      },
    };
    this.#broadcastCtx = {
      timestamp: () => this.#timestamp,
      currentWatermark: () => this.currentWatermark(),
      currentProcessingTime: () => this.ctx.processingTime.now(),
      output: <X>(tag: OutputTag<X>, value: X) => this.outputSide(tag, value, this.#timestamp),
      getBroadcastState: <K, V>(d: MapStateDescriptor<K, V>) => {
        this.#checkDescriptor(d as MapStateDescriptor<unknown, unknown>);
        return store.getBroadcastState(d);
      },
      applyToKeyedState: <S>(d: { readonly name: string }, fn: (key: unknown, state: S) => void) => {
        const backend = this.ctx.keyedBackend;
        if (backend === undefined)
          throw new IllegalArgumentError('applyToKeyedState(): the stream is not keyed');
        const state = backend.getPartitionedState(d as StateDescriptor<S>);
        backend.forEachKey(d.name, (key) => fn(key, state));
      },
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
    this.#fn.processElement(record.value, this.#readOnly as never, this.#collector);
  }

  override processElement2(record: StreamRecord): void {
    this.#timestamp = record.timestamp;
    this.#out.timestamp = record.timestamp;
    this.#fn.processBroadcastElement(record.value, this.#broadcastCtx, this.#collector);
  }

  override onEventTime(timer: { timestamp: number }): void {
    this.#fire(timer.timestamp, 'EVENT_TIME');
  }

  override onProcessingTime(timer: { timestamp: number }): void {
    this.#fire(timer.timestamp, 'PROCESSING_TIME');
  }

  #fire(timestamp: number, domain: 'EVENT_TIME' | 'PROCESSING_TIME'): void {
    const fn = this.#fn as KeyedBroadcastProcessFunction<unknown, unknown, unknown, unknown>;
    this.#domain = domain;
    this.#timestamp = domain === 'EVENT_TIME' ? timestamp : undefined;
    this.#out.timestamp = this.#timestamp;
    fn.onTimer(timestamp, this.#readOnly as never, this.#collector);
  }
}
