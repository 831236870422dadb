// The head of a source task: drives a split-based SourceReader, assigns timestamps and generates
// watermarks (per split when the reader asks for split outputs), and talks to the enumerator.

import type { OperatorSnapshot } from '../../checkpoint/index.ts';
import { MAX_WATERMARK, MIN_WATERMARK, StreamRecord } from '../../core/index.ts';
import type {
  InputStatus,
  ReaderOutput,
  Source,
  SourceReader,
  SourceSplit,
  WatermarkGenerator,
  WatermarkOutput,
  WatermarkStrategy,
} from '../../functions/index.ts';
import { ListStateDescriptor, type PinnedKeyedStateSnapshot } from '../../state/index.ts';
import { OneInputOperator, type OperatorEvent, operatorError } from './stream-operator.ts';

class SplitWatermarks implements WatermarkOutput {
  watermark = MIN_WATERMARK;
  idle = false;
  emitWatermark(timestamp: number): void {
    if (timestamp > this.watermark) this.watermark = timestamp;
    this.idle = false;
  }
  markIdle(): void {
    this.idle = true;
  }
  markActive(): void {
    this.idle = false;
  }
}

/** Operator list state holding the reader's splits (with positions) in a checkpoint. */
const SPLITS_STATE = new ListStateDescriptor<unknown>('__sluice_source_splits__');

/** Runs a Source's reader inside a task. */
export class SourceOperator<T> extends OneInputOperator {
  readonly #source: Source<T, SourceSplit, unknown>;
  readonly #strategy: WatermarkStrategy<T>;
  #reader!: SourceReader<T, SourceSplit>;
  #assigner: ((e: T, ts: number | undefined) => number) | undefined;
  readonly #record = new StreamRecord<T>(undefined as T);
  readonly #splits = new Map<string, { gen: WatermarkGenerator<T>; wm: SplitWatermarks }>();
  #mainGen!: WatermarkGenerator<T>;
  readonly #mainWm = new SplitWatermarks();
  #emitted = MIN_WATERMARK;
  #idleEmitted = false;
  #cancelTimer: (() => void) | undefined;
  #closed = false;
  #mainOutput!: ReaderOutput<T>;
  /** Records emitted (metrics). */
  recordsOut = 0;

  constructor(source: Source<T, SourceSplit, unknown>, strategy: WatermarkStrategy<T>) {
    super();
    this.#source = source;
    this.#strategy = strategy;
  }

  override async open(): Promise<void> {
    const ctx = this.ctx;
    const pts = ctx.processingTime;
    const genCtx = { currentProcessingTime: () => pts.now() };
    this.#mainGen = this.#strategy.createWatermarkGenerator(genCtx);
    this.#assigner = this.#strategy.timestampAssigner;
    this.#mainOutput = this.#makeOutput(this.#mainGen, this.#mainWm);
    const splitOutputs = new Map<string, ReaderOutput<T>>();
    const main = this.#mainOutput;
    const self = this;
    this.#mainOutput = {
      collect: main.collect,
      createOutputForSplit(splitId: string): ReaderOutput<T> {
        let out = splitOutputs.get(splitId);
        if (out === undefined) {
          const entry = { gen: self.#strategy.createWatermarkGenerator(genCtx), wm: new SplitWatermarks() };
          self.#splits.set(splitId, entry);
          out = {
            ...self.#makeOutput(entry.gen, entry.wm),
            createOutputForSplit: this.createOutputForSplit,
            releaseOutputForSplit: this.releaseOutputForSplit,
          };
          splitOutputs.set(splitId, out);
        }
        return out;
      },
      releaseOutputForSplit(splitId: string): void {
        splitOutputs.delete(splitId);
        self.#splits.delete(splitId);
      },
    };
    this.#reader = this.#source.createReader({
      getIndexOfSubtask: () => ctx.subtaskIndex,
      currentParallelism: () => ctx.parallelism,
      sendSplitRequest: () => ctx.sendOperatorEvent({ kind: 'split-request' }),
    });
    await this.#reader.start();
    // Splits restored from a checkpoint go back to the reader (positions included).
    const restored = ctx.operatorState.getListState(SPLITS_STATE);
    const splits = restored.get() as SourceSplit[];
    if (splits.length > 0) this.#reader.addSplits(splits);
    restored.clear();
    const interval = ctx.autoWatermarkInterval;
    if (interval > 0 && !this.#strategy.emitsNoWatermarks) {
      const tick = (time: number): void => {
        if (this.#closed) return;
        this.emitPeriodicWatermark();
        this.#cancelTimer = pts.schedule(time + interval, tick);
      };
      this.#cancelTimer = pts.schedule(pts.now() + interval, tick);
    }
    ctx.sendOperatorEvent({ kind: 'reader-registered' });
  }

  #makeOutput(gen: WatermarkGenerator<T>, wm: SplitWatermarks): ReaderOutput<T> {
    const record = this.#record;
    const output = this.ctx.output;
    const perEventCheck = (): void => this.#maybeEmit();
    return {
      collect: (value: T, timestamp?: number): void => {
        const assigner = this.#assigner;
        const ts = assigner === undefined ? timestamp : assigner(value, timestamp);
        record.value = value;
        record.timestamp = ts;
        this.recordsOut++;
        output.collect(record as StreamRecord);
        if (ts !== undefined) {
          const before = wm.watermark;
          gen.onEvent(value, ts, wm);
          if (wm.watermark !== before) perEventCheck();
        }
      },
      createOutputForSplit: () => {
        throw new Error('createOutputForSplit() is only available on the reader output');
      },
      releaseOutputForSplit: () => {},
    };
  }

  protected override prepareSnapshot(checkpointId: number): void {
    this.ctx.operatorState.getListState(SPLITS_STATE).update(this.#reader.snapshotState(checkpointId));
  }

  override snapshotState(
    checkpointId: number,
    timestamp: number,
    pinKeyed?: (pinned: PinnedKeyedStateSnapshot) => void,
  ): OperatorSnapshot {
    const out = super.snapshotState(checkpointId, timestamp, pinKeyed);
    this.ctx.operatorState.getListState(SPLITS_STATE).clear();
    return out;
  }

  /** Polls the reader once. */
  emitNext(): InputStatus {
    try {
      return this.#reader.pollNext(this.#mainOutput);
    } catch (e) {
      throw operatorError(this.ctx, e, 'reading from the source');
    }
  }

  /** Resolves when the reader has data again. */
  isAvailable(): Promise<void> {
    return this.#reader.isAvailable();
  }

  handleOperatorEvent(event: OperatorEvent): void {
    if (event.kind === 'add-splits') this.#reader.addSplits(event.splits as SourceSplit[]);
    else if (event.kind === 'no-more-splits') this.#reader.notifyNoMoreSplits();
  }

  /** Runs every generator's periodic emission and forwards the combined watermark. */
  emitPeriodicWatermark(): void {
    this.#mainGen.onPeriodicEmit(this.#mainWm);
    for (const s of this.#splits.values()) s.gen.onPeriodicEmit(s.wm);
    this.#maybeEmit();
  }

  #maybeEmit(): void {
    if (this.#watermarksSuspended) return;
    let wm: number;
    let idle: boolean;
    if (this.#splits.size > 0) {
      wm = Number.POSITIVE_INFINITY;
      idle = true;
      for (const s of this.#splits.values()) {
        if (s.wm.idle) continue;
        idle = false;
        if (s.wm.watermark < wm) wm = s.wm.watermark;
      }
    } else {
      wm = this.#mainWm.watermark;
      idle = this.#mainWm.idle;
    }
    if (idle !== this.#idleEmitted) {
      this.#idleEmitted = idle;
      this.ctx.output.emitWatermarkStatus(idle);
    }
    if (!idle && wm !== Number.POSITIVE_INFINITY && wm > this.#emitted) {
      this.#emitted = wm;
      this.ctx.output.emitWatermark(wm);
    }
  }

  processElement(): void {
    throw new Error('a source operator has no input');
  }

  /** When false (stop-with-savepoint without drain), the end of input emits no max watermark. */
  emitMaxWatermarkAtEnd = true;

  #watermarksSuspended = false;

  /**
   * Stop-with-savepoint: once the savepoint's barrier is out, no watermark may follow it (timers
   * it fired would emit records the savepoint does not cover); resumed if the savepoint fails.
   */
  suspendWatermarks(suspended: boolean): void {
    this.#watermarksSuspended = suspended;
  }

  /** Emits the end-of-input watermark now (stop-with-savepoint with drain: before the barrier). */
  emitFinalWatermark(): void {
    if (!this.emitMaxWatermarkAtEnd) return;
    this.emitMaxWatermarkAtEnd = false;
    if (this.#idleEmitted) this.ctx.output.emitWatermarkStatus(false);
    this.#emitted = MAX_WATERMARK;
    this.ctx.output.emitWatermark(MAX_WATERMARK);
  }

  override finish(): void {
    this.emitFinalWatermark();
  }

  override async close(): Promise<void> {
    this.#closed = true;
    this.#cancelTimer?.();
    await this.#reader?.close();
    await super.close();
  }
}

/** Factory of source operators; the JobManager reads `source` to run the split enumerator. */
export interface SourceOperatorFactory {
  readonly operatorKind: 'source';
  readonly source: Source<unknown, SourceSplit, unknown>;
  createOperator(): SourceOperator<unknown>;
}

/** Creates the factory of a source operator. */
export function sourceOperatorFactory<T>(
  source: Source<T, SourceSplit, unknown>,
  strategy: WatermarkStrategy<T>,
): SourceOperatorFactory {
  return {
    operatorKind: 'source',
    source: source as Source<unknown, SourceSplit, unknown>,
    createOperator: () => new SourceOperator(source, strategy) as SourceOperator<unknown>,
  };
}

/** True for factories of source operators. */
export function isSourceOperatorFactory(factory: {
  readonly operatorKind: string;
}): factory is SourceOperatorFactory {
  return factory.operatorKind === 'source' && 'source' in factory;
}
