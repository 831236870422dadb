// fromSequence(): the numbers from..to (inclusive), split into ranges read in parallel.
import { IllegalArgumentError } from '../../core/index.ts';
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

/** A range of the sequence; `next` is the next number to emit. */
export interface NumberSequenceSplit {
  readonly splitId: string;
  next: number;
  readonly to: number;
}

class SequenceReader extends IteratorSourceReader<number, NumberSequenceSplit> {
  protected open(split: NumberSequenceSplit): SplitCursor<number> {
    return {
      // A plain loop: a generator costs a frame switch and an iterator result per number.
      emit: (output, max) => {
        const from = split.next;
        const last = Math.min(split.to, from + max - 1);
        for (let i = from; i <= last; i++) output.collect(i);
        return last - from + 1;
      },
    };
  }
  protected override advance(split: NumberSequenceSplit, count: number): void {
    split.next += count;
  }
  protected override splitState(split: NumberSequenceSplit): NumberSequenceSplit {
    return { ...split };
  }
}

/**
 * A parallel source of the integers `from`..`to` (inclusive).
 *
 * @example
 * env.fromSource(new NumberSequenceSource(1, 1_000_000), WatermarkStrategy.noWatermarks(), 'seq');
 */
export class NumberSequenceSource implements Source<number, NumberSequenceSplit, NumberSequenceSplit[]> {
  readonly from: number;
  readonly to: number;
  constructor(from: number, to: number) {
    if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || to < from) {
      throw new IllegalArgumentError(
        `fromSequence(): expected safe integers with from <= to, got from=${from}, to=${to}`,
      );
    }
    this.from = from;
    this.to = to;
  }
  getBoundedness(): Boundedness {
    return 'BOUNDED';
  }
  createEnumerator(
    ctx: SplitEnumeratorContext<NumberSequenceSplit>,
  ): SplitEnumerator<NumberSequenceSplit, NumberSequenceSplit[]> {
    const count = this.to - this.from + 1;
    const n = Math.max(1, Math.min(count, ctx.currentParallelism() * 4));
    const splits: NumberSequenceSplit[] = [];
    for (let i = 0; i < n; i++) {
      const start = this.from + Math.floor((count * i) / n);
      const end = this.from + Math.floor((count * (i + 1)) / n) - 1;
      if (end >= start) splits.push({ splitId: String(i), next: start, to: end });
    }
    return new StaticSplitEnumerator(ctx, splits);
  }
  restoreEnumerator(
    ctx: SplitEnumeratorContext<NumberSequenceSplit>,
    checkpoint: NumberSequenceSplit[],
  ): SplitEnumerator<NumberSequenceSplit, NumberSequenceSplit[]> {
    return new StaticSplitEnumerator(ctx, checkpoint);
  }
  createReader(ctx: SourceReaderContext): SourceReader<number, NumberSequenceSplit> {
    return new SequenceReader(ctx);
  }
}
