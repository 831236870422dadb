// assignTimestampsAndWatermarks(): sets event timestamps and generates watermarks inside the
// pipeline; upstream watermarks are dropped except the final one that ends a bounded input.
import { MAX_WATERMARK, MIN_WATERMARK, type StreamRecord } from '../../core/index.ts';
import type { WatermarkGenerator, WatermarkOutput, WatermarkStrategy } from '../../functions/index.ts';
import { OneInputOperator } from './stream-operator.ts';

/** Runs a WatermarkStrategy on a stream. */
export class TimestampsAndWatermarksOperator<T> extends OneInputOperator implements WatermarkOutput {
  readonly #strategy: WatermarkStrategy<T>;
  #generator!: WatermarkGenerator<T>;
  #assigner: ((e: T, ts: number | undefined) => number) | undefined;
  #emitted = MIN_WATERMARK;
  #idle = false;
  #cancelTimer: (() => void) | undefined;
  #closed = false;

  constructor(strategy: WatermarkStrategy<T>) {
    super();
    this.#strategy = strategy;
  }

  override open(): void {
    const pts = this.ctx.processingTime;
    this.#generator = this.#strategy.createWatermarkGenerator({ currentProcessingTime: () => pts.now() });
    this.#assigner = this.#strategy.timestampAssigner;
    const interval = this.ctx.autoWatermarkInterval;
    if (interval > 0 && !this.#strategy.emitsNoWatermarks) {
      const tick = (time: number): void => {
        if (this.#closed) return;
        this.#generator.onPeriodicEmit(this);
        this.#cancelTimer = pts.schedule(time + interval, tick);
      };
      this.#cancelTimer = pts.schedule(pts.now() + interval, tick);
    }
  }

  processElement(record: StreamRecord): void {
    const value = record.value as T;
    const ts =
      this.#assigner === undefined
        ? (record.timestamp ?? MIN_WATERMARK)
        : this.#assigner(value, record.timestamp);
    record.timestamp = ts;
    this.ctx.output.collect(record);
    this.#generator.onEvent(value, ts, this);
  }

  override processWatermark(timestamp: number): void {
    if (timestamp === MAX_WATERMARK) this.emitWatermark(MAX_WATERMARK);
  }

  override processWatermarkStatus(): void {}

  emitWatermark(timestamp: number): void {
    if (timestamp <= this.#emitted) return;
    this.#emitted = timestamp;
    if (this.#idle) this.markActive();
    this.ctx.output.emitWatermark(timestamp);
  }

  markIdle(): void {
    if (this.#idle) return;
    this.#idle = true;
    this.ctx.output.emitWatermarkStatus(true);
  }

  markActive(): void {
    if (!this.#idle) return;
    this.#idle = false;
    this.ctx.output.emitWatermarkStatus(false);
  }

  override finish(): void {
    this.#generator.onPeriodicEmit(this);
  }

  override close(): void {
    this.#closed = true;
    this.#cancelTimer?.();
    super.close();
  }
}
