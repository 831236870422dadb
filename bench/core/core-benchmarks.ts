// The engine-core benchmarks of issue #2, as functions the suite (timing) and the smoke test
// (correctness) share: a chained stateless pipeline against a hand-written loop, a keyBy exchange
// between two worker threads, and a fast source into a slow sink (bounded memory).
import { runJobModule } from '../../src/testing/index.ts';
import { measure, rssMb } from '../bench-suite.ts';
import { listenToSinks, type SinkDoneReport, type SinkProgressReport } from '../counting-sink.ts';
import { type ChainedWork, runLoop, SHAPES, type ShapeName } from './chained-work.ts';
import { keysOfSubtask } from './keyby-exchange-job.ts';

let runs = 0;
function channelName(what: string): string {
  return `sluice-bench-${what}-${process.pid}-${++runs}`;
}

/** What one engine run measured. */
export interface EngineRun {
  /** Records the sinks received (all subtasks). */
  readonly sinkRecords: number;
  readonly checksum: number;
  /** First record at a sink to the end of input at the last sink, in seconds. */
  readonly seconds: number;
  /** execute() from submission to the end, including starting worker threads. */
  readonly jobSeconds: number;
  /** CPU seconds of all threads over the same interval as `seconds` (see CountingSink). */
  readonly cpuSeconds: number;
  /** CPU seconds of all threads over the whole execute() (worker start-up included). */
  readonly jobCpuSeconds: number;
  readonly peakRssMb: number;
  readonly sinks: readonly SinkDoneReport[];
  readonly threads: ReadonlyMap<string, number>;
}

async function runJob(
  module: string,
  args: readonly string[],
  channel: string,
  sinkParallelism: number,
  onProgress?: (p: SinkProgressReport) => void,
): Promise<EngineRun> {
  const listener = listenToSinks(channel, onProgress);
  try {
    const m = await measure(() => runJobModule(new URL(module, import.meta.url), args));
    const sinks = await listener.reports(sinkParallelism);
    const firsts = sinks.flatMap((s) => (s.firstAt === null ? [] : [s.firstAt]));
    const first = firsts.length === 0 ? Number.NaN : Math.min(...firsts);
    const end = Math.max(...sinks.map((s) => s.endAt));
    const cpuFirsts = sinks.flatMap((s) => (s.cpuAtFirst === null ? [] : [s.cpuAtFirst]));
    const cpuEnd = Math.max(...sinks.map((s) => s.cpuAtEnd));
    return {
      sinkRecords: sinks.reduce((n, s) => n + s.records, 0),
      checksum: sinks.reduce((n, s) => n + s.checksum, 0),
      seconds: (end - first) / 1000,
      jobSeconds: m.wallSeconds,
      cpuSeconds: (cpuEnd - Math.min(...cpuFirsts)) / 1e6,
      jobCpuSeconds: m.cpuSeconds,
      peakRssMb: m.peakRssMb,
      sinks,
      threads: listener.threads,
    };
  } finally {
    listener.close();
  }
}

/** The hand-written loop's measurement. */
export interface LoopRun {
  readonly sinkRecords: number;
  readonly checksum: number;
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly peakRssMb: number;
}

/** (a) The chained pipeline's work in a plain loop on this thread. */
export async function chainedLoop(shape: ShapeName, records: number): Promise<LoopRun> {
  const work = SHAPES[shape] as ChainedWork<unknown, unknown, unknown>;
  const m = await measure(() => runLoop(work, records));
  return {
    sinkRecords: m.result.records,
    checksum: m.result.checksum,
    seconds: m.wallSeconds,
    cpuSeconds: m.cpuSeconds,
    peakRssMb: m.peakRssMb,
  };
}

/** (a) source → map → filter → map → sink, chained in one slot at parallelism 1. */
export function chainedEngine(shape: ShapeName, records: number): Promise<EngineRun> {
  const channel = channelName('chained');
  return runJob('./chained-pipeline-job.ts', [shape, String(records), channel], channel, 1);
}

/** (b) generator (slot 0) → keyBy → rolling sum (slot 1) → sink. */
export function keyByExchange(records: number, distinctKeys: number): Promise<EngineRun> {
  const channel = channelName('keyby');
  return runJob('./keyby-exchange-job.ts', [String(records), channel, String(distinctKeys)], channel, 2);
}

/** The checksum the keyBy benchmark's sinks must report: the sum of every rolling sum. */
export function keyByExpectedChecksum(records: number, distinctKeys: number): number {
  const keys = keysOfSubtask(1, 2, distinctKeys).length;
  let sum = 0;
  for (let k = 0; k < keys; k++) {
    const c = Math.floor(records / keys) + (k < records % keys ? 1 : 0);
    sum += (c * (c + 1)) / 2;
  }
  return sum;
}

/** Options of the slow-sink benchmark. */
export interface SlowSinkOptions {
  readonly records: number;
  readonly sleepEvery: number;
  readonly sleepMillis: number;
  readonly payloadChars: number;
}

/** (c) what the slow-sink benchmark saw: RSS (whole process) against records through the sink. */
export interface SlowSinkRun extends EngineRun {
  /** [records through the sink, RSS MiB] at every progress report (every 10,000 records). */
  readonly rssByRecords: ReadonlyArray<readonly [number, number]>;
}

/** (c) fast generator (slot 0) → slow sink (slot 1). */
export async function slowSink(o: SlowSinkOptions): Promise<SlowSinkRun> {
  const channel = channelName('slow');
  const samples: Array<readonly [number, number]> = [];
  const run = await runJob(
    './slow-sink-job.ts',
    [String(o.records), channel, String(o.sleepEvery), String(o.sleepMillis), String(o.payloadChars)],
    channel,
    2,
    (p) => samples.push([p.records, rssMb()]),
  );
  return { ...run, rssByRecords: samples };
}
