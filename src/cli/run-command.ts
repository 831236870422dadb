// `sluice run`: runs a job file (TypeScript or JavaScript) on the embedded cluster. The job's
// output is the command's output; the exit code says whether the job finished.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readMetadata } from '../checkpoint/index.ts';
import { Configuration, IllegalArgumentError, JobExecutionError } from '../core/index.ts';
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
  if (!existsSync(path)) throw new IllegalArgumentError(`sluice run: job file "${file}" does not exist`);
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
  const mod = (await import(url)) as { default?: unknown };
  if (typeof mod.default === 'function') await (mod.default as (a: readonly string[]) => unknown)(args);
}

/** Formats a failure for the terminal: the root cause and its stack. */
export function describeFailure(error: unknown): string {
  if (error instanceof JobExecutionError) return error.stack ?? error.message;
  if (error instanceof IllegalArgumentError) return `Error: ${error.message}`;
  if (error instanceof Error) return error.stack ?? error.message;
  return String(error);
}
