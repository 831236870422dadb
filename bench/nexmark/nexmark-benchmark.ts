// Runs one Nexmark query on the engine (worker threads at the given parallelism) and its reference
// on the same events, and returns the measurements as one result line.
import { BroadcastChannel } from 'node:worker_threads';
import * as hdr from 'hdr-histogram-js';
import { createNexmarkGenerator, type NexmarkSourceOptions } from '../../src/index.ts';
import { runJobModule } from '../../src/testing/index.ts';
import { type BenchResultLine, type Measurement, measure, round } from '../bench-suite.ts';
import type { NexmarkJobSpec } from './nexmark-job.ts';
import { type EngineQuery, engineQuery } from './nexmark-queries.ts';
import {
  type NexmarkReport,
  newLatencyHistogram,
  processCpuMicros,
  type ResultSinkReport,
} from './nexmark-result-sink.ts';
import { type DigestValue, ResultDigest, sameDigest } from './result-digest.ts';

/** What to run. */
export interface NexmarkRunOptions {
  readonly query: string;
  readonly events: number;
  readonly parallelism: number;
  /** Events per second over all source readers; undefined = as fast as possible. */
  readonly rate: number | undefined;
  /** Real-time replay at `rate` with end-to-end latency percentiles. */
  readonly latency: boolean;
  /** Compare with the reference (digests of the same events). */
  readonly verify: boolean;
  /** Events per source split. */
  readonly splitSize: number | undefined;
  /** The generator's seed (`0`, Beam's stream, when undefined). */
  readonly seed?: number | undefined;
}

/** How long the job gets to start its worker threads before event 0 is due in latency mode. */
const LATENCY_WARMUP_MS = 5_000;
/** Events per reference call for per-event queries (bounds the reference's memory). */
const REFERENCE_CHUNK = 1_000_000;

let runs = 0;

/** The source options of a run: the generator's defaults, or a real-time replay in latency mode. */
function sourceOptions(o: NexmarkRunOptions): NexmarkSourceOptions {
  const base: NexmarkSourceOptions = {
    numEvents: o.events,
    splitSize: o.splitSize,
    ...(o.seed === undefined ? {} : { seed: o.seed }),
  };
  if (!o.latency) return { ...base, eventsPerSecond: o.rate };
  if (o.rate === undefined) throw new Error('--latency needs --rate: latency is measured at a fixed rate');
  // Event time = the wall-clock time an event is due: latency = sink time - record timestamp.
  const startTime = Math.ceil(Date.now() + LATENCY_WARMUP_MS);
  return { ...base, eventsPerSecond: o.rate, startTime, firstEventRate: o.rate, baseTime: startTime };
}

/** Collects the reports of a run's sinks and source readers. */
function listen(channel: string): { reports(sinks: number): Promise<NexmarkReport[]>; close(): void } {
  const bc = new BroadcastChannel(channel);
  const received: NexmarkReport[] = [];
  let wake: (() => void) | undefined;
  bc.onmessage = (event) => {
    received.push((event as { data: NexmarkReport }).data);
    wake?.();
  };
  return {
    async reports(sinks) {
      const deadline = Date.now() + 10_000;
      // Every sink's end, and at least one reader's start (messages of different threads may
      // arrive in any order).
      while (
        received.filter((r) => r.kind === 'sink').length < sinks ||
        !received.some((r) => r.kind === 'source')
      ) {
        if (Date.now() > deadline)
          throw new Error(`nexmark: ${received.length} reports on ${channel}, expected ${sinks} sinks`);
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 50);
        });
      }
      return received;
    },
    close: () => bc.close(),
  };
}

/** The reference's answer on the same events, as a digest, and how long computing it took. */
function runReference(
  q: EngineQuery,
  source: NexmarkSourceOptions,
  events: number,
): { digest: DigestValue; seconds: number; cpuSeconds: number } {
  const { eventsPerSecond: _r, startTime: _s, splitSize: _z, ...generatorOptions } = source;
  const generator = createNexmarkGenerator(generatorOptions);
  const digest = new ResultDigest();
  let seconds = 0;
  let cpuMicros = 0;
  const chunk = q.perEvent ? REFERENCE_CHUNK : events;
  for (let from = 0; from < events; from += chunk) {
    const to = Math.min(events, from + chunk);
    const start = performance.now();
    const cpu = processCpuMicros();
    const rows = q.reference(generator.events(from, to));
    cpuMicros += processCpuMicros() - cpu;
    seconds += (performance.now() - start) / 1000;
    for (const row of rows) digest.add(row);
  }
  return { digest: digest.value(), seconds, cpuSeconds: cpuMicros / 1e6 };
}

interface JobRun {
  readonly sinks: ResultSinkReport[];
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly job: Measurement<unknown>;
}

/** Runs the job module once and gathers its reports. */
async function runJob(spec: Omit<NexmarkJobSpec, 'channel'>): Promise<JobRun> {
  const channel = `sluice-nexmark-${process.pid}-${++runs}`;
  const listener = listen(channel);
  let reports: NexmarkReport[];
  let job: Measurement<unknown>;
  try {
    job = await measure(() =>
      runJobModule(new URL('./nexmark-job.ts', import.meta.url), [JSON.stringify({ ...spec, channel })]),
    );
    reports = await listener.reports(spec.parallelism);
  } finally {
    listener.close();
  }
  const sinks = reports.filter((r): r is ResultSinkReport => r.kind === 'sink');
  const sources = reports.flatMap((r) => (r.kind === 'source' ? [r] : []));
  const seconds =
    (Math.max(...sinks.map((s) => s.endAt)) - Math.min(...sources.map((s) => s.startAt))) / 1000;
  // CPU of every thread from the first event at a source to the end of input at the last sink
  // (the job's start-up, worker threads compiling the job module, is not part of it).
  const cpuSeconds =
    (Math.max(...sinks.map((s) => s.endCpuMicros)) - Math.min(...sources.map((s) => s.startCpuMicros))) / 1e6;
  return { sinks, seconds, cpuSeconds, job };
}

/**
 * Runs `query` on the engine with a counting sink (the measurement, as Flink's Nexmark runs use a
 * blackhole sink), then with `verify` once more with a digesting sink, without the rate limit, and
 * the reference on the same events; and describes the runs.
 *
 * @example
 * const line = await runNexmarkQuery({ query: 'q5', events: 1e6, parallelism: 2, rate: undefined, latency: false, verify: true, splitSize: undefined });
 */
export async function runNexmarkQuery(o: NexmarkRunOptions): Promise<BenchResultLine> {
  const q = engineQuery(o.query);
  const source = sourceOptions(o);
  const spec = { query: q.name, parallelism: o.parallelism, source, latency: o.latency } as const;
  const { sinks, seconds, cpuSeconds, job } = await runJob({ ...spec, mode: 'count' });
  const line: Record<string, string | number | boolean | null> = {
    query: q.name,
    events: o.events,
    parallelism: o.parallelism,
    seconds: round(seconds),
    eventsPerSecond: Math.round(o.events / seconds),
    cpuSeconds: round(cpuSeconds),
    eventsPerCpuSecond: Math.round(o.events / cpuSeconds),
    peakRssMb: job.peakRssMb,
    jobSeconds: round(job.wallSeconds),
    jobCpuSeconds: round(job.cpuSeconds),
    sinkRecords: sinks.reduce((n, s) => n + s.records, 0),
  };
  if (o.rate !== undefined) line.rate = o.rate;
  if (o.seed !== undefined) line.seed = o.seed;
  if (o.latency) {
    const merged = newLatencyHistogram();
    for (const s of sinks) {
      if (s.latency === null) continue;
      const h = hdr.decodeFromCompressedBase64(s.latency);
      merged.add(h);
      h.destroy();
    }
    line.latencyP50Ms = merged.getValueAtPercentile(50);
    line.latencyP99Ms = merged.getValueAtPercentile(99);
    line.latencyMaxMs = merged.maxValue;
    line.latencySamples = merged.totalCount;
    line.latencyEarlyResults = sinks.reduce((n, s) => n + s.early, 0);
    merged.destroy();
  }
  if (o.verify) {
    const check = await runJob({
      ...spec,
      source: { ...source, eventsPerSecond: undefined, startTime: undefined },
      latency: false,
      mode: 'digest',
    });
    const digest = new ResultDigest();
    for (const s of check.sinks) digest.merge(s.digest);
    const engine = digest.value();
    const reference = runReference(q, source, o.events);
    const invalidRows = check.sinks.reduce((n, s) => n + s.invalidRows, 0);
    line.resultsMatchReference = sameDigest(engine, reference.digest) && invalidRows === 0;
    if (q.fold !== undefined) {
      // Rows that depend on the wall clock (q12): invariants checked, folded rows compared.
      line.verifiedBy = 'invariants';
      line.invalidRows = invalidRows;
      line.firstInvalidRow = check.sinks.find((s) => s.firstInvalidRow !== null)?.firstInvalidRow ?? null;
    }
    line.resultRows = engine.rows;
    line.referenceRows = reference.digest.rows;
    line.referenceSeconds = round(reference.seconds);
    line.referenceCpuSeconds = round(reference.cpuSeconds);
    line.referenceEventsPerSecond = Math.round(o.events / reference.seconds);
    line.referenceEventsPerCpuSecond = Math.round(o.events / reference.cpuSeconds);
    // Per core: the engine's events per CPU second against the reference's (one thread).
    line.ratioToReference = round(reference.cpuSeconds / cpuSeconds);
  }
  return line;
}
