// `sluice run`: runs a job file (TypeScript or JavaScript) on the embedded cluster. The job's
// output is the command's output; the exit code says whether the job finished.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readMetadata } from '../checkpoint/index.ts';
import { Configuration, IllegalArgumentError, JobExecutionError, SluiceError } from '../core/index.ts';
import { setJobProgramModule } from '../plan/index.ts';

/** Options of `sluice run`. */
export interface RunOptions {
  readonly parallelism?: number;
  /** Restore from this savepoint or retained checkpoint (`-s`). */
  readonly savepointPath?: string;
  /** Skip state of operators missing from the job (`--allowNonRestoredState`). */
  readonly allowNonRestoredState?: boolean;
}

/** Registers the TypeScript loader once (tsx), so `.ts` jobs run without a build step. */
export async function ensureTypeScriptLoader(): Promise<void> {
  const { register } = await import('tsx/esm/api');
  register();
}

/** Resolves a job file argument, failing with a clear message when it does not exist. */
export function resolveJobFile(file: string): string {
  const path = resolve(file);
  if (!existsSync(path)) throw new IllegalArgumentError(`job file "${file}" does not exist`);
  return path;
}

/**
 * Runs a job module: it sees `args` as `process.argv.slice(2)`; a module without top-level
 * execute() may export a default `main(args)`.
 */
export async function runJobFile(file: string, args: readonly string[], options: RunOptions): Promise<void> {
  const path = resolveJobFile(file);
  const defaults: Record<string, unknown> = {};
  if (options.parallelism !== undefined) defaults['parallelism.default'] = options.parallelism;
  if (options.savepointPath !== undefined) {
    // Checked here so a wrong path fails before the job starts, naming the file.
    readMetadata(options.savepointPath);
    defaults['execution.savepoint.path'] = options.savepointPath;
    if (options.allowNonRestoredState === true) defaults['execution.savepoint.ignore-unclaimed-state'] = true;
  }
  Configuration.setGlobalDefaults(defaults);
  if (/\.[mc]?tsx?$/.test(path)) await ensureTypeScriptLoader();
  const url = pathToFileURL(path).href;
  process.argv = [process.argv[0] ?? 'node', path, ...args];
  setJobProgramModule(url, args);
  try {
    const mod = (await import(url)) as { default?: unknown };
    if (typeof mod.default === 'function') await (mod.default as (a: readonly string[]) => unknown)(args);
  } catch (e) {
    throw programFailure(file, e);
  }
}

/** Node's error when a `.ts` file with `export`/`import` is loaded as CommonJS. */
const CJS_SCOPE_CODES = new Set(['ERR_REQUIRE_CYCLE_MODULE', 'ERR_REQUIRE_ESM']);

/**
 * What the job program itself threw (importing it, or its `main(args)`), as the user's error
 * naming the file and the program's own line; a job failure (JobExecutionError) and Sluice's own
 * errors pass unchanged. The original error stays the `cause` (shown with --verbose).
 *
 * @example
 * try { await import(url); } catch (e) { throw programFailure('job.ts', e); }
 */
export function programFailure(file: string, error: unknown): unknown {
  if (error instanceof SluiceError) return error;
  const e = error instanceof Error ? error : new Error(String(error));
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string' && CJS_SCOPE_CODES.has(code)) {
    return new SluiceError(
      'JOB_FILE_NOT_AN_ES_MODULE',
      `job file "${file}" uses ES module syntax but Node loads it as CommonJS (no package.json with "type": "module" above it): rename it to .mts (or .mjs), or add {"type": "module"} to a package.json in its directory`,
      { origin: 'user', cause: e },
    );
  }
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

/**
 * Formats a failure for the terminal. A failed job shows its description with the failing
 * operator's stack; the user's or an external system's error (bad input, unreachable cluster, a
 * program that throws) is one line; a bug in Sluice shows its stack. `verbose` shows every stack,
 * with the causes.
 */
export function describeFailure(error: unknown, verbose = false): string {
  if (verbose) {
    const lines: string[] = [];
    let e: unknown = error;
    for (let depth = 0; e !== undefined && depth < 8; depth++) {
      lines.push(
        `${depth === 0 ? '' : 'Caused by: '}${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
      );
      e = e instanceof Error ? e.cause : undefined;
    }
    return lines.join('\n');
  }
  if (error instanceof JobExecutionError) return error.stack ?? error.message;
  if (error instanceof SluiceError && error.origin !== 'internal') return `Error: ${error.message}`;
  if (error instanceof Error) return error.stack ?? error.message;
  return String(error);
}
