// Acceptance checks of issue #5 for operators whose state is more than plain keyed state: count
// windows (tumbling and sliding), a global window with trigger and evictor, rolling sums, interval
// and window joins, coGroup, connected keyed streams (KeyedCoProcessFunction), merging session
// windows with allowed lateness, windowAll. Run straight at two parallelisms, after a failure
// (heap aligned, lmdb unaligned) and from a savepoint at another parallelism (2→3 heap, 3→1 lmdb):
// the committed output is identical as a multiset.
import { existsSync, readdirSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { JobClient } from '../../src/index.ts';
import { runJobModule } from '../../src/testing/index.ts';
import { EVENTS, KEYS } from '../jobs/checkpoints-acceptance-windows.ts';
import {
  job,
  multiset,
  multisetDifference,
  readCommittedLines,
  stopWithSavepointWhenRunning,
  tempDir,
  waitFor,
} from './support.ts';

const program = job('checkpoints-acceptance-windows');
let golden: string[] = [];

const same = () => ({ missing: [], extra: [], counts: [golden.length, golden.length] });

function common(backend: 'heap' | 'lmdb', out: string): string[] {
  return [
    ...['--out', out, '--checkpoints', tempDir('sluice-accw-cp-')],
    ...['--backend', backend, '--state-dir', tempDir('sluice-accw-lmdb-')],
  ];
}

beforeAll(async () => {
  const out = tempDir('sluice-accw-straight-');
  await runJobModule(program, ['--phase', 'straight', '--parallelism', '2', '--out', out]);
  golden = readCommittedLines(out);
}, 60_000);

describe('acceptance: windows, joins and rolling aggregations across failures and rescaling (worker threads)', () => {
  it('the failure-free run covers every operator and does not depend on parallelism', async () => {
    const kinds = Object.fromEntries(multiset(golden.map((l) => l.split('|')[0]!)));
    const perKey = Array.from({ length: KEYS }, (_, k) => Math.ceil((EVENTS - k) / KEYS));
    expect(kinds).toMatchObject({
      rs: EVENTS,
      cw: perKey.reduce((a, n) => a + Math.floor(n / 5), 0),
      // countWindow(6, 4) fires every 4th element of a key; a global window with CountTrigger.of(4) too.
      cs: perKey.reduce((a, n) => a + Math.floor(n / 4), 0),
      ev: perKey.reduce((a, n) => a + Math.floor(n / 4), 0),
      wa: Math.ceil((EVENTS * 10) / 2_000),
      kc: KEYS, // connected keyed streams: one summary per key at the end
    });
    for (const kind of ['ij', 'wj', 'cg', 'se']) expect(kinds[kind]).toBeGreaterThan(0);
    expect(kinds.late).toBeUndefined();
    // Key 3's sliding count windows hold the last 6 values (fewer at first) every 4 elements.
    const vs = Array.from({ length: perKey[3]! }, (_, i) => ((3 + i * KEYS) * 7) % 31);
    const expected = Array.from(
      { length: Math.floor(vs.length / 4) },
      (_, i) => `cs|3|${vs.slice(Math.max(0, 4 * (i + 1) - 6), 4 * (i + 1)).join(',')}`,
    );
    expect(golden.filter((l) => l.startsWith('cs|3|')).sort()).toEqual(expected.sort());
    const out = tempDir('sluice-accw-straight3-');
    await runJobModule(program, ['--phase', 'straight', '--parallelism', '3', '--out', out]);
    expect(multisetDifference(readCommittedLines(out), golden)).toEqual(same());
  }, 60_000);

  it.each([
    ['heap', 'aligned'],
    ['lmdb', 'unaligned'],
  ] as const)(
    '%s backend, %s checkpoints, failure after two completed checkpoints: the same output',
    async (backend, mode) => {
      const out = tempDir('sluice-accw-failover-');
      await runJobModule(program, [
        ...['--phase', 'failover', '--parallelism', '2', '--unaligned', String(mode === 'unaligned')],
        ...common(backend, out),
      ]);
      expect(multisetDifference(readCommittedLines(out), golden)).toEqual(same());
    },
    60_000,
  );

  it.each([
    [2, 3, 'heap'],
    [3, 1, 'lmdb'],
  ] as const)(
    'stopWithSavepoint at parallelism %i, resumed at %i (%s backend): the same output',
    async (from, to, backend) => {
      const out = tempDir('sluice-accw-sp-out-');
      const { client } = await runJobModule<{ client: JobClient }>(program, [
        ...['--phase', 'start', '--parallelism', String(from)],
        ...common(backend, out),
      ]);
      // Stop as soon as records reach the sink (lmdb checkpoints can take seconds on a busy disk).
      await waitFor(() => existsSync(out) && readdirSync(out).length > 0, 'a first part file');
      const savepoint = await stopWithSavepointWhenRunning(client, 'sluice-accw-sp-');
      expect(readCommittedLines(out).filter((l) => l.startsWith('rs|')).length).toBeLessThan(EVENTS);
      await runJobModule(program, [
        ...['--phase', 'resume', '--parallelism', String(to), '--restore', savepoint],
        ...common(backend, out),
      ]);
      expect(multisetDifference(readCommittedLines(out), golden)).toEqual(same());
    },
    60_000,
  );
});
