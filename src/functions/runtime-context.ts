// What user functions see of the runtime: their subtask, keyed and operator state, timers.
import type {
  AggregatingState,
  AggregatingStateDescriptor,
  BroadcastState,
  ListState,
  ListStateDescriptor,
  MapState,
  MapStateDescriptor,
  ReadOnlyBroadcastState,
  ReducingState,
  ReducingStateDescriptor,
  ValueState,
  ValueStateDescriptor,
} from '../state/index.ts';
import type { OutputTag } from './output-tag.ts';

/**
 * Information about the running subtask and access to state (Flink's RuntimeContext).
 *
 * @example
 * class Count extends KeyedProcessFunction<string, string, number> {
 *   #count!: ValueState<number>;
 *   override open(ctx: RuntimeContext) {
 *     this.#count = ctx.getState(new ValueStateDescriptor<number>('count'));
 *     console.log(`subtask ${ctx.getIndexOfThisSubtask() + 1} of ${ctx.getNumberOfParallelSubtasks()}`);
 *   }
 *   processElement(v: string, ctx: ProcessContext<string>, out: Collector<number>) {
 *     this.#count.update((this.#count.value() ?? 0) + 1);
 *   }
 * }
 */
export interface RuntimeContext {
  getTaskName(): string;
  /** 0-based index of this parallel instance. */
  getIndexOfThisSubtask(): number;
  getNumberOfParallelSubtasks(): number;
  getMaxNumberOfParallelSubtasks(): number;
  getAttemptNumber(): number;
  getJobId(): string;
  /** Keyed state (only in functions applied on a KeyedStream). */
  getState<T>(descriptor: ValueStateDescriptor<T>): ValueState<T>;
  getListState<T>(descriptor: ListStateDescriptor<T>): ListState<T>;
  getMapState<K, V>(descriptor: MapStateDescriptor<K, V>): MapState<K, V>;
  getReducingState<T>(descriptor: ReducingStateDescriptor<T>): ReducingState<T>;
  getAggregatingState<IN, ACC, OUT>(
    descriptor: AggregatingStateDescriptor<IN, ACC, OUT>,
  ): AggregatingState<IN, OUT>;
  /** Operator state: a list redistributed round-robin when parallelism changes. */
  getOperatorListState<T>(descriptor: ListStateDescriptor<T>): ListState<T>;
  /** Operator state: every subtask receives the union of all lists on restore. */
  getUnionListState<T>(descriptor: ListStateDescriptor<T>): ListState<T>;
}

/**
 * Collects a function's output records.
 *
 * @example
 * stream.flatMap({ flatMap: (line: string, out: Collector<string>) => line.split(' ').forEach((w) => out.collect(w)) });
 */
export interface Collector<T> {
  collect(value: T): void;
}

/**
 * Timers and time of the current operator.
 *
 * @example
 * // in a KeyedProcessFunction: fire one minute of event time after this record
 * ctx.timerService().registerEventTimeTimer((ctx.timestamp() ?? 0) + 60_000);
 * const lag = ctx.timerService().currentProcessingTime() - ctx.timerService().currentWatermark();
 */
export interface TimerService {
  currentProcessingTime(): number;
  currentWatermark(): number;
  registerEventTimeTimer(time: number): void;
  registerProcessingTimeTimer(time: number): void;
  deleteEventTimeTimer(time: number): void;
  deleteProcessingTimeTimer(time: number): void;
}

/**
 * Context of a process function call.
 *
 * @example
 * processElement(value: Click, ctx: ProcessContext<string>, out: Collector<string>) {
 *   if ((ctx.timestamp() ?? 0) <= ctx.timerService().currentWatermark()) ctx.output(lateTag, value);
 *   else out.collect(`${ctx.getCurrentKey()}: ${value.page}`);
 * }
 */
export interface ProcessContext<K = never> {
  /** Event timestamp of the current record (or firing timer), if it has one. */
  timestamp(): number | undefined;
  timerService(): TimerService;
  /** Emits to a side output. */
  output<X>(tag: OutputTag<X>, value: X): void;
  /** The key of the current record (keyed functions only). */
  getCurrentKey(): K;
}

/**
 * Context of a timer callback.
 *
 * @example
 * override onTimer(timestamp: number, ctx: OnTimerContext<string>, out: Collector<string>) {
 *   if (ctx.timeDomain() === 'EVENT_TIME') out.collect(`${ctx.getCurrentKey()} closed at ${timestamp}`);
 * }
 */
export interface OnTimerContext<K = never> extends ProcessContext<K> {
  timeDomain(): 'EVENT_TIME' | 'PROCESSING_TIME';
}

/**
 * Context of the broadcast side of a broadcast process function.
 *
 * @example
 * processBroadcastElement(rule: [string, number], ctx: BroadcastContext, out: Collector<string>) {
 *   ctx.getBroadcastState(rulesDescriptor).put(rule[0], rule[1]);
 * }
 */
export interface BroadcastContext {
  timestamp(): number | undefined;
  currentWatermark(): number;
  currentProcessingTime(): number;
  output<X>(tag: OutputTag<X>, value: X): void;
  getBroadcastState<K, V>(descriptor: MapStateDescriptor<K, V>): BroadcastState<K, V>;
}

/**
 * Context of the broadcast side of a keyed broadcast process function.
 *
 * @example
 * processBroadcastElement(rule: [string, number], ctx: KeyedBroadcastContext, out: Collector<string>) {
 *   ctx.getBroadcastState(rulesDescriptor).put(rule[0], rule[1]);
 *   ctx.applyToKeyedState(countDescriptor, (key, count) => count.clear());
 * }
 */
export interface KeyedBroadcastContext extends BroadcastContext {
  /** Applies a function to the keyed state of every key that has state for `descriptor`. */
  applyToKeyedState<S>(
    descriptor: { readonly name: string } & { readonly __state?: S },
    fn: (key: unknown, state: S) => void,
  ): void;
}

/**
 * Context of the non-broadcast side: broadcast state is read-only there.
 *
 * @example
 * processElement(p: Payment, ctx: ReadOnlyBroadcastContext<string>, out: Collector<string>) {
 *   const limit = ctx.getBroadcastState(rulesDescriptor).get('max') ?? Infinity;
 *   if (p.amount > limit) out.collect(ctx.getCurrentKey());
 * }
 */
export interface ReadOnlyBroadcastContext<K = never> extends ProcessContext<K> {
  getBroadcastState<BK, V>(descriptor: MapStateDescriptor<BK, V>): ReadOnlyBroadcastState<BK, V>;
}
