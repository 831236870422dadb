// Keyed state backends measured directly (no job around them): value-state updates and reads per
// second on the heap and lmdb backends, and how many keys the lmdb backend keeps when the V8 heap
// is capped. Keys are visited in a pseudo-random order, as a keyed stream with many keys does.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getHeapStatistics } from 'node:v8';
import {
  createKeyedStateBackend,
  type KeyedStateBackend,
  type KeyedStateBackendParameters,
  ValueStateDescriptor,
} from '../../src/state/index.ts';
import { peakRssMb, round, rssMb } from '../bench-suite.ts';

/** Which backend a case runs on. */
export type BackendType = 'hashmap' | 'lmdb';

const FULL = { start: 0, end: 127 };

function open(type: BackendType, dir: string): KeyedStateBackend {
  const parameters: KeyedStateBackendParameters = {
    maxParallelism: 128,
    keyGroupRange: FULL,
    clock: Date.now,
    jobId: 'bench',
    operatorId: 'value-state',
    subtaskIndex: 0,
    options: type === 'lmdb' ? { dir } : {},
  };
  return createKeyedStateBackend(type, parameters);
}

/** The i-th key visited: a permutation of `user-0 .. user-(keys-1)` (keys must be a power of two). */
function keyAt(i: number, mask: number): string {
  // An odd multiplier is a bijection modulo a power of two.
  return `user-${Math.imul(i, 0x9e3779b1) & mask}`;
}

function powerOfTwoAtLeast(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** RSS split into anonymous memory (heap, malloc) and file-backed pages (lmdb's memory map). */
export function rssBreakdownMb(): { rssAnonMb: number; rssFileMb: number } {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const kb = (field: string): number =>
      Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? Number.NaN);
    return { rssAnonMb: round(kb('RssAnon') / 1024, 1), rssFileMb: round(kb('RssFile') / 1024, 1) };
  } catch {
    return { rssAnonMb: Number.NaN, rssFileMb: Number.NaN };
  }
}

function dirSizeMb(path: string): number {
  let bytes = 0;
  for (const name of readdirSync(path, { recursive: true }) as string[]) {
    const s = statSync(join(path, name));
    // Allocated blocks, not apparent size (lmdb grows its file sparsely).
    if (s.isFile()) bytes += s.blocks * 512;
  }
  return round(bytes / (1024 * 1024), 1);
}

/** Result of {@link valueStateThroughput}. */
export interface ThroughputResult {
  readonly keys: number;
  readonly operations: number;
  readonly loadPerSecond: number;
  readonly updatesPerSecond: number;
  readonly readsPerSecond: number;
  readonly checksumOk: boolean;
  readonly rssMb: number;
  readonly peakRssMb: number;
  readonly heapUsedMb: number;
}

/**
 * Loads `keys` keys with one value each, then times `operations` read-modify-write updates
 * (`value()` + `update()`, as a per-key counter does) and `operations` reads, in random key order.
 */
export function valueStateThroughput(type: BackendType, keys: number, operations: number): ThroughputResult {
  const mask = powerOfTwoAtLeast(keys) - 1;
  if (mask + 1 !== keys) throw new Error(`--keys must be a power of two, got ${keys}`);
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-state-'));
  const backend = open(type, dir);
  try {
    const count = backend.getPartitionedState(new ValueStateDescriptor<number>('count'));
    let start = performance.now();
    for (let i = 0; i < keys; i++) {
      backend.setCurrentKey(keyAt(i, mask));
      count.update(1);
    }
    const loadSeconds = (performance.now() - start) / 1000;
    start = performance.now();
    for (let i = 0; i < operations; i++) {
      backend.setCurrentKey(keyAt(i * 7 + 3, mask));
      count.update((count.value() ?? 0) + 1);
    }
    const updateSeconds = (performance.now() - start) / 1000;
    start = performance.now();
    let sum = 0;
    for (let i = 0; i < operations; i++) {
      backend.setCurrentKey(keyAt(i * 13 + 5, mask));
      sum += count.value() ?? 0;
    }
    const readSeconds = (performance.now() - start) / 1000;
    // Every key holds 1 plus its updates, so the total over all keys is known.
    let total = 0;
    for (let i = 0; i < keys; i++) {
      backend.setCurrentKey(keyAt(i, mask));
      total += count.value() ?? 0;
    }
    return {
      keys,
      operations,
      loadPerSecond: Math.round(keys / loadSeconds),
      updatesPerSecond: Math.round(operations / updateSeconds),
      readsPerSecond: Math.round(operations / readSeconds),
      checksumOk: total === keys + operations && sum >= operations,
      rssMb: rssMb(),
      peakRssMb: peakRssMb(),
      heapUsedMb: round(process.memoryUsage().heapUsed / (1024 * 1024), 1),
    };
  } finally {
    backend.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Result of {@link manyKeys}. */
export interface ManyKeysResult {
  /** Keys written: the requested count, or fewer when the time limit stopped the load. */
  readonly keys: number;
  readonly requestedKeys: number;
  readonly stoppedByTimeLimit: boolean;
  readonly seconds: number;
  readonly insertsPerSecond: number;
  readonly updatesPerSecond: number;
  readonly readsPerSecond: number;
  readonly sampleOk: boolean;
  readonly heapLimitMb: number;
  readonly heapUsedMb: number;
  readonly rssMb: number;
  readonly rssAnonMb: number;
  readonly rssFileMb: number;
  readonly peakRssMb: number;
  readonly storeMb: number;
}

/**
 * Writes `requestedKeys` keys of value state into the lmdb backend in random order (progress on
 * stderr; stopping early after `maxSeconds`), then times `sample` random updates and reads over
 * the keys written.
 */
export function manyKeys(
  requestedKeys: number,
  sample: number,
  dir: string | undefined,
  maxSeconds = Number.POSITIVE_INFINITY,
): ManyKeysResult {
  let keys = requestedKeys;
  const space = powerOfTwoAtLeast(keys);
  const mask = space - 1;
  const base = dir ?? mkdtempSync(join(tmpdir(), 'sluice-bench-state-'));
  const backend = open('lmdb', base) as KeyedStateBackend & { readonly path: string };
  try {
    const count = backend.getPartitionedState(new ValueStateDescriptor<number>('count'));
    const start = performance.now();
    let last = start;
    // The first `keys` positions of a permutation of a power-of-two range: `keys` distinct keys.
    for (let i = 0; i < keys; i++) {
      backend.setCurrentKey(keyAt(i, mask));
      count.update(i);
      if ((i + 1) % 1_000_000 === 0) {
        const now = performance.now();
        if ((now - start) / 1000 > maxSeconds) keys = i + 1;
        process.stderr.write(
          `lmdb: ${(i + 1) / 1e6} M keys, ${Math.round(1e6 / ((now - last) / 1000))} inserts/s, rss ${rssMb()} MB, heap ${round(process.memoryUsage().heapUsed / 2 ** 20, 1)} MB\n`,
        );
        last = now;
      }
    }
    const seconds = (performance.now() - start) / 1000;
    // Random updates and reads over the keys written (positions 0..keys-1 of the permutation).
    let t = performance.now();
    for (let i = 0; i < sample; i++) {
      const position = Math.imul(i, 0x2c1b3c6d) >>> 0;
      backend.setCurrentKey(keyAt(position % keys, mask));
      count.update((count.value() ?? 0) + 1);
    }
    const updateSeconds = (performance.now() - t) / 1000;
    t = performance.now();
    let ok = true;
    for (let i = 0; i < sample; i++) {
      const position = (Math.imul(i, 0x7feb352d) >>> 0) % keys;
      backend.setCurrentKey(keyAt(position, mask));
      const v = count.value();
      if (v === undefined || v < position) ok = false;
    }
    const readSeconds = (performance.now() - t) / 1000;
    const heap = getHeapStatistics();
    return {
      keys,
      requestedKeys,
      stoppedByTimeLimit: keys < requestedKeys,
      seconds: round(seconds, 1),
      insertsPerSecond: Math.round(keys / seconds),
      updatesPerSecond: Math.round(sample / updateSeconds),
      readsPerSecond: Math.round(sample / readSeconds),
      sampleOk: ok,
      heapLimitMb: round(heap.heap_size_limit / (1024 * 1024), 0),
      heapUsedMb: round(heap.used_heap_size / (1024 * 1024), 1),
      rssMb: rssMb(),
      ...rssBreakdownMb(),
      peakRssMb: peakRssMb(),
      storeMb: dirSizeMb(backend.path),
    };
  } finally {
    backend.dispose();
    if (dir === undefined) rmSync(base, { recursive: true, force: true });
  }
}
