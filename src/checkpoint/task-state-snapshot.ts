// The format of a task's state in a checkpoint: per operator (by operator id), its keyed state
// by key group, its timers, its operator list/union state and its broadcast state. Written as one
// msgpack file per task; savepoints use the same (stable, versioned) format. An unaligned
// checkpoint appends the task's in-flight data (its channel state) as a second msgpack value.
import { Packr } from 'msgpackr';
import { SluiceError } from '../core/index.ts';
import type { KeyedStateSnapshot } from '../state/index.ts';
import { isSlicedTaskState, joinKeyedSlices, SLICED_STATE_FORMAT_VERSION } from './task-state-writer.ts';

/**
 * Version of the task state format; bumped on incompatible changes. 2: objects are written as
 * msgpack records, so that Maps (namespaced state such as window contents, MapState) come back as
 * Maps; version 1 decoded every Map as a plain object. 3: the file may hold a second msgpack value
 * after the task state, its channel state ({@link ChannelStateSnapshot}); versions 1 and 2 are
 * still read.
 */
export const STATE_FORMAT_VERSION = 3;

/** Timers of a keyed operator: [timestamp, key, namespace]. */
export interface TimerSnapshot {
  readonly eventTime: Array<[number, unknown, string]>;
  readonly processingTime: Array<[number, unknown, string]>;
}

/** Operator list state: `union` lists go whole to every subtask on restore. */
export interface OperatorListSnapshot {
  readonly union: boolean;
  readonly items: unknown[];
}

/** The state of one operator subtask. */
export interface OperatorSnapshot {
  keyed?: KeyedStateSnapshot;
  timers?: TimerSnapshot;
  lists?: Record<string, OperatorListSnapshot>;
  broadcast?: Record<string, Array<[unknown, unknown]>>;
}

/** Which edge of the job graph a channel belongs to (checked against the job on restore). */
export interface ChannelEdgeRef {
  /** The StreamEdge id. */
  readonly edgeId: number;
  /** Operator ids at both ends of the edge. */
  readonly sourceOperatorId: string;
  readonly targetOperatorId: string;
}

/**
 * In-flight data of one input channel: what arrived after the task's snapshot and before the
 * channel's unaligned barrier. Buffers are network buffers (see the runtime's BufferCodec); only
 * their records count on restore, watermarks and idleness are regenerated.
 */
export interface InputChannelStateSnapshot extends ChannelEdgeRef {
  readonly input: 1 | 2;
  readonly sourceSubtask: number;
  readonly buffers: Uint8Array[];
}

/** In-flight data of one output channel: the buffers its unaligned barrier overtook. */
export interface OutputChannelStateSnapshot extends ChannelEdgeRef {
  /** Index of the channel among the edge's channels of this subtask (= target subtask, except rescale). */
  readonly channelIndex: number;
  /** Parallelism of the edge's target when the checkpoint was taken. */
  readonly targetParallelism: number;
  readonly buffers: Uint8Array[];
}

/** The in-flight data of a task in an unaligned checkpoint. */
export interface ChannelStateSnapshot {
  readonly inputs: InputChannelStateSnapshot[];
  readonly outputs: OutputChannelStateSnapshot[];
}

/** The state of one task (a chain of operators). */
export interface TaskStateSnapshot {
  readonly version: number;
  readonly checkpointId: number;
  readonly vertexId: number;
  readonly subtask: number;
  readonly parallelism: number;
  readonly operators: Record<string, OperatorSnapshot>;
  /** Unaligned checkpoints: the task's in-flight data (absent when there was none). */
  readonly channelState?: ChannelStateSnapshot;
}

/** Bytes of in-flight data in a channel state. */
export function channelStateSize(state: ChannelStateSnapshot): number {
  let n = 0;
  for (const c of state.inputs) for (const b of c.buffers) n += b.byteLength;
  for (const c of state.outputs) for (const b of c.buffers) n += b.byteLength;
  return n;
}

const packr = new Packr({ useRecords: true, moreTypes: true, structuredClone: true });
/** Reads version-1 files (objects as msgpack maps). */
const packrV1 = new Packr({ useRecords: false, moreTypes: true, structuredClone: true });

/** Serializes a task snapshot (synchronously: the result no longer shares objects with live state). */
export function encodeTaskState(snapshot: TaskStateSnapshot): Uint8Array {
  const packed = packr.pack(snapshot);
  const copy = new Uint8Array(packed.length);
  copy.set(packed);
  return copy;
}

/**
 * Appends the channel state of an unaligned checkpoint to an encoded task state (the operators
 * are serialized at the snapshot, the channel state only once every barrier has arrived).
 *
 * @example
 * const file = appendChannelState(encodeTaskState(snapshot), { inputs: [], outputs: [] });
 */
export function appendChannelState(taskState: Uint8Array, channelState: ChannelStateSnapshot): Uint8Array {
  const packed = packr.pack(channelState);
  const out = new Uint8Array(taskState.length + packed.length);
  out.set(taskState);
  out.set(packed, taskState.length);
  return out;
}

/** Parses a task snapshot file's content; `source` names the file for error messages. */
export function decodeTaskState(bytes: Uint8Array, source: string): TaskStateSnapshot {
  let value: unknown;
  let channelState: unknown;
  try {
    const values = packr.unpackMultiple(bytes) as unknown[];
    value = values[0];
    channelState = values[1];
    if (isSlicedTaskState(value)) {
      // Written asynchronously: keyed state follows the header in slices (task-state-writer.ts).
      const joined = joinKeyedSlices(values, source);
      value = joined.snapshot;
      channelState = joined.rest[0];
    }
    // A version-1 file has no records: its top-level object reads as a Map here.
    else if (value instanceof Map) value = packrV1.unpack(bytes);
  } catch (e) {
    if (e instanceof SluiceError) throw e;
    throw new SluiceError('CORRUPT_STATE', `state file ${source} is corrupt: ${(e as Error).message}`, {
      origin: 'external',
      cause: e,
    });
  }
  const s = value as Partial<TaskStateSnapshot> | null;
  if (
    s === null ||
    typeof s !== 'object' ||
    typeof s.operators !== 'object' ||
    typeof s.version !== 'number'
  ) {
    throw new SluiceError('CORRUPT_STATE', `state file ${source} is corrupt: not a Sluice task state file`, {
      origin: 'external',
    });
  }
  if (s.version > Math.max(STATE_FORMAT_VERSION, SLICED_STATE_FORMAT_VERSION)) {
    throw new SluiceError(
      'UNSUPPORTED_STATE_VERSION',
      `state file ${source} has format version ${s.version}; this Sluice reads up to ${Math.max(STATE_FORMAT_VERSION, SLICED_STATE_FORMAT_VERSION)}`,
      { origin: 'external' },
    );
  }
  if (channelState !== undefined) {
    const c = channelState as Partial<ChannelStateSnapshot> | null;
    if (c === null || typeof c !== 'object' || !Array.isArray(c.inputs) || !Array.isArray(c.outputs)) {
      throw new SluiceError('CORRUPT_STATE', `state file ${source} has a malformed channel state`, {
        origin: 'external',
      });
    }
    return { ...(s as TaskStateSnapshot), channelState: c as ChannelStateSnapshot };
  }
  return s as TaskStateSnapshot;
}
