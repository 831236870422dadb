// Helpers shared by the job modules of the integration tests. Job modules run in the test process
// and again, in plan mode, in every worker thread, so these helpers must be deterministic.
import { appendFileSync } from 'node:fs';
import type {
  Boundedness,
  InputStatus,
  ReaderOutput,
  Sink,
  SinkWriter,
  Source,
  SourceReader,
  SourceReaderContext,
  SourceSplit,
  SplitEnumerator,
  SplitEnumeratorContext,
} from '../../src/index.ts';

/** A record tagged with the check it belongs to, so several checks can share one job run. */
export type Tagged = [check: string, payload: unknown];

/**
 * A sink that appends every record as a JSON line to a file at once (no buffering), so a test can
 * watch an unbounded job's output while it runs.
 */
export class JsonLinesSink<T> implements Sink<T> {
  readonly #path: string;
  constructor(path: string) {
    this.#path = path;
  }
  createWriter(): SinkWriter<T> {
    const path = this.#path;
    return {
      write: (value) => appendFileSync(path, `${JSON.stringify(value)}\n`),
      flush: () => {},
      close: () => {},
    };
  }
}

/** Parses `--name value` pairs. */
export function options(args: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < args.length; i += 2) out[args[i]!.replace(/^--/, '')] = args[i + 1]!;
  return out;
}

/**
 * Wraps a source so that it reads at most `recordsPerSecond` (over all its readers), so a test
 * can checkpoint, fail and stop a job while every source is still reading. Splits, positions and
 * enumerator state are the wrapped source's own: that is what a restore exercises.
 */
export class ThrottledSource<T, S extends SourceSplit, E> implements Source<T, S, E> {
  readonly #inner: Source<T, S, E>;
  readonly #rate: number;
  readonly maxSourceParallelism: number;
  constructor(inner: Source<T, S, E>, recordsPerSecond: number) {
    this.#inner = inner;
    this.#rate = recordsPerSecond;
    this.maxSourceParallelism = inner.maxSourceParallelism ?? Number.MAX_SAFE_INTEGER;
  }
  getBoundedness(): Boundedness {
    return this.#inner.getBoundedness();
  }
  createEnumerator(ctx: SplitEnumeratorContext<S>): SplitEnumerator<S, E> {
    return this.#inner.createEnumerator(ctx);
  }
  restoreEnumerator(ctx: SplitEnumeratorContext<S>, checkpoint: E): SplitEnumerator<S, E> {
    return this.#inner.restoreEnumerator(ctx, checkpoint);
  }
  createReader(ctx: SourceReaderContext): SourceReader<T, S> {
    const inner = this.#inner.createReader(ctx);
    const rate = this.#rate / Math.max(1, ctx.currentParallelism());
    let started = 0;
    let emitted = 0;
    const allowed = (): number => (Date.now() - started) * (rate / 1000) - emitted;
    return {
      start: () => {
        started = Date.now();
        return inner.start();
      },
      pollNext: (output: ReaderOutput<T>): InputStatus => {
        if (allowed() < 1) return 'NOTHING_AVAILABLE';
        const counting: ReaderOutput<T> = {
          collect: (v, ts) => {
            emitted++;
            output.collect(v, ts);
          },
          createOutputForSplit: (id) => output.createOutputForSplit(id),
          releaseOutputForSplit: (id) => output.releaseOutputForSplit(id),
        };
        return inner.pollNext(counting);
      },
      isAvailable: () => {
        const missing = 1 - allowed();
        if (missing <= 0) return inner.isAvailable();
        return new Promise((resolve) => setTimeout(resolve, Math.ceil(missing / (rate / 1000))));
      },
      addSplits: (splits) => inner.addSplits(splits),
      notifyNoMoreSplits: () => inner.notifyNoMoreSplits(),
      snapshotState: (id) => inner.snapshotState(id),
      close: () => inner.close(),
    };
  }
}
