// Checkpoints and restarts when things go wrong: bad savepoints fail with the file and what is
// wrong, mismatched operators are listed by uid, failing checkpoints are tolerated up to the
// configured number, and restart strategies give up naming the root cause.
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { JobExecutionError } from '../../src/index.ts';
import { runJobModule } from '../../src/testing/index.ts';
import { job, readJsonLines, tempDir } from './support.ts';

type Result = { savepoint?: string; rows?: unknown[] };
const run = (args: string[]) => runJobModule<Result>(job('checkpoints-failures'), args);
const failure = (args: string[]) =>
  run(args).then(
    () => {
      throw new Error('the job was expected to fail');
    },
    (e: unknown) => {
      expect(e).toBeInstanceOf(JobExecutionError);
      return e as JobExecutionError;
    },
  );

describe('restoring from a savepoint (worker threads)', () => {
  let savepoint = '';
  /** Count per key when the savepoint was taken. */
  const saved = new Map<number, number>();

  let resumed: Array<[number, number]> = [];

  beforeAll(async () => {
    const progress = join(tempDir(), 'progress.jsonl');
    const r = await run([
      ...['--mode', 'two-jobs', '--progress', progress, '--savepoints', tempDir('sluice-savepoints-')],
      ...['--checkpoints', tempDir()],
    ]);
    savepoint = r.savepoint!;
    resumed = r.rows as Array<[number, number]>;
    for (const [key, n] of readJsonLines<[number, number]>(progress))
      saved.set(key, Math.max(saved.get(key) ?? 0, n));
  }, 120_000);

  /** A copy of the savepoint to damage. */
  function copy(): string {
    const dir = join(tempDir(), 'savepoint-copy');
    cpSync(savepoint, dir, { recursive: true });
    return dir;
  }
  const stateFiles = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.state'));

  it('is a directory with _metadata and one .state file per task', () => {
    expect(readdirSync(savepoint)).toContain('_metadata');
    const metadata = JSON.parse(readFileSync(join(savepoint, '_metadata'), 'utf8'));
    expect(metadata).toMatchObject({ version: 1, savepoint: true, jobName: 'slow counts' });
    expect(stateFiles(savepoint).sort()).toEqual(metadata.files.map((f: { file: string }) => f.file).sort());
  });

  it('restores the state in a second job of the same program: counts go on from the savepoint', () => {
    const byKey = new Map<number, number[]>();
    for (const [key, n] of resumed) byKey.set(key, [...(byKey.get(key) ?? []), n]);
    expect([...byKey.keys()].sort()).toEqual([0, 1, 2, 3]);
    for (const [key, counts] of byKey) {
      const from = saved.get(key)!;
      expect(counts.sort((a, b) => a - b)).toEqual(
        Array.from({ length: 150 - from }, (_, i) => from + 1 + i),
      );
    }
  });

  it('a missing savepoint fails naming the path', async () => {
    const missing = join(tempDir(), 'no-such-savepoint');
    const e = await failure(['--mode', 'restore', '--restore', missing]);
    expect(e.message).toContain(`checkpoint or savepoint "${missing}" does not exist`);
  });

  it('a directory without _metadata is not a completed savepoint', async () => {
    const dir = copy();
    rmSync(join(dir, '_metadata'));
    const e = await failure(['--mode', 'restore', '--restore', dir]);
    expect(e.message).toContain(
      `${join(dir, '_metadata')} does not exist: "${dir}" is not a completed checkpoint or savepoint`,
    );
  });

  it('a corrupt _metadata fails naming the file', async () => {
    const dir = copy();
    writeFileSync(join(dir, '_metadata'), '{"version": 1, "files": [');
    const e = await failure(['--mode', 'restore', '--restore', dir]);
    expect(e.message).toContain(`${join(dir, '_metadata')} is corrupt`);
  });

  it('a missing state file fails naming it', async () => {
    const dir = copy();
    const file = stateFiles(dir)[0]!;
    rmSync(join(dir, file));
    const e = await failure(['--mode', 'restore', '--restore', dir]);
    expect(e.message).toContain(`checkpoint ${dir} is missing state file ${file}`);
  });

  it('a corrupt state file fails the restore naming it', async () => {
    const dir = copy();
    const file = stateFiles(dir).find((f) => readFileSync(join(dir, f)).length > 0)!;
    writeFileSync(join(dir, file), Buffer.from([0xc1, 0xc1, 0xc1, 0xff]));
    const e = await failure(['--mode', 'restore', '--restore', dir]);
    expect(e.message).toContain(`state file ${join(dir, file)} is corrupt`);
  });

  it('a corrupt state file of the savepoint given fails at once, even with a restart strategy', async () => {
    const dir = copy();
    const file = stateFiles(dir).find((f) => readFileSync(join(dir, f)).length > 0)!;
    writeFileSync(join(dir, file), Buffer.from([0xc1, 0xc1, 0xc1, 0xff]));
    const e = await failure(['--mode', 'restore', '--restore', dir, '--restart', 'fixed']);
    expect(e.message).toContain(`state file ${join(dir, file)} is `);
    expect(e.message).toContain(`(${dir}), which the job was started from, cannot be restored`);
  });

  it('operators whose state has no place in the job are listed by uid; stateless ones may go', async () => {
    const e = await failure(['--mode', 'restore', '--variant', 'v2', '--restore', savepoint]);
    expect(e.message).toContain(`cannot restore ${savepoint}: the state of 1 operator(s) does not match`);
    expect(e.message).toContain('uid "buffer" ("buffer")');
    expect(e.message).not.toContain('"format"');
    expect(e.message).toContain('--allowNonRestoredState');
  });

  it('allowNonRestoredState skips that state and restores the rest', async () => {
    const { rows } = await run([
      ...['--mode', 'restore', '--variant', 'v2', '--restore', savepoint, '--allow', 'true'],
      ...['--checkpoints', tempDir()],
    ]);
    const first = new Map<number, number>();
    for (const [key, n] of rows as Array<[number, number]>) first.set(key, Math.min(first.get(key) ?? n, n));
    for (const [key, n] of first) expect(n).toBe(saved.get(key)! + 1);
  });
});

describe('failing checkpoints (worker threads)', () => {
  /** Checkpoint storage under a regular file: every write fails with ENOTDIR. */
  function unwritableStorage(): string {
    const file = join(tempDir(), 'not-a-directory');
    writeFileSync(file, '');
    return join(file, 'checkpoints');
  }
  const allOnce = (rows: unknown[] | undefined) =>
    expect([...(rows as number[])].sort((a, b) => a - b)).toEqual(Array.from({ length: 600 }, (_, i) => i));

  it('do not stop the job while within the tolerable number', async () => {
    // The storage is repaired at record 400 (of 600): the job goes on through the failed
    // checkpoints before it, and ends with a final checkpoint that succeeds.
    const { rows } = await run([
      ...['--mode', 'storage', '--storage', unwritableStorage()],
      ...['--tolerable', '1000', '--repairAt', '400'],
    ]);
    allOnce(rows);
  });

  it('beyond the tolerable number fail the job, naming why the checkpoint failed', async () => {
    const storage = unwritableStorage();
    const e = await failure(['--mode', 'storage', '--storage', storage, '--tolerable', '2']);
    expect(e.message).toContain('3 consecutive checkpoint failures exceed the tolerable number 2');
    expect(e.message).toMatch(/ENOTDIR/);
    expect(e.message).toContain(storage.replace(/\/checkpoints$/, ''));
  });

  it('a throwing snapshotState() declines the checkpoint; the job goes on (tolerated)', async () => {
    const { rows } = await run([
      '--mode',
      'snapshot',
      '--throws',
      '2',
      '--tolerable',
      '5',
      '--checkpoints',
      tempDir(),
    ]);
    allOnce(rows);
  });

  it('a throwing snapshotState() beyond the tolerable number names the operator and the error', async () => {
    const e = await failure([
      '--mode',
      'snapshot',
      '--throws',
      '100',
      '--tolerable',
      '0',
      '--checkpoints',
      tempDir(),
    ]);
    expect(e.message).toContain('consecutive checkpoint failures exceed the tolerable number 0');
    expect(e.message).toContain('(uid: flaky)');
    expect(e.message).toContain('snapshotState() of checkpoint');
    expect(e.message).toContain('snapshot 1 cannot be taken');
  });
});

describe('restart strategies (worker threads)', () => {
  async function poisoned(strategy: string) {
    const attempts = join(tempDir(), 'attempts');
    const e = await failure([
      '--mode',
      'restart',
      '--strategy',
      strategy,
      '--attempts',
      attempts,
      '--checkpoints',
      tempDir(),
    ]);
    const seen = existsSync(attempts) ? readFileSync(attempts, 'utf8').trim().split('\n').map(Number) : [];
    // The root cause comes first, with the operator, the record and the original error.
    expect(e.message).toMatch(/operator "poisoned" \(uid: poisoned\).*record 5 is poison \(attempt \d\)/);
    return { message: e.message, attempts: seen };
  }

  it('fixedDelayRestart(2) restarts twice, then fails naming the root cause', async () => {
    const r = await poisoned('fixed');
    expect(r.attempts).toEqual([0, 1, 2]);
    expect(r.message).toContain('record 5 is poison (attempt 2)');
    expect(r.message).toContain('(not restarted: fixed-delay restart strategy exhausted its 2 attempts)');
  });

  it('failureRateRestart(2 per minute) gives up at the third failure within the interval', async () => {
    const r = await poisoned('rate');
    expect(r.attempts).toEqual([0, 1, 2]);
    expect(r.message).toContain(
      '(not restarted: failure-rate restart strategy: more than 2 failures within 60000 ms)',
    );
  });

  it('noRestart fails at the first failure, even with checkpointing', async () => {
    const r = await poisoned('none');
    expect(r.attempts).toEqual([0]);
    expect(r.message).not.toContain('not restarted');
  });
});
