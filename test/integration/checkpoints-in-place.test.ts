// Asynchronous checkpoints of state that user code changes in place after the barrier (objects,
// lists, maps): a job that fails half-way and recovers from them produces exactly the rows of a
// run without failure — nothing written after a barrier leaked into its checkpoint.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runJobModule } from '../../src/testing/index.ts';
import { type InPlaceRow, KEYS, RECORDS } from '../jobs/checkpoints-in-place.ts';
import { job, tempDir } from './support.ts';

/** The rows of a run without failure, computed directly. */
function expectedRows(): string[] {
  const rows: string[] = [];
  for (let k = 0; k < KEYS; k++) {
    let n = 0;
    let sum = 0;
    const totals = new Map<number, number>();
    for (let v = k; v < RECORDS; v += KEYS) {
      n++;
      sum += v;
      totals.set(v % 3, (totals.get(v % 3) ?? 0) + v);
      rows.push(JSON.stringify([k, n, sum, n, sum, totals.size, sum]));
    }
  }
  return rows.sort();
}

describe('in-place state changes under asynchronous checkpoints (worker threads)', () => {
  for (const backend of ['hashmap', 'lmdb']) {
    it(`${backend}: recovery from them gives exactly the rows of a run without failure`, async () => {
      const dir = tempDir();
      const { rows } = await runJobModule<{ rows: InPlaceRow[] }>(job('checkpoints-in-place'), [
        ...['--backend', backend, '--dir', join(dir, 'lmdb'), '--checkpoints', join(dir, 'checkpoints')],
      ]);
      const got = rows.map((r) => JSON.stringify(r)).sort();
      const want = expectedRows();
      const missing = want.filter((r) => !got.includes(r));
      const extra = got.filter((r) => !want.includes(r));
      expect({ missing: missing.slice(0, 5), extra: extra.slice(0, 5) }).toEqual({ missing: [], extra: [] });
      expect(got).toEqual(want);
    }, 60_000);
  }
});
