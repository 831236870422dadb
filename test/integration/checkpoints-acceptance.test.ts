// Acceptance checks of issue #5 as an outside user would write them: TTL state of every kind,
// processing-time timers pending in a savepoint, sliding windows, bounded sources that already
// ended, union state, on both state backends, restored at another parallelism through the
// JobClient API and through `sluice run -s ... -p N [--allowNonRestoredState]` with a changed
// job. Every run's committed FileSink output must equal a failure-free run's as a multiset.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { JobClient } from '../../src/index.ts';
import { runJobModule } from '../../src/testing/index.ts';
import {
  COLLECTION,
  EVENTS,
  KEYS,
  registersProcessingTimer,
  SEQUENCE,
} from '../jobs/checkpoints-acceptance.ts';
import {
  job,
  multiset,
  multisetDifference,
  readCommittedLines,
  stopWithSavepointWhenRunning,
  tempDir,
  waitFor,
} from './support.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
let golden: string[] = [];

const same = () => ({ missing: [], extra: [], counts: [golden.length, golden.length] });

function common(backend: 'heap' | 'lmdb', out: string): string[] {
  return [
    ...['--out', out, '--checkpoints', tempDir('sluice-acc-cp-')],
    ...['--backend', backend, '--state-dir', tempDir('sluice-acc-lmdb-')],
  ];
}

/** Starts the job at `p`, stops it with a savepoint once a checkpoint committed output. */
async function startAndStop(p: number, backend: 'heap' | 'lmdb', out: string) {
  const { client } = await runJobModule<{ client: JobClient }>(job('checkpoints-acceptance'), [
    ...['--phase', 'start', '--parallelism', String(p)],
    ...common(backend, out),
  ]);
  // Stop as soon as records reach the sink (the first lmdb checkpoint can take seconds on a busy disk).
  await waitFor(() => existsSync(out) && readdirSync(out).length > 0, 'a first part file');
  const savepoint = await stopWithSavepointWhenRunning(client, 'sluice-acc-sp-');
  await client.getJobExecutionResult();
  const before = readCommittedLines(out);
  expect(before.filter((l) => l.startsWith('e|')).length).toBeLessThan(EVENTS);
  return { savepoint, before };
}

beforeAll(async () => {
  const out = tempDir('sluice-acc-straight-');
  await runJobModule(job('checkpoints-acceptance'), [
    '--phase',
    'straight',
    '--parallelism',
    '2',
    '--out',
    out,
  ]);
  golden = readCommittedLines(out);
}, 60_000);

describe('acceptance: state, timers and sources across failures, savepoints and rescaling (worker threads)', () => {
  it('the failure-free run covers every branch', () => {
    const timers = Array.from({ length: EVENTS }, (_, id) => id).filter(registersProcessingTimer).length;
    expect(Object.fromEntries(multiset(golden.map((l) => l.split('|')[0]!)))).toEqual({
      e: EVENTS,
      s: KEYS,
      p: timers,
      d: KEYS,
      q: SEQUENCE,
      c: COLLECTION + 2,
      // Sliding windows of 1 s every 300 ms over 24 s of event time: 83 windows per key but for
      // the first ones of keys whose first event comes after their start.
      w: expect.any(Number),
    });
    // Key 4's summary computed independently: ids 4, 17, 30, ... with v = id * 3 % 50.
    const vs = Array.from({ length: EVENTS / KEYS + 1 }, (_, i) => 4 + i * KEYS)
      .filter((id) => id < EVENTS)
      .map((id) => (id * 3) % 50);
    const sum = vs.reduce((a, b) => a + b, 0);
    const buckets = [0, 1, 2, 3].map((b) => [b, vs.filter((v) => v % 4 === b).length]);
    expect(golden).toContain(
      `s|4|${vs.length}|${sum}|${Math.max(...vs)}|${vs.length}|${sum}|${JSON.stringify(buckets)}`,
    );
  });

  it('lmdb backend, failure after two completed checkpoints: the same output', async () => {
    const out = tempDir('sluice-acc-failover-');
    await runJobModule(job('checkpoints-acceptance'), [
      ...['--phase', 'failover', '--parallelism', '2'],
      ...common('lmdb', out),
    ]);
    expect(multisetDifference(readCommittedLines(out), golden)).toEqual(same());
  }, 60_000);

  it.each([
    [1, 3, 'heap'],
    [4, 2, 'lmdb'],
  ] as const)(
    'stopWithSavepoint at parallelism %i, resumed at %i (%s backend): the same output',
    async (from, to, backend) => {
      const out = tempDir('sluice-acc-sp-out-');
      const { savepoint } = await startAndStop(from, backend, out);
      await runJobModule(job('checkpoints-acceptance'), [
        ...['--phase', 'resume', '--parallelism', String(to), '--restore', savepoint],
        ...common(backend, out),
      ]);
      expect(multisetDifference(readCommittedLines(out), golden)).toEqual(same());
    },
    60_000,
  );

  it('a savepoint of a restored job, switching backends: lmdb p=2 → heap p=4 → lmdb p=3, the same output', async () => {
    const out = tempDir('sluice-acc-chain-out-');
    let restore: string[] = [];
    for (const [p, backend] of [
      [2, 'lmdb'],
      [4, 'heap'],
    ] as const) {
      const before = readCommittedLines(out).length;
      const { client } = await runJobModule<{ client: JobClient }>(job('checkpoints-acceptance'), [
        ...['--phase', 'start', '--parallelism', String(p), ...restore],
        ...common(backend, out),
      ]);
      await waitFor(() => readCommittedLines(out).length > before + 100, 'progress after the restore');
      restore = ['--restore', await client.stopWithSavepoint(tempDir('sluice-acc-sp-'))];
    }
    expect(readCommittedLines(out).filter((l) => l.startsWith('e|')).length).toBeLessThan(EVENTS);
    await runJobModule(job('checkpoints-acceptance'), [
      ...['--phase', 'resume', '--parallelism', '3', ...restore],
      ...common('lmdb', out),
    ]);
    expect(multisetDifference(readCommittedLines(out), golden)).toEqual(same());
  }, 90_000);

  it('max parallelism is fixed by the first run: another one is refused naming the value to set; the same one restores', async () => {
    const out = tempDir('sluice-acc-maxp-out-');
    const { client } = await runJobModule<{ client: JobClient }>(job('checkpoints-acceptance'), [
      ...['--phase', 'start', '--parallelism', '2', '--max-parallelism', '16'],
      ...common('heap', out),
    ]);
    await waitFor(
      () => readCommittedLines(out).some((l) => l.startsWith('e|')),
      'a first committed checkpoint',
    );
    const savepoint = await client.stopWithSavepoint(tempDir('sluice-acc-sp-'));
    const resume = (extra: string[]) =>
      runJobModule(job('checkpoints-acceptance'), [
        ...['--phase', 'resume', '--parallelism', '3', '--restore', savepoint, ...extra],
        ...common('heap', out),
      ]);
    await expect(resume([])).rejects.toThrow(
      /has max parallelism 128 but its state was written with max parallelism 16; .*set it to 16 \(env\.setMaxParallelism\(16\)/,
    );
    await resume(['--max-parallelism', '16']);
    expect(multisetDifference(readCommittedLines(out), golden)).toEqual(same());
  }, 60_000);

  it('sluice run -s at -p 2 of a changed job: unmatched uid listed; with --allowNonRestoredState the same output', async () => {
    const out = tempDir('sluice-acc-cli-out-');
    const { savepoint, before } = await startAndStop(3, 'heap', out);
    const run = (...flags: string[]) =>
      spawnSync(
        process.execPath,
        [
          ...[join(root, 'bin/sluice.mjs'), 'run', '-s', savepoint, '-p', '2', ...flags],
          ...[join(root, 'test/jobs/checkpoints-acceptance-cli.ts'), '--phase', 'resume', '--version', '2'],
          ...common('heap', out),
        ],
        { cwd: root, encoding: 'utf8', timeout: 60_000 },
      );
    const refused = run();
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('uid "dropped"');
    expect(refused.stderr).toContain('--allowNonRestoredState');
    expect(readCommittedLines(out)).toHaveLength(before.length);

    const resumed = run('--allowNonRestoredState');
    expect(resumed.stderr).toBe('');
    expect(resumed.status).toBe(0);
    const all = readCommittedLines(out);
    // Version 1's counter ("d", dropped) ran only before the savepoint; version 2's ("a", added)
    // starts from empty state and counts exactly the events after it.
    const others = (lines: readonly string[]) => lines.filter((l) => !/^[da]\|/.test(l));
    expect(multisetDifference(others(all), others(golden))).toEqual({
      missing: [],
      extra: [],
      counts: [others(golden).length, others(golden).length],
    });
    expect(all.filter((l) => l.startsWith('d|'))).toEqual([]);
    const added = all.filter((l) => l.startsWith('a|'));
    const after = EVENTS - before.filter((l) => l.startsWith('e|')).length;
    expect(added.map((l) => Number(l.split('|')[2])).reduce((a, b) => a + b, 0)).toBe(after);
  }, 90_000);
});
