// The asynchronous phase of a task's checkpoint: writes its state file while the task goes on
// processing records. Keyed state comes from snapshots pinned at the barrier and is encoded and
// written a slice at a time, yielding to the event loop between slices.
import { Packr } from 'msgpackr';
import { SluiceError } from '../core/index.ts';
import type { KeyedStateSnapshot, PinnedKeyedStateSnapshot } from '../state/index.ts';
import { type AtomicFileWriter, openAtomicFileWriter } from './checkpoint-storage.ts';
import type { OperatorSnapshot, TaskStateSnapshot } from './task-state-snapshot.ts';

/**
 * Format version of a sliced task state file: a sequence of msgpack values — the header (the
 * {@link TaskStateSnapshot} with `keyedSlices: true`, without the keyed state of pinned
 * snapshots), then one value per slice `[operatorId, table, keyGroup, entries]`, then the trailer
 * `{ keyedSlicesEnd: <number of slices> }` (a file cut short is detected), then, optionally, more
 * values that the unsliced format also appends (channel state of unaligned checkpoints).
 */
export const SLICED_STATE_FORMAT_VERSION = 4;

/** Keyed state of one operator, pinned at the barrier. */
export interface PinnedOperatorKeyedState {
  readonly operatorId: string;
  readonly pinned: PinnedKeyedStateSnapshot;
}

/** Options of {@link writeTaskStateFile}. */
export interface TaskStateWriteOptions {
  /** Entries per slice (default 2048). */
  readonly sliceEntries?: number;
  /** Encoding time after which the writer yields to the event loop (ms, default 4). */
  readonly yieldAfterMs?: number;
  /** Asked between slices: a reason stops the write (checkpoint aborted, task stopping). */
  readonly cancelled?: () => string | undefined;
  /** Bytes appended after the keyed state (e.g. channel state), awaited once the slices are written. */
  readonly tail?: () => Promise<Uint8Array | undefined> | Uint8Array | undefined;
}

/** What {@link writeTaskStateFile} wrote. */
export interface TaskStateWriteResult {
  readonly bytes: number;
  readonly slices: number;
}

const packr = new Packr({ useRecords: true, moreTypes: true, structuredClone: true });
/** Output is gathered into chunks of about this size before it is handed to the file. */
const WRITE_CHUNK_BYTES = 1 << 20;

/**
 * Writes a task's state file durably (temporary name, fsync, rename): the header, then the keyed
 * state read from the pinned snapshots (released when done, also on failure or cancellation).
 *
 * @example
 * const { bytes } = await writeTaskStateFile(join(dir, '0-0.state'), header, [{ operatorId, pinned }]);
 */
export async function writeTaskStateFile(
  path: string,
  header: TaskStateSnapshot,
  keyed: readonly PinnedOperatorKeyedState[],
  options: TaskStateWriteOptions = {},
): Promise<TaskStateWriteResult> {
  const sliceEntries = options.sliceEntries ?? 2048;
  const yieldAfter = options.yieldAfterMs ?? 4;
  let writer: AtomicFileWriter | undefined;
  let bytes = 0;
  let slices = 0;
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  const add = (value: unknown): void => {
    const b = packr.pack(value);
    // pack() reuses its buffer: keep a copy.
    pending.push(Uint8Array.prototype.slice.call(b));
    pendingBytes += b.length;
  };
  const flush = async (): Promise<void> => {
    if (pending.length === 0) return;
    const chunk = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes);
    pending = [];
    bytes += pendingBytes;
    pendingBytes = 0;
    await writer!.write(chunk);
  };
  try {
    writer = await openAtomicFileWriter(path);
    add({ ...header, version: SLICED_STATE_FORMAT_VERSION, keyedSlices: true });
    for (const { operatorId, pinned } of keyed) {
      let started = performance.now();
      for (let s = pinned.next(sliceEntries); s !== undefined; s = pinned.next(sliceEntries)) {
        add([operatorId, s[0], s[1], s[2]]);
        slices++;
        if (pendingBytes >= WRITE_CHUNK_BYTES) await flush();
        if (performance.now() - started >= yieldAfter) {
          await flush();
          await new Promise<void>((resolve) => setImmediate(resolve));
          const reason = options.cancelled?.();
          if (reason !== undefined) {
            throw new SluiceError('CHECKPOINT_CANCELLED', `writing ${path} stopped: ${reason}`, {
              origin: 'external',
            });
          }
          started = performance.now();
        }
      }
      pinned.release();
    }
    add({ keyedSlicesEnd: slices });
    await flush();
    const tail = await options.tail?.();
    if (tail !== undefined && tail.length > 0) {
      await writer.write(tail);
      bytes += tail.length;
    }
    await writer.commit();
    return { bytes, slices };
  } catch (e) {
    await writer?.abort().catch(() => {});
    throw e;
  } finally {
    for (const k of keyed) k.pinned.release();
  }
}

/** Whether a file's first value is the header of a sliced task state file. */
export function isSlicedTaskState(first: unknown): boolean {
  return (
    first !== null && typeof first === 'object' && (first as { keyedSlices?: unknown }).keyedSlices === true
  );
}

/**
 * Reassembles a sliced task state file's values (as decoded) into one task state; returns it
 * and the values after the trailer. `source` names the file in errors.
 *
 * @example
 * const { snapshot, rest } = joinKeyedSlices(packr.unpackMultiple(bytes), '/ckpt/chk-3/0-0.state');
 */
export function joinKeyedSlices(
  values: readonly unknown[],
  source: string,
): { snapshot: TaskStateSnapshot; rest: unknown[] } {
  const corrupt = (what: string): SluiceError =>
    new SluiceError('CORRUPT_STATE', `state file ${source} is corrupt: ${what}`, { origin: 'external' });
  const header = values[0] as TaskStateSnapshot & { keyedSlices?: boolean };
  if (typeof header.operators !== 'object' || header.operators === null) {
    throw corrupt('its header has no operators');
  }
  const operators: Record<string, OperatorSnapshot> = {};
  for (const [id, op] of Object.entries(header.operators)) operators[id] = { ...op };
  let i = 1;
  for (; i < values.length; i++) {
    const v = values[i];
    if (!Array.isArray(v)) {
      const end = (v as { keyedSlicesEnd?: unknown } | null)?.keyedSlicesEnd;
      if (end === i - 1) break;
      throw corrupt(
        typeof end === 'number'
          ? `it ends after ${i - 1} slices of keyed state, but its trailer says ${end}`
          : `value ${i} is neither a slice of keyed state nor the trailer`,
      );
    }
    const [operatorId, table, keyGroup, entries] = v as [unknown, unknown, unknown, unknown];
    if (
      typeof operatorId !== 'string' ||
      typeof table !== 'string' ||
      typeof keyGroup !== 'number' ||
      !Array.isArray(entries)
    ) {
      throw corrupt(`slice ${i} is not [operator id, state, key group, entries]`);
    }
    let op = operators[operatorId];
    if (op === undefined) operators[operatorId] = op = {};
    let keyedState: KeyedStateSnapshot | undefined = op.keyed;
    if (keyedState === undefined) op.keyed = keyedState = {};
    let groups = keyedState[table];
    if (groups === undefined) keyedState[table] = groups = [];
    const last = groups[groups.length - 1];
    if (last !== undefined && last[0] === keyGroup) {
      for (const e of entries) last[1].push(e as [unknown, unknown]);
    } else {
      groups.push([keyGroup, entries as Array<[unknown, unknown]>]);
    }
  }
  if (i >= values.length) throw corrupt('it was cut short (no trailer after the keyed state)');
  const { keyedSlices: _sliced, ...rest } = header;
  return { snapshot: { ...rest, operators }, rest: values.slice(i + 1) };
}
