// Event time: a WatermarkStrategy combines a timestamp assigner with a watermark generator,
// with Flink's built-in strategies (bounded out-of-orderness, monotonous, none) and idleness.
import { IllegalArgumentError, MIN_WATERMARK } from '../core/index.ts';

/**
 * Where a generator emits watermarks.
 *
 * @example
 * onEvent(event: Reading, timestamp: number, output: WatermarkOutput) {
 *   if (event.isEndOfBatch) output.emitWatermark(timestamp);
 * }
 */
export interface WatermarkOutput {
  emitWatermark(timestamp: number): void;
  /** The input is idle: downstream ignores it when combining watermarks. */
  markIdle(): void;
  markActive(): void;
}

/**
 * Generates watermarks from events and/or periodically.
 *
 * @example
 * WatermarkStrategy.forGenerator<Reading>(() => ({
 *   onEvent: (event, timestamp, output) => output.emitWatermark(timestamp - 1),
 *   onPeriodicEmit: () => {},
 * }));
 */
export interface WatermarkGenerator<T> {
  onEvent(event: T, timestamp: number, output: WatermarkOutput): void;
  onPeriodicEmit(output: WatermarkOutput): void;
}

/**
 * Extracts the event timestamp (ms) of a record; `recordTimestamp` is the one it already has.
 *
 * @example
 * WatermarkStrategy.forMonotonousTimestamps<Click>().withTimestampAssigner((click) => click.time);
 */
export type TimestampAssigner<T> = (event: T, recordTimestamp: number | undefined) => number;

/**
 * Processing time source for idleness detection.
 *
 * @example
 * WatermarkStrategy.forGenerator<Reading>((ctx) => new IdleAfterGenerator(ctx, 30_000));
 * // ctx.currentProcessingTime() is the task's clock
 */
export interface WatermarkGeneratorContext {
  currentProcessingTime(): number;
}

class BoundedOutOfOrdernessWatermarks<T> implements WatermarkGenerator<T> {
  #max: number;
  readonly #bound: number;
  constructor(bound: number) {
    this.#bound = bound;
    this.#max = MIN_WATERMARK + bound + 1;
  }
  onEvent(_event: T, timestamp: number): void {
    if (timestamp > this.#max) this.#max = timestamp;
  }
  onPeriodicEmit(output: WatermarkOutput): void {
    output.emitWatermark(this.#max - this.#bound - 1);
  }
}

class NoWatermarks<T> implements WatermarkGenerator<T> {
  onEvent(): void {}
  onPeriodicEmit(): void {}
}

class WatermarksWithIdleness<T> implements WatermarkGenerator<T> {
  readonly #inner: WatermarkGenerator<T>;
  readonly #timeout: number;
  readonly #ctx: WatermarkGeneratorContext;
  #lastEvent: number;
  #idle = false;
  constructor(inner: WatermarkGenerator<T>, timeout: number, ctx: WatermarkGeneratorContext) {
    this.#inner = inner;
    this.#timeout = timeout;
    this.#ctx = ctx;
    this.#lastEvent = ctx.currentProcessingTime();
  }
  onEvent(event: T, timestamp: number, output: WatermarkOutput): void {
    this.#lastEvent = this.#ctx.currentProcessingTime();
    if (this.#idle) {
      this.#idle = false;
      output.markActive();
    }
    this.#inner.onEvent(event, timestamp, output);
  }
  onPeriodicEmit(output: WatermarkOutput): void {
    if (this.#ctx.currentProcessingTime() - this.#lastEvent >= this.#timeout) {
      if (!this.#idle) {
        this.#idle = true;
        output.markIdle();
      }
      return;
    }
    this.#inner.onPeriodicEmit(output);
  }
}

/**
 * How event time is read and watermarks are generated (Flink's WatermarkStrategy).
 *
 * @example
 * const strategy = WatermarkStrategy.forBoundedOutOfOrderness<Click>(5_000)
 *   .withTimestampAssigner((click) => click.time)
 *   .withIdleness(60_000);
 */
export class WatermarkStrategy<T> {
  readonly #generator: (ctx: WatermarkGeneratorContext) => WatermarkGenerator<T>;
  readonly #assigner: TimestampAssigner<T> | undefined;
  readonly #idleness: number | undefined;
  /** True for `noWatermarks()`: no periodic emission needed. */
  readonly emitsNoWatermarks: boolean;

  private constructor(
    generator: (ctx: WatermarkGeneratorContext) => WatermarkGenerator<T>,
    assigner: TimestampAssigner<T> | undefined,
    idleness: number | undefined,
    none: boolean,
  ) {
    this.#generator = generator;
    this.#assigner = assigner;
    this.#idleness = idleness;
    this.emitsNoWatermarks = none;
  }

  /** Watermarks trail the highest timestamp seen by `maxOutOfOrdernessMs` (emits max − bound − 1). */
  static forBoundedOutOfOrderness<T>(maxOutOfOrdernessMs: number): WatermarkStrategy<T> {
    if (!Number.isFinite(maxOutOfOrdernessMs) || maxOutOfOrdernessMs < 0) {
      throw new IllegalArgumentError(
        `WatermarkStrategy.forBoundedOutOfOrderness(): bound must be a non-negative number of ms, got ${maxOutOfOrdernessMs}`,
      );
    }
    return new WatermarkStrategy<T>(
      () => new BoundedOutOfOrdernessWatermarks<T>(maxOutOfOrdernessMs),
      undefined,
      undefined,
      false,
    );
  }

  /** Timestamps never decrease: the watermark is the highest timestamp seen minus 1. */
  static forMonotonousTimestamps<T>(): WatermarkStrategy<T> {
    return WatermarkStrategy.forBoundedOutOfOrderness<T>(0);
  }

  /** No watermarks (processing-time jobs). */
  static noWatermarks<T>(): WatermarkStrategy<T> {
    return new WatermarkStrategy<T>(() => new NoWatermarks<T>(), undefined, undefined, true);
  }

  /** A custom generator. */
  static forGenerator<T>(
    factory: (ctx: WatermarkGeneratorContext) => WatermarkGenerator<T>,
  ): WatermarkStrategy<T> {
    if (typeof factory !== 'function') {
      throw new IllegalArgumentError(
        'WatermarkStrategy.forGenerator(): expected a function returning a generator',
      );
    }
    return new WatermarkStrategy<T>(factory, undefined, undefined, false);
  }

  /** Sets how the event timestamp is read from a record. */
  withTimestampAssigner(
    assigner: TimestampAssigner<T> | { extractTimestamp: TimestampAssigner<T> },
  ): WatermarkStrategy<T> {
    const fn: TimestampAssigner<T> =
      typeof assigner === 'function' ? assigner : (e, t) => assigner.extractTimestamp(e, t);
    return new WatermarkStrategy<T>(this.#generator, fn, this.#idleness, this.emitsNoWatermarks);
  }

  /** Marks the input idle after `idleTimeoutMs` of processing time without records. */
  withIdleness(idleTimeoutMs: number): WatermarkStrategy<T> {
    if (!Number.isFinite(idleTimeoutMs) || idleTimeoutMs <= 0) {
      throw new IllegalArgumentError(
        `WatermarkStrategy.withIdleness(): timeout must be a positive number of ms, got ${idleTimeoutMs}`,
      );
    }
    return new WatermarkStrategy<T>(this.#generator, this.#assigner, idleTimeoutMs, this.emitsNoWatermarks);
  }

  /** Creates a generator instance (one per source split or subtask). */
  createWatermarkGenerator(ctx: WatermarkGeneratorContext): WatermarkGenerator<T> {
    const gen = this.#generator(ctx);
    return this.#idleness === undefined ? gen : new WatermarksWithIdleness(gen, this.#idleness, ctx);
  }

  /** The timestamp assigner, if one was set. */
  get timestampAssigner(): TimestampAssigner<T> | undefined {
    return this.#assigner;
  }
}
