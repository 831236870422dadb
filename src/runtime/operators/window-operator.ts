// The window operator (Flink's WindowOperator and EvictingWindowOperator in one): assigns elements
// to windows, keeps window contents in keyed state namespaced by window, lets the trigger decide
// through timers when windows fire, merges session windows, handles allowed lateness and late
// data, and evicts elements when an evictor is set.
import { MAX_WATERMARK, MIN_WATERMARK, SluiceError, type StreamRecord } from '../../core/index.ts';
import {
  EventTimeTrigger,
  type Evictor,
  type EvictorContext,
  isFire,
  isMergingWindowAssigner,
  isPurge,
  type MergingWindowAssigner,
  type OnMergeContext,
  type OutputTag,
  ProcessingTimeTrigger,
  SlidingEventTimeWindows,
  SlidingProcessingTimeWindows,
  type TimestampedValue,
  type Trigger,
  type TriggerResult,
  TumblingEventTimeWindows,
  TumblingProcessingTimeWindows,
  type Window,
  type WindowAssigner,
  type WindowAssignerContext,
  type WindowSerializer,
} from '../../functions/index.ts';
import {
  type AggregateFunction,
  AggregatingStateDescriptor,
  type InternalKvState,
  type InternalMergingState,
  ListStateDescriptor,
  normalizeKey,
  ReducingStateDescriptor,
  type ValueState,
  ValueStateDescriptor,
} from '../../state/index.ts';
import type { InternalTimer } from '../timers/internal-timer-service.ts';
import { type MergingWindowMapping, MergingWindowSet } from './merging-window-set.ts';
import { mergeStateNamespaces, NamespacedStateViews } from './namespaced-state-views.ts';
import { PaneSharingWindowOperator } from './pane-sharing-window-operator.ts';
import { OneInputOperator, type StreamOperator } from './stream-operator.ts';
import { type InternalWindowFunction, WindowFunctionRunner } from './window-function-runner.ts';

/** How a window's contents are kept: all elements, or incrementally reduced or aggregated. */
export type WindowAggregation =
  | { readonly kind: 'process' }
  | { readonly kind: 'reduce'; readonly reduce: (a: unknown, b: unknown) => unknown }
  | { readonly kind: 'aggregate'; readonly aggregate: AggregateFunction<unknown, unknown, unknown> };

/** Everything a window operator is built from (the API's WindowedStream resolves it). */
export interface WindowOperatorSpec {
  readonly assigner: WindowAssigner<unknown, Window>;
  /** The trigger; `undefined` for the assigner's default. */
  readonly trigger: Trigger<unknown, Window> | undefined;
  readonly evictor: Evictor<unknown, Window> | undefined;
  readonly allowedLateness: number;
  readonly lateDataTag: OutputTag<unknown> | undefined;
  readonly aggregation: WindowAggregation;
  /** Applied to the contents (or the single reduced/aggregated value); `undefined` emits them as they are. */
  readonly windowFunction: InternalWindowFunction | undefined;
  /** The user's function object: given the runtime context, opened and closed (undefined for none). */
  readonly userFunction: unknown;
}

type Contents = InternalMergingState & {
  get(): unknown;
  add(value: unknown): void;
  clear(): void;
  update?(values: Iterable<unknown>): void;
};

const CONTENTS = 'window-contents';

/**
 * The merging windows of one key, kept alive between its records. Keyed state holds the
 * persisted form only as of the last snapshot (`stored`: it holds one), so an element costs no
 * decoding or re-encoding of the set.
 */
interface LiveMergingWindows {
  readonly key: unknown;
  readonly set: MergingWindowSet<Window>;
  stored: boolean;
}

/** Size, slide and offset of tumbling (slide = size) and sliding assigners. */
function alignedWindows(
  a: WindowAssigner<unknown, Window>,
): { size: number; slide: number; offset: number } | undefined {
  if (a instanceof SlidingEventTimeWindows || a instanceof SlidingProcessingTimeWindows) {
    return a.getSlide() <= a.getSize()
      ? { size: a.getSize(), slide: a.getSlide(), offset: a.getOffset() }
      : undefined;
  }
  if (a instanceof TumblingEventTimeWindows || a instanceof TumblingProcessingTimeWindows) {
    return { size: a.getSize(), slide: a.getSize(), offset: a.getOffset() };
  }
  return undefined;
}

/**
 * The operator for a window spec: tumbling and sliding windows with reduce() or aggregate() (with
 * merge), the default trigger, no evictor and no window-function clear() keep partial aggregates
 * per pane (PaneSharingWindowOperator: overlapping windows share them, and a key needs one timer
 * per window end instead of a timer registration per element); everything else keeps state per
 * window (WindowOperator). Both produce the same results.
 *
 * @example
 * const op = createWindowOperator(spec);
 */
export function createWindowOperator(spec: WindowOperatorSpec): StreamOperator {
  const a = spec.assigner;
  const { aggregation } = spec;
  const aligned = alignedWindows(a);
  if (
    aligned !== undefined &&
    spec.evictor === undefined &&
    (spec.trigger === undefined ||
      spec.trigger === (a.isEventTime() ? EventTimeTrigger.create() : ProcessingTimeTrigger.create())) &&
    spec.windowFunction?.clear === undefined &&
    (aggregation.kind === 'reduce' ||
      (aggregation.kind === 'aggregate' && typeof aggregation.aggregate.merge === 'function'))
  ) {
    return new PaneSharingWindowOperator({
      ...aligned,
      eventTime: a.isEventTime(),
      allowedLateness: spec.allowedLateness,
      lateDataTag: spec.lateDataTag,
      aggregation,
      windowFunction: spec.windowFunction,
      userFunction: spec.userFunction,
    });
  }
  return new WindowOperator(spec);
}

/** @internal the cleanup time of a window: its max timestamp plus the lateness (event time). */
export function cleanupTime(window: Window, eventTime: boolean, allowedLateness: number): number {
  if (!eventTime) return window.maxTimestamp();
  const t = window.maxTimestamp() + allowedLateness;
  return Math.min(t, MAX_WATERMARK);
}

/**
 * Runs windows of a keyed stream.
 *
 * @example
 * new WindowOperator({ assigner: TumblingEventTimeWindows.of(10), trigger: undefined, evictor: undefined,
 *   allowedLateness: 0, lateDataTag: undefined, aggregation: { kind: 'process' }, windowFunction: fn,
 *   userFunction: undefined });
 */
export class WindowOperator extends OneInputOperator {
  readonly #spec: WindowOperatorSpec;
  readonly #assigner: WindowAssigner<unknown, Window>;
  readonly #merging: MergingWindowAssigner<unknown, Window> | undefined;
  readonly #trigger: Trigger<unknown, Window>;
  readonly #eventTime: boolean;
  readonly #lateness: number;
  readonly #serializer: WindowSerializer<Window>;
  #contents!: Contents;
  #mergingSetState: ValueState<MergingWindowMapping> | undefined;
  /** Merging assigners: the window sets of the keys with windows in flight, by normalized key. */
  readonly #live = new Map<unknown, LiveMergingWindows>();
  #runner!: WindowFunctionRunner;
  #assignerContext!: WindowAssignerContext;
  #triggerContext!: OnMergeContext;
  #evictorContext!: EvictorContext;
  // The namespace of the window the trigger context refers to, and of the windows merged into it.
  #windowNs = '';
  #merged: readonly Window[] = [];
  // The last timer the trigger registered for the current element, to skip re-registering it as
  // the cleanup timer (the usual case: end of window = cleanup time when there is no lateness).
  #lastTimerNs = '';
  #lastTimerTime = Number.NaN;
  #lastTimerEventTime = false;
  #key: unknown;
  #numLateRecordsDropped = 0;

  constructor(spec: WindowOperatorSpec) {
    super();
    this.#spec = spec;
    this.#assigner = spec.assigner;
    this.#merging = isMergingWindowAssigner(spec.assigner) ? spec.assigner : undefined;
    this.#trigger = spec.trigger ?? spec.assigner.getDefaultTrigger();
    this.#eventTime = spec.assigner.isEventTime();
    this.#lateness = spec.allowedLateness;
    this.#serializer = spec.assigner.getWindowSerializer();
  }

  /** Late elements dropped because no side output was set (Flink's `numLateRecordsDropped`). */
  get numLateRecordsDropped(): number {
    return this.#numLateRecordsDropped;
  }

  override async open(): Promise<void> {
    const backend = this.ctx.keyedBackend;
    if (backend === undefined) {
      throw new SluiceError('INTERNAL', `operator "${this.ctx.operatorName}": windows need a keyed stream`, {
        origin: 'internal',
      });
    }
    const { aggregation, evictor } = this.#spec;
    const descriptor =
      evictor !== undefined || aggregation.kind === 'process'
        ? new ListStateDescriptor<unknown>(CONTENTS)
        : aggregation.kind === 'reduce'
          ? new ReducingStateDescriptor<unknown>(CONTENTS, aggregation.reduce)
          : new AggregatingStateDescriptor(CONTENTS, aggregation.aggregate);
    this.#contents = backend.getPartitionedState(descriptor as never) as Contents;
    if (this.#merging !== undefined) {
      this.#mergingSetState = backend.getPartitionedState(
        new ValueStateDescriptor<MergingWindowMapping>('merging-window-set'),
      );
    }
    const pts = this.ctx.processingTime;
    this.#assignerContext = { getCurrentProcessingTime: () => pts.now() };
    this.#evictorContext = {
      getCurrentProcessingTime: () => pts.now(),
      getCurrentWatermark: () => this.currentWatermark(),
    };
    const triggerState = new NamespacedStateViews(backend, () => this.#windowNs);
    this.#triggerContext = {
      getCurrentProcessingTime: () => pts.now(),
      getCurrentWatermark: () => this.currentWatermark(),
      registerEventTimeTimer: (t) => {
        this.timers().registerEventTimeTimer(this.#windowNs, t);
        this.#rememberTimer(t, true);
      },
      registerProcessingTimeTimer: (t) => {
        this.timers().registerProcessingTimeTimer(this.#windowNs, t);
        this.#rememberTimer(t, false);
      },
      deleteEventTimeTimer: (t) => {
        this.timers().deleteEventTimeTimer(this.#windowNs, t);
        this.#lastTimerTime = Number.NaN;
      },
      deleteProcessingTimeTimer: (t) => {
        this.timers().deleteProcessingTimeTimer(this.#windowNs, t);
        this.#lastTimerTime = Number.NaN;
      },
      getPartitionedState: (d) => triggerState.get(d),
      mergePartitionedState: (d) => {
        const merged = this.#merged;
        if (merged.length === 0) return;
        const ns = merged.map((w) => this.#serializer.toNamespace(w));
        mergeStateNamespaces(backend, d, this.#windowNs, ns);
      },
    };
    this.#runner = new WindowFunctionRunner(
      {
        ctx: this.ctx,
        currentWatermark: () => this.currentWatermark(),
        sideOutput: (tag, value, ts) => this.outputSide(tag, value, ts),
      },
      this.#spec.windowFunction,
      this.#serializer,
      this.#merging !== undefined,
    );
    await this.openFunction(this.#spec.userFunction);
  }

  override async close(): Promise<void> {
    await this.closeFunction(this.#spec.userFunction);
    await super.close();
  }

  processElement(record: StreamRecord): void {
    this.setKeyContext(record, 0);
    this.#key = this.ctx.keyedBackend!.getCurrentKey();
    const value = record.value;
    const timestamp = record.timestamp ?? MIN_WATERMARK;
    const windows = this.#assigner.assignWindows(value, timestamp, this.#assignerContext);
    const skipped =
      this.#merging === undefined
        ? this.#addToWindows(windows, value, record.timestamp, timestamp)
        : this.#addToMergingWindows(this.#merging, windows, value, record.timestamp, timestamp);
    if (skipped && this.#isElementLate(timestamp)) {
      const tag = this.#spec.lateDataTag;
      if (tag !== undefined) this.outputSide(tag, value, record.timestamp);
      else this.#numLateRecordsDropped++;
    }
  }

  /** Returns true when the element was added to no window. */
  #addToWindows(
    windows: readonly Window[],
    value: unknown,
    ts: number | undefined,
    timestamp: number,
  ): boolean {
    let skipped = true;
    for (const window of windows) {
      if (this.#isWindowLate(window)) continue;
      skipped = false;
      const ns = this.#serializer.toNamespace(window);
      this.#add(ns, value, ts);
      this.#setWindow(window, ns);
      const result = this.#trigger.onElement(value, timestamp, window, this.#triggerContext);
      if (isFire(result) && !this.#fire(window, ns)) continue;
      if (isPurge(result)) this.#clearContents(ns);
      this.#registerCleanupTimer(window);
    }
    return skipped;
  }

  #addToMergingWindows(
    assigner: MergingWindowAssigner<unknown, Window>,
    windows: readonly Window[],
    value: unknown,
    ts: number | undefined,
    timestamp: number,
  ): boolean {
    const live = this.#liveWindows(assigner);
    const set = live.set;
    let skipped = true;
    for (const window of windows) {
      const actual = set.addWindow(window, (result, merged, stateWindow, mergedStateWindows) => {
        this.#checkMergeResult(result);
        this.#setWindow(result);
        this.#merged = merged;
        try {
          this.#trigger.onMerge?.(result, this.#triggerContext);
        } finally {
          this.#merged = [];
        }
        for (const m of merged) {
          this.#setWindow(m);
          this.#trigger.clear(m, this.#triggerContext);
          this.#deleteCleanupTimer(m);
        }
        if (mergedStateWindows.length > 0) {
          this.#contents.mergeNamespaces(
            this.#serializer.toNamespace(stateWindow),
            mergedStateWindows.map((w) => this.#serializer.toNamespace(w)),
          );
        }
      });
      if (this.#isWindowLate(actual)) {
        set.retireWindow(actual);
        continue;
      }
      skipped = false;
      const stateWindow = set.getStateWindow(actual);
      if (stateWindow === undefined) {
        throw new SluiceError('INTERNAL', `window ${actual} is not in the in-flight window set`, {
          origin: 'internal',
        });
      }
      const stateNs = this.#serializer.toNamespace(stateWindow);
      this.#add(stateNs, value, ts);
      this.#setWindow(actual);
      const result = this.#trigger.onElement(value, timestamp, actual, this.#triggerContext);
      if (isFire(result) && !this.#fire(actual, stateNs)) continue;
      if (isPurge(result)) this.#clearContents(stateNs);
      this.#registerCleanupTimer(actual);
    }
    this.#settle(live);
    return skipped;
  }

  /** The current key's merging windows: kept alive, or loaded from keyed state (after a restore). */
  #liveWindows(assigner: MergingWindowAssigner<unknown, Window>): LiveMergingWindows {
    const nkey = normalizeKey(this.#key);
    let live = this.#live.get(nkey);
    if (live === undefined) {
      const persisted = this.#mergingSetState!.value();
      live = {
        key: this.#key,
        set: new MergingWindowSet(assigner, this.#serializer, persisted),
        stored: persisted !== undefined,
      };
      this.#live.set(nkey, live);
    }
    return live;
  }

  /** After an element or timer of the current key: a key without windows is forgotten. */
  #settle(live: LiveMergingWindows): void {
    if (live.set.size > 0) return;
    this.#live.delete(normalizeKey(live.key));
    if (live.stored) this.#mergingSetState!.clear();
  }

  /** Writes the window sets that changed since the last snapshot into keyed state. */
  protected override prepareSnapshot(_checkpointId: number): void {
    const state = this.#mergingSetState;
    if (state === undefined || this.#live.size === 0) return;
    const backend = this.ctx.keyedBackend!;
    const previous = backend.getCurrentKey();
    for (const live of this.#live.values()) {
      if (!live.set.dirty) continue;
      backend.setCurrentKey(live.key);
      const mapping = live.set.toPersisted();
      if (mapping === undefined) state.clear();
      else state.update(mapping);
      live.stored = mapping !== undefined;
    }
    if (previous !== undefined) backend.setCurrentKey(previous);
  }

  override restoreState(...args: Parameters<OneInputOperator['restoreState']>): void {
    // Keyed state is the truth again.
    this.#live.clear();
    super.restoreState(...args);
  }

  #checkMergeResult(result: Window): void {
    if (this.#eventTime && result.maxTimestamp() + this.#lateness <= this.currentWatermark()) {
      throw new SluiceError(
        'INTERNAL',
        `The end timestamp of an event-time window cannot become earlier than the current watermark by merging. Current watermark: ${this.currentWatermark()} window: ${result}`,
        { origin: 'internal' },
      );
    }
    if (!this.#eventTime && result.maxTimestamp() <= this.ctx.processingTime.now()) {
      throw new SluiceError(
        'INTERNAL',
        `The end timestamp of a processing-time window cannot become earlier than the current processing time by merging. Current processing time: ${this.ctx.processingTime.now()} window: ${result}`,
        { origin: 'internal' },
      );
    }
  }

  override onEventTime(timer: InternalTimer<string>): void {
    this.#onTimer(timer, true);
  }

  override onProcessingTime(timer: InternalTimer<string>): void {
    this.#onTimer(timer, false);
  }

  #onTimer(timer: InternalTimer<string>, eventTimeTimer: boolean): void {
    this.#key = timer.key;
    const window = this.#serializer.fromNamespace(timer.namespace);
    let live: LiveMergingWindows | undefined;
    let stateNs = timer.namespace;
    if (this.#merging !== undefined) {
      live = this.#liveWindows(this.#merging);
      const stateWindow = live.set.getStateWindow(window);
      // A timer of a window that no longer exists (a trigger that did not delete it): nothing to do.
      if (stateWindow === undefined) {
        this.#settle(live);
        return;
      }
      stateNs = this.#serializer.toNamespace(stateWindow);
    }
    this.#setWindow(window, timer.namespace);
    const result: TriggerResult = eventTimeTimer
      ? this.#trigger.onEventTime(timer.timestamp, window, this.#triggerContext)
      : this.#trigger.onProcessingTime(timer.timestamp, window, this.#triggerContext);
    if (isFire(result)) this.#fire(window, stateNs);
    if (isPurge(result)) this.#clearContents(stateNs);
    if (this.#eventTime === eventTimeTimer && this.#isCleanupTime(window, timer.timestamp)) {
      this.#clearAllState(window, stateNs, live?.set);
    }
    if (live !== undefined) this.#settle(live);
  }

  #clearAllState(window: Window, stateNs: string, set: MergingWindowSet<Window> | undefined): void {
    this.#clearContents(stateNs);
    this.#setWindow(window);
    this.#trigger.clear(window, this.#triggerContext);
    this.#runner.clear(this.#key, window);
    set?.retireWindow(window);
  }

  #setWindow(window: Window, ns?: string): void {
    this.#windowNs = ns ?? this.#serializer.toNamespace(window);
    this.#lastTimerTime = Number.NaN;
  }

  #rememberTimer(time: number, eventTime: boolean): void {
    this.#lastTimerNs = this.#windowNs;
    this.#lastTimerTime = time;
    this.#lastTimerEventTime = eventTime;
  }

  #add(ns: string, value: unknown, timestamp: number | undefined): void {
    const contents = this.#contents;
    contents.setCurrentNamespace(ns);
    if (this.#spec.evictor === undefined) contents.add(value);
    else contents.add({ value, timestamp } satisfies TimestampedValue<unknown>);
  }

  #clearContents(ns: string): void {
    this.#contents.setCurrentNamespace(ns);
    this.#contents.clear();
  }

  /** Evaluates `window` with the contents in namespace `stateNs`; false when it has none. */
  #fire(window: Window, stateNs: string): boolean {
    const contents = this.#contents;
    contents.setCurrentNamespace(stateNs);
    const evictor = this.#spec.evictor;
    if (evictor !== undefined) return this.#fireEvicting(evictor, window, stateNs);
    const aggregation = this.#spec.aggregation;
    if (aggregation.kind === 'process') {
      const elements = contents.get() as unknown[];
      if (elements.length === 0) return false;
      this.#runner.emit(this.#key, window, elements);
      return true;
    }
    const value = contents.get();
    if (value === undefined) return false;
    this.#runner.emit(this.#key, window, [value]);
    return true;
  }

  #fireEvicting(evictor: Evictor<unknown, Window>, window: Window, stateNs: string): boolean {
    const contents = this.#contents as unknown as InternalKvState & {
      get(): TimestampedValue<unknown>[];
      update(values: Iterable<TimestampedValue<unknown>>): void;
    };
    contents.setCurrentNamespace(stateNs);
    const stored = contents.get();
    if (stored.length === 0) return false;
    const elements = stored.slice();
    evictor.evictBefore(elements, elements.length, window, this.#evictorContext);
    const aggregation = this.#spec.aggregation;
    let input: unknown[];
    if (aggregation.kind === 'process') {
      input = elements.map((e) => e.value);
    } else if (aggregation.kind === 'reduce') {
      input = [];
      if (elements.length > 0) {
        let acc = elements[0]!.value;
        for (let i = 1; i < elements.length; i++) acc = aggregation.reduce(acc, elements[i]!.value);
        input = [acc];
      }
    } else {
      const fn = aggregation.aggregate;
      let acc = fn.createAccumulator();
      for (const e of elements) acc = fn.add(e.value, acc);
      input = [fn.getResult(acc)];
    }
    this.#runner.emit(this.#key, window, input);
    evictor.evictAfter(elements, elements.length, window, this.#evictorContext);
    // What the evictors left is the window's new contents.
    contents.setCurrentNamespace(stateNs);
    contents.update(elements);
    return true;
  }

  #isWindowLate(window: Window): boolean {
    return this.#eventTime && cleanupTime(window, true, this.#lateness) <= this.currentWatermark();
  }

  #isElementLate(timestamp: number): boolean {
    return this.#eventTime && timestamp + this.#lateness <= this.currentWatermark();
  }

  #isCleanupTime(window: Window, time: number): boolean {
    return time === cleanupTime(window, this.#eventTime, this.#lateness);
  }

  /** Registers the cleanup timer of the trigger context's window. */
  #registerCleanupTimer(window: Window): void {
    const t = cleanupTime(window, this.#eventTime, this.#lateness);
    if (t === MAX_WATERMARK) return;
    // Registered by the trigger just now (timers are deduplicated, so this only saves the work).
    if (
      t === this.#lastTimerTime &&
      this.#lastTimerEventTime === this.#eventTime &&
      this.#lastTimerNs === this.#windowNs
    ) {
      return;
    }
    if (this.#eventTime) this.#triggerContext.registerEventTimeTimer(t);
    else this.#triggerContext.registerProcessingTimeTimer(t);
  }

  /** Deletes the cleanup timer of the trigger context's window. */
  #deleteCleanupTimer(window: Window): void {
    const t = cleanupTime(window, this.#eventTime, this.#lateness);
    if (t === MAX_WATERMARK) return;
    if (this.#eventTime) this.#triggerContext.deleteEventTimeTimer(t);
    else this.#triggerContext.deleteProcessingTimeTimer(t);
  }
}
