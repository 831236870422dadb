// Checkpoint storage on a file system (local disk, or a shared mount in a cluster): task state
// files, and the checkpoint's `_metadata`, written atomically (write, fsync, rename) — a
// checkpoint exists only once its metadata does.

import { existsSync, readFileSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SluiceError } from '../core/index.ts';
import type { ChannelEdgeRef } from './task-state-snapshot.ts';

/** Turns `file:///x` or a path into an absolute directory path. */
export function storagePath(dirOrUri: string): string {
  if (dirOrUri.startsWith('file:')) return fileURLToPath(dirOrUri);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(dirOrUri)) {
    throw new SluiceError(
      'UNSUPPORTED_STORAGE',
      `checkpoint storage "${dirOrUri}": only local or mounted directories (paths or file:// URIs) are supported`,
    );
  }
  return resolve(dirOrUri);
}

/** The default checkpoint base directory. */
export function defaultCheckpointBase(): string {
  return join(tmpdir(), 'sluice-checkpoints');
}

/** Writes a file durably: to a temporary name, fsync, then rename. */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
}

/** A file written piece by piece, durable and visible under its name only after {@link AtomicFileWriter.commit}. */
export interface AtomicFileWriter {
  /** Appends bytes (in order; await each before the next). */
  write(chunk: Uint8Array): Promise<void>;
  /** fsync, then rename to the final name. */
  commit(): Promise<void>;
  /** Closes and deletes the temporary file (idempotent; also after a failed commit). */
  abort(): Promise<void>;
}

/**
 * Opens a file for writing in pieces, atomically: to a temporary name first, renamed on commit.
 *
 * @example
 * const w = await openAtomicFileWriter('/ckpt/chk-1/0-0.state');
 * await w.write(bytes);
 * await w.commit();
 */
export async function openAtomicFileWriter(path: string): Promise<AtomicFileWriter> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  const fh = await open(tmp, 'w');
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await fh.close();
  };
  return {
    write: async (chunk) => {
      let off = 0;
      while (off < chunk.length) off += (await fh.write(chunk, off, chunk.length - off)).bytesWritten;
    },
    commit: async () => {
      await fh.sync();
      await close();
      await rename(tmp, path);
    },
    abort: async () => {
      await close().catch(() => {});
      await rm(tmp, { force: true });
    },
  };
}

/** A subtask's state file as recorded in the metadata. */
export interface StateFileHandle {
  readonly vertexId: number;
  readonly subtask: number;
  readonly parallelism: number;
  /** Path relative to the checkpoint directory. */
  readonly file: string;
  readonly bytes: number;
  readonly operatorIds: readonly string[];
  /** How long the task was blocked taking its snapshot at the barrier (ms; absent in older metadata). */
  readonly syncDurationMs?: number;
  /** From the barrier to the file written durably (ms; absent in older metadata). */
  readonly asyncDurationMs?: number;
  /** Unaligned checkpoints: the edges whose in-flight data the file holds (checked on restore). */
  readonly channelEdges?: readonly ChannelEdgeRef[];
}

/** Operator description recorded with a checkpoint (to match operators on restore). */
export interface OperatorMetadata {
  readonly operatorId: string;
  readonly uid: string | undefined;
  readonly name: string;
  readonly parallelism: number;
  readonly maxParallelism: number;
}

/** The `_metadata` of a completed checkpoint or savepoint. */
export interface CheckpointMetadata {
  readonly version: 1;
  readonly jobId: string;
  readonly jobName: string;
  readonly checkpointId: number;
  readonly timestamp: number;
  readonly savepoint: boolean;
  readonly operators: readonly OperatorMetadata[];
  readonly files: readonly StateFileHandle[];
  /** Split enumerator states by source operator id. */
  readonly enumerators: Record<string, unknown>;
}

export const METADATA_FILE = '_metadata';

/** Writes a checkpoint's metadata atomically; returns the checkpoint directory. */
export async function writeMetadata(dir: string, metadata: CheckpointMetadata): Promise<string> {
  await writeFileAtomic(join(dir, METADATA_FILE), JSON.stringify(metadata));
  return dir;
}

/** Reads and validates a checkpoint's or savepoint's metadata; `path` is its directory or `_metadata` file. */
export function readMetadata(path: string): { dir: string; metadata: CheckpointMetadata } {
  const abs = storagePath(path);
  const file = abs.endsWith(METADATA_FILE) ? abs : join(abs, METADATA_FILE);
  const dir = dirname(file);
  if (!existsSync(file)) {
    throw new SluiceError(
      'CHECKPOINT_NOT_FOUND',
      existsSync(dir)
        ? `${file} does not exist: "${path}" is not a completed checkpoint or savepoint`
        : `checkpoint or savepoint "${path}" does not exist`,
    );
  }
  let metadata: CheckpointMetadata;
  try {
    metadata = JSON.parse(readFileSync(file, 'utf8')) as CheckpointMetadata;
  } catch (e) {
    throw new SluiceError('CORRUPT_CHECKPOINT', `${file} is corrupt: ${(e as Error).message}`, { cause: e });
  }
  if (
    metadata === null ||
    typeof metadata !== 'object' ||
    metadata.version !== 1 ||
    !Array.isArray(metadata.files) ||
    !Array.isArray(metadata.operators)
  ) {
    throw new SluiceError('CORRUPT_CHECKPOINT', `${file} is not Sluice checkpoint metadata (version 1)`);
  }
  for (const f of metadata.files) {
    if (!existsSync(join(dir, f.file))) {
      throw new SluiceError('CORRUPT_CHECKPOINT', `checkpoint ${dir} is missing state file ${f.file}`);
    }
  }
  return { dir, metadata };
}

/** Reads a state file of a checkpoint. */
export async function readStateFile(dir: string, file: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(join(dir, file)));
  } catch (e) {
    throw new SluiceError(
      'CORRUPT_CHECKPOINT',
      `cannot read state file ${join(dir, file)}: ${(e as Error).message}`,
      {
        cause: e,
      },
    );
  }
}

/** Deletes a checkpoint directory (subsumed checkpoints). */
export async function discardCheckpoint(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** Size in bytes of the files directly in a directory. */
export async function directorySize(dir: string): Promise<number> {
  let total = 0;
  for (const name of await readdir(dir)) total += (await stat(join(dir, name))).size;
  return total;
}
