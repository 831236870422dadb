// DataGeneratorSource: records made by a function of their index, optionally at a fixed rate
// (shared evenly among the parallel readers), split into index ranges.
import { describeValue, IllegalArgumentError } from '../../core/index.ts';
import type {
  Boundedness,
  Source,
  SourceReader,
  SourceReaderContext,
  SplitEnumerator,
  SplitEnumeratorContext,
} from '../../functions/index.ts';
import { IteratorSourceReader, type SplitCursor } from '../source-base/iterator-source-reader.ts';
import { StaticSplitEnumerator } from '../source-base/static-split-enumerator.ts';

/** A range of indexes; `next` is the next index to generate. */
export interface GeneratorSplit {
  readonly splitId: string;
  next: number;
  /** Exclusive end (Infinity for an unbounded generator). */
  readonly end: number;
}

/**
 * Options of a DataGeneratorSource.
 *
 * @example
 * new DataGeneratorSource((i) => i, Number.POSITIVE_INFINITY, { recordsPerSecond: 10_000 });
 */
export interface DataGeneratorOptions {
  /** Records per second over all parallel readers. */
  readonly recordsPerSecond?: number;
}

class GeneratorReader<T> extends IteratorSourceReader<T, GeneratorSplit> {
  readonly #fn: (index: number) => T;
  readonly #rate: number | undefined;
  /** Rate limiting: when emission started and how many records were emitted since. */
  #since: number | undefined;
  #emitted = 0;

  constructor(ctx: SourceReaderContext, fn: (index: number) => T, rate: number | undefined) {
    super(ctx);
    this.#fn = fn;
    this.#rate = rate === undefined ? undefined : rate / Math.max(1, ctx.currentParallelism());
  }

  protected open(split: GeneratorSplit): SplitCursor<T> {
    const fn = this.#fn;
    return {
      emit: (output, max) => {
        const from = split.next;
        const end = Math.min(split.end, from + max);
        for (let i = from; i < end; i++) output.collect(fn(i));
        return end - from;
      },
    };
  }

  protected override advance(split: GeneratorSplit, count: number): void {
    split.next += count;
    this.#emitted += count;
  }

  protected override splitState(split: GeneratorSplit): GeneratorSplit {
    return { ...split };
  }

  protected override permits(): number | undefined {
    const rate = this.#rate;
    if (rate === undefined) return undefined;
    const now = Date.now();
    if (this.#since === undefined) this.#since = now;
    // Records due by now at the rate (the first one at once), minus those emitted.
    let allowed = Math.floor(((now - this.#since) / 1000) * rate) + 1 - this.#emitted;
    if (allowed > Math.max(2, rate)) {
      // Far behind (e.g. after backpressure): start over instead of bursting to catch up.
      this.#since = now;
      this.#emitted = 0;
      allowed = 1;
    }
    return Math.max(0, allowed);
  }

  protected override waitForPermits(): Promise<void> {
    const rate = this.#rate ?? 1000;
    return new Promise((resolve) => setTimeout(resolve, Math.max(1, Math.ceil(1000 / rate))));
  }
}

/**
 * Generates `count` records with `generator(index)` (index from 0), in parallel.
 *
 * @example
 * new DataGeneratorSource((i) => ({ user: `u${i % 10}`, clicks: 1 }), 1000, { recordsPerSecond: 100 });
 */
export class DataGeneratorSource<T> implements Source<T, GeneratorSplit, GeneratorSplit[]> {
  readonly #fn: (index: number) => T;
  readonly #count: number;
  readonly #rate: number | undefined;

  constructor(generator: (index: number) => T, count: number, options: DataGeneratorOptions = {}) {
    if (typeof generator !== 'function') {
      throw new IllegalArgumentError('DataGeneratorSource: generator must be a function of the record index');
    }
    if (!(count === Number.POSITIVE_INFINITY || (Number.isSafeInteger(count) && count >= 0))) {
      throw new IllegalArgumentError(
        `DataGeneratorSource: count must be a non-negative integer or Infinity, got ${count}`,
      );
    }
    if (options === null || typeof options !== 'object' || Array.isArray(options)) {
      throw new IllegalArgumentError(
        `DataGeneratorSource: options must be an object such as { recordsPerSecond: 100 }, got ${describeValue(options)}`,
      );
    }
    for (const key of Object.keys(options)) {
      if (key !== 'recordsPerSecond') {
        throw new IllegalArgumentError(
          `DataGeneratorSource: unknown option "${key}"; the options are: recordsPerSecond`,
        );
      }
    }
    const rate = options.recordsPerSecond;
    if (rate !== undefined && !(Number.isFinite(rate) && rate > 0)) {
      throw new IllegalArgumentError(
        `DataGeneratorSource: recordsPerSecond must be a positive number, got ${rate}`,
      );
    }
    this.#fn = generator;
    this.#count = count;
    this.#rate = rate;
  }

  getBoundedness(): Boundedness {
    return this.#count === Number.POSITIVE_INFINITY ? 'CONTINUOUS_UNBOUNDED' : 'BOUNDED';
  }

  createEnumerator(
    ctx: SplitEnumeratorContext<GeneratorSplit>,
  ): SplitEnumerator<GeneratorSplit, GeneratorSplit[]> {
    const p = ctx.currentParallelism();
    const splits: GeneratorSplit[] = [];
    if (this.#count === Number.POSITIVE_INFINITY) {
      // Unbounded: subtask i generates indexes i, i + p, ... would need strides; use disjoint huge ranges.
      const span = Math.floor(Number.MAX_SAFE_INTEGER / p);
      for (let i = 0; i < p; i++) splits.push({ splitId: String(i), next: i * span, end: (i + 1) * span });
    } else {
      const n = Math.max(1, Math.min(this.#count, p));
      for (let i = 0; i < n; i++) {
        const start = Math.floor((this.#count * i) / n);
        const end = Math.floor((this.#count * (i + 1)) / n);
        if (end > start) splits.push({ splitId: String(i), next: start, end });
      }
    }
    return new StaticSplitEnumerator(ctx, splits);
  }

  restoreEnumerator(
    ctx: SplitEnumeratorContext<GeneratorSplit>,
    checkpoint: GeneratorSplit[],
  ): SplitEnumerator<GeneratorSplit, GeneratorSplit[]> {
    return new StaticSplitEnumerator(ctx, checkpoint);
  }

  createReader(ctx: SourceReaderContext): SourceReader<T, GeneratorSplit> {
    return new GeneratorReader(ctx, this.#fn, this.#rate);
  }
}
