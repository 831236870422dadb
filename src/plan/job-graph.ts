// The JobGraph: operators chained into vertices by Flink's chaining rules. It is plain data (no
// functions), so it can travel to TaskManagers; each side finds the functions by node id in the
// StreamGraph it rebuilt in plan mode.
import type { StreamEdge, StreamGraph, StreamNode } from './stream-graph.ts';
import type { PartitionerKind } from './transformation.ts';

/** An edge between two vertices, as it crosses the wire. */
export interface JobEdge {
  /** The StreamEdge id (unique in the job). */
  readonly id: number;
  readonly sourceVertex: number;
  readonly targetVertex: number;
  readonly sourceNode: number;
  readonly targetNode: number;
  readonly typeNumber: 1 | 2;
  readonly partitioner: PartitionerKind;
  readonly outputTag: string | undefined;
}

/** A chain of operators that runs as one task per subtask. */
export interface JobVertex {
  readonly id: number;
  readonly name: string;
  readonly parallelism: number;
  readonly maxParallelism: number;
  /** Node ids of the chain in topological order; the first is the head. */
  readonly nodeIds: readonly number[];
  readonly operatorIds: readonly string[];
  readonly isSource: boolean;
  readonly inputs: readonly JobEdge[];
  readonly outputs: readonly JobEdge[];
}

/** The whole job as vertices and edges. */
export interface JobGraph {
  readonly jobName: string;
  readonly vertices: readonly JobVertex[];
  readonly fingerprint: string;
}

/** Flink's rule: an edge is chained when nothing about it requires a network exchange. */
export function isChainable(edge: StreamEdge, graph: StreamGraph): boolean {
  if (!graph.chainingEnabled) return false;
  const up = graph.nodes[edge.source]!;
  const down = graph.nodes[edge.target]!;
  return (
    down.inEdges.length === 1 &&
    edge.partitioner.kind === 'forward' &&
    up.parallelism === down.parallelism &&
    down.chaining === 'always' &&
    up.chaining !== 'never' &&
    !up.isSink
  );
}

function chainName(nodes: StreamNode[]): string {
  return nodes.map((n, i) => (i === 0 && n.kind === 'source' ? `Source: ${n.name}` : n.name)).join(' -> ');
}

/**
 * Chains a StreamGraph into a JobGraph.
 *
 * @example
 * const jobGraph = createJobGraph(streamGraph);
 */
export function createJobGraph(graph: StreamGraph): JobGraph {
  const vertexOf = new Map<number, number>();
  const members: StreamNode[][] = [];
  for (const node of graph.nodes) {
    const only = node.inEdges.length === 1 ? node.inEdges[0]! : undefined;
    if (only !== undefined && isChainable(only, graph)) {
      const v = vertexOf.get(only.source)!;
      vertexOf.set(node.id, v);
      members[v]!.push(node);
    } else {
      vertexOf.set(node.id, members.length);
      members.push([node]);
    }
  }
  const toJobEdge = (e: StreamEdge): JobEdge => ({
    id: e.id,
    sourceVertex: vertexOf.get(e.source)!,
    targetVertex: vertexOf.get(e.target)!,
    sourceNode: e.source,
    targetNode: e.target,
    typeNumber: e.typeNumber,
    partitioner: e.partitioner.kind,
    outputTag: e.outputTag,
  });
  const vertices: JobVertex[] = members.map((nodes, id) => {
    const head = nodes[0]!;
    const inChain = new Set(nodes.map((n) => n.id));
    const outputs: JobEdge[] = [];
    for (const n of nodes) for (const e of n.outEdges) if (!inChain.has(e.target)) outputs.push(toJobEdge(e));
    return {
      id,
      name: chainName(nodes),
      parallelism: head.parallelism,
      maxParallelism: head.maxParallelism,
      nodeIds: nodes.map((n) => n.id),
      operatorIds: nodes.map((n) => n.operatorId),
      isSource: head.kind === 'source',
      inputs: head.inEdges.map(toJobEdge),
      outputs,
    };
  });
  return { jobName: graph.jobName, vertices, fingerprint: graph.fingerprint };
}

/** The channel pairs of an edge: which downstream subtasks each upstream subtask sends to. */
export function channelTargets(
  partitioner: PartitionerKind,
  sourceParallelism: number,
  targetParallelism: number,
  sourceSubtask: number,
): number[] {
  switch (partitioner) {
    case 'forward':
      return [sourceSubtask];
    case 'global':
      return [0];
    case 'rescale': {
      // Each upstream subtask feeds a contiguous group of downstream subtasks (or shares one).
      if (targetParallelism >= sourceParallelism) {
        const start = Math.floor((sourceSubtask * targetParallelism) / sourceParallelism);
        const end = Math.floor(((sourceSubtask + 1) * targetParallelism) / sourceParallelism);
        return Array.from({ length: Math.max(1, end - start) }, (_, i) => start + i);
      }
      return [Math.floor((sourceSubtask * targetParallelism) / sourceParallelism)];
    }
    case 'rebalance':
    case 'shuffle':
    case 'broadcast':
    case 'hash':
    case 'custom':
      return Array.from({ length: targetParallelism }, (_, i) => i);
    default: {
      const never: never = partitioner;
      return never;
    }
  }
}
