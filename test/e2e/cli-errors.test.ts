// End to end: the `sluice` CLI on bad input (malformed or unreachable -m, malformed or unknown job
// ids, -p 0, a savepoint that does not exist, a program that throws) answers with one clear line
// and a non-zero exit, stacks only with --verbose; and the REST API of a real JobManager on a
// running checkpointed job: processed_data of aligned checkpoints, the per-subtask, status and
// TaskManager endpoints, and Flink's 400/404/405 answers.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  eventually,
  freePort,
  killAll,
  type RestJson,
  rest,
  startJobManager,
  startTaskManager,
  submit,
  whenRunning,
} from './cluster-harness.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const UNKNOWN_JOB = '0123456789abcdef0123456789abcdef';

/** Runs `sluice <args>` to its end (bounded). */
function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(root, 'bin/sluice.mjs'), ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
    env: Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SLUICE_'))),
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A failure a user can act on: non-zero exit, the message, and no stack trace. */
function expectOneLineError(r: ReturnType<typeof cli>, message: RegExp): void {
  expect(r.status, r.stderr).not.toBe(0);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(/^\s+at /m);
}

describe('sluice CLI on bad input (no cluster)', () => {
  it('rejects a malformed -m address, and names an unreachable JobManager in one line', async () => {
    expectOneLineError(
      cli('list', '-m', 'localhost'),
      /Error: -m\/--jobmanager: expected host:port .* got "localhost"/,
    );
    expectOneLineError(cli('list', '-m', '127.0.0.1:70000'), /port 70000 is not between 1 and 65535/);
    const port = await freePort();
    const down = cli('list', '-m', `127.0.0.1:${port}`);
    expectOneLineError(
      down,
      new RegExp(`Error: cannot reach the JobManager at http://127\\.0\\.0\\.1:${port}: connection refused`),
    );
    expect(down.stderr.trim().split('\n')).toHaveLength(1);
    const verbose = cli('--verbose', 'list', '-m', `127.0.0.1:${port}`);
    expect(verbose.status).not.toBe(0);
    expect(verbose.stderr).toMatch(/^\s+at /m);
  });

  it('names a JobManager port that is in use, in one line', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as { port: number };
      expectOneLineError(
        cli('jobmanager', '--port', String(port)),
        new RegExp(
          `Error: cannot listen on 127\\.0\\.0\\.1:${port}: the port is in use .*--port \\(rest\\.port\\)`,
        ),
      );
    } finally {
      server.close();
    }
  });

  it('rejects a malformed job id before contacting the JobManager', () => {
    for (const command of ['cancel', 'savepoint', 'stop']) {
      const r = cli(command, '-m', '127.0.0.1:1', 'not-a-job');
      expectOneLineError(r, /"not-a-job" is not a job id \(32 lowercase hex characters\)/);
      expect(r.stdout).toBe('');
    }
  });

  it('rejects -p 0 and negative parallelism', () => {
    for (const p of ['0', '-1', 'two']) {
      expectOneLineError(cli('run', '-p', p, 'test/jobs/word-count.ts'), /expected a positive integer/);
    }
  });

  it('names a savepoint path that does not exist, without a stack', () => {
    expectOneLineError(
      cli('run', '-s', '/nonexistent/sp-1', 'test/jobs/word-count.ts'),
      /Error: checkpoint or savepoint "\/nonexistent\/sp-1" does not exist/,
    );
  });

  it('reports a job program that throws as its error, with its line (info and run)', () => {
    for (const command of ['info', 'run']) {
      const r = cli(command, 'test/jobs/cli-failing-program.ts', 'many');
      expectOneLineError(
        r,
        /Error: the job program "test\/jobs\/cli-failing-program\.ts" threw RangeError: expected a positive record count, got "many" \(at .*cli-failing-program\.ts:\d+:\d+\)/,
      );
    }
    const verbose = cli('--verbose', 'info', 'test/jobs/cli-failing-program.ts', '0');
    expect(verbose.stderr).toMatch(/Caused by: RangeError: expected a positive record count/);
    const ok = cli('info', 'test/jobs/cli-failing-program.ts', '5');
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout).name).toBe('cli failing program');
  });
});

describe('sluice CLI and REST API against a JobManager', () => {
  let base = '';
  let address = '';
  let jobId = '';
  const savepointDir = mkdtempSync(join(tmpdir(), 'sluice-e2e-cli-'));

  beforeAll(async () => {
    const started = await startJobManager({ SLUICE_SLOT_REQUEST_TIMEOUT: '20000' });
    base = started.base;
    address = `127.0.0.1:${started.port}`;
    await startTaskManager(started.port, 3);
    // Parallelism 2 in one TaskManager: each keyed subtask reads from both source subtasks, one
    // of them in another worker thread (serialized), and aligns their barriers.
    ({ jobId } = await submit(address, ['-d', 'test/jobs/cluster-slow-job.ts', '2', '4000', '200']));
    await whenRunning(base, jobId);
  }, 90_000);

  afterAll(async () => {
    await killAll();
    rmSync(savepointDir, { recursive: true, force: true });
  });

  it('measures processed_data of aligned checkpoints, per checkpoint and in the summary', async () => {
    const withData = await eventually(
      async () => {
        const history = (await rest(base, 'GET', `/jobs/${jobId}/checkpoints`)).json.history as RestJson[];
        return history.find((h) => h.status === 'COMPLETED' && h.processed_data > 0);
      },
      60_000,
      'a completed checkpoint whose alignment had data',
    );
    expect(withData).toMatchObject({ checkpoint_type: 'CHECKPOINT', unaligned: false, persisted_data: 0 });
    const cps = (await rest(base, 'GET', `/jobs/${jobId}/checkpoints`)).json;
    const done = cps.history.filter((h: RestJson) => h.status === 'COMPLETED');
    expect(cps.summary.processed_data.max).toBe(Math.max(...done.map((h: RestJson) => h.processed_data)));
    expect(cps.summary.processed_data.max).toBeGreaterThan(0);
    const details = (await rest(base, 'GET', `/jobs/${jobId}/checkpoints/details/${withData.id}`)).json;
    expect(details.processed_data).toBe(withData.processed_data);
  });

  it('serves job status, one subtask and one TaskManager; 400/404/405 as Flink', async () => {
    expect((await rest(base, 'GET', `/jobs/${jobId}/status`)).json).toEqual({ status: 'RUNNING' });
    const job = (await rest(base, 'GET', `/jobs/${jobId}`)).json;
    const keyed = job.vertices[1];
    const subtask = await rest(base, 'GET', `/jobs/${jobId}/vertices/${keyed.id}/subtasks/1`);
    expect(subtask.status).toBe(200);
    expect(subtask.json).toMatchObject({ subtask: 1, status: 'RUNNING', attempt: 0 });
    const listed = (await rest(base, 'GET', `/jobs/${jobId}/vertices/${keyed.id}`)).json.subtasks[1];
    expect(subtask.json['taskmanager-id']).toBe(listed['taskmanager-id']);
    expect((await rest(base, 'GET', `/jobs/${jobId}/vertices/${keyed.id}/subtasks/2`)).status).toBe(404);
    expect((await rest(base, 'GET', `/jobs/${jobId}/vertices/${keyed.id}/subtasks/-1`)).status).toBe(400);
    expect((await rest(base, 'GET', `/jobs/${jobId}/vertices/${'f'.repeat(32)}`)).status).toBe(404);

    // Flink's metrics endpoints over the task metrics the TaskManagers report.
    const vertexPath = `/jobs/${jobId}/vertices/${keyed.id}`;
    const names = (await rest(base, 'GET', `${vertexPath}/metrics`)).json.map((m: RestJson) => m.id);
    expect(names).toEqual(
      expect.arrayContaining(['0.numRecordsIn', '1.numRecordsIn', '1.accumulateBusyTimeMs']),
    );
    // (Heartbeats carry the counters: wait for the first ones.)
    const perSubtask = await eventually(async () => {
      const r = (await rest(base, 'GET', `${vertexPath}/metrics?get=0.numRecordsIn,1.numRecordsIn,0.nope`))
        .json;
      return r.length === 2 && r.every((m: RestJson) => Number(m.value) > 0) ? r : undefined;
    });
    expect(perSubtask.map((m: RestJson) => m.id)).toEqual(['0.numRecordsIn', '1.numRecordsIn']);
    const agg = (await rest(base, 'GET', `${vertexPath}/subtasks/metrics?get=numRecordsIn,numBytesIn`)).json;
    expect(agg.map((m: RestJson) => m.id)).toEqual(['numRecordsIn', 'numBytesIn']);
    for (const m of agg) {
      expect(m.min).toBeLessThanOrEqual(m.avg);
      expect(m.avg).toBeLessThanOrEqual(m.max);
      expect(m.sum).toBeCloseTo(m.avg * 2);
      expect(m.sum).toBeGreaterThan(0);
    }
    const one = (
      await rest(base, 'GET', `${vertexPath}/subtasks/metrics?get=numRecordsIn&agg=max&subtasks=1`)
    ).json;
    expect(Object.keys(one[0]).sort()).toEqual(['id', 'max']);
    expect(
      (await rest(base, 'GET', `${vertexPath}/subtasks/metrics?get=numRecordsIn&agg=median`)).status,
    ).toBe(400);
    const sub = (await rest(base, 'GET', `${vertexPath}/subtasks/1/metrics?get=numRecordsOut`)).json;
    expect(sub).toEqual([{ id: 'numRecordsOut', value: expect.stringMatching(/^\d+$/) }]);
    expect((await rest(base, 'GET', `${vertexPath}/subtasks/5/metrics`)).status).toBe(404);

    const tm = (await rest(base, 'GET', '/taskmanagers')).json.taskmanagers[0];
    const oneTm = await rest(base, 'GET', `/taskmanagers/${tm.id}`);
    expect(oneTm.status).toBe(200);
    expect(oneTm.json).toMatchObject({ id: tm.id, slotsNumber: 3 });

    // Savepoint operations: a malformed trigger id is a 400, an unknown one a 404, a client's
    // triggerId is the operation's id (a retried request does not trigger twice).
    expect((await rest(base, 'GET', `/jobs/${jobId}/savepoints/nope`)).status).toBe(400);
    const unknown = await rest(base, 'GET', `/jobs/${jobId}/savepoints/${'a'.repeat(32)}`);
    expect(unknown.status).toBe(404);
    expect(unknown.json.errors).toHaveLength(1);
    const badBody = await rest(base, 'POST', `/jobs/${jobId}/savepoints`, {
      body: '{"cancel-job": "yes"}',
      contentType: 'application/json',
    });
    expect(badBody.status).toBe(400);
    expect(badBody.json.errors[0]).toMatch(/cancel-job: expected true or false/);
    const triggerId = 'b'.repeat(32);
    const body = JSON.stringify({ triggerId, 'cancel-job': false, 'target-directory': savepointDir });
    const first = await rest(base, 'POST', `/jobs/${jobId}/savepoints`, {
      body,
      contentType: 'application/json',
    });
    expect(first).toEqual({ status: 202, json: { 'request-id': triggerId } });
    const again = await rest(base, 'POST', `/jobs/${jobId}/savepoints`, {
      body,
      contentType: 'application/json',
    });
    expect(again.json['request-id']).toBe(triggerId);
    const result = await eventually(async () => {
      const r = (await rest(base, 'GET', `/jobs/${jobId}/savepoints/${triggerId}`)).json;
      return r.status.id === 'COMPLETED' ? r : undefined;
    }, 60_000);
    expect(result.operation.location).toContain(savepointDir);
    const savepoints = (await rest(base, 'GET', `/jobs/${jobId}/checkpoints`)).json.history.filter(
      (h: RestJson) => h.is_savepoint,
    );
    expect(savepoints).toHaveLength(1);
    expect(savepoints[0].checkpoint_type).toBe('SAVEPOINT');

    const wrong = await rest(base, 'DELETE', `/jobs/${jobId}`);
    expect(wrong.status).toBe(405);
    expect(wrong.json.errors[0]).toMatch(/Method DELETE not allowed/);
  }, 90_000);

  it('names an unknown job in one line for cancel, savepoint and stop', () => {
    for (const command of ['cancel', 'savepoint', 'stop']) {
      expectOneLineError(
        cli(command, '-m', address, UNKNOWN_JOB),
        new RegExp(`Job ${UNKNOWN_JOB} not found`),
      );
    }
  });

  it('refuses to cancel a job that finished (409, as Flink), in one line', () => {
    const run = cli('run', '-m', address, '-p', '1', 'test/jobs/cli-failing-program.ts', '5');
    expect(run.status, run.stderr).toBe(0);
    const finished = /JobID ([0-9a-f]{32})/.exec(run.stdout)![1]!;
    expectOneLineError(
      cli('cancel', '-m', address, finished),
      /HTTP 409 .*: Job cancellation failed because the job has already reached another terminal state \(FINISHED\)\./,
    );
  });

  it('reports a savepoint path that does not exist for run -m, without a stack', () => {
    const r = cli('run', '-m', address, '-s', '/nonexistent/sp-2', 'test/jobs/cluster-slow-job.ts');
    expectOneLineError(r, /\/nonexistent\/sp-2/);
  });
});
