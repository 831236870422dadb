// The contract between `bench/run.ts` and a benchmark suite (`bench/<suite>/suite.ts`), and the
// measurements every suite reports the same way (wall time, CPU of all threads, peak RSS).
import type { ParseArgsConfig } from 'node:util';

/** Parsed option values, as `node:util` parseArgs returns them. */
export type BenchOptionValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** One benchmark of a suite; the runner runs each case in a fresh process by default. */
export interface BenchCase {
  /** Stable name, selectable with `--case`. */
  readonly name: string;
  /**
   * Runs the benchmark and returns its result lines: each becomes one JSON object on its own
   * line of stdout. A case writes nothing to stdout itself (diagnostics go to stderr).
   */
  run(): Promise<readonly BenchResultLine[]>;
}

/** One line of benchmark output: a flat JSON object. */
export type BenchResultLine = Readonly<Record<string, string | number | boolean | null>>;

/**
 * A benchmark suite: a module `bench/<name>/suite.ts` whose default export is a BenchSuite.
 * The runner finds suites by that path, so adding a folder adds a suite.
 *
 * @example
 * const suite: BenchSuite = {
 *   name: 'demo',
 *   description: 'a demo',
 *   options: { records: { type: 'string', default: '1000' } },
 *   cases: (o) => [{ name: 'noop', run: async () => [{ name: 'noop', records: Number(o.records) }] }],
 * };
 * export default suite;
 */
export interface BenchSuite {
  readonly name: string;
  /** One line for `--list` and `--help`. */
  readonly description: string;
  /** The suite's own options (merged with the runner's; unknown options are rejected). */
  readonly options: NonNullable<ParseArgsConfig['options']>;
  /** Help text for the suite's options. */
  readonly usage?: string;
  /** The cases to run for these option values, in order. Throws on bad option values. */
  cases(values: BenchOptionValues): readonly BenchCase[];
}

/** What {@link measure} saw around a piece of work. */
export interface Measurement<R> {
  readonly result: R;
  /** Wall-clock seconds of the whole call. */
  readonly wallSeconds: number;
  /** User + system CPU seconds of every thread of this process during the call. */
  readonly cpuSeconds: number;
  /** Peak resident set size of this process so far, in MiB. */
  readonly peakRssMb: number;
}

/**
 * Runs `work` and measures it. CPU time comes from `process.resourceUsage()`, which (unlike
 * `process.cpuUsage()` in a worker) covers every thread of the process, worker slots included.
 *
 * @example
 * const m = await measure(() => runJob());
 */
export async function measure<R>(work: () => Promise<R> | R): Promise<Measurement<R>> {
  const before = process.resourceUsage();
  const start = performance.now();
  const result = await work();
  const wallSeconds = (performance.now() - start) / 1000;
  const after = process.resourceUsage();
  const cpuMicros = after.userCPUTime - before.userCPUTime + (after.systemCPUTime - before.systemCPUTime);
  return { result, wallSeconds, cpuSeconds: cpuMicros / 1e6, peakRssMb: peakRssMb() };
}

/** Peak resident set size of this process so far, in MiB (`resourceUsage().maxRSS` is in KiB). */
export function peakRssMb(): number {
  return round(process.resourceUsage().maxRSS / 1024, 1);
}

/** Current resident set size of this process, in MiB. */
export function rssMb(): number {
  return round(process.memoryUsage.rss() / (1024 * 1024), 1);
}

/** Rounds to `digits` decimals (for readable JSON). */
export function round(value: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Parses a positive integer option such as `--records 1e6` or `--records 1_000_000`. */
export function positiveInt(name: string, raw: unknown): number {
  const n = typeof raw === 'string' ? Number(raw.replaceAll('_', '')) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new Error(`--${name}: expected a positive integer, got ${JSON.stringify(raw)}`);
  }
  return n;
}

/** Parses a non-negative number option. */
export function nonNegativeNumber(name: string, raw: unknown): number {
  const n = typeof raw === 'string' ? Number(raw.replaceAll('_', '')) : Number.NaN;
  if (!Number.isFinite(n) || n < 0) {
    throw new Error(`--${name}: expected a non-negative number, got ${JSON.stringify(raw)}`);
  }
  return n;
}
