// The worker-thread side of the JobManager's plan probe: runs a submitted job program in plan mode
// in a thread of its own and reports whether it reached its execute() call, so a program that never
// does (an endless loop) blocks a thread that can be stopped, not the JobManager.
import { parentPort, workerData } from 'node:worker_threads';
import { capturePlan, type JobProgram } from '../plan/index.ts';
import type { PlanProbeAnswer } from './plan-probe.ts';

const { program, timeoutMs } = workerData as { program: JobProgram; timeoutMs: number };
let answer: PlanProbeAnswer;
try {
  const graph = await capturePlan(program, timeoutMs);
  answer = { ok: true, fingerprint: graph.fingerprint };
} catch (e) {
  answer = { ok: false, message: e instanceof Error ? e.message : String(e) };
}
parentPort?.postMessage(answer);
