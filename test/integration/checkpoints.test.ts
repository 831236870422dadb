// Exactly-once recovery, proven by a self-checking job: per-key sequence numbers from keyed state
// must come out without gap or duplicate, and every record exactly once, while seeded failures
// (throwing functions, killed worker threads) restart the job from its latest checkpoint.
// Runs on worker threads at parallelism 1, 2 and 4, through executeAndCollect and FileSink.
// SLUICE_CHAOS_SEED=<n> replays other failure plans.
import { describe, expect, it } from 'vitest';
import { runJobModule } from '../../src/testing/index.ts';
import { KEYS, planFailures, type SequencedRecord } from '../jobs/checkpoints-exactly-once.ts';
import { job, readCommittedLines, tempDir } from './support.ts';

const baseSeed = Number(process.env.SLUICE_CHAOS_SEED ?? '20261123');

/** Checks the output of the self-checking job; returns the highest attempt seen. */
function check(
  rows: readonly SequencedRecord[],
  records: number,
  exactlyOnce: boolean,
  context: string,
): number {
  const seen = new Uint8Array(records);
  for (const [, , v] of rows) {
    if (!(v >= 0 && v < records)) throw new Error(`${context}: record ${v} was never produced`);
    seen[v]!++;
  }
  const missing = [...seen.keys()].filter((v) => seen[v] === 0);
  expect(missing, `${context}: records lost`).toEqual([]);
  const byKey = new Map<number, number[]>();
  for (const [key, seq, v] of rows) {
    expect(key, context).toBe(v % KEYS);
    const list = byKey.get(key) ?? [];
    list.push(seq);
    byKey.set(key, list);
  }
  if (exactlyOnce) {
    const duplicated = [...seen.keys()].filter((v) => seen[v]! > 1);
    expect(duplicated, `${context}: records emitted twice`).toEqual([]);
    for (const [key, seqs] of byKey) {
      seqs.sort((a, b) => a - b);
      const expected = Array.from({ length: Math.ceil((records - key) / KEYS) }, (_, i) => i + 1);
      expect(seqs, `${context}: sequence numbers of key ${key}`).toEqual(expected);
    }
  }
  return Math.max(...rows.map((r) => r[3]));
}

describe('exactly-once recovery under injected failures (worker threads)', () => {
  it.each([1, 2, 4])('parallelism %i: no record lost or repeated, collected and in files', async (p) => {
    const seed = baseSeed + p;
    const records = 3_000 * p;
    const failures = 3;
    const plan = planFailures(seed, failures, p, records);
    const context = `seed ${seed}, plan ${JSON.stringify(plan)}`;
    const out = tempDir('sluice-eo-out-');
    const args = [
      ...['--parallelism', String(p), '--records', String(records), '--seed', String(seed)],
      ...['--failures', String(failures), '--out', out, '--checkpoints', tempDir()],
    ];
    const collected = await runJobModule<SequencedRecord[]>(job('checkpoints-exactly-once'), args);
    const files = readCommittedLines(out).map((l) => JSON.parse(l) as SequencedRecord);
    // Every planned failure happened: the output comes from the attempt after the last one.
    expect(check(collected, records, true, `collected, ${context}`), context).toBe(failures);
    expect(check(files, records, true, `FileSink, ${context}`), context).toBe(failures);
  });
});

describe('checkpointing modes with union, connect and keyBy fan-in (parallelism 2, worker threads)', () => {
  async function twoInput(mode: 'EXACTLY_ONCE' | 'AT_LEAST_ONCE', seed: number) {
    const records = 6_000;
    const failures = 2;
    const out = tempDir('sluice-2in-out-');
    const args = [
      ...['--parallelism', '2', '--records', String(records), '--seed', String(seed), '--mode', mode],
      ...[
        '--failures',
        String(failures),
        '--out',
        out,
        '--checkpoints',
        tempDir(),
        '--topology',
        'two-input',
      ],
    ];
    const rows = await runJobModule<SequencedRecord[]>(job('checkpoints-exactly-once'), args);
    const context = `${mode}, seed ${seed}, plan ${JSON.stringify(planFailures(seed, failures, 2, records))}`;
    const unioned = rows.filter((r) => r[0] < 100);
    const connected = rows
      .filter((r) => r[0] >= 100)
      .map((r): SequencedRecord => [r[0] - 100, r[1], r[2], r[3]]);
    return { unioned, connected, records, failures, context };
  }

  it('EXACTLY_ONCE aligns barriers: no duplicates through union() and connect()', async () => {
    const r = await twoInput('EXACTLY_ONCE', baseSeed + 7);
    expect(check(r.unioned, r.records, true, `union, ${r.context}`)).toBe(r.failures);
    expect(check(r.connected, r.records, true, `connect, ${r.context}`)).toBe(r.failures);
  });

  it('AT_LEAST_ONCE loses nothing (duplicates allowed)', async () => {
    const r = await twoInput('AT_LEAST_ONCE', baseSeed + 8);
    expect(check(r.unioned, r.records, false, `union, ${r.context}`)).toBe(r.failures);
    expect(check(r.connected, r.records, false, `connect, ${r.context}`)).toBe(r.failures);
  });
});
