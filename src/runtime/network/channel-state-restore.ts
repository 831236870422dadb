// Restoring the in-flight data of an unaligned checkpoint: which recorded records a new subtask
// processes (input channel state) or sends again (output channel state). At the same parallelism
// every subtask takes back its own; at another one records are redistributed by the edge's
// partitioner, as they would have been routed had they been sent under the new parallelism.
import type {
  ChannelEdgeRef,
  InputChannelStateSnapshot,
  OutputChannelStateSnapshot,
} from '../../checkpoint/index.ts';
import { describeValue, SluiceError } from '../../core/index.ts';
import type { PartitionerSpec, StreamGraph } from '../../plan/index.ts';
import { assignToKeyGroup, computeOperatorIndexForKeyGroup } from '../../state/index.ts';
import type { BufferCodec } from './buffer-codec.ts';

/** One recorded record. */
export interface InFlightRecord {
  readonly value: unknown;
  readonly timestamp: number | undefined;
  readonly kind: number;
}

/** A channel state entry with the old subtask (and its vertex's parallelism) whose file held it. */
export interface OldChannelState<S> {
  readonly oldSubtask: number;
  readonly oldParallelism: number;
  readonly state: S;
}

/** An edge of the job being restored, resolved from a channel state entry. */
export interface RestoredEdge {
  readonly partitioner: PartitionerSpec;
  readonly typeNumber: 1 | 2;
  /** Max parallelism of the edge's target (key groups). */
  readonly maxParallelism: number;
}

/**
 * Finds the edge a channel state entry belongs to in the job being restored; fails with the
 * checkpoint and the edge named when the job has no such edge (it cannot be redistributed).
 */
export function resolveChannelEdge(
  graph: StreamGraph,
  ref: ChannelEdgeRef,
  checkpoint: string,
): RestoredEdge {
  for (const node of graph.nodes) {
    if (node.operatorId !== ref.sourceOperatorId) continue;
    for (const edge of node.outEdges) {
      if (edge.id !== ref.edgeId) continue;
      const target = graph.nodes[edge.target];
      if (target?.operatorId !== ref.targetOperatorId) break;
      return {
        partitioner: edge.partitioner,
        typeNumber: edge.typeNumber,
        maxParallelism: target.maxParallelism,
      };
    }
  }
  throw new SluiceError(
    'CHANNEL_STATE_UNMATCHED',
    `cannot restore ${checkpoint}: it holds in-flight data of edge ${ref.edgeId} from operator ${ref.sourceOperatorId} to operator ` +
      `${ref.targetOperatorId}, which job "${graph.jobName}" does not have. An unaligned checkpoint restores only into the same ` +
      'pipeline shape; take a savepoint (always aligned) to change the job.',
    { origin: 'user' },
  );
}

/** The records of serialized network buffers, in order (events are dropped: they are regenerated). */
export function recordsOf(buffers: readonly Uint8Array[], codec: BufferCodec): InFlightRecord[] {
  const out: InFlightRecord[] = [];
  for (const b of buffers) {
    const { values, timestamps, kinds } = codec.decode(b);
    for (let i = 0; i < values.length; i++) {
      out.push({ value: values[i], timestamp: timestamps?.[i] ?? undefined, kind: kinds?.[i] ?? 0 });
    }
  }
  return out;
}

/** Target subtask of a keyed (hash or custom) record under `parallelism`. */
function keyedTarget(
  spec: Extract<PartitionerSpec, { key: unknown }>,
  value: unknown,
  parallelism: number,
  maxParallelism: number,
  where: string,
): number {
  const key = spec.key(value as never);
  if (key === undefined || key === null) {
    throw new SluiceError(
      'CHANNEL_STATE_UNROUTABLE',
      `${where}: key selector returned ${String(key)} for in-flight record ${describeValue(value)}`,
      { origin: 'user' },
    );
  }
  if (spec.kind === 'hash') {
    return computeOperatorIndexForKeyGroup(
      maxParallelism,
      parallelism,
      assignToKeyGroup(key, maxParallelism),
    );
  }
  const p = spec.partition(key as never, parallelism);
  if (!Number.isInteger(p) || p < 0 || p >= parallelism) {
    throw new SluiceError(
      'CHANNEL_STATE_UNROUTABLE',
      `${where}: custom partitioner returned ${describeValue(p)} for key ${describeValue(key)}; expected an integer in [0, ${parallelism})`,
      { origin: 'user' },
    );
  }
  return p;
}

/**
 * The recorded input records that new subtask `subtask` (of `parallelism`) processes before any
 * new input, in order (per old channel, in arrival order). Same parallelism: its own. Otherwise
 * keyed edges go to the owner of the record's key group, broadcast edges take the copy of old
 * subtask `subtask mod old parallelism` (the one whose state it continues), other edges are
 * dealt round-robin over the new subtasks.
 *
 * @example
 * const records = restoredInputRecords(entries, (e) => resolveChannelEdge(graph, e, dir), 0, 3, codec, dir);
 */
export function restoredInputRecords(
  entries: readonly OldChannelState<InputChannelStateSnapshot>[],
  edgeOf: (ref: ChannelEdgeRef) => RestoredEdge,
  subtask: number,
  parallelism: number,
  codec: BufferCodec,
  checkpoint: string,
): Array<{ readonly input: 1 | 2; readonly record: InFlightRecord }> {
  const out: Array<{ input: 1 | 2; record: InFlightRecord }> = [];
  // Round-robin position over every non-keyed record, the same in every new subtask (they read
  // the same files in the same order).
  let dealt = 0;
  for (const { oldSubtask, oldParallelism, state } of entries) {
    const edge = edgeOf(state);
    const input = edge.typeNumber;
    if (oldParallelism === parallelism) {
      if (oldSubtask !== subtask) continue;
      for (const record of recordsOf(state.buffers, codec)) out.push({ input, record });
      continue;
    }
    const spec = edge.partitioner;
    const where = `restoring in-flight data of edge ${state.edgeId} from ${checkpoint}`;
    switch (spec.kind) {
      case 'hash':
      case 'custom':
        for (const record of recordsOf(state.buffers, codec)) {
          if (keyedTarget(spec, record.value, parallelism, edge.maxParallelism, where) === subtask)
            out.push({ input, record });
        }
        break;
      case 'broadcast':
        if (subtask % oldParallelism !== oldSubtask) break;
        for (const record of recordsOf(state.buffers, codec)) out.push({ input, record });
        break;
      case 'global':
        if (subtask !== 0) break;
        for (const record of recordsOf(state.buffers, codec)) out.push({ input, record });
        break;
      case 'forward':
      case 'rebalance':
      case 'rescale':
      case 'shuffle':
        for (const record of recordsOf(state.buffers, codec)) {
          if (dealt++ % parallelism === subtask) out.push({ input, record });
        }
        break;
      default: {
        const never: never = spec;
        throw new SluiceError('CHANNEL_STATE_UNROUTABLE', `${where}: unknown partitioner ${String(never)}`, {
          origin: 'internal',
        });
      }
    }
  }
  return out;
}

/**
 * The recorded output entries new subtask `subtask` (of `parallelism`) sends again before any new
 * input: its own at the same parallelism, else those of the old subtasks `≡ subtask mod
 * parallelism` (every entry is sent by exactly one new subtask; its RecordWriter routes them).
 *
 * @example
 * for (const e of restoredOutputEntries(entries, 1, 2)) writer.emitRestored(...);
 */
export function restoredOutputEntries(
  entries: readonly OldChannelState<OutputChannelStateSnapshot>[],
  subtask: number,
  parallelism: number,
): OldChannelState<OutputChannelStateSnapshot>[] {
  return entries.filter((e) => e.oldSubtask % parallelism === subtask);
}
