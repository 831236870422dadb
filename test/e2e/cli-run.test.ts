// `sluice run` as a user runs it: a real process running a TypeScript job file on the embedded
// cluster's worker threads. Arguments reach process.argv, the job's output is the command's
// output, top-level code after execute() runs only in the client, and the exit code says whether
// the job finished.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../integration/support.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const jobFile = join(root, 'test/jobs/cli-top-level.ts');

function sluiceRun(...args: string[]) {
  return spawnSync(process.execPath, [join(root, 'bin/sluice.mjs'), 'run', ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('sluice run', () => {
  it('runs a job file in parallel worker threads; code after execute() runs once, in the client', () => {
    const trace = join(tempDir(), 'trace.txt');
    const run = sluiceRun('-p', '2', jobFile, trace, 'ok', 'alpha', 'beta', 'gamma');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const lines = run.stdout.split('\n').filter((l) => l.length > 0);
    expect(lines.map((l) => l.replace(/^[12]> /, '')).sort()).toEqual(['ALPHA', 'BETA', 'GAMMA']);
    for (const l of lines) expect(l).toMatch(/^[12]> /);
    const events = readFileSync(trace, 'utf8').trim().split('\n').sort();
    expect(events).toEqual([
      'after execute in client',
      'before execute in client',
      'before execute in worker',
      'before execute in worker',
    ]);
  });

  it('exits non-zero when the job fails, naming operator, uid, subtask, record and error with its stack', () => {
    const trace = join(tempDir(), 'trace.txt');
    const run = sluiceRun('-p', '2', jobFile, trace, 'fail', 'fine', 'boom');
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('operator "shout" (uid: shout-1)');
    expect(run.stderr).toMatch(/subtask [12]\/2/);
    expect(run.stderr).toContain('failed on record "boom"');
    expect(run.stderr).toContain('Error: cannot handle "boom"');
    expect(run.stderr).toMatch(/at .*cli-top-level\.ts/);
    expect(readFileSync(trace, 'utf8')).not.toContain('after execute');
  });

  it('exits non-zero for a job file that does not exist', () => {
    const run = sluiceRun('test/jobs/no-such-job.ts');
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('job file "test/jobs/no-such-job.ts" does not exist');
  });
});
