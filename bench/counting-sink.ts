// A benchmark sink that counts what it receives and reports to the benchmark's main thread over
// a BroadcastChannel (sink subtasks run in worker threads, where the benchmark cannot see them):
// records, a checksum, the time of its first record and of the end of its input, and its thread.
// It can also be slow on purpose (sleeps per batch of records) to exercise backpressure.
import { BroadcastChannel, threadId } from 'node:worker_threads';
import type { Sink, SinkInitContext, SinkWriter } from '../src/index.ts';

/** A sink subtask's report at the end of its input. */
export interface SinkDoneReport {
  readonly kind: 'done';
  readonly subtask: number;
  readonly parallelism: number;
  readonly records: number;
  readonly checksum: number;
  /** Epoch milliseconds (fractional) of the first record, or null when none arrived. */
  readonly firstAt: number | null;
  /** Epoch milliseconds (fractional) of the end of input. */
  readonly endAt: number;
  /** CPU microseconds (user + system) of the whole process, all threads, at the first record. */
  readonly cpuAtFirst: number | null;
  /** The same at the end of input. */
  readonly cpuAtEnd: number;
  /** `worker_threads.threadId` of the thread that ran the subtask. */
  readonly threadId: number;
}

/** A sink subtask's progress (every `progressEvery` records). */
export interface SinkProgressReport {
  readonly kind: 'progress';
  readonly subtask: number;
  readonly records: number;
}

/** Which thread ran a part of the job (see {@link reportThread}). */
export interface ThreadReport {
  readonly kind: 'thread';
  readonly role: string;
  readonly threadId: number;
}

/** Messages on a run's channel. */
export type SinkReport = SinkDoneReport | SinkProgressReport | ThreadReport;

/** Tells the benchmark which thread runs `role` (call once, e.g. for the first record). */
export function reportThread(channel: string, role: string): void {
  const bc = new BroadcastChannel(channel);
  const report: ThreadReport = { kind: 'thread', role, threadId };
  bc.postMessage(report);
  bc.close();
}

/** Options of a {@link CountingSink}. */
export interface CountingSinkOptions<T> {
  /** BroadcastChannel name; unique per run. */
  readonly channel: string;
  /** Number added to the checksum per record (keeps the work observable); default 0. */
  readonly checksum?: (value: T) => number;
  /** Sends a progress report every this many records (per subtask). */
  readonly progressEvery?: number;
  /** Sleeps `sleepMillis` after every `sleepEvery` records (a slow sink). */
  readonly sleepEvery?: number;
  readonly sleepMillis?: number;
}

/** CPU microseconds used so far by every thread of the process (getrusage covers them all). */
export function processCpuMicros(): number {
  const u = process.resourceUsage();
  return u.userCPUTime + u.systemCPUTime;
}

/** Wall clock with sub-millisecond resolution, comparable across threads. */
export function epochMillis(): number {
  return performance.timeOrigin + performance.now();
}

const SLEEP_CELL = new Int32Array(new SharedArrayBuffer(4));

class CountingWriter<T> implements SinkWriter<T> {
  readonly #ctx: SinkInitContext;
  readonly #options: CountingSinkOptions<T>;
  readonly #channel: BroadcastChannel;
  readonly #checksum: ((value: T) => number) | undefined;
  readonly #progressEvery: number;
  readonly #sleepEvery: number;
  #records = 0;
  #sum = 0;
  #firstAt: number | null = null;
  #cpuAtFirst: number | null = null;

  constructor(ctx: SinkInitContext, options: CountingSinkOptions<T>) {
    this.#ctx = ctx;
    this.#options = options;
    this.#channel = new BroadcastChannel(options.channel);
    this.#checksum = options.checksum;
    this.#progressEvery = options.progressEvery ?? 0;
    this.#sleepEvery = options.sleepEvery ?? 0;
  }

  write(value: T): void {
    const n = ++this.#records;
    if (n === 1) {
      this.#firstAt = epochMillis();
      this.#cpuAtFirst = processCpuMicros();
    }
    if (this.#checksum !== undefined) this.#sum += this.#checksum(value);
    if (this.#sleepEvery > 0 && n % this.#sleepEvery === 0) {
      Atomics.wait(SLEEP_CELL, 0, 0, this.#options.sleepMillis ?? 1);
    }
    if (this.#progressEvery > 0 && n % this.#progressEvery === 0) {
      const report: SinkProgressReport = { kind: 'progress', subtask: this.#ctx.getSubtaskId(), records: n };
      this.#channel.postMessage(report);
    }
  }

  flush(endOfInput: boolean): void {
    if (!endOfInput) return;
    const report: SinkDoneReport = {
      kind: 'done',
      subtask: this.#ctx.getSubtaskId(),
      parallelism: this.#ctx.getNumberOfParallelSubtasks(),
      records: this.#records,
      checksum: this.#sum,
      firstAt: this.#firstAt,
      endAt: epochMillis(),
      cpuAtFirst: this.#cpuAtFirst,
      cpuAtEnd: processCpuMicros(),
      threadId,
    };
    this.#channel.postMessage(report);
  }

  close(): void {
    this.#channel.close();
  }
}

/**
 * Counts records and reports per subtask on a BroadcastChannel (see {@link listenToSinks}).
 *
 * @example
 * stream.sinkTo(new CountingSink({ channel: 'run-1', checksum: (v: number) => v }));
 */
export class CountingSink<T> implements Sink<T> {
  readonly #options: CountingSinkOptions<T>;
  constructor(options: CountingSinkOptions<T>) {
    this.#options = options;
  }
  createWriter(ctx: SinkInitContext): SinkWriter<T> {
    return new CountingWriter(ctx, this.#options);
  }
}

/** The main thread's side of a run's channel. */
export interface SinkListener {
  /** Resolves with one done report per sink subtask (waits up to `timeoutMs` after `expect`). */
  reports(parallelism: number, timeoutMs?: number): Promise<SinkDoneReport[]>;
  /** Thread ids reported by role. */
  readonly threads: ReadonlyMap<string, number>;
  close(): void;
}

/**
 * Listens to the counting sinks of one run.
 *
 * @example
 * const sinks = listenToSinks('run-1'); await env.execute(); const [r] = await sinks.reports(1);
 */
export function listenToSinks(channel: string, onProgress?: (p: SinkProgressReport) => void): SinkListener {
  const bc = new BroadcastChannel(channel);
  const done: SinkDoneReport[] = [];
  const threads = new Map<string, number>();
  let wake: (() => void) | undefined;
  bc.onmessage = (event) => {
    const report = (event as { data: SinkReport }).data;
    if (report.kind === 'progress') onProgress?.(report);
    else if (report.kind === 'thread') threads.set(report.role, report.threadId);
    else {
      done.push(report);
      wake?.();
    }
  };
  return {
    async reports(parallelism, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (done.length < parallelism) {
        if (Date.now() > deadline) {
          throw new Error(
            `sink reports on ${channel}: got ${done.length} of ${parallelism} after the job ended`,
          );
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 50);
        });
      }
      return [...done].sort((a, b) => a.subtask - b.subtask);
    },
    threads,
    close: () => bc.close(),
  };
}
