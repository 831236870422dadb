// A stream connected with a broadcast stream: input 2 carries broadcast elements, which update
// broadcast state (identical on every subtask); input 1 reads it. Keyed variant adds keyed state,
// timers and applyToKeyedState.
import { IllegalArgumentError, type StreamRecord } from '../../core/index.ts';
import type {
  BroadcastProcessFunction,
  KeyedBroadcastContext,
  KeyedBroadcastProcessFunction,
  OnTimerContext,
  OutputTag,
  ReadOnlyBroadcastContext,
} from '../../functions/index.ts';
import type { MapStateDescriptor, StateDescriptor } from '../../state/index.ts';
import { ProcessInvocation, type TimeDomain } from './process-invocation.ts';
import { TwoInputOperator } from './stream-operator.ts';

type AnyBroadcastFunction =
  | BroadcastProcessFunction<unknown, unknown, unknown>
  | KeyedBroadcastProcessFunction<unknown, unknown, unknown, unknown>;

/** Runs a (Keyed)BroadcastProcessFunction. */
export class CoBroadcastOperator extends TwoInputOperator {
  readonly #fn: AnyBroadcastFunction;
  readonly #keyed: boolean;
  readonly #descriptors: readonly MapStateDescriptor<unknown, unknown>[];
  #inv!: ProcessInvocation;
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
    this.#inv = new ProcessInvocation({
      output: this.ctx.output,
      timerService: this.timerServiceView(),
      outputSide: (tag, value, timestamp) => this.outputSide(tag, value, timestamp),
      currentKey: () => this.ctx.keyedBackend?.getCurrentKey(),
    });
    const store = this.ctx.operatorState;
    this.#readOnly = {
      ...this.#inv.context,
      getBroadcastState: <K, V>(d: MapStateDescriptor<K, V>) => {
        this.#checkDescriptor(d as MapStateDescriptor<unknown, unknown>);
        return store.getBroadcastState(d);
      },
    };
    this.#broadcastCtx = {
      timestamp: () => this.#inv.timestamp,
      currentWatermark: () => this.currentWatermark(),
      currentProcessingTime: () => this.ctx.processingTime.now(),
      output: <X>(tag: OutputTag<X>, value: X) => this.outputSide(tag, value, this.#inv.timestamp),
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
    this.#inv.enterRecord(record);
    this.#fn.processElement(record.value, this.#readOnly as never, this.#inv.collector);
  }

  override processElement2(record: StreamRecord): void {
    this.#inv.enterRecord(record);
    this.#fn.processBroadcastElement(record.value, this.#broadcastCtx, this.#inv.collector);
  }

  override onEventTime(timer: { timestamp: number }): void {
    this.#fire(timer.timestamp, 'EVENT_TIME');
  }

  override onProcessingTime(timer: { timestamp: number }): void {
    this.#fire(timer.timestamp, 'PROCESSING_TIME');
  }

  #fire(timestamp: number, domain: TimeDomain): void {
    const fn = this.#fn as KeyedBroadcastProcessFunction<unknown, unknown, unknown, unknown>;
    this.#inv.enterTimer(timestamp, domain);
    fn.onTimer(timestamp, this.#readOnly as never, this.#inv.collector);
  }
}
