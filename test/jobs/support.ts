// Helpers shared by the job modules of the integration tests. Job modules run in the test process
// and again, in plan mode, in every worker thread, so these helpers must be deterministic.
import { appendFileSync } from 'node:fs';
import {
  type Boundedness,
  type CheckpointedFunction,
  type Collector,
  EmbeddedLmdbStateBackend,
  HashMapStateBackend,
  type InputStatus,
  KeyedProcessFunction,
  type ListState,
  ListStateDescriptor,
  type ProcessContext,
  ProcessFunction,
  type ReaderOutput,
  RestartStrategies,
  type RuntimeContext,
  type Sink,
  type SinkWriter,
  type Source,
  type SourceReader,
  type SourceReaderContext,
  type SourceSplit,
  type SplitEnumerator,
  type SplitEnumeratorContext,
  StreamExecutionEnvironment,
  type ValueState,
  ValueStateDescriptor,
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

/**
 * The environment of the checkpoint acceptance jobs: `--parallelism`, `--max-parallelism`,
 * `--backend heap|lmdb` (`--state-dir`), and — unless the phase is `straight` — checkpoints every
 * 100 ms into `--checkpoints` (`--unaligned true`) with one restart; `restore` is the savepoint or
 * checkpoint to start from.
 */
export function acceptanceEnvironment(
  o: Record<string, string>,
  phase: string,
  restore: string | undefined,
): StreamExecutionEnvironment {
  const env = StreamExecutionEnvironment.getExecutionEnvironment(
    restore !== undefined ? { 'execution.savepoint.path': restore } : {},
  );
  if (o.parallelism !== undefined) env.setParallelism(Number(o.parallelism));
  if (o['max-parallelism'] !== undefined) env.setMaxParallelism(Number(o['max-parallelism']));
  if (o.backend === 'lmdb') env.setStateBackend(new EmbeddedLmdbStateBackend({ dir: o['state-dir'] ?? '' }));
  else env.setStateBackend(new HashMapStateBackend());
  if (phase !== 'straight') {
    env.enableCheckpointing(100);
    env.getCheckpointConfig().setCheckpointStorage(o.checkpoints!);
    if (o.unaligned === 'true') env.getCheckpointConfig().enableUnalignedCheckpoints();
    env.setRestartStrategy(RestartStrategies.fixedDelayRestart(1, 10));
  }
  return env;
}

/**
 * Drops repeated elements by id (elements without one pass). Each subtask owns the ids
 * `id % parallelism === subtask`; the seen ids are union list state named `stateName`, so after a
 * rescale every subtask finds the ids it now owns (Kafka-offset style).
 */
export class UnionDedupe<T> extends ProcessFunction<T, T> implements CheckpointedFunction {
  readonly #stateName: string;
  readonly #idOf: (element: T) => number | undefined;
  #seen = new Set<number>();
  #state!: ListState<number>;
  constructor(stateName: string, idOf: (element: T) => number | undefined) {
    super();
    this.#stateName = stateName;
    this.#idOf = idOf;
  }
  override open(ctx: RuntimeContext): void {
    this.#state = ctx.getUnionListState(new ListStateDescriptor<number>(this.#stateName));
    const p = ctx.getNumberOfParallelSubtasks();
    const me = ctx.getIndexOfThisSubtask();
    this.#seen = new Set(this.#state.get().filter((id) => id % p === me));
  }
  snapshotState(): void {
    this.#state.update([...this.#seen]);
  }
  processElement(element: T, _ctx: ProcessContext<never>, out: Collector<T>): void {
    const id = this.#idOf(element);
    if (id !== undefined) {
      if (this.#seen.has(id)) return;
      this.#seen.add(id);
    }
    out.collect(element);
  }
}

/** Counts the records of each key in keyed value state `count`; emits [key, count so far]. */
export class KeyedCount extends KeyedProcessFunction<number, number, [number, number]> {
  #count!: ValueState<number>;
  override open(ctx: RuntimeContext): void {
    this.#count = ctx.getState(new ValueStateDescriptor<number>('count', { defaultValue: 0 }));
  }
  processElement(_v: number, ctx: ProcessContext<number>, out: Collector<[number, number]>): void {
    const n = this.#count.value()! + 1;
    this.#count.update(n);
    out.collect([ctx.getCurrentKey(), n]);
  }
}
