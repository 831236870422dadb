// Unaligned checkpoints under backpressure (worker threads, and inline): checkpoints complete with
// the data buffered in the channels stored in them, a job restored from such a checkpoint (at the
// same parallelism, with one or two inputs, and at 2→3 and 3→2) writes exactly the output of a
// failure-free run.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runJobModule } from '../../src/testing/index.ts';
import { KEYS, type UnalignedMarker } from '../jobs/unaligned-checkpoints.ts';
import { job, multiset, readCommittedLines, tempDir } from './support.ts';

const RECORDS = 6_000;
let golden: Map<string, number>;

function args(
  phase: string,
  p: number,
  dirs: { out: string; checkpoints: string; marker: string },
  extra: string[] = [],
) {
  return [
    ...['--phase', phase, '--parallelism', String(p), '--records', String(RECORDS)],
    ...['--out', dirs.out, '--checkpoints', dirs.checkpoints, '--marker', dirs.marker, ...extra],
  ];
}

/** Temporary directories of the runs, removed at the end. */
const bases: string[] = [];
afterAll(() => {
  for (const b of bases) rmSync(b, { recursive: true, force: true });
});

function dirs() {
  const base = tempDir('sluice-unaligned-');
  bases.push(base);
  return { out: join(base, 'out'), checkpoints: join(base, 'cp'), marker: join(base, 'marker.json') };
}

/** Every record once, and each key's sequence numbers 1..n without gap or repetition. */
function checkExactlyOnce(lines: readonly string[], context: string): void {
  const values = lines.map((l) => Number(l.split('|')[2]));
  const seen = multiset(values);
  const missing = Array.from({ length: RECORDS }, (_, v) => v).filter((v) => !seen.has(v));
  const repeated = [...seen].filter(([, n]) => n > 1).map(([v]) => v);
  expect({ missing: missing.slice(0, 20), repeated: repeated.slice(0, 20) }, context).toEqual({
    missing: [],
    repeated: [],
  });
  const byKey = new Map<number, number[]>();
  for (const l of lines) {
    const [key, seq] = l.split('|').map(Number) as [number, number];
    const list = byKey.get(key) ?? [];
    list.push(seq);
    byKey.set(key, list);
  }
  for (const [key, seqs] of byKey) {
    seqs.sort((a, b) => a - b);
    const expected = Array.from({ length: Math.ceil((RECORDS - key) / KEYS) }, (_, i) => i + 1);
    expect(seqs, `${context}: sequence numbers of key ${key}`).toEqual(expected);
  }
}

/** key|value of every line: the failure-free output as a multiset (sequence numbers depend on interleaving). */
function keyedValues(lines: readonly string[]): Map<string, number> {
  return multiset(
    lines.map((l) =>
      l
        .split('|')
        .filter((_, i) => i !== 1)
        .join('|'),
    ),
  );
}

function readMarker(path: string): UnalignedMarker {
  expect(existsSync(path), 'the job failed after a checkpoint holding in-flight data').toBe(true);
  return JSON.parse(readFileSync(path, 'utf8')) as UnalignedMarker;
}

beforeAll(async () => {
  const d = dirs();
  await runJobModule(job('unaligned-checkpoints'), args('straight', 2, d));
  const lines = readCommittedLines(d.out);
  checkExactlyOnce(lines, 'straight run');
  golden = keyedValues(lines);
}, 120_000);

describe('unaligned checkpoints under backpressure', () => {
  it.each([
    ['one input, parallelism 2', 2, []],
    ['two inputs (connect), parallelism 2', 2, ['--topology', 'connect']],
    ['inline execution, parallelism 1', 1, ['--local', 'inline']],
    // Checkpoints start aligned; under this backpressure their alignment outlasts 5 ms and they
    // switch to unaligned (the run fails only after a checkpoint that holds in-flight data). Two
    // inputs: four channels per subtask, so a switch finds data before some channel's barrier.
    [
      'two inputs, aligned with a 5 ms alignment timeout, parallelism 2',
      2,
      ['--topology', 'connect', '--alignedTimeout', '5'],
    ],
  ])(
    '%s: a checkpoint holds the in-flight data; restoring from it gives the failure-free output exactly once',
    async (_, p, extra) => {
      const d = dirs();
      await runJobModule(job('unaligned-checkpoints'), args('fail-restart', p, d, extra));
      const marker = readMarker(d.marker);
      // Buffers waited in the channels behind the slow keyed operator: the barrier overtook them.
      expect(marker.inputBytes + marker.outputBytes).toBeGreaterThan(0);
      const lines = readCommittedLines(d.out);
      checkExactlyOnce(lines, `restored from ${JSON.stringify(marker)}`);
      expect(keyedValues(lines)).toEqual(golden);
    },
    120_000,
  );

  it.each([
    [2, 3],
    [3, 2],
  ])(
    'restores the in-flight data of a keyed edge at another parallelism (%i → %i)',
    async (from, to) => {
      const d = dirs();
      await expect(runJobModule(job('unaligned-checkpoints'), args('fail-stop', from, d))).rejects.toThrow();
      const marker = readMarker(d.marker);
      expect(marker.inputBytes + marker.outputBytes).toBeGreaterThan(0);
      await runJobModule(job('unaligned-checkpoints'), args('resume', to, d, ['--restore', marker.dir]));
      const lines = readCommittedLines(d.out);
      checkExactlyOnce(lines, `${from} → ${to} from ${JSON.stringify(marker)}`);
      expect(keyedValues(lines)).toEqual(golden);
    },
    120_000,
  );
});
