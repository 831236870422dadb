// Plan mode: user code cannot be serialized, so every worker re-runs the job program and keeps
// the StreamGraph its N-th execute() call builds instead of running it. Top-level code after
// that execute() never runs in a worker, because the call there never returns.
import { pathToFileURL } from 'node:url';
import { Configuration, SluiceError } from '../core/index.ts';
import type { StreamGraph } from './stream-graph.ts';

/** How to re-run a job program: its module, its arguments and which execute() call is the job. */
export interface JobProgram {
  /** File URL of the job module. */
  readonly moduleUrl: string;
  /** What the program sees as `process.argv.slice(2)`. */
  readonly args: readonly string[];
  /** 0-based index of the execute() call (a program may run several jobs one after another). */
  readonly executeIndex: number;
  /** Process-wide configuration defaults of the client (e.g. `sluice run -p`). */
  readonly configuration: Readonly<Record<string, unknown>>;
  /**
   * What the program's earlier execute() calls returned in the client, by index: in plan mode
   * they return the same, so code between jobs builds the same pipeline as in the client.
   */
  readonly priorResults?: readonly (PriorJobResult | undefined)[];
}

/** The outcome of a finished job of a program, as its later plan-mode re-runs see it. */
export interface PriorJobResult {
  readonly jobId: string;
  readonly netRuntime: number;
  /** What executeAndCollect() returned (empty for other sinks). */
  readonly collected: readonly unknown[];
  /** Paths the job's savepoints (triggerSavepoint, stopWithSavepoint) resolved with, in order. */
  readonly savepoints?: readonly string[];
}

interface Capture {
  readonly target: number;
  readonly prior: readonly (PriorJobResult | undefined)[];
  seen: number;
  resolve(graph: StreamGraph): void;
}

interface CurrentProgram {
  moduleUrl: string;
  args: readonly string[];
  executed: number;
  readonly results: (PriorJobResult | undefined)[];
  /** Savepoint paths by execute() index (a savepoint may be taken while its job still runs). */
  savepoints?: string[][];
}

let capture: Capture | undefined;
let current: CurrentProgram | undefined;
/** Module URLs this thread has imported in plan mode, and those of them that export a main(). */
const imported = new Set<string>();
const withMain = new Set<string>();
let evaluations = 0;

/**
 * The URL to import for a capture. A program with a default `main(args)` is imported once and its
 * main() called again; a top-level program runs only while its module evaluates, so a capture after
 * the first evaluates the module anew under a distinct URL (a query; modules it imports are shared).
 */
function evaluationUrl(moduleUrl: string): string {
  if (!imported.has(moduleUrl) || withMain.has(moduleUrl)) return moduleUrl;
  const url = new URL(moduleUrl);
  url.searchParams.set('sluice-plan', String(++evaluations));
  return url.href;
}

/** True while a worker re-runs a program to rebuild its plan. */
export function isPlanMode(): boolean {
  return capture !== undefined;
}

/**
 * Called by execute() in plan mode: keeps the graph of the targeted call and never settles,
 * so code after it does not run; earlier calls resolve at once with what they returned in the
 * client (undefined if the client did not know it when it submitted the job).
 */
export function offerPlan(graph: StreamGraph): Promise<PriorJobResult | undefined> | undefined {
  const c = capture;
  if (c === undefined) return undefined;
  const index = c.seen++;
  if (index === c.target) {
    c.resolve(graph);
    return new Promise<never>(() => {});
  }
  return Promise.resolve(c.prior[index]);
}

/**
 * Runs a job program in plan mode and returns the StreamGraph of its targeted execute() call.
 * A module whose top level does not call execute() may export a default `main(args)` function.
 *
 * Every call runs the program again, so every returned graph holds new instances of the user's
 * functions (the workers capture one per task attempt, as Flink deserializes functions per task).
 *
 * @example
 * const graph = await capturePlan({ moduleUrl, args: [], executeIndex: 0, configuration: {} });
 */
export async function capturePlan(program: JobProgram, timeoutMs = 60_000): Promise<StreamGraph> {
  if (capture !== undefined)
    throw new SluiceError('PLAN_MODE', 'a plan is already being captured', { origin: 'internal' });
  let resolve!: (g: StreamGraph) => void;
  let fail!: (e: unknown) => void;
  const captured = new Promise<StreamGraph>((res, rej) => {
    resolve = res;
    fail = rej;
  });
  capture = { target: program.executeIndex, prior: program.priorResults ?? [], seen: 0, resolve };
  Configuration.setGlobalDefaults(program.configuration);
  current = { moduleUrl: program.moduleUrl, args: program.args, executed: 0, results: [] };
  const argv1 = program.moduleUrl.startsWith('file:')
    ? new URL(program.moduleUrl).pathname
    : program.moduleUrl;
  process.argv = [process.argv[0] ?? 'node', argv1, ...program.args];
  let timer: NodeJS.Timeout | undefined;
  try {
    const url = evaluationUrl(program.moduleUrl);
    imported.add(program.moduleUrl);
    const mod = (await Promise.race([import(url), captured])) as unknown;
    if (mod !== null && typeof mod === 'object' && !('nodes' in (mod as object))) {
      const main = (mod as { default?: unknown }).default;
      if (typeof main === 'function') {
        withMain.add(program.moduleUrl);
        // A program that fails before reaching its execute() call fails the plan at once.
        Promise.resolve()
          .then(() => (main as (a: readonly string[]) => unknown)(program.args))
          .catch((e: unknown) =>
            fail(
              new SluiceError(
                'PLAN_MODE_FAILED',
                `plan mode: the job program ${program.moduleUrl} failed before execute() #${program.executeIndex + 1}: ` +
                  `${e instanceof Error ? e.message : String(e)}`,
                { cause: e },
              ),
            ),
          );
      }
    }
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new SluiceError(
              'PLAN_MODE_NO_JOB',
              `plan mode: the job program ${program.moduleUrl} did not call execute() #${program.executeIndex + 1} ` +
                `within ${timeoutMs} ms; job construction must be deterministic and must not wait on external input`,
            ),
          ),
        timeoutMs,
      );
    });
    return await Promise.race([captured, timeout]);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    capture = undefined;
  }
}

/**
 * Declares which module the program being run lives in (set by `sluice run` and by the test kit);
 * without it, the main module (`process.argv[1]`) is assumed.
 */
export function setJobProgramModule(moduleUrl: string, args: readonly string[]): void {
  current = { moduleUrl, args, executed: 0, results: [] };
}

/** Records what a finished job of the current program returned, for its later jobs' plan mode. */
export function recordJobResult(program: JobProgram, result: PriorJobResult): void {
  if (current?.moduleUrl === program.moduleUrl) current.results[program.executeIndex] = result;
}

/**
 * Records the path a savepoint of a job of the current program resolved with: in plan mode the
 * job's stand-in client resolves the same calls with the same paths, so a program that stops a
 * job with a savepoint and starts the next one from it builds the same pipeline in the workers.
 */
export function recordSavepoint(program: JobProgram, path: string): void {
  if (current?.moduleUrl !== program.moduleUrl) return;
  current.savepoints ??= [];
  const paths = current.savepoints[program.executeIndex] ?? [];
  paths.push(path);
  current.savepoints[program.executeIndex] = paths;
}

/**
 * The program to re-run in workers for the next execute() call of this process.
 * Increments the execute counter.
 */
export function nextJobProgram(): JobProgram | undefined {
  if (current === undefined) {
    const main = process.argv[1];
    if (main === undefined) return undefined;
    current = { moduleUrl: pathToFileURL(main).href, args: process.argv.slice(2), executed: 0, results: [] };
  }
  return {
    moduleUrl: current.moduleUrl,
    args: current.args,
    executeIndex: current.executed++,
    configuration: Configuration.globalDefaults(),
    priorResults: Array.from({ length: current.results.length }, (_, i) => {
      const result = current?.results[i];
      const savepoints = current?.savepoints?.[i];
      return result === undefined || savepoints === undefined ? result : { ...result, savepoints };
    }),
  };
}
