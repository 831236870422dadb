// Helpers shared by the job modules of the integration tests. Job modules run in the test process
// and again, in plan mode, in every worker thread, so these helpers must be deterministic.
import { appendFileSync } from 'node:fs';
import type { Sink, SinkWriter } from '../../src/index.ts';

/** A record tagged with the check it belongs to, so several checks can share one job run. */
export type Tagged = [check: string, payload: unknown];

/**
 * A sink that appends every record as a JSON line to a file at once (no buffering), so a test can
 * watch an unbounded job's output while it runs.
 */
export class JsonLinesSink<T> implements Sink<T> {
  readonly #path: string;
  constructor(path: string) {
    this.#path = path;
  }
  createWriter(): SinkWriter<T> {
    const path = this.#path;
    return {
      write: (value) => appendFileSync(path, `${JSON.stringify(value)}\n`),
      flush: () => {},
      close: () => {},
    };
  }
}

/** Parses `--name value` pairs. */
export function options(args: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < args.length; i += 2) out[args[i]!.replace(/^--/, '')] = args[i + 1]!;
  return out;
}
