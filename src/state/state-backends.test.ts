// Every built-in keyed state backend runs the shared contract, created through the registry the
// way tasks create them; plus what is particular to the lmdb backend (its directory, options).
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createKeyedStateBackend, type KeyedStateBackendParameters, readPinnedSnapshot } from './index.ts';
import type { KeyGroupRange } from './key-group-assignment.ts';
import { createLmdbKeyedStateBackend, type LmdbKeyedStateBackend } from './lmdb-keyed-state-backend.ts';
import { runStateBackendContract } from './state-backend-contract.ts';
import { ListStateDescriptor, MapStateDescriptor, ValueStateDescriptor } from './state-descriptor.ts';

const base = mkdtempSync(join(tmpdir(), 'sluice-state-test-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

let subtask = 0;
function parameters(
  maxParallelism: number,
  keyGroupRange: KeyGroupRange,
  clock: () => number,
  options: Record<string, unknown> = { dir: base },
): KeyedStateBackendParameters {
  return {
    maxParallelism,
    keyGroupRange,
    clock,
    jobId: 'job-1',
    operatorId: 'op/1',
    subtaskIndex: subtask++,
    options,
  };
}

runStateBackendContract('hashmap', (max, range, clock) =>
  createKeyedStateBackend('hashmap', parameters(max, range, clock, {})),
);
runStateBackendContract('lmdb', (max, range, clock) =>
  createKeyedStateBackend('lmdb', parameters(max, range, clock)),
);

describe('lmdb state backend', () => {
  const FULL = { start: 0, end: 127 };

  it('keeps its store in a per-job/operator/subtask directory under dir, removed on dispose', () => {
    const b = createKeyedStateBackend('lmdb', parameters(128, FULL, Date.now)) as LmdbKeyedStateBackend;
    expect(b.path.startsWith(join(base, 'job-1', 'op_1-'))).toBe(true);
    b.setCurrentKey('k');
    b.getPartitionedState(new ValueStateDescriptor<number>('v')).update(1);
    expect(readdirSync(b.path)).toContain('data.mdb');
    b.dispose();
    expect(existsSync(b.path)).toBe(false);
  });

  it('a pinned snapshot stays readable after dispose(); its release removes the store', () => {
    const b = createKeyedStateBackend('lmdb', parameters(128, FULL, Date.now)) as LmdbKeyedStateBackend;
    const v = b.getPartitionedState(new ValueStateDescriptor<number>('v'));
    for (let k = 0; k < 20; k++) {
      b.setCurrentKey(k);
      v.update(k);
    }
    const pinned = b.pinSnapshot!();
    b.dispose();
    expect(existsSync(b.path)).toBe(true);
    const snapshot = readPinnedSnapshot(pinned);
    expect(snapshot.v!.flatMap(([, entries]) => entries).length).toBe(20);
    expect(existsSync(b.path)).toBe(false);
  });

  it('defaults to a directory under the OS temp directory', () => {
    const b = createKeyedStateBackend('lmdb', parameters(128, FULL, Date.now, {})) as LmdbKeyedStateBackend;
    expect(b.path.startsWith(join(tmpdir(), 'sluice-lmdb', 'job-1'))).toBe(true);
    b.dispose();
    const empty = createKeyedStateBackend(
      'lmdb',
      parameters(128, FULL, Date.now, { dir: '' }),
    ) as LmdbKeyedStateBackend;
    expect(empty.path.startsWith(join(tmpdir(), 'sluice-lmdb'))).toBe(true);
    empty.dispose();
  });

  it('rejects unknown options and a non-string dir, naming them', () => {
    expect(() =>
      createKeyedStateBackend('lmdb', parameters(128, FULL, Date.now, { directory: '/x' })),
    ).toThrow(/unknown option "directory" \(known options: dir\)/);
    expect(() => createKeyedStateBackend('lmdb', parameters(128, FULL, Date.now, { dir: 5 }))).toThrow(
      /option "dir" must be a string, got 5/,
    );
  });

  it('starts empty over a stale store, and refuses a directory that holds anything else', () => {
    const path = join(base, 'explicit');
    const first = createLmdbKeyedStateBackend(128, FULL, { path });
    first.setCurrentKey('k');
    first.getPartitionedState(new ValueStateDescriptor<number>('v')).update(1);
    // A crash leaves the store behind (no dispose); the next instance on that path starts empty.
    const second = createLmdbKeyedStateBackend(128, FULL, { path });
    expect(second.numEntries()).toBe(0);
    second.dispose();
    first.dispose();
    const other = mkdtempSync(join(base, 'not-a-store-'));
    writeFileSync(join(other, 'precious.txt'), 'keep me');
    expect(() => createLmdbKeyedStateBackend(128, FULL, { path: other })).toThrow(
      /holds other files than an lmdb store \(precious.txt\)/,
    );
    expect(existsSync(join(other, 'precious.txt'))).toBe(true);
  });

  it('snapshotAsync() is the state at the time of the call, while state keeps changing', async () => {
    const b = createLmdbKeyedStateBackend(128, FULL, { path: join(base, 'async') });
    const v = b.getPartitionedState(new ValueStateDescriptor<number>('v'));
    const list = b.getPartitionedState(new ListStateDescriptor<number>('l'));
    const map = b.getPartitionedState(new MapStateDescriptor<string, number>('m'));
    for (let i = 0; i < 2000; i++) {
      b.setCurrentKey(i);
      v.update(i);
      list.add(i);
      map.put('x', i);
    }
    const expected = b.snapshot();
    const pending = b.snapshotAsync();
    for (let i = 0; i < 3000; i++) {
      b.setCurrentKey(i);
      v.update(-i);
      list.add(-i);
      if (i % 2 === 0) map.clear();
    }
    expect(await pending).toEqual(expected);
    expect(b.snapshot()).not.toEqual(expected);
    b.dispose();
  });

  it('fails restore() of a snapshot whose values do not fit the registered kind, saying why', () => {
    const b = createLmdbKeyedStateBackend(128, FULL, { path: join(base, 'bad') });
    b.getPartitionedState(new ListStateDescriptor<number>('l'));
    const other = createLmdbKeyedStateBackend(128, FULL, { path: join(base, 'bad-source') });
    other.setCurrentKey('k');
    other.getPartitionedState(new ValueStateDescriptor<number>('l')).update(1);
    expect(() => b.restore([other.snapshot()])).toThrow(
      /state "l" is list state, but its snapshot value is number; was the state renamed or its kind changed\?/,
    );
    b.dispose();
    other.dispose();
  });
});
