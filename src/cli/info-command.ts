// `sluice info`: prints the plan of a job file (operators, chains, parallelism, edges) without
// running it, by re-running the program in plan mode as a TaskManager slot would.
import { SluiceError } from '../core/index.ts';
import { capturePlan, createJobGraph, type JobGraph, type StreamGraph } from '../plan/index.ts';
import { loadJobProgram, programFailure } from './job-program-loader.ts';

/** The plan of a job as plain JSON. */
export function describePlan(graph: StreamGraph, jobGraph: JobGraph): unknown {
  return {
    name: graph.jobName,
    nodes: graph.nodes.map((n) => ({
      id: n.id,
      name: n.name,
      uid: n.uid ?? null,
      operatorId: n.operatorId,
      kind: n.factory.operatorKind,
      parallelism: n.parallelism,
      maxParallelism: n.maxParallelism,
      keyed: n.keySelectors.some((k) => k !== undefined),
    })),
    vertices: jobGraph.vertices.map((v) => ({
      id: v.id,
      name: v.name,
      parallelism: v.parallelism,
      operators: v.nodeIds,
      inputs: v.inputs.map((e) => ({
        from: e.sourceVertex,
        ship_strategy: e.partitioner.toUpperCase(),
        side_output: e.outputTag ?? null,
      })),
    })),
  };
}

/** Captures and prints the plan of a job file. */
export async function infoJobFile(
  file: string,
  args: readonly string[],
  parallelism?: number,
): Promise<void> {
  const job = await loadJobProgram(file);
  const configuration = parallelism === undefined ? {} : { 'parallelism.default': parallelism };
  let graph: StreamGraph;
  try {
    graph = await capturePlan({ moduleUrl: job.moduleUrl, args, executeIndex: 0, configuration }, 30_000);
  } catch (e) {
    // The program threw before its first execute(): that is its error, not plan mode's.
    throw programFailure(
      file,
      e instanceof SluiceError && e.code === 'PLAN_MODE_FAILED' && e.cause !== undefined ? e.cause : e,
    );
  }
  process.stdout.write(`${JSON.stringify(describePlan(graph, createJobGraph(graph)), null, 2)}\n`);
}
