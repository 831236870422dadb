// `sluice run`: runs a job file (TypeScript or JavaScript) on the embedded cluster. The job's
// output is the command's output; the exit code says whether the job finished.
import { readMetadata } from '../checkpoint/index.ts';
import { Configuration, JobExecutionError, SluiceError } from '../core/index.ts';
import { loadJobProgram, resolveJobFile, runJobProgram } from './job-program-loader.ts';

/** Options of `sluice run`. */
export interface RunOptions {
  readonly parallelism?: number;
  /** Restore from this savepoint or retained checkpoint (`-s`). */
  readonly savepointPath?: string;
  /** Skip state of operators missing from the job (`--allowNonRestoredState`). */
  readonly allowNonRestoredState?: boolean;
}

/**
 * Runs a job file on the embedded cluster: it sees `args` as `process.argv.slice(2)`; a module
 * without top-level execute() may export a default `main(args)`. The file is bundled first
 * (see {@link loadJobProgram}), so it may live in any folder.
 *
 * @example
 * await runJobFile('/tmp/jobs/word-count.ts', ['a b a'], { parallelism: 2 });
 */
export async function runJobFile(file: string, args: readonly string[], options: RunOptions): Promise<void> {
  resolveJobFile(file);
  const defaults: Record<string, unknown> = {};
  if (options.parallelism !== undefined) defaults['parallelism.default'] = options.parallelism;
  if (options.savepointPath !== undefined) {
    // Checked here so a wrong path fails before the job starts, naming the file.
    readMetadata(options.savepointPath);
    defaults['execution.savepoint.path'] = options.savepointPath;
    if (options.allowNonRestoredState === true) defaults['execution.savepoint.ignore-unclaimed-state'] = true;
  }
  Configuration.setGlobalDefaults(defaults);
  await runJobProgram(await loadJobProgram(file), args);
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
