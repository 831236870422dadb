// Which state files each new subtask reads when a job starts from a checkpoint or savepoint, and
// whether the checkpoint's operators match the job's (by operator id, i.e. by uid when set).
import { SluiceError } from '../core/index.ts';
import type { StreamGraph } from '../plan/index.ts';
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
  for (const o of metadata.operators) {
    const node = byId.get(o.operatorId);
    if (node !== undefined && withState.has(o.operatorId) && node.maxParallelism !== o.maxParallelism) {
      throw new SluiceError(
        'MAX_PARALLELISM_CHANGED',
        `cannot restore ${dir}: operator "${node.name}" has max parallelism ${node.maxParallelism} but its state was written with ` +
          `max parallelism ${o.maxParallelism}; the max parallelism is fixed by the first run of a job`,
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
