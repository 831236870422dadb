// Runs a job program that lives in its own module, the way a TaskManager's slots do: the module's
// default export `main(args)` builds and executes the pipeline, and every worker thread re-runs it
// in plan mode. This is how tests (whose own files cannot be re-run in a worker) exercise the
// real multi-threaded runtime.
import { pathToFileURL } from 'node:url';
import { IllegalArgumentError } from '../core/index.ts';
import { setJobProgramModule } from '../plan/index.ts';

/**
 * Imports a job module and calls its default export with `args`; resolves with what it returns.
 *
 * @example
 * const counts = await runJobModule(new URL('./jobs/word-count.ts', import.meta.url), ['--parallelism', '2']);
 */
export async function runJobModule<R = unknown>(
  module: string | URL,
  args: readonly string[] = [],
): Promise<R> {
  const url =
    module instanceof URL ? module.href : module.startsWith('file:') ? module : pathToFileURL(module).href;
  const mod = (await import(url)) as { default?: unknown };
  if (typeof mod.default !== 'function') {
    throw new IllegalArgumentError(`runJobModule(): ${url} has no default export function main(args)`);
  }
  setJobProgramModule(url, args);
  return (await (mod.default as (a: readonly string[]) => Promise<R>)(args)) as R;
}
