// The checkpoint benchmarks of issue #5: what checkpointing every second costs a keyed-count job,
// and how long a checkpoint of a large state takes — how long the task is blocked at the barrier
// and how long until the file is durable, synchronous or asynchronous — how big it is, and how
// long restoring it takes.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getHeapStatistics } from 'node:v8';
import {
  decodeTaskState,
  encodeTaskState,
  readStateFile,
  STATE_FORMAT_VERSION,
  writeFileAtomic,
  writeTaskStateFile,
} from '../../src/checkpoint/index.ts';
import {
  createKeyedStateBackend,
  type KeyedStateBackend,
  ValueStateDescriptor,
} from '../../src/state/index.ts';
import { runJobModule } from '../../src/testing/index.ts';
import { measure, round } from '../bench-suite.ts';
import { listenToSinks } from '../counting-sink.ts';

let runs = 0;

/** One completed checkpoint seen in the checkpoint directory. */
interface SeenCheckpoint {
  readonly id: number;
  /** Trigger to durable `_metadata` (the file's mtime), ms. */
  readonly durationMs: number;
  readonly bytes: number;
  /** Longest time a task was blocked at the barrier (from the metadata; undefined before). */
  readonly syncMs: number | undefined;
}

/** Watches a checkpoint base directory for completed checkpoints (their `_metadata`). */
function watchCheckpoints(base: string): { stop(): SeenCheckpoint[] } {
  const seen = new Map<string, SeenCheckpoint>();
  const scan = (): void => {
    if (!existsSync(base)) return;
    for (const job of readdirSync(base)) {
      const jobDir = join(base, job);
      for (const chk of readdirSync(jobDir)) {
        const dir = join(jobDir, chk);
        const file = join(dir, '_metadata');
        if (seen.has(dir) || !existsSync(file)) continue;
        try {
          const meta = JSON.parse(readFileSync(file, 'utf8')) as {
            checkpointId: number;
            timestamp: number;
            files: Array<{ bytes: number; syncDurationMs?: number }>;
          };
          const syncs = meta.files.flatMap((f) => (f.syncDurationMs === undefined ? [] : [f.syncDurationMs]));
          seen.set(dir, {
            id: meta.checkpointId,
            durationMs: statSync(file).mtimeMs - meta.timestamp,
            bytes: meta.files.reduce((n, f) => n + f.bytes, 0),
            syncMs: syncs.length === 0 ? undefined : Math.max(...syncs),
          });
        } catch {
          // Discarded while being read: skip it.
        }
      }
    }
  };
  const timer = setInterval(scan, 50);
  return {
    stop: () => {
      clearInterval(timer);
      scan();
      return [...seen.values()].sort((a, b) => a.id - b.id);
    },
  };
}

/** One run of the keyed-count job. */
export interface KeyedCountRun {
  readonly intervalMs: number;
  readonly records: number;
  /** First record at a sink to the end of input at the last sink. */
  readonly seconds: number;
  readonly recordsPerSecond: number;
  /** CPU seconds of all threads of the process, first record to end of input. */
  readonly cpuSeconds: number;
  /** Records per CPU second: less sensitive than records/s to load from other processes. */
  readonly recordsPerCpuSecond: number;
  readonly jobSeconds: number;
  readonly checksumOk: boolean;
  readonly checkpoints: number;
  readonly meanCheckpointMs: number | null;
  readonly maxCheckpointMs: number | null;
  readonly meanCheckpointKb: number | null;
  /** Longest time a task was blocked at a barrier, over the run's checkpoints (ms). */
  readonly maxSyncPhaseMs: number | null;
}

/** The checksum of the sinks: every key counts 1..n. */
function expectedChecksum(records: number, keys: number): number {
  let sum = 0;
  for (let k = 0; k < Math.min(keys, records); k++) {
    const c = Math.floor(records / keys) + (k < records % keys ? 1 : 0);
    sum += (c * (c + 1)) / 2;
  }
  return sum;
}

/** Runs the keyed-count job once; `intervalMs` 0 = without checkpoints. */
export async function keyedCount(records: number, keys: number, intervalMs: number): Promise<KeyedCountRun> {
  const channel = `sluice-bench-checkpoints-${process.pid}-${++runs}`;
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-cp-'));
  const listener = listenToSinks(channel);
  const watcher = watchCheckpoints(dir);
  try {
    const m = await measure(() =>
      runJobModule(new URL('./keyed-count-job.ts', import.meta.url), [
        String(records),
        channel,
        String(keys),
        String(intervalMs),
        dir,
      ]),
    );
    const sinks = await listener.reports(2);
    const seen = watcher.stop();
    const first = Math.min(...sinks.flatMap((s) => (s.firstAt === null ? [] : [s.firstAt])));
    const seconds = (Math.max(...sinks.map((s) => s.endAt)) - first) / 1000;
    const cpuFirst = Math.min(...sinks.flatMap((s) => (s.cpuAtFirst === null ? [] : [s.cpuAtFirst])));
    const cpuSeconds = (Math.max(...sinks.map((s) => s.cpuAtEnd)) - cpuFirst) / 1e6;
    const mean = (xs: number[]) => (xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length);
    const meanMs = mean(seen.map((c) => c.durationMs));
    const meanBytes = mean(seen.map((c) => c.bytes));
    return {
      intervalMs,
      records,
      seconds: round(seconds),
      recordsPerSecond: Math.round(records / seconds),
      cpuSeconds: round(cpuSeconds),
      recordsPerCpuSecond: Math.round(records / cpuSeconds),
      jobSeconds: round(m.wallSeconds),
      checksumOk: sinks.reduce((n, s) => n + s.checksum, 0) === expectedChecksum(records, keys),
      checkpoints: seen.length,
      meanCheckpointMs: meanMs === null ? null : round(meanMs, 1),
      maxCheckpointMs: seen.length === 0 ? null : round(Math.max(...seen.map((c) => c.durationMs)), 1),
      meanCheckpointKb: meanBytes === null ? null : round(meanBytes / 1024, 1),
      maxSyncPhaseMs: seen.some((c) => c.syncMs !== undefined)
        ? Math.max(...seen.flatMap((c) => (c.syncMs === undefined ? [] : [c.syncMs])))
        : null,
    };
  } finally {
    watcher.stop();
    listener.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** How the large-state case checkpoints. */
export type LargeStateMode = 'sync' | 'async';

/** Result of {@link largeStateCheckpoint}. */
export interface LargeStateResult {
  readonly backend: string;
  readonly mode: LargeStateMode;
  readonly keys: number;
  readonly valueBytes: number;
  /** V8 heap used by the state (heap used after loading minus before; ~0 for lmdb). */
  readonly heapStateMb: number;
  readonly loadMs: number;
  /**
   * The task is blocked at the barrier for this long. sync: backend snapshot + encoding of the
   * whole file (as tasks did before asynchronous snapshots); async: pinning the snapshot.
   */
  readonly syncPhaseMs: number;
  /** After the barrier until the file is durable (write, fsync, rename; async: encoding too). */
  readonly asyncPhaseMs: number;
  readonly checkpointMs: number;
  /**
   * async: the longest the event loop (the task's mailbox) went without a turn during the
   * asynchronous phase, while state was written to concurrently; sync: = syncPhaseMs.
   */
  readonly longestStallMs: number;
  /** async: state writes (updates of random keys) done during the asynchronous phase. */
  readonly writesDuringCheckpoint: number;
  readonly fileMb: number;
  readonly readMs: number;
  readonly decodeMs: number;
  readonly restoreIntoBackendMs: number;
  readonly restoreMs: number;
  /** The restored state is the state at the barrier (writes during the checkpoint not in it). */
  readonly restoredOk: boolean;
}

function heapUsedMb(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return getHeapStatistics().used_heap_size / (1024 * 1024);
}

function backend(kind: string, dir: string): KeyedStateBackend {
  return createKeyedStateBackend(kind, {
    maxParallelism: 128,
    keyGroupRange: { start: 0, end: 127 },
    clock: Date.now,
    jobId: 'bench',
    operatorId: 'large',
    subtaskIndex: 0,
    options: kind === 'lmdb' ? { dir: join(dir, 'lmdb') } : {},
  });
}

interface Profile {
  id: number;
  name: string;
  visits: number;
  tags: number[];
  payload: string;
}

/** The value of key `k`: a small object with a distinct (flat) string of `bytes` characters. */
function profile(k: number, bytes: number): Profile {
  return {
    id: k,
    name: `user-${k}`,
    visits: k % 1000,
    tags: [k % 7, k % 13, k % 31],
    payload: Buffer.alloc(bytes, 97 + (k % 26)).toString('latin1'),
  };
}

/**
 * Loads `keys` keys of value state (objects with a `valueBytes` string each) into a backend,
 * takes a checkpoint of it the way a task does and restores it into a new backend.
 * sync: snapshot and encode at the barrier, then write the file durably (tasks before
 * asynchronous snapshots). async: pin at the barrier, then encode and write in slices while
 * a concurrent writer keeps changing state (in place and by update) between the slices.
 */
export async function largeStateCheckpoint(
  keys: number,
  valueBytes: number,
  options: { readonly dir?: string; readonly backend?: string; readonly mode?: LargeStateMode } = {},
): Promise<LargeStateResult> {
  const kind = options.backend ?? 'hashmap';
  const mode = options.mode ?? 'async';
  const dir = mkdtempSync(join(options.dir ?? tmpdir(), 'sluice-bench-large-'));
  const descriptor = new ValueStateDescriptor<Profile>('profile');
  const file = join(dir, '0-0.state');
  try {
    const before = heapUsedMb();
    let t = performance.now();
    let source: KeyedStateBackend | undefined = backend(kind, dir);
    const state = source.getPartitionedState(descriptor);
    for (let k = 0; k < keys; k++) {
      source.setCurrentKey(k);
      state.update(profile(k, valueBytes));
    }
    const loadMs = performance.now() - t;
    const heapStateMb = heapUsedMb() - before;
    const header = {
      version: STATE_FORMAT_VERSION,
      checkpointId: 1,
      vertexId: 0,
      subtask: 0,
      parallelism: 1,
      operators: { large: {} },
    };

    let syncPhaseMs: number;
    let asyncPhaseMs: number;
    let longestStallMs: number;
    let writes = 0;
    let fileBytes: number;
    if (mode === 'sync') {
      t = performance.now();
      let bytes: Uint8Array | undefined = encodeTaskState({
        ...header,
        operators: { large: { keyed: source.snapshot() } },
      });
      syncPhaseMs = performance.now() - t;
      t = performance.now();
      await writeFileAtomic(file, bytes);
      asyncPhaseMs = performance.now() - t;
      fileBytes = bytes.length;
      bytes = undefined;
      longestStallMs = syncPhaseMs;
    } else {
      t = performance.now();
      const pinned = source.pinSnapshot!();
      syncPhaseMs = performance.now() - t;
      // The task's records, between the writer's slices: random keys read, changed in place,
      // written back, and new keys (none of which may show in the checkpoint).
      let writing = true;
      let last = performance.now();
      longestStallMs = 0;
      const live = source;
      const tick = (): void => {
        if (!writing) return;
        const now = performance.now();
        longestStallMs = Math.max(longestStallMs, now - last);
        last = now;
        for (let i = 0; i < 200; i++, writes++) {
          const k = (writes * 7919) % keys;
          live.setCurrentKey(k);
          const v = state.value()!;
          v.visits = -1;
          state.update(v);
          live.setCurrentKey(keys + writes);
          state.update(profile(-1, 8));
        }
        if (writing) setImmediate(tick);
      };
      setImmediate(tick);
      t = performance.now();
      const written = await writeTaskStateFile(file, header, [{ operatorId: 'large', pinned }]);
      asyncPhaseMs = performance.now() - t;
      writing = false;
      fileBytes = written.bytes;
    }
    source.dispose();
    source = undefined;
    heapUsedMb();

    const r0 = performance.now();
    const read = await readStateFile(dir, '0-0.state');
    const readMs = performance.now() - r0;
    t = performance.now();
    const decoded = decodeTaskState(read, '0-0.state');
    const decodeMs = performance.now() - t;
    t = performance.now();
    const target = backend(kind, dir);
    target.restore([decoded.operators.large!.keyed!]);
    const restoreIntoBackendMs = performance.now() - t;
    const restoreMs = performance.now() - r0;
    const restored = target.getPartitionedState(descriptor);
    let restoredOk = true;
    for (const k of [0, 1, 7919 % keys, Math.floor(keys / 2), keys - 1]) {
      target.setCurrentKey(k);
      const v = restored.value();
      if (v?.id !== k || v.visits !== k % 1000 || v.payload.length !== valueBytes || v.tags[2] !== k % 31)
        restoredOk = false;
    }
    target.setCurrentKey(keys);
    if (restored.value() !== undefined) restoredOk = false;
    target.dispose();
    return {
      backend: kind,
      mode,
      keys,
      valueBytes,
      heapStateMb: round(heapStateMb, 1),
      loadMs: round(loadMs, 1),
      syncPhaseMs: round(syncPhaseMs, 1),
      asyncPhaseMs: round(asyncPhaseMs, 1),
      checkpointMs: round(syncPhaseMs + asyncPhaseMs, 1),
      longestStallMs: round(longestStallMs, 1),
      writesDuringCheckpoint: writes,
      fileMb: round(fileBytes / (1024 * 1024), 1),
      readMs: round(readMs, 1),
      decodeMs: round(decodeMs, 1),
      restoreIntoBackendMs: round(restoreIntoBackendMs, 1),
      restoreMs: round(restoreMs, 1),
      restoredOk,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
