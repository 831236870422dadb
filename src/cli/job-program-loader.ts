// Loads a job file the way every TaskManager slot does: bundled into one ES module whose engine
// imports point to this installation, so the file can live in any folder (no package.json, a
// CommonJS one, no node_modules) and be TypeScript or JavaScript in either module syntax.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { JobBundleStore } from '../cluster/index.ts';
import { IllegalArgumentError, SluiceError } from '../core/index.ts';
import { setJobProgramModule } from '../plan/index.ts';
import { bundleJob } from './job-bundler.ts';

/** A job file bundled, and linked to this installation's engine. */
export interface JobProgramBundle {
  /** The job file as the user named it (for messages). */
  readonly file: string;
  /** The unlinked bundle: what `sluice run -m` uploads to a JobManager. */
  readonly code: Uint8Array;
  /** URL of the linked bundle on this machine: the client and its worker threads import it. */
  readonly moduleUrl: string;
}

let store: JobBundleStore | undefined;
let loaded = 0;

/** Signals that end `sluice run` (Ctrl-C stops an unbounded job) without an 'exit' event. */
const ENDING_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * This process's linked bundles, removed when it exits (worker threads import them until then),
 * also when a signal ends it: the signal is raised again afterwards, so the process ends by it as
 * it would have.
 */
function bundleStore(): JobBundleStore {
  if (store === undefined) {
    const s = new JobBundleStore('sluice-run');
    store = s;
    process.once('exit', () => s.close());
    for (const signal of ENDING_SIGNALS) {
      process.once(signal, () => {
        // A program that handles the signal decides when to end; 'exit' removes the bundles then.
        if (process.listenerCount(signal) > 0) return;
        s.close();
        process.kill(process.pid, signal);
      });
    }
  }
  return store;
}

/** Resolves a job file argument, failing with a clear message when it does not exist. */
export function resolveJobFile(file: string): string {
  const path = resolve(file);
  if (!existsSync(path)) throw new IllegalArgumentError(`job file "${file}" does not exist`);
  return path;
}

/**
 * Bundles a job file and writes the bundle, linked to this installation, where this process and
 * its worker threads import it.
 *
 * @example
 * const job = await loadJobProgram('/tmp/jobs/word-count.ts');
 * await runJobProgram(job, ['a b a']);
 */
export async function loadJobProgram(file: string): Promise<JobProgramBundle> {
  resolveJobFile(file);
  const code = await bundleJob(file);
  const moduleUrl = await bundleStore().put(`job-${++loaded}`, code);
  return { file, code, moduleUrl };
}

/**
 * Runs a loaded job program in this process: it sees `args` as `process.argv.slice(2)` and its
 * job file as `process.argv[1]` (set by the bundle itself, as in plan mode); a module without
 * top-level execute() may export a default `main(args)`. What the program throws becomes
 * {@link programFailure}.
 *
 * @example
 * await runJobProgram(await loadJobProgram('job.ts'), ['--input', 'in.txt']);
 */
export async function runJobProgram(job: JobProgramBundle, args: readonly string[]): Promise<void> {
  // The bundle replaces its own path with the job file's when it sees it here.
  process.argv = [process.argv[0] ?? 'node', fileURLToPath(job.moduleUrl), ...args];
  setJobProgramModule(job.moduleUrl, args);
  try {
    const mod = (await import(job.moduleUrl)) as { default?: unknown };
    if (typeof mod.default === 'function') await (mod.default as (a: readonly string[]) => unknown)(args);
  } catch (e) {
    throw programFailure(job.file, e);
  }
}

/**
 * What the job program itself threw (importing it, or its `main(args)`), as the user's error
 * naming the file and the program's own line (from the bundle's source map); a job failure
 * (JobExecutionError) and Sluice's own errors pass unchanged. The original error stays the
 * `cause` (shown with --verbose).
 *
 * @example
 * try { await import(url); } catch (e) { throw programFailure('job.ts', e); }
 */
export function programFailure(file: string, error: unknown): unknown {
  if (error instanceof SluiceError) return error;
  const e = error instanceof Error ? error : new Error(String(error));
  // The program's own frame: the first one outside Node and Sluice.
  const frame = (e.stack ?? '')
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l.startsWith('at ') && !/node:internal|node_modules|\/src\/(cli|plan|api|core)\//.test(l));
  return new SluiceError(
    'JOB_PROGRAM_FAILED',
    `the job program "${file}" threw ${e.name}: ${e.message}${frame === undefined ? '' : ` (${frame})`}`,
    { origin: 'user', cause: e },
  );
}
