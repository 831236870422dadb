// The lifecycle every operator follows inside a task, and the base class that gives operators
// their runtime context, keyed state, timers and combined watermark.

import type { OperatorSnapshot } from '../../checkpoint/index.ts';
import {
  describeValue,
  IllegalArgumentError,
  MIN_WATERMARK,
  type StreamRecord,
  UserFunctionError,
} from '../../core/index.ts';
import type {
  CheckpointedFunction,
  CheckpointListener,
  Collector,
  OutputTag,
  RichFunction,
  RuntimeContext,
  TimerService,
} from '../../functions/index.ts';
import type { OperatorFactory } from '../../plan/index.ts';
import type {
  AggregatingStateDescriptor,
  KeyedStateBackend,
  ListState,
  ListStateDescriptor,
  MapStateDescriptor,
  OperatorStateStore,
  PinnedKeyedStateSnapshot,
  ReducingStateDescriptor,
  StateDescriptor,
  ValueStateDescriptor,
} from '../../state/index.ts';
import { VOID_NAMESPACE } from '../../state/index.ts';
import { InternalTimerService, type Triggerable } from '../timers/internal-timer-service.ts';
import type { ProcessingTimeService } from '../timers/processing-time-service.ts';
import { activeOperator, enterOperator, stateHandle } from './active-operator.ts';

/** Which old subtask each restored part comes from, and the old parallelism. */
export interface StateOrigin {
  readonly subtasks: readonly number[];
  readonly parallelism: number;
}

/** Where an operator emits records and watermarks. */
export interface Output {
  collect(record: StreamRecord): void;
  collectSide(tag: string, record: StreamRecord): void;
  emitWatermark(timestamp: number): void;
  emitWatermarkStatus(idle: boolean): void;
}

/** What a task gives each operator of its chain. */
export interface OperatorContext {
  readonly jobId: string;
  readonly taskName: string;
  readonly operatorName: string;
  readonly uid: string | undefined;
  /** Identity of the operator's state in checkpoints (derived from its uid when set). */
  readonly operatorId: string;
  /** True when the job takes checkpoints. */
  readonly checkpointingEnabled: boolean;
  /**
   * True from the end of input on when a final checkpoint follows (checkpointing is on and the
   * job is not stopping with a savepoint): `finish()` then leaves what it hands over (a sink's
   * last transaction, collected records) to that checkpoint's snapshot, committed when it completes.
   */
  readonly awaitsFinalCheckpoint: () => boolean;
  readonly subtaskIndex: number;
  readonly parallelism: number;
  readonly maxParallelism: number;
  readonly attemptNumber: number;
  readonly output: Output;
  /** Key selectors per input when the operator is keyed. */
  readonly keySelectors: readonly (((value: never) => unknown) | undefined)[];
  readonly keyedBackend: KeyedStateBackend | undefined;
  readonly operatorState: OperatorStateStore;
  readonly processingTime: ProcessingTimeService;
  readonly autoWatermarkInterval: number;
  /** Runs an action in the task's mailbox (for callbacks of asynchronous work). */
  readonly mailbox: (action: () => void) => void;
  /** Fails the task from an asynchronous callback. */
  readonly failTask: (error: unknown) => void;
  /** Sends text to the client's standard output / error. */
  readonly print: (text: string, stream: 'stdout' | 'stderr') => void;
  /** Sends collected values to the client (executeAndCollect). */
  /** Sends collected values to the client; a `batch` id is delivered at most once. */
  readonly emitToClient: (values: unknown[], batch?: string) => void;
  /** Sends an event to this operator's coordinator in the JobManager (source enumerators). */
  readonly sendOperatorEvent: (event: OperatorEvent) => void;
}

/** Events between a source reader and its split enumerator. */
export type OperatorEvent =
  | { readonly kind: 'reader-registered' }
  | { readonly kind: 'split-request' }
  | { readonly kind: 'add-splits'; readonly splits: readonly unknown[] }
  | { readonly kind: 'no-more-splits' };

/** An operator: one step of a chain. Two-input operators implement the `...1`/`...2` methods. */
export interface StreamOperator {
  setup(ctx: OperatorContext): void;
  open(): void | Promise<void>;
  processElement(record: StreamRecord): void;
  processElement1(record: StreamRecord): void;
  processElement2(record: StreamRecord): void;
  /** A watermark on input 1 (or the only input) or 2. */
  processWatermark(timestamp: number, input: 1 | 2): void;
  processWatermarkStatus(idle: boolean, input: 1 | 2): void;
  /** The input ended (bounded): flush what is buffered. */
  finish(): void | Promise<void>;
  close(): void | Promise<void>;
  /** Name for error messages. */
  readonly ctx: OperatorContext;
  /** An event from this operator's coordinator. */
  handleOperatorEvent?(event: OperatorEvent): void;
  /**
   * The operator's state at a checkpoint barrier. With `pinKeyed`, keyed state of a backend that
   * can pin snapshots is left out of the result and handed to `pinKeyed` instead, to be read after
   * the barrier (asynchronous snapshots); everything else is a copy taken now.
   */
  snapshotState(
    checkpointId: number,
    timestamp: number,
    pinKeyed?: (pinned: PinnedKeyedStateSnapshot) => void,
  ): OperatorSnapshot;
  /** Restores state from the snapshots of every old subtask of this operator (before open()). */
  /** `origin`: the old subtask of each part and the old parallelism (when known). */
  restoreState(parts: readonly OperatorSnapshot[], origin?: StateOrigin): void;
  notifyCheckpointComplete(checkpointId: number): void | Promise<void>;
  notifyCheckpointAborted(checkpointId: number): void;
}

/** A factory the runtime instantiates in every subtask. */
export interface StreamOperatorFactory extends OperatorFactory {
  createOperator(): StreamOperator;
}

/** Truncated description of a record for error messages. */
export function describeRecord(value: unknown): string {
  return describeValue(value, 500);
}

/** Wraps an error thrown by user code with the operator, subtask and record. */
export function operatorError(ctx: OperatorContext, error: unknown, what: string): Error {
  if (error instanceof UserFunctionError) return error;
  const uid = ctx.uid === undefined ? '' : ` (uid: ${ctx.uid})`;
  const subtask = `${ctx.subtaskIndex + 1}/${ctx.parallelism}`;
  const original = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new UserFunctionError(
    ctx.operatorName,
    subtask,
    `operator "${ctx.operatorName}"${uid}, subtask ${subtask}, failed on ${what}: ${original}`,
    error,
  );
}

/** A collector that forwards to an operator output with a reused record. */
export class TimestampedCollector<T> implements Collector<T> {
  readonly #output: Output;
  readonly #record: StreamRecord<T>;
  constructor(output: Output, record: StreamRecord<T>) {
    this.#output = output;
    this.#record = record;
  }
  setTimestamp(timestamp: number | undefined): void {
    this.#record.timestamp = timestamp;
  }
  collect(value: T): void {
    this.#record.value = value;
    this.#output.collect(this.#record as StreamRecord);
  }
}

/**
 * Base class of every operator: setup, runtime context, combined watermark of its inputs,
 * and (for keyed operators) keyed state and timers.
 */
export abstract class AbstractStreamOperator implements StreamOperator, Triggerable<string> {
  #ctx: OperatorContext | undefined;
  #watermark = MIN_WATERMARK;
  #input1Watermark = MIN_WATERMARK;
  #input2Watermark = MIN_WATERMARK;
  #input1Idle = false;
  #input2Idle = false;
  #idleEmitted = false;
  #timers: InternalTimerService<string> | undefined;
  #runtimeContext: RuntimeContext | undefined;
  /** True for operators with two inputs (their watermark is the minimum of both). */
  protected twoInputs = false;
  /** User functions opened by this operator (checkpoint hooks are forwarded to them). */
  readonly #functions: unknown[] = [];
  /** State objects of this subtask by descriptor (see stateFor). */
  readonly #stateObjects = new Map<string, unknown>();

  get ctx(): OperatorContext {
    return this.#ctx!;
  }

  setup(ctx: OperatorContext): void {
    this.#ctx = ctx;
  }

  open(): void | Promise<void> {}
  finish(): void | Promise<void> {}
  close(): void | Promise<void> {
    this.#timers?.close();
  }

  processElement(_record: StreamRecord): void {
    throw new IllegalArgumentError(`operator "${this.ctx.operatorName}" has no single input`);
  }
  processElement1(_record: StreamRecord): void {
    throw new IllegalArgumentError(`operator "${this.ctx.operatorName}" has no first input`);
  }
  processElement2(_record: StreamRecord): void {
    throw new IllegalArgumentError(`operator "${this.ctx.operatorName}" has no second input`);
  }

  /** The operator's current (combined) watermark. */
  currentWatermark(): number {
    return this.#watermark;
  }

  processWatermark(timestamp: number, input: 1 | 2): void {
    if (!this.twoInputs) {
      this.#advance(timestamp);
      return;
    }
    if (input === 1) this.#input1Watermark = timestamp;
    else this.#input2Watermark = timestamp;
    this.#combineInputs();
  }

  /** Advances to the minimum watermark of the non-idle inputs (two-input operators). */
  #combineInputs(): void {
    const w1 = this.#input1Idle ? Number.POSITIVE_INFINITY : this.#input1Watermark;
    const w2 = this.#input2Idle ? Number.POSITIVE_INFINITY : this.#input2Watermark;
    const combined = Math.min(w1, w2);
    if (combined !== Number.POSITIVE_INFINITY && combined > this.#watermark) this.#advance(combined);
  }

  processWatermarkStatus(idle: boolean, input: 1 | 2): void {
    if (input === 1) this.#input1Idle = idle;
    else this.#input2Idle = idle;
    const allIdle = this.twoInputs ? this.#input1Idle && this.#input2Idle : this.#input1Idle;
    if (allIdle !== this.#idleEmitted) {
      this.#idleEmitted = allIdle;
      this.ctx.output.emitWatermarkStatus(allIdle);
    }
    // An input that turns idle no longer holds the other one back; one that turns active again
    // counts with its last watermark, but the combined watermark never goes back.
    if (this.twoInputs) this.#combineInputs();
  }

  #advance(timestamp: number): void {
    if (timestamp <= this.#watermark) return;
    this.#watermark = timestamp;
    if (this.#timers !== undefined) {
      try {
        this.#timers.advanceWatermark(timestamp);
      } catch (e) {
        throw operatorError(this.ctx, e, `event-time timer at watermark ${timestamp}`);
      }
    }
    this.onWatermark(timestamp);
    this.ctx.output.emitWatermark(timestamp);
  }

  /** Hook for operators that act on watermarks before they are forwarded. */
  protected onWatermark(_timestamp: number): void {}

  /** Sets the keyed-state key from a record of input `input` (keyed operators). */
  protected setKeyContext(record: StreamRecord, input: 0 | 1): void {
    const selector = this.ctx.keySelectors[input];
    const backend = this.ctx.keyedBackend;
    if (selector === undefined || backend === undefined) return;
    backend.setCurrentKey(selector(record.value as never));
  }

  /** The keyed timer service (created on first use; keyed operators only). */
  protected timers(): InternalTimerService<string> {
    if (this.#timers === undefined) {
      const backend = this.ctx.keyedBackend;
      if (backend === undefined) {
        throw new IllegalArgumentError(
          `operator "${this.ctx.operatorName}": timers are only supported on keyed streams; apply keyBy() first`,
        );
      }
      // Timers fire with this subtask marked as running (its state handles resolve to it).
      const target: Triggerable<string> = {
        onEventTime: (t) => {
          const previous = enterOperator(this);
          try {
            this.onEventTime(t);
          } finally {
            enterOperator(previous);
          }
        },
        onProcessingTime: (t) => {
          const previous = enterOperator(this);
          try {
            this.onProcessingTime(t);
          } catch (e) {
            // Processing-time timers fire from the mailbox, outside any record: name the operator.
            throw operatorError(this.ctx, e, `processing-time timer at ${t.timestamp}`);
          } finally {
            enterOperator(previous);
          }
        },
      };
      this.#timers = new InternalTimerService<string>(backend, this.ctx.processingTime, target);
    }
    return this.#timers;
  }

  onEventTime(_timer: { timestamp: number; key: unknown; namespace: string }): void {}
  onProcessingTime(_timer: { timestamp: number; key: unknown; namespace: string }): void {}

  /** A TimerService view for user functions. */
  protected timerServiceView(): TimerService {
    return {
      currentProcessingTime: () => this.ctx.processingTime.now(),
      currentWatermark: () => this.#watermark,
      registerEventTimeTimer: (t) => this.timers().registerEventTimeTimer(VOID_NAMESPACE, t),
      registerProcessingTimeTimer: (t) => this.timers().registerProcessingTimeTimer(VOID_NAMESPACE, t),
      deleteEventTimeTimer: (t) => this.timers().deleteEventTimeTimer(VOID_NAMESPACE, t),
      deleteProcessingTimeTimer: (t) => this.timers().deleteProcessingTimeTimer(VOID_NAMESPACE, t),
    };
  }

  /** Emits a value to a side output. */
  protected outputSide<X>(tag: OutputTag<X>, value: X, timestamp: number | undefined): void {
    this.ctx.output.collectSide(tag.id, { value, timestamp, kind: 0 } as StreamRecord);
  }

  /** The RuntimeContext handed to user functions. */
  /** @internal the keyed or operator state of this subtask for a descriptor name. */
  stateFor(name: string, create: () => unknown): unknown {
    let s = this.#stateObjects.get(name);
    if (s === undefined) {
      const previous = enterOperator(this);
      try {
        s = create();
      } finally {
        enterOperator(previous);
      }
      this.#stateObjects.set(name, s);
    }
    return s;
  }

  /**
   * The RuntimeContext handed to user functions. Its answers and the state handles it returns
   * follow the subtask that is running (see active-operator.ts), so a function object shared by
   * parallel subtasks in one thread still sees its own subtask's state.
   */
  runtimeContext(): RuntimeContext {
    if (this.#runtimeContext !== undefined) return this.#runtimeContext;
    const own = this.ctx;
    const ctxOf = (): OperatorContext =>
      ((activeOperator() as AbstractStreamOperator | undefined) ?? this).ctx;
    const keyed = <S>(d: StateDescriptor<S>): S => {
      if (own.keyedBackend === undefined) {
        throw new IllegalArgumentError(
          `operator "${own.operatorName}": keyed state "${d.name}" is only available on a KeyedStream; apply keyBy() first`,
        );
      }
      return stateHandle<S>(d.kind, this, `keyed:${d.name}`, () => {
        const c = ctxOf();
        return c.keyedBackend!.getPartitionedState(d);
      });
    };
    this.#runtimeContext = {
      getTaskName: () => ctxOf().taskName,
      getIndexOfThisSubtask: () => ctxOf().subtaskIndex,
      getNumberOfParallelSubtasks: () => ctxOf().parallelism,
      getMaxNumberOfParallelSubtasks: () => ctxOf().maxParallelism,
      getAttemptNumber: () => ctxOf().attemptNumber,
      getJobId: () => ctxOf().jobId,
      getState: <T>(d: ValueStateDescriptor<T>) => keyed(d),
      getListState: <T>(d: ListStateDescriptor<T>) => keyed(d),
      getMapState: <K, V>(d: MapStateDescriptor<K, V>) => keyed(d),
      getReducingState: <T>(d: ReducingStateDescriptor<T>) => keyed(d),
      getAggregatingState: <IN, ACC, OUT>(d: AggregatingStateDescriptor<IN, ACC, OUT>) => keyed(d),
      getOperatorListState: <T>(d: ListStateDescriptor<T>) =>
        stateHandle<ListState<T>>('list', this, `list:${d.name}`, () =>
          ctxOf().operatorState.getListState(d),
        ),
      getUnionListState: <T>(d: ListStateDescriptor<T>) =>
        stateHandle<ListState<T>>('list', this, `union:${d.name}`, () =>
          ctxOf().operatorState.getUnionListState(d),
        ),
    };
    return this.#runtimeContext;
  }

  snapshotState(
    checkpointId: number,
    timestamp: number,
    pinKeyed?: (pinned: PinnedKeyedStateSnapshot) => void,
  ): OperatorSnapshot {
    for (const fn of this.#functions) {
      const f = fn as Partial<CheckpointedFunction>;
      if (typeof f.snapshotState === 'function') {
        try {
          f.snapshotState({ checkpointId, checkpointTimestamp: timestamp });
        } catch (e) {
          throw operatorError(this.ctx, e, `snapshotState() of checkpoint ${checkpointId}`);
        }
      }
    }
    this.prepareSnapshot(checkpointId);
    const out: OperatorSnapshot = {};
    const backend = this.ctx.keyedBackend;
    if (backend !== undefined) {
      if (pinKeyed !== undefined && backend.pinSnapshot !== undefined) pinKeyed(backend.pinSnapshot());
      else out.keyed = backend.snapshot();
    }
    if (this.#timers !== undefined) out.timers = this.#timers.snapshot();
    const ops = this.ctx.operatorState.snapshot();
    if (ops.lists !== undefined && Object.keys(ops.lists).length > 0) out.lists = ops.lists;
    if (ops.broadcast !== undefined && Object.keys(ops.broadcast).length > 0) out.broadcast = ops.broadcast;
    return out;
  }

  /** Hook for operators that move fields into operator state before a snapshot. */
  protected prepareSnapshot(_checkpointId: number): void {}

  restoreState(parts: readonly OperatorSnapshot[], origin?: StateOrigin): void {
    const backend = this.ctx.keyedBackend;
    if (backend !== undefined) {
      backend.restore(parts.flatMap((p) => (p.keyed === undefined ? [] : [p.keyed])));
      for (const p of parts) if (p.timers !== undefined) this.timers().restore(p.timers);
    }
    this.ctx.operatorState.restore(
      parts.map((p) => ({
        ...(p.lists === undefined ? {} : { lists: p.lists }),
        ...(p.broadcast === undefined ? {} : { broadcast: p.broadcast }),
      })),
      this.ctx.subtaskIndex,
      this.ctx.parallelism,
      origin,
    );
  }

  async notifyCheckpointComplete(checkpointId: number): Promise<void> {
    for (const fn of this.#functions) {
      const f = fn as Partial<CheckpointListener>;
      if (typeof f.notifyCheckpointComplete === 'function') await f.notifyCheckpointComplete(checkpointId);
    }
  }

  notifyCheckpointAborted(checkpointId: number): void {
    for (const fn of this.#functions)
      (fn as Partial<CheckpointListener>).notifyCheckpointAborted?.(checkpointId);
  }

  /** Opens a user function (sets its runtime context, calls open). */
  protected async openFunction(fn: unknown): Promise<void> {
    if (fn === null || typeof fn !== 'object') return;
    this.#functions.push(fn);
    const rich = fn as RichFunction & { setRuntimeContext?: (c: RuntimeContext) => void };
    rich.setRuntimeContext?.(this.runtimeContext());
    try {
      await rich.open?.(this.runtimeContext());
    } catch (e) {
      throw operatorError(this.ctx, e, 'open()');
    }
  }

  /** Closes a user function. */
  protected async closeFunction(fn: unknown): Promise<void> {
    if (fn === null || typeof fn !== 'object') return;
    try {
      await (fn as RichFunction).close?.();
    } catch (e) {
      throw operatorError(this.ctx, e, 'close()');
    }
  }
}

/** Base of operators with one input. */
export abstract class OneInputOperator extends AbstractStreamOperator {
  abstract override processElement(record: StreamRecord): void;
}

/** Base of operators with two inputs. */
export abstract class TwoInputOperator extends AbstractStreamOperator {
  protected override twoInputs = true;
}
