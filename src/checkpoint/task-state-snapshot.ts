// The format of a task's state in a checkpoint: per operator (by operator id), its keyed state
// by key group, its timers, its operator list/union state and its broadcast state. Written as one
// msgpack file per task; savepoints use the same (stable, versioned) format.
import { Packr } from 'msgpackr';
import { SluiceError } from '../core/index.ts';
import type { KeyedStateSnapshot } from '../state/index.ts';
import { isSlicedTaskState, joinKeyedSlices, SLICED_STATE_FORMAT_VERSION } from './task-state-writer.ts';

/**
 * Version of the task state format; bumped on incompatible changes. 2: objects are written as
 * msgpack records, so that Maps (namespaced state such as window contents, MapState) come back as
 * Maps; version 1 decoded every Map as a plain object.
 */
export const STATE_FORMAT_VERSION = 2;

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

/** The state of one task (a chain of operators). */
export interface TaskStateSnapshot {
  readonly version: number;
  readonly checkpointId: number;
  readonly vertexId: number;
  readonly subtask: number;
  readonly parallelism: number;
  readonly operators: Record<string, OperatorSnapshot>;
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

/** Parses a task snapshot file's content; `source` names the file for error messages. */
export function decodeTaskState(bytes: Uint8Array, source: string): TaskStateSnapshot {
  let value: unknown;
  try {
    const values = packr.unpackMultiple(bytes) as unknown[];
    value = values[0];
    // Written asynchronously: keyed state follows the header in slices (task-state-writer.ts).
    if (isSlicedTaskState(value)) value = joinKeyedSlices(values, source).snapshot;
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
  return s as TaskStateSnapshot;
}
