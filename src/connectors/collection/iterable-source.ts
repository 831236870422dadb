// fromElements()/fromCollection(): a non-parallel source over an iterable. The iterable is never
// shipped: every worker re-runs the program and reads its own copy, lazily, so a generator is
// consumed as the job runs. The split's position (records emitted) makes it restartable.
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

/** The single split of an iterable source. */
export interface IterableSplit {
  readonly splitId: string;
  /** Records already emitted (skipped on restore). */
  position: number;
}

class IterableReader<T> extends IteratorSourceReader<T, IterableSplit> {
  readonly #iterable: Iterable<T>;
  constructor(ctx: SourceReaderContext, iterable: Iterable<T>) {
    super(ctx);
    this.#iterable = iterable;
  }
  protected open(split: IterableSplit): SplitCursor<T> {
    const iterator = this.#iterable[Symbol.iterator]();
    for (let i = 0; i < split.position; i++) if (iterator.next().done === true) break;
    return { iterator };
  }
  protected override advance(split: IterableSplit, count: number): void {
    split.position += count;
  }
  protected override splitState(split: IterableSplit): IterableSplit {
    return { ...split };
  }
}

/**
 * A bounded, non-parallel source over an iterable (array, Set, generator…).
 *
 * @example
 * env.fromSource(new IterableSource([1, 2, 3]), WatermarkStrategy.noWatermarks(), 'numbers');
 */
export class IterableSource<T> implements Source<T, IterableSplit, IterableSplit[]> {
  readonly maxSourceParallelism = 1;
  readonly #iterable: Iterable<T>;
  constructor(iterable: Iterable<T>) {
    this.#iterable = iterable;
  }
  getBoundedness(): Boundedness {
    return 'BOUNDED';
  }
  createEnumerator(
    ctx: SplitEnumeratorContext<IterableSplit>,
  ): SplitEnumerator<IterableSplit, IterableSplit[]> {
    return new StaticSplitEnumerator(ctx, [{ splitId: 'collection', position: 0 }]);
  }
  restoreEnumerator(
    ctx: SplitEnumeratorContext<IterableSplit>,
    checkpoint: IterableSplit[],
  ): SplitEnumerator<IterableSplit, IterableSplit[]> {
    return new StaticSplitEnumerator(ctx, checkpoint);
  }
  createReader(ctx: SourceReaderContext): SourceReader<T, IterableSplit> {
    return new IterableReader(ctx, this.#iterable);
  }
}
