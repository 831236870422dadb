// Which state files each new subtask reads when a job starts from a checkpoint or savepoint, and
// whether the checkpoint's operators match the job's (by operator id, i.e. by uid when set).
import { SluiceError } from '../core/index.ts';
import { isChainable, type StreamGraph } from '../plan/index.ts';
import type { CheckpointMetadata } from './checkpoint-storage.ts';

/** The files a task restores from. */
export interface RestoreFiles {
  readonly checkpointId: number;
  readonly dir: string;
  readonly files: readonly { readonly file: string; readonly operatorIds: readonly string[] }[];
}

/**
 * Checks that the checkpoint can be restored into the job: every operator with state in the
 * checkpoint must exist in the job (unless `allowNonRestoredState`), with the same max parallelism.
 */
export function checkRestoreCompatibility(
  metadata: CheckpointMetadata,
  dir: string,
  graph: StreamGraph,
  allowNonRestoredState: boolean,
): void {
  const byId = new Map(graph.nodes.map((n) => [n.operatorId, n]));
  const withState = new Set(metadata.files.flatMap((f) => f.operatorIds));
  const unmatched = metadata.operators.filter((o) => withState.has(o.operatorId) && !byId.has(o.operatorId));
  if (unmatched.length > 0 && !allowNonRestoredState) {
    const list = unmatched.map((o) =>
      o.uid === undefined ? `"${o.name}" (no uid, id ${o.operatorId})` : `uid "${o.uid}" ("${o.name}")`,
    );
    throw new SluiceError(
      'UNMATCHED_STATE',
      `cannot restore ${dir}: the state of ${unmatched.length} operator(s) does not match any operator of job ` +
        `"${graph.jobName}": ${list.join(', ')}. Give operators stable uids with uid(), or pass ` +
        '--allowNonRestoredState (execution.savepoint.ignore-unclaimed-state) to skip that state.',
    );
  }
  checkChannelState(metadata, dir, graph);
  for (const o of metadata.operators) {
    const node = byId.get(o.operatorId);
    if (node !== undefined && withState.has(o.operatorId) && node.maxParallelism !== o.maxParallelism) {
      throw new SluiceError(
        'MAX_PARALLELISM_CHANGED',
        `cannot restore ${dir}: operator "${node.name}" has max parallelism ${node.maxParallelism} but its state was written with ` +
          `max parallelism ${o.maxParallelism}; the max parallelism is fixed by the first run of a job: set it to ` +
          `${o.maxParallelism} (env.setMaxParallelism(${o.maxParallelism}) or pipeline.max-parallelism, or ` +
          `setMaxParallelism(${o.maxParallelism}) on the operator)`,
      );
    }
  }
}

/**
 * An unaligned checkpoint's in-flight data is replayed into the exchange it was recorded on: the
 * job must still have that edge between the same operators, as a network exchange (not chained).
 * In-flight data cannot be dropped or guessed, so anything else fails the restore, naming the
 * checkpoint and the edge.
 */
function checkChannelState(metadata: CheckpointMetadata, dir: string, graph: StreamGraph): void {
  const describe = (operatorId: string): string => {
    const o = metadata.operators.find((x) => x.operatorId === operatorId);
    if (o === undefined) return `operator ${operatorId}`;
    return o.uid === undefined ? `"${o.name}" (id ${operatorId})` : `"${o.name}" (uid ${o.uid})`;
  };
  for (const f of metadata.files) {
    for (const ref of f.channelEdges ?? []) {
      const source = graph.nodes.find((n) => n.operatorId === ref.sourceOperatorId);
      const edge = source?.outEdges.find((e) => e.id === ref.edgeId);
      const target = edge === undefined ? undefined : graph.nodes[edge.target];
      if (edge !== undefined && target?.operatorId === ref.targetOperatorId && !isChainable(edge, graph))
        continue;
      throw new SluiceError(
        'CHANNEL_STATE_UNMATCHED',
        `cannot restore ${dir}: unaligned checkpoint ${metadata.checkpointId} holds in-flight data of the exchange ` +
          `(edge ${ref.edgeId}) from ${describe(ref.sourceOperatorId)} to ${describe(ref.targetOperatorId)}, which job ` +
          `"${graph.jobName}" does not have ${edge === undefined || target?.operatorId !== ref.targetOperatorId ? '' : 'as a network exchange (it is chained now) '}` +
          '— in-flight data can only be restored into the same pipeline shape. Restore from a savepoint ' +
          '(always aligned) to change the job.',
      );
    }
  }
}

/** The state files relevant to a set of operators (every old subtask's file holding one of them). */
export function restoreFilesFor(
  metadata: CheckpointMetadata,
  dir: string,
  operatorIds: readonly string[],
): RestoreFiles | undefined {
  const wanted = new Set(operatorIds);
  const files = [...metadata.files]
    .filter((f) => f.operatorIds.some((id) => wanted.has(id)))
    .sort((a, b) => a.vertexId - b.vertexId || a.subtask - b.subtask)
    .map((f) => ({ file: f.file, operatorIds: f.operatorIds }));
  if (files.length === 0) return undefined;
  return { checkpointId: metadata.checkpointId, dir, files };
}
