// The Nexmark benchmark's sink: counts the query's result rows (a blackhole sink, as Flink's
// Nexmark runs use), or digests them for verification (applying changelog retractions),
// optionally records end-to-end latency in an HDR histogram, and reports per subtask to the
// benchmark's main thread over a BroadcastChannel (sink subtasks run in worker threads).
import { BroadcastChannel } from 'node:worker_threads';
import * as hdr from 'hdr-histogram-js';
import type { Sink, SinkInitContext, SinkWriter, SinkWriterContext } from '../../src/index.ts';
import { epochMillis } from '../counting-sink.ts';
import type { ChangelogRow } from './queries/nexmark-streams.ts';
import { type DigestValue, ResultDigest } from './result-digest.ts';
import type { ResultFold, ResultFoldAccumulator } from './result-fold.ts';

/** Highest latency the histograms track: one hour, in milliseconds. */
export const MAX_TRACKED_LATENCY_MS = 3_600_000;

/** A new latency histogram (1 ms to an hour, 3 significant digits). */
export function newLatencyHistogram(): hdr.Histogram {
  return hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: MAX_TRACKED_LATENCY_MS,
    numberOfSignificantValueDigits: 3,
  });
}

/** A sink subtask's report at the end of its input. */
export interface ResultSinkReport {
  readonly kind: 'sink';
  readonly subtask: number;
  /** Records received (changelog rows count one each). */
  readonly records: number;
  readonly digest: DigestValue;
  /** Rows the query's fold rejected (an invariant broken), and the first one's reason. */
  readonly invalidRows: number;
  readonly firstInvalidRow: string | null;
  /** Epoch ms of the end of input. */
  readonly endAt: number;
  /** CPU microseconds of the whole process (all threads) at the end of input. */
  readonly endCpuMicros: number;
  /**
   * Results whose timestamp was still ahead of the clock (latency mode): windows that end after
   * the last event, fired by the end of input. They are not in the histogram.
   */
  readonly early: number;
  /** The latency histogram, compressed (latency mode), else null. */
  readonly latency: string | null;
}

/** The first event a source reader emitted. */
export interface SourceStartReport {
  readonly kind: 'source';
  readonly subtask: number;
  readonly startAt: number;
  /** CPU microseconds of the whole process (all threads) then. */
  readonly startCpuMicros: number;
}

/** CPU microseconds used so far by every thread of this process. */
export function processCpuMicros(): number {
  const u = process.resourceUsage();
  return u.userCPUTime + u.systemCPUTime;
}

/** Messages on a Nexmark run's channel. */
export type NexmarkReport = ResultSinkReport | SourceStartReport;

/** Options of a {@link NexmarkResultSink}. */
export interface NexmarkResultSinkOptions {
  /** BroadcastChannel name, unique per run. */
  readonly channel: string;
  /**
   * Digest every row (a verification run; costs a few hundred ns per row). Otherwise rows are
   * only counted (a measurement run) and the reported digest is empty.
   */
  readonly digest: boolean;
  /** The rows are {@link ChangelogRow}s: retractions remove rows from the digest. */
  readonly changelog: boolean;
  /** Record `now - record timestamp` of every row in a latency histogram. */
  readonly latency: boolean;
  /**
   * With `digest`: rows go through this fold (invariants checked) and its result rows are
   * digested at the end of input instead of the rows (q12).
   */
  readonly fold?: ResultFold | undefined;
}

class ResultWriter implements SinkWriter<object> {
  readonly #subtask: number;
  readonly #options: NexmarkResultSinkOptions;
  readonly #digest = new ResultDigest();
  readonly #histogram: hdr.Histogram | undefined;
  readonly #fold: ResultFoldAccumulator | undefined;
  #records = 0;
  #early = 0;
  #invalidRows = 0;
  #firstInvalidRow: string | null = null;

  constructor(ctx: SinkInitContext, options: NexmarkResultSinkOptions) {
    this.#subtask = ctx.getSubtaskId();
    this.#options = options;
    this.#histogram = options.latency ? newLatencyHistogram() : undefined;
    this.#fold = options.digest ? options.fold?.create() : undefined;
  }

  write(value: object, ctx: SinkWriterContext): void {
    this.#records++;
    if (!this.#options.digest) {
      // Measurement run: count only.
    } else if (this.#fold !== undefined) {
      const problem = this.#fold.add(value);
      if (problem !== undefined) {
        this.#invalidRows++;
        this.#firstInvalidRow ??= problem;
      }
    } else if (this.#options.changelog) {
      const change = value as ChangelogRow<object>;
      this.#digest.add(change.row, change.kind === '-U' || change.kind === '-D' ? -1 : 1);
    } else {
      this.#digest.add(value);
    }
    const histogram = this.#histogram;
    if (histogram !== undefined) {
      const ts = ctx.timestamp();
      if (ts !== undefined) {
        const latency = Math.round(epochMillis() - ts);
        if (latency < 0) this.#early++;
        else histogram.recordValue(Math.min(MAX_TRACKED_LATENCY_MS, Math.max(1, latency)));
      }
    }
  }

  flush(endOfInput: boolean): void {
    if (!endOfInput) return;
    if (this.#fold !== undefined) for (const row of this.#fold.result()) this.#digest.add(row);
    const report: ResultSinkReport = {
      kind: 'sink',
      subtask: this.#subtask,
      records: this.#records,
      digest: this.#digest.value(),
      invalidRows: this.#invalidRows,
      firstInvalidRow: this.#firstInvalidRow,
      endAt: epochMillis(),
      endCpuMicros: processCpuMicros(),
      early: this.#early,
      latency: this.#histogram === undefined ? null : hdr.encodeIntoCompressedBase64(this.#histogram),
    };
    const bc = new BroadcastChannel(this.#options.channel);
    bc.postMessage(report);
    bc.close();
  }

  close(): void {
    this.#histogram?.destroy();
  }
}

/**
 * Digests (and optionally times) a Nexmark query's results; see {@link ResultSinkReport}.
 *
 * @example
 * q0(events).sinkTo(new NexmarkResultSink({ channel: 'run-1', digest: true, changelog: false, latency: false }));
 */
export class NexmarkResultSink<T extends object> implements Sink<T> {
  readonly #options: NexmarkResultSinkOptions;
  constructor(options: NexmarkResultSinkOptions) {
    this.#options = options;
  }
  createWriter(ctx: SinkInitContext): SinkWriter<T> {
    return new ResultWriter(ctx, this.#options);
  }
}
