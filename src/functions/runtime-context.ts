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

/** Information about the running subtask and access to state (Flink's RuntimeContext). */
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

/** Collects a function's output records. */
export interface Collector<T> {
  collect(value: T): void;
}

/** Timers and time of the current operator. */
export interface TimerService {
  currentProcessingTime(): number;
  currentWatermark(): number;
  registerEventTimeTimer(time: number): void;
  registerProcessingTimeTimer(time: number): void;
  deleteEventTimeTimer(time: number): void;
  deleteProcessingTimeTimer(time: number): void;
}

/** Context of a process function call. */
export interface ProcessContext<K = never> {
  /** Event timestamp of the current record (or firing timer), if it has one. */
  timestamp(): number | undefined;
  timerService(): TimerService;
  /** Emits to a side output. */
  output<X>(tag: OutputTag<X>, value: X): void;
  /** The key of the current record (keyed functions only). */
  getCurrentKey(): K;
}

/** Context of a timer callback. */
export interface OnTimerContext<K = never> extends ProcessContext<K> {
  timeDomain(): 'EVENT_TIME' | 'PROCESSING_TIME';
}

/** Context of the broadcast side of a broadcast process function. */
export interface BroadcastContext {
  timestamp(): number | undefined;
  currentWatermark(): number;
  currentProcessingTime(): number;
  output<X>(tag: OutputTag<X>, value: X): void;
  getBroadcastState<K, V>(descriptor: MapStateDescriptor<K, V>): BroadcastState<K, V>;
}

/** Context of the broadcast side of a keyed broadcast process function. */
export interface KeyedBroadcastContext extends BroadcastContext {
  /** Applies a function to the keyed state of every key that has state for `descriptor`. */
  applyToKeyedState<S>(
    descriptor: { readonly name: string } & { readonly __state?: S },
    fn: (key: unknown, state: S) => void,
  ): void;
}

/** Context of the non-broadcast side: broadcast state is read-only there. */
export interface ReadOnlyBroadcastContext<K = never> extends ProcessContext<K> {
  getBroadcastState<BK, V>(descriptor: MapStateDescriptor<BK, V>): ReadOnlyBroadcastState<BK, V>;
}
