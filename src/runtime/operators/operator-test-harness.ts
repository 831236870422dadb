// Drives one operator without a task: records, watermarks and processing time go in, emitted
// records, side outputs and watermarks are captured in order. The way operator semantics (windows,
// timers, joins) are tested precisely, with a manual clock instead of the wall clock.
import { StreamRecord } from '../../core/index.ts';
import type { OutputTag } from '../../functions/index.ts';
import { HeapKeyedStateBackend, keyGroupRangeForOperator, OperatorStateStore } from '../../state/index.ts';
import { ManualProcessingTimeService } from '../timers/processing-time-service.ts';
import type { OperatorContext, Output, StreamOperator } from './stream-operator.ts';

/** One thing an operator emitted, in order. */
export type HarnessOutput =
  | { readonly kind: 'record'; readonly value: unknown; readonly timestamp: number | undefined }
  | {
      readonly kind: 'side';
      readonly tag: string;
      readonly value: unknown;
      readonly timestamp: number | undefined;
    }
  | { readonly kind: 'watermark'; readonly timestamp: number };

/** Options of a harness. */
export interface OperatorTestHarnessOptions {
  /** Key selector of input 1 (keyed operators). */
  readonly keySelector?: (value: never) => unknown;
  /** Key selector of input 2 (keyed two-input operators). */
  readonly keySelector2?: (value: never) => unknown;
  readonly operatorName?: string;
  readonly maxParallelism?: number;
  /** Parallelism and index of the subtask this harness plays (its key-group range); default 1 and 0. */
  readonly parallelism?: number;
  readonly subtaskIndex?: number;
  /** Processing time starts here (default 0). */
  readonly processingTime?: number;
}

/**
 * A harness around one operator (Flink's operator test harnesses).
 *
 * @example
 * const h = new OperatorTestHarness(operator, { keySelector: (v: [string, number]) => v[0] });
 * await h.open();
 * h.processElement(['a', 1], 5);
 * h.processWatermark(10);
 * h.records(); // [{ value: ..., timestamp: 9 }]
 */
export class OperatorTestHarness {
  readonly operator: StreamOperator;
  readonly clock: ManualProcessingTimeService;
  readonly backend: HeapKeyedStateBackend | undefined;
  readonly #output: HarnessOutput[] = [];
  readonly #record = new StreamRecord<unknown>(undefined);
  #error: unknown;

  constructor(operator: StreamOperator, options: OperatorTestHarnessOptions = {}) {
    this.operator = operator;
    this.clock = new ManualProcessingTimeService(options.processingTime ?? 0);
    const maxParallelism = options.maxParallelism ?? 128;
    const parallelism = options.parallelism ?? 1;
    const subtaskIndex = options.subtaskIndex ?? 0;
    const keyed = options.keySelector !== undefined || options.keySelector2 !== undefined;
    this.backend = keyed
      ? new HeapKeyedStateBackend(
          maxParallelism,
          keyGroupRangeForOperator(maxParallelism, parallelism, subtaskIndex),
          () => this.clock.now(),
        )
      : undefined;
    const out = this.#output;
    const output: Output = {
      collect: (r) => out.push({ kind: 'record', value: r.value, timestamp: r.timestamp }),
      collectSide: (tag, r) => out.push({ kind: 'side', tag, value: r.value, timestamp: r.timestamp }),
      emitWatermark: (timestamp) => out.push({ kind: 'watermark', timestamp }),
      emitWatermarkStatus: () => {},
    };
    const name = options.operatorName ?? 'test-operator';
    const ctx = {
      jobId: 'test-job',
      taskName: `${name} (${subtaskIndex + 1}/${parallelism})`,
      operatorName: name,
      uid: undefined,
      operatorId: 'test-operator',
      checkpointingEnabled: false,
      awaitsFinalCheckpoint: () => false,
      subtaskIndex,
      parallelism,
      maxParallelism,
      attemptNumber: 0,
      output,
      keySelectors: [options.keySelector, options.keySelector2],
      keyedBackend: this.backend,
      operatorState: new OperatorStateStore(),
      processingTime: this.clock,
      autoWatermarkInterval: 0,
      mailbox: (action: () => void) => action(),
      failTask: (error: unknown) => {
        this.#error = error;
      },
      print: () => {},
      emitToClient: () => {},
      sendOperatorEvent: () => {},
    } as OperatorContext;
    operator.setup(ctx);
  }

  /** Opens the operator. */
  async open(): Promise<void> {
    await this.operator.open();
  }

  /** A record on input 1 (or the only input). */
  processElement(value: unknown, timestamp?: number): void {
    this.operator.processElement(this.#next(value, timestamp));
  }

  /** A record on input 1 of a two-input operator. */
  processElement1(value: unknown, timestamp?: number): void {
    this.operator.processElement1(this.#next(value, timestamp));
  }

  /** A record on input 2 of a two-input operator. */
  processElement2(value: unknown, timestamp?: number): void {
    this.operator.processElement2(this.#next(value, timestamp));
  }

  /** A watermark on input 1 (or the only input) or input 2. */
  processWatermark(timestamp: number, input: 1 | 2 = 1): void {
    this.operator.processWatermark(timestamp, input);
  }

  /** Moves processing time forward, firing due processing-time timers. */
  setProcessingTime(time: number): void {
    this.clock.advanceTo(time);
    if (this.#error !== undefined) throw this.#error;
  }

  /** Ends the input and closes the operator. */
  async close(): Promise<void> {
    await this.operator.finish();
    await this.operator.close();
  }

  /** Everything emitted so far, in order. */
  get output(): readonly HarnessOutput[] {
    return this.#output;
  }

  /** The main-output records emitted so far. */
  records(): Array<{ value: unknown; timestamp: number | undefined }> {
    return this.#output.flatMap((o) =>
      o.kind === 'record' ? [{ value: o.value, timestamp: o.timestamp }] : [],
    );
  }

  /** The main-output values emitted so far. */
  values(): unknown[] {
    return this.records().map((r) => r.value);
  }

  /** The records emitted to a side output. */
  sideOutput<X>(tag: OutputTag<X>): Array<{ value: X; timestamp: number | undefined }> {
    return this.#output.flatMap((o) =>
      o.kind === 'side' && o.tag === tag.id ? [{ value: o.value as X, timestamp: o.timestamp }] : [],
    );
  }

  /** Forgets what was emitted so far. */
  clearOutput(): void {
    this.#output.length = 0;
  }

  #next(value: unknown, timestamp: number | undefined): StreamRecord {
    const r = this.#record;
    r.value = value;
    r.timestamp = timestamp;
    r.kind = 0;
    return r;
  }
}
