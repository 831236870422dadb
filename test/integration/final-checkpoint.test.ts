// Final checkpoints (Flink's FLIP-147): a bounded part of a job that ends before a later failure
// commits its output only with a checkpoint taken after its end, so the recovery neither loses
// nor repeats it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runJobModule } from '../../src/testing/index.ts';
import { SHORT } from '../jobs/final-checkpoint.ts';
import { job, multiset, readCommittedLines, tempDir } from './support.ts';

describe('a failure after part of the job ended (worker threads)', () => {
  for (const parallelism of [1, 2]) {
    it(`parallelism ${parallelism}: the ended part's files are committed once, nothing repeated or lost`, async () => {
      const short = tempDir();
      const failures = join(tempDir(), 'failures');
      const { rows } = await runJobModule<{ rows: number[] }>(job('final-checkpoint'), [
        ...['--short', short, '--checkpoints', tempDir(), '--long', '2000'],
        ...['--parallelism', String(parallelism), '--interval', '200', '--failures', failures],
      ]);
      // The first attempt failed after the short pipeline committed (the job restarted).
      expect(readFileSync(failures, 'utf8').length).toBeGreaterThan(0);
      const lines = readCommittedLines(short).map(Number);
      expect(lines.length).toBe(SHORT);
      expect([...multiset(lines).values()].every((n) => n === 1)).toBe(true);
      expect([...lines].sort((a, b) => a - b)).toEqual(Array.from({ length: SHORT }, (_, i) => i));
      expect([...rows].sort((a, b) => a - b)).toEqual(Array.from({ length: 2000 }, (_, i) => i));
    }, 60_000);
  }

  it('processing-time timers pending at the end of the input do not fire while the task waits (as in Flink)', async () => {
    const { rows } = await runJobModule<{ rows: string[] }>(job('final-checkpoint'), [
      ...['--mode', 'timers', '--checkpoints', tempDir()],
    ]);
    // The input ended after ~250 ms, its timers were 1 s ahead, its final checkpoint came ~3 s in.
    expect([...rows].sort()).toEqual([1, 2, 3, 4, 5].map((v) => `element|${v}`));
  }, 60_000);
});
