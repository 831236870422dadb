// Suite "plan-capture": what it costs a worker thread to re-run a job program in plan mode, which
// it does for every task attempt (and for each further subtask of a vertex sharing the slot).
// One case per Nexmark query (a job module with main(args)) and one top-level job file.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { capturePlan, type JobProgram } from '../../src/plan/index.ts';
import { type BenchCase, type BenchSuite, positiveInt, round } from '../bench-suite.ts';
import { ENGINE_QUERIES, engineQuery } from '../nexmark/nexmark-queries.ts';

const usage = `
  --query qN|all   Nexmark queries whose job module is captured (repeatable; default: q0 q5 q7 q20)
  --captures N     captures after the first (default 50)
Output per case: firstMs (the first capture: importing and transpiling the program), then over
the next N captures medianMs, p90Ms, maxMs, and heapGrowthKbPerCapture (heap used after minus
before, divided by N; with NODE_OPTIONS=--expose-gc both after a full GC: what a capture keeps).
Cases: nexmark-qN (main(args) re-run), top-level (module evaluated anew per capture).`;

async function measureCaptures(name: string, program: JobProgram, captures: number) {
  let start = performance.now();
  await capturePlan(program);
  const firstMs = performance.now() - start;
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const times: number[] = [];
  for (let i = 0; i < captures; i++) {
    start = performance.now();
    await capturePlan(program);
    times.push(performance.now() - start);
  }
  gc?.();
  const heapGrowthKb = (process.memoryUsage().heapUsed - heapBefore) / 1024 / captures;
  times.sort((a, b) => a - b);
  const at = (q: number) => round(times[Math.min(times.length - 1, Math.floor(q * times.length))]!, 2);
  return {
    case: name,
    captures,
    firstMs: round(firstMs, 1),
    medianMs: at(0.5),
    p90Ms: at(0.9),
    maxMs: round(times[times.length - 1]!, 2),
    heapGrowthKbPerCapture: round(heapGrowthKb, 1),
    heapMeasuredAfterGc: gc !== undefined,
  };
}

const suite: BenchSuite = {
  name: 'plan-capture',
  description: 'cost of re-running a job program in plan mode (once per task attempt)',
  usage,
  options: {
    query: { type: 'string', multiple: true, default: ['q0', 'q5', 'q7', 'q20'] },
    captures: { type: 'string', default: '50' },
  },
  cases(values) {
    const names = (values.query as string[]).flatMap((q) => (q === 'all' ? [...ENGINE_QUERIES.keys()] : [q]));
    for (const name of names) engineQuery(name);
    const captures = positiveInt('captures', values.captures);
    const nexmark: BenchCase[] = [...new Set(names)].map((query) => ({
      name: `nexmark-${query}`,
      run: async () => {
        const spec = {
          query,
          parallelism: 2,
          source: { numEvents: 1_000_000 },
          mode: 'count',
          channel: 'plan-capture',
          latency: false,
        };
        const program: JobProgram = {
          moduleUrl: new URL('../nexmark/nexmark-job.ts', import.meta.url).href,
          args: [JSON.stringify(spec)],
          executeIndex: 0,
          configuration: {},
        };
        return [await measureCaptures(`nexmark-${query}`, program, captures)];
      },
    }));
    const topLevel: BenchCase = {
      name: 'top-level',
      run: async () => {
        const trace = join(mkdtempSync(join(tmpdir(), 'sluice-plan-capture-')), 'trace.txt');
        const program: JobProgram = {
          moduleUrl: new URL('../../test/jobs/cli-top-level.ts', import.meta.url).href,
          args: [trace, 'ok', 'alpha', 'beta'],
          executeIndex: 0,
          configuration: {},
        };
        return [await measureCaptures('top-level', program, captures)];
      },
    };
    return [...nexmark, topLevel];
  },
};

export default suite;
