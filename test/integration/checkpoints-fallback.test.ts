// Recovery from a retained checkpoint that cannot be restored (a state file corrupt, cut short or
// missing): the job falls back to the next older retained checkpoint and says so; with none
// left it fails, naming the file and what is wrong — instead of restarting forever.
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { JobExecutionError } from '../../src/index.ts';
import { runJobModule } from '../../src/testing/index.ts';
import { KEYS, RECORDS } from '../jobs/checkpoints-fallback.ts';
import { job, tempDir } from './support.ts';

type Row = [number, number];

async function run(corrupt: 'newest' | 'all', how: string) {
  const dir = tempDir();
  const damaged = join(dir, 'damaged.json');
  const logged: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: unknown, ...rest: unknown[]) => {
    logged.push(String(chunk));
    return write(chunk as string, ...(rest as []));
  });
  const args = [
    '--checkpoints',
    join(dir, 'checkpoints'),
    '--corrupt',
    corrupt,
    '--how',
    how,
    '--damaged',
    damaged,
  ];
  const outcome = await runJobModule<{ rows: Row[] }>(job('checkpoints-fallback'), args).then(
    (r) => ({ rows: r.rows, error: undefined }),
    (e: unknown) => ({ rows: undefined, error: e }),
  );
  const files = existsSync(damaged) ? (JSON.parse(readFileSync(damaged, 'utf8')) as string[]) : [];
  return { ...outcome, files, log: logged.join('') };
}

/** Every key counted 1..RECORDS/KEYS: no record lost, none counted twice in state. */
function expectExactlyOnceState(rows: readonly Row[]): void {
  const distinct = new Set(rows.map(([k, n]) => `${k}:${n}`));
  const expected = new Set<string>();
  for (let k = 0; k < KEYS; k++) for (let n = 1; n <= RECORDS / KEYS; n++) expected.add(`${k}:${n}`);
  expect([...distinct].sort()).toEqual([...expected].sort());
}

describe('a retained checkpoint that cannot be restored (worker threads)', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  for (const how of ['garbage', 'truncate', 'delete']) {
    it(`newest checkpoint's state file ${how === 'delete' ? 'deleted' : how === 'truncate' ? 'cut short' : 'overwritten'}: recovers from the older one`, async () => {
      const { rows, error, files, log } = await run('newest', how);
      expect(error).toBeUndefined();
      expect(files).toHaveLength(1);
      const bad = files[0]!;
      const checkpoint = bad.slice(0, bad.lastIndexOf('/'));
      const id = Number(checkpoint.slice(checkpoint.lastIndexOf('chk-') + 4));
      // The log names the bad file, what is wrong, and the checkpoint recovered from instead.
      expect(log).toContain(
        how === 'delete' ? `${checkpoint} is missing state file ${basename(bad)}` : `state file ${bad} is`,
      );
      expect(log).toMatch(
        new RegExp(
          `checkpoint ${id} \\(${checkpoint}\\) cannot be restored; recovering from checkpoint (\\d+)`,
        ),
      );
      const older = Number(/recovering from checkpoint (\d+)/.exec(log)![1]);
      expect(older).toBeLessThan(id);
      expectExactlyOnceState(rows!);
    }, 60_000);
  }

  it('every retained checkpoint damaged: the job FAILS naming the file and the problem', async () => {
    const started = Date.now();
    const { error, files } = await run('all', 'garbage');
    expect(error).toBeInstanceOf(JobExecutionError);
    const message = (error as Error).message;
    expect(files.length).toBeGreaterThanOrEqual(2);
    // The last one tried (the oldest) is named, with what is wrong and why there is no restart.
    const oldest = files[files.length - 1]!;
    expect(message).toMatch(
      new RegExp(
        `state file ${oldest} (is corrupt: |is not a Sluice task state file)`.replaceAll('.', '\\.'),
      ),
    );
    expect(message).toContain('no older retained checkpoint is left to recover from');
    // Not restarted forever: it fails while the restart strategy would still allow attempts.
    expect(Date.now() - started).toBeLessThan(50_000);
  }, 60_000);
});
