// Bad input fails the job: execute() rejects with a JobExecutionError naming the operator, its uid,
// the subtask, the record and the original error (with its stack). A throwing map runs at
// parallelism 1 and 4 across worker threads, the other failures at parallelism 2.
import { describe, expect, it } from 'vitest';
import { JobExecutionError } from '../../src/index.ts';
import { runJobModule } from '../../src/testing/index.ts';
import { job } from './support.ts';

async function failure(mode: string, p: number): Promise<JobExecutionError> {
  const outcome = await runJobModule(job('failures'), ['--mode', mode, '--parallelism', String(p)]).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(outcome).toBeInstanceOf(JobExecutionError);
  return outcome as JobExecutionError;
}

describe.each([1, 4])('failing jobs at parallelism %i (worker threads)', (p) => {
  it('a throwing map names operator, uid, subtask, record (truncated) and error, with the stack', async () => {
    const e = await failure('map-throws', p);
    expect(e.code).toBe('JOB_FAILED');
    expect(e.message).toContain('Job "failing: map-throws"');
    expect(e.message).toContain('operator "parse" (uid: parse-1)');
    expect(e.message).toContain(`subtask ${p > 1 ? 2 : 1}/${p}`);
    expect(e.message).toMatch(/failed on record \{"id":\d+,"payload":"xxxx/);
    expect(e.message).toMatch(/… \(\d+ chars\)/); // the 2 KB record is truncated
    expect(e.message.length).toBeLessThan(1500);
    expect(e.message).toMatch(/TypeError: cannot parse record \d+/);
    expect(e.stack).toMatch(/Caused by: TypeError: cannot parse record \d+\n\s+at explode \(.*failures\.ts/);
  });
});

describe('other failing jobs at parallelism 2 (worker threads)', () => {
  const p = 2;

  it('a throwing open() names the operator and open()', async () => {
    const e = await failure('open-throws', p);
    expect(e.message).toContain('operator "enrich" (uid: enrich-1)');
    expect(e.message).toContain('failed on open()');
    expect(e.message).toContain('cannot connect to the lookup service');
  });

  it.each(['timer-throws', 'ptimer-throws'])(
    '%s: a throwing timer callback names the operator',
    async (mode) => {
      const e = await failure(mode, p);
      expect(e.message).toContain('operator "timeouts" (uid: timeouts-1)');
      expect(e.message).toMatch(/subtask \d\/\d/);
      expect(e.message).toMatch(/RangeError: timer \d+ exploded/);
      expect(e.stack).toContain('at FailingTimer.onTimer');
    },
  );

  it('a key selector returning undefined names the keyed operator and the record', async () => {
    const e = await failure('key-undefined', p);
    expect(e.message).toContain('key selector returned undefined for record {"id":7,');
    expect(e.message).toContain('"per-user" (uid: per-user-1)');
  });

  it('a throwing source function names the source', async () => {
    const e = await failure('source-throws', p);
    expect(e.message).toContain('"numbers" (uid: numbers-1)');
    expect(e.message).toContain('generator broke at 50');
  });
});
