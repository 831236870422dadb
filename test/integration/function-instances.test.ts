// Every subtask and every attempt of a task gets its own instances of the user's functions (Flink
// deserializes them per task): a counter field counts one subtask's records, also when two
// subtasks share a worker thread, and a BufferingSink-style function holds no elements of the
// failed attempt after a restore, so its output is exactly once.
import { describe, expect, it } from 'vitest';
import { runJobModule } from '../../src/testing/index.ts';
import { BUFFERED_RECORDS, type BufferedRecord, type CountedRecord } from '../jobs/function-instances.ts';
import { job, tempDir } from './support.ts';

/** Each subtask's counts must be 1..n over its own n records. */
function expectCountsPerSubtask(rows: readonly CountedRecord[]): void {
  expect(rows.map((r) => r[1]).sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
  const bySubtask = new Map<number, number[]>();
  for (const [subtask, , count] of rows) bySubtask.set(subtask, [...(bySubtask.get(subtask) ?? []), count]);
  expect([...bySubtask.keys()].sort()).toEqual([0, 1]);
  for (const [subtask, counts] of bySubtask) {
    counts.sort((a, b) => a - b);
    expect(counts, `counts of subtask ${subtask}`).toEqual(
      Array.from({ length: counts.length }, (_, i) => i + 1),
    );
  }
}

describe('function instances per task (worker threads)', () => {
  it('each subtask counts its own records in a field, in one slot per subtask', async () => {
    expectCountsPerSubtask(
      await runJobModule<CountedRecord[]>(job('function-instances'), ['--check', 'counter']),
    );
  });

  it('each subtask counts its own records in a field when both subtasks share one slot', async () => {
    const args = ['--check', 'counter', '--slots', '1'];
    expectCountsPerSubtask(await runJobModule<CountedRecord[]>(job('function-instances'), args));
  });

  it('a BufferingSink-style function emits every element once after a failure and restore', async () => {
    const args = ['--check', 'buffering', '--checkpoints', tempDir()];
    const rows = await runJobModule<BufferedRecord[]>(job('function-instances'), args);
    // The failure happened: part of the output comes from the attempt after it.
    expect(rows.some(([, attempt]) => attempt === 1)).toBe(true);
    expect(rows.map(([v]) => v).sort((a, b) => a - b)).toEqual(
      Array.from({ length: BUFFERED_RECORDS }, (_, i) => i),
    );
  });
});
