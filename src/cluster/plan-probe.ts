// The JobManager re-runs every submitted job program in plan mode in its own thread (it needs the
// StreamGraph's functions and split enumerators). A program that never reaches execute() — an
// endless loop before it — would block that thread and with it the REST API and the heartbeats of
// every TaskManager; so the program runs first in a worker thread that is stopped after a time limit.
import { Worker } from 'node:worker_threads';
import { SluiceError } from '../core/index.ts';
import type { JobProgram } from '../plan/index.ts';

/** What the probe's worker thread reports. */
export type PlanProbeAnswer =
  | { readonly ok: true; readonly fingerprint: string }
  | { readonly ok: false; readonly message: string };

/**
 * Runs `program` in plan mode in a worker thread; resolves once it reached its execute() call,
 * rejects with the program's failure, or — when it neither reaches execute() nor fails within
 * `timeoutMs` (say, it loops forever) — stops the thread and rejects.
 *
 * @example
 * await probePlan({ moduleUrl: 'file:///tmp/job.mjs', args: [], executeIndex: 0, configuration: {} }, 30_000);
 */
export function probePlan(program: JobProgram, timeoutMs: number): Promise<void> {
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  const worker = new Worker(new URL('./slot-worker-bootstrap.mjs', import.meta.url), {
    workerData: {
      typescript: ext === '.ts',
      mainUrl: new URL(`./plan-probe-worker${ext}`, import.meta.url).href,
      program,
      timeoutMs,
    },
  });
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const settle = (error: Error | undefined): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      if (error === undefined) resolve();
      else reject(error);
    };
    // The worker's own limit reports a program that waits; this one stops a program that loops.
    const timer = setTimeout(
      () =>
        settle(
          new SluiceError(
            'PLAN_MODE_NO_JOB',
            `plan mode: the job program ${program.moduleUrl} did not call execute() #${program.executeIndex + 1} ` +
              `within ${timeoutMs} ms (it was stopped); job construction must be deterministic and must not ` +
              'loop or wait on external input',
          ),
        ),
      timeoutMs + 2_000,
    );
    worker.once('message', (answer: PlanProbeAnswer) =>
      settle(answer.ok ? undefined : new SluiceError('PLAN_MODE_FAILED', answer.message)),
    );
    worker.once('error', (e) => settle(e instanceof Error ? e : new Error(String(e))));
    worker.once('exit', (code) =>
      settle(
        new SluiceError('PLAN_MODE_FAILED', `plan mode: the job program's thread exited (code ${code})`),
      ),
    );
  });
}
