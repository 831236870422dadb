// Job module: unaligned checkpoints under backpressure. A fast source feeds a slow keyed
// sequencer through few, small network buffers, so buffers always wait in the channels; each
// record gets a per-key sequence number from keyed state and goes to a FileSink.
//   --phase straight        no checkpoints, runs to the end
//   --phase fail-restart    unaligned checkpoints; after the first completed checkpoint that holds
//                           in-flight data, the sequencer fails (attempt 0) and the job restarts
//                           from it
//   --phase fail-stop       the same, but the job then fails for good (no restart): the test
//                           resumes it from that checkpoint with --phase resume
//   --phase resume          unaligned checkpoints, restores from --restore <checkpoint dir>
//   --parallelism p  --records n  --out dir  --checkpoints dir  --marker file
//   --topology connect   two sources (even and odd numbers) into a keyed two-input operator
//   --local inline       run every task in the calling thread
//   --alignedTimeout ms  checkpoints start aligned and switch to unaligned after ms
// The failing subtask writes { checkpointId, dir, inputBytes, outputBytes } to --marker first:
// what the checkpoint it fails after holds, read from its state files.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeTaskState } from '../../src/checkpoint/index.ts';
import {
  type Boundedness,
  type CheckpointListener,
  type Collector,
  DataGeneratorSource,
  FileSink,
  KeyedCoProcessFunction,
  KeyedProcessFunction,
  type ProcessContext,
  type ReaderOutput,
  RestartStrategies,
  type RuntimeContext,
  type Source,
  type SourceReader,
  type SourceReaderContext,
  type SourceSplit,
  type SplitEnumerator,
  type SplitEnumeratorContext,
  StreamExecutionEnvironment,
  type ValueState,
  ValueStateDescriptor,
  WatermarkStrategy,
} from '../../src/index.ts';
import { options } from './support.ts';

export const KEYS = 11;

/** What the checkpoint the job failed after holds. */
export interface UnalignedMarker {
  readonly checkpointId: number;
  readonly dir: string;
  readonly inputBytes: number;
  readonly outputBytes: number;
}

/** In-flight bytes in the state files of a completed checkpoint directory. */
export function channelStateOf(dir: string): { inputBytes: number; outputBytes: number } {
  let inputBytes = 0;
  let outputBytes = 0;
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.state')) continue;
    const path = join(dir, name);
    const state = decodeTaskState(readFileSync(path), path).channelState;
    for (const c of state?.inputs ?? []) for (const b of c.buffers) inputBytes += b.byteLength;
    for (const c of state?.outputs ?? []) for (const b of c.buffers) outputBytes += b.byteLength;
  }
  return { inputBytes, outputBytes };
}

/**
 * Until `marker` exists, each reader stops after `hold` records (it stays available for
 * checkpoints): the attempt that is to fail cannot end before a checkpoint completes, however
 * long writing state files takes on a busy machine. By then the job has run for a while under
 * backpressure, so checkpoints holding in-flight data have been triggered. After 30 s of holding
 * it lets go (the test then fails for want of a marker instead of hanging). Positions are the
 * wrapped source's own.
 */
class HoldingSource<T, S extends SourceSplit, E> implements Source<T, S, E> {
  readonly #inner: Source<T, S, E>;
  readonly #hold: number;
  readonly #marker: string;
  constructor(inner: Source<T, S, E>, hold: number, marker: string) {
    this.#inner = inner;
    this.#hold = hold;
    this.#marker = marker;
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
    const hold = this.#hold / Math.max(1, ctx.currentParallelism());
    let emitted = 0;
    let heldSince: number | undefined;
    const holding = (): boolean => {
      if (emitted < hold || existsSync(this.#marker)) return false;
      heldSince ??= Date.now();
      return Date.now() - heldSince < 30_000;
    };
    return {
      start: () => inner.start(),
      pollNext: (output: ReaderOutput<T>) => {
        if (holding()) return 'NOTHING_AVAILABLE';
        return inner.pollNext({
          collect: (v, ts) => {
            emitted++;
            output.collect(v, ts);
          },
          createOutputForSplit: (id) => output.createOutputForSplit(id),
          releaseOutputForSplit: (id) => output.releaseOutputForSplit(id),
        });
      },
      isAvailable: () =>
        holding() ? new Promise((resolve) => setTimeout(resolve, 20)) : inner.isAvailable(),
      addSplits: (splits) => inner.addSplits(splits),
      notifyNoMoreSplits: () => inner.notifyNoMoreSplits(),
      snapshotState: (id) => inner.snapshotState(id),
      close: () => inner.close(),
    };
  }
}

/**
 * The work of the sequencers: slow per-record work, per-key sequence numbers from keyed state,
 * and the failure injected after the first completed checkpoint that holds in-flight data.
 */
class Sequencing {
  readonly #failAfterInFlight: boolean;
  readonly #checkpoints: string;
  readonly #marker: string;
  #seq!: ValueState<number>;
  #attempt = 0;
  #subtask = 0;
  #sink = 0;

  constructor(failAfterInFlight: boolean, checkpoints: string, marker: string) {
    this.#failAfterInFlight = failAfterInFlight;
    this.#checkpoints = checkpoints;
    this.#marker = marker;
  }

  open(ctx: RuntimeContext): void {
    this.#seq = ctx.getState(new ValueStateDescriptor<number>('seq', { defaultValue: 0 }));
    this.#attempt = ctx.getAttemptNumber();
    this.#subtask = ctx.getIndexOfThisSubtask();
  }

  next(v: number, key: number, out: Collector<string>): void {
    // Slow (a quarter of a millisecond per record): the sources are always ahead, their buffers
    // wait for credit.
    const until = performance.now() + 0.25;
    while (performance.now() < until) this.#sink += Math.sqrt(v);
    const seq = this.#seq.value()! + 1;
    this.#seq.update(seq);
    out.collect(`${key}|${seq}|${v}`);
  }

  notifyCheckpointComplete(checkpointId: number): void {
    if (!this.#failAfterInFlight || this.#attempt !== 0 || this.#subtask !== 0) return;
    const jobDirs = readdirSync(this.#checkpoints).map((d) =>
      join(this.#checkpoints, d, `chk-${checkpointId}`),
    );
    const dir = jobDirs.find((d) => {
      try {
        return readdirSync(d).includes('_metadata');
      } catch {
        return false;
      }
    });
    if (dir === undefined) return;
    const held = channelStateOf(dir);
    if (held.inputBytes + held.outputBytes === 0) return;
    const marker: UnalignedMarker = { checkpointId, dir, ...held };
    writeFileSync(this.#marker, JSON.stringify(marker));
    throw new Error(`injected failure after unaligned checkpoint ${checkpointId}`);
  }
}

class SlowSequencer extends KeyedProcessFunction<number, number, string> implements CheckpointListener {
  readonly #s: Sequencing;
  constructor(s: Sequencing) {
    super();
    this.#s = s;
  }
  override open(ctx: RuntimeContext): void {
    this.#s.open(ctx);
  }
  processElement(v: number, ctx: ProcessContext<number>, out: Collector<string>): void {
    this.#s.next(v, ctx.getCurrentKey(), out);
  }
  notifyCheckpointComplete(checkpointId: number): void {
    this.#s.notifyCheckpointComplete(checkpointId);
  }
}

/** The two-input variant (`--topology connect`): both inputs count in the same keyed state. */
class SlowCoSequencer
  extends KeyedCoProcessFunction<number, number, number, string>
  implements CheckpointListener
{
  readonly #s: Sequencing;
  constructor(s: Sequencing) {
    super();
    this.#s = s;
  }
  override open(ctx: RuntimeContext): void {
    this.#s.open(ctx);
  }
  processElement1(v: number, ctx: ProcessContext<number>, out: Collector<string>): void {
    this.#s.next(v, ctx.getCurrentKey(), out);
  }
  processElement2(v: number, ctx: ProcessContext<number>, out: Collector<string>): void {
    this.#s.next(v, ctx.getCurrentKey(), out);
  }
  notifyCheckpointComplete(checkpointId: number): void {
    this.#s.notifyCheckpointComplete(checkpointId);
  }
}

export default async function main(args: readonly string[]) {
  const o = options(args);
  const phase = o.phase ?? 'straight';
  const p = Number(o.parallelism ?? '2');
  const records = Number(o.records ?? '6000');
  const env = StreamExecutionEnvironment.getExecutionEnvironment({
    'taskmanager.network.credits-per-channel': 2,
    'taskmanager.memory.segment-size': 1024,
    'execution.local.mode': o.local ?? 'threads',
    ...(phase === 'resume' ? { 'execution.savepoint.path': o.restore! } : {}),
  });
  env.setParallelism(p);
  if (phase !== 'straight') {
    env.enableCheckpointing(50);
    const config = env.getCheckpointConfig();
    config.enableUnalignedCheckpoints();
    if (o.alignedTimeout !== undefined) config.setAlignedCheckpointTimeout(Number(o.alignedTimeout));
    config.setCheckpointStorage(o.checkpoints!);
    config.setMinPauseBetweenCheckpoints(50);
    config.setExternalizedCheckpointRetention('RETAIN_ON_CANCELLATION');
  }
  env.setRestartStrategy(
    phase === 'fail-restart' ? RestartStrategies.fixedDelayRestart(1, 10) : RestartStrategies.noRestart(),
  );
  const source = (name: string, count: number, fn: (i: number) => number) => {
    const generator = new DataGeneratorSource(fn, count);
    return env
      .fromSource(
        phase.startsWith('fail') ? new HoldingSource(generator, count * 0.9, o.marker!) : generator,
        WatermarkStrategy.noWatermarks(),
        name,
      )
      .uid(name);
  };
  const sequencing = new Sequencing(phase.startsWith('fail'), o.checkpoints ?? '', o.marker ?? '');
  const sequenced =
    o.topology === 'connect'
      ? source('evens', records / 2, (i) => 2 * i)
          .connect(source('odds', records / 2, (i) => 2 * i + 1))
          .keyBy(
            (v) => v % KEYS,
            (v) => v % KEYS,
          )
          .process(new SlowCoSequencer(sequencing))
      : source('numbers', records, (i) => i)
          .keyBy((v) => v % KEYS)
          .process(new SlowSequencer(sequencing));
  sequenced.uid('sequencer').sinkTo(FileSink.forRowFormat<string>(o.out!).build()).uid('files');
  await env.execute(`unaligned ${phase} p=${p}`);
}
