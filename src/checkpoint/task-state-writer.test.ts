// The sliced task state file: written while state keeps changing, read back as the state at the
// pin; cut short or cancelled, it is an error naming the file, never a silently smaller state.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HeapKeyedStateBackend, ListStateDescriptor, ValueStateDescriptor } from '../state/index.ts';
import { decodeTaskState, STATE_FORMAT_VERSION, type TaskStateSnapshot } from './task-state-snapshot.ts';
import { writeTaskStateFile } from './task-state-writer.ts';

const dir = mkdtempSync(join(tmpdir(), 'sluice-state-writer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const header: TaskStateSnapshot = {
  version: STATE_FORMAT_VERSION,
  checkpointId: 7,
  vertexId: 1,
  subtask: 0,
  parallelism: 1,
  operators: { op: { timers: { eventTime: [[5, 'k', '']], processingTime: [] } } },
};

function loaded(keys: number): HeapKeyedStateBackend {
  const b = new HeapKeyedStateBackend(128, { start: 0, end: 127 });
  const v = b.getPartitionedState(new ValueStateDescriptor<{ n: number }>('v'));
  const l = b.getPartitionedState(new ListStateDescriptor<number>('l'));
  for (let k = 0; k < keys; k++) {
    b.setCurrentKey(k);
    v.update({ n: k });
    l.add(k);
  }
  return b;
}

describe('writeTaskStateFile', () => {
  it('writes the state as of the pin while state keeps changing between slices', async () => {
    const b = loaded(3000);
    const expected = b.snapshot();
    const expectedCopy = JSON.parse(JSON.stringify(expected));
    const pinned = b.pinSnapshot();
    const v = b.getPartitionedState(new ValueStateDescriptor<{ n: number }>('v'));
    const l = b.getPartitionedState(new ListStateDescriptor<number>('l'));
    // Writes interleaved with the writer's slices: every key changes, in place and by update.
    let k = 0;
    let writing = true;
    const mutate = (): void => {
      for (let i = 0; i < 50 && k < 3000; i++, k++) {
        b.setCurrentKey(k);
        v.value()!.n = -1;
        l.add(-1);
        b.setCurrentKey(3000 + k);
        v.update({ n: -2 });
      }
      if (writing) setImmediate(mutate);
    };
    setImmediate(mutate);
    const path = join(dir, 'interleaved.state');
    const { bytes, slices } = await writeTaskStateFile(path, header, [{ operatorId: 'op', pinned }], {
      sliceEntries: 100,
      yieldAfterMs: 0,
    });
    writing = false;
    expect(k).toBeGreaterThan(0);
    expect(slices).toBeGreaterThan(10);
    const file = readFileSync(path);
    expect(file.length).toBe(bytes);
    const decoded = decodeTaskState(new Uint8Array(file), path);
    expect(decoded.operators.op!.timers).toEqual(header.operators.op!.timers);
    const sortGroups = (s: unknown) =>
      Object.fromEntries(
        Object.entries(s as Record<string, Array<[number, Array<[unknown, unknown]>]>>).map(([t, g]) => [
          t,
          [...g].sort((x, y) => x[0] - y[0]),
        ]),
      );
    expect(JSON.parse(JSON.stringify(sortGroups(decoded.operators.op!.keyed)))).toEqual(
      sortGroups(expectedCopy),
    );
    b.dispose();
  });

  it('a file cut short is corrupt, naming the file', async () => {
    const b = loaded(500);
    const path = join(dir, 'short.state');
    await writeTaskStateFile(path, header, [{ operatorId: 'op', pinned: b.pinSnapshot() }], {
      sliceEntries: 50,
    });
    const full = readFileSync(path);
    // Cut at a value boundary (the trailer removed) and in the middle of a value.
    writeFileSync(path, full.subarray(0, full.length - 3));
    expect(() => decodeTaskState(new Uint8Array(readFileSync(path)), path)).toThrow(
      `state file ${path} is corrupt`,
    );
    writeFileSync(path, full.subarray(0, Math.floor(full.length / 2)));
    expect(() => decodeTaskState(new Uint8Array(readFileSync(path)), path)).toThrow(
      `state file ${path} is corrupt`,
    );
    b.dispose();
  });

  it('cancelled: rejects, leaves no file behind and releases the snapshot', async () => {
    const b = loaded(2000);
    const sub = mkdtempSync(join(dir, 'cancel-'));
    const path = join(sub, 'cancelled.state');
    const pinned = b.pinSnapshot();
    await expect(
      writeTaskStateFile(path, header, [{ operatorId: 'op', pinned }], {
        sliceEntries: 10,
        yieldAfterMs: 0,
        cancelled: () => 'checkpoint 7 was aborted',
      }),
    ).rejects.toThrow('checkpoint 7 was aborted');
    expect(readdirSync(sub)).toEqual([]);
    expect(existsSync(path)).toBe(false);
    // Released: reading it gives nothing more, and state access no longer copies.
    expect(pinned.next(10)).toBeUndefined();
    b.setCurrentKey(1);
    const v = b.getPartitionedState(new ValueStateDescriptor<{ n: number }>('v'));
    expect(v.value()).toBe(v.value());
    b.dispose();
  });
});
