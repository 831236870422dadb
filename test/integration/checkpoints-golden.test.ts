// Golden output: a job with every kind of state and four sources, run straight through, then
// with checkpoints and a failure, then stopped with a savepoint and resumed at another
// parallelism (2→3, 4→2). The committed FileSink output must be identical as a multiset.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { JobClient } from '../../src/index.ts';
import { runJobModule } from '../../src/testing/index.ts';
import { COLLECTION_IDS, EVENTS, SEQUENCE, SESSION_IDS } from '../jobs/checkpoints-golden.ts';
import { job, multiset, multisetDifference, readCommittedLines, tempDir, waitFor } from './support.ts';

const input = tempDir('sluice-golden-in-');
let golden: string[] = [];

function args(phase: string, p: number, out: string, extra: string[] = []): string[] {
  return [
    ...['--phase', phase, '--parallelism', String(p), '--out', out],
    ...['--input', input, '--checkpoints', tempDir('sluice-golden-cp-'), ...extra],
  ];
}

beforeAll(async () => {
  mkdirSync(input, { recursive: true });
  for (let f = 0; f < 3; f++) {
    const text = Array.from({ length: 500 }, (_, j) => `file${f}-line${j}`).join('\n');
    writeFileSync(join(input, `part-${f}.txt`), `${text}\n`);
  }
  const out = tempDir('sluice-golden-straight-');
  await runJobModule(job('checkpoints-golden'), args('straight', 2, out));
  golden = readCommittedLines(out);
}, 120_000);

describe('golden output across checkpoints, failures, savepoints and rescaling (worker threads)', () => {
  it('the straight run covers every source and every kind of state', () => {
    const kinds = multiset(golden.map((l) => l.split('|')[0]!));
    expect(Object.fromEntries(kinds)).toEqual({
      e: EVENTS,
      s: 17, // one summary per key, from the end-of-input timer
      t: EVENTS / 10, // one timer per tenth event
      w: expect.any(Number),
      x: 7 * (EVENTS / SESSION_IDS), // one session per key and run of ids
      b: SEQUENCE,
      f: 1_500,
      u: COLLECTION_IDS,
    });
    // Key 0's summary, computed independently: ids 0, 17, 34, ... with v = id * 7 % 100.
    const vs = Array.from({ length: Math.ceil(EVENTS / 17) }, (_, i) => (i * 17 * 7) % 100);
    const sum = vs.reduce((a, b) => a + b, 0);
    const buckets = [0, 1, 2, 3, 4].map((b) => [b, vs.filter((v) => v % 5 === b).length]);
    expect(golden).toContain(
      `s|0|${vs.length}|${sum}|${vs.length}|${sum}|${JSON.stringify(buckets)}|${(sum / vs.length).toFixed(6)}`,
    );
  });

  it('with checkpoints and a failure after two completed checkpoints: the same output', async () => {
    const out = tempDir('sluice-golden-failover-');
    await runJobModule(job('checkpoints-golden'), args('failover', 2, out));
    expect(multisetDifference(readCommittedLines(out), golden)).toEqual({
      missing: [],
      extra: [],
      counts: [golden.length, golden.length],
    });
  });

  it.each([
    [2, 3],
    [4, 2],
  ])('stopped with a savepoint at parallelism %i, resumed at %i: the same output', async (from, to) => {
    const out = tempDir('sluice-golden-sp-');
    const { client } = await runJobModule<{ client: JobClient }>(
      job('checkpoints-golden'),
      args('start', from, out),
    );
    // Stop once a checkpoint committed output: every source is still reading then.
    await waitFor(() => readCommittedLines(out).length > 0, 'a first committed checkpoint');
    const savepoint = await client.stopWithSavepoint(tempDir('sluice-golden-savepoints-'));
    const before = readCommittedLines(out).length;
    expect(before).toBeLessThan(golden.length);
    await runJobModule(job('checkpoints-golden'), args('resume', to, out, ['--restore', savepoint]));
    expect(multisetDifference(readCommittedLines(out), golden)).toEqual({
      missing: [],
      extra: [],
      counts: [golden.length, golden.length],
    });
  });

  it('stopped with drain: every timer fires once, before the savepoint, and not again when resumed', async () => {
    const out = tempDir('sluice-golden-drain-');
    const { client } = await runJobModule<{ client: JobClient }>(
      job('checkpoints-golden'),
      args('start', 2, out),
    );
    await waitFor(() => readCommittedLines(out).length > 0, 'a first committed checkpoint');
    const savepoint = await client.stopWithSavepoint(tempDir('sluice-golden-savepoints-'), true);
    const drained = readCommittedLines(out);
    // Drain fired the end-of-input timers (one summary per key) and the savepoint covers them.
    expect(drained.filter((l) => l.startsWith('s|'))).toHaveLength(17);
    await runJobModule(job('checkpoints-golden'), args('resume', 2, out, ['--restore', savepoint]));
    const all = readCommittedLines(out);
    expect(all.filter((l) => l.startsWith('s|'))).toHaveLength(17);
    const timers = (lines: string[]) => lines.filter((l) => l.startsWith('t|'));
    expect(multisetDifference(timers(all), timers(golden))).toEqual({
      missing: [],
      extra: [],
      counts: [timers(golden).length, timers(golden).length],
    });
  });
});
