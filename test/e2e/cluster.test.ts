// End to end: a JobManager and two TaskManagers as real processes on 127.0.0.1. Jobs are
// submitted with `sluice run -m`, listed and cancelled with the CLI, watched through the REST
// API; a job at parallelism 4 exchanges records between the TaskManagers over TCP; a TaskManager
// killed with SIGKILL restarts a checkpointed job from its latest checkpoint (exactly-once counts),
// and one stopped with SIGSTOP (heartbeats stop) fails a job without restarts.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  eventually,
  FAST_HEARTBEATS,
  freePort,
  killAll,
  type RestJson,
  rest,
  type SluiceProcess,
  sluice,
  startJobManager,
  startTaskManager,
  submit,
  whenRunning,
} from './cluster-harness.ts';

/** Time limit of the tests that start, kill and restart processes (a loaded machine is slow). */
const LONG = 150_000;

describe('standalone cluster', () => {
  let base = '';
  let port = 0;
  let tm1: SluiceProcess;
  let tm2: SluiceProcess;

  beforeAll(async () => {
    const started = await startJobManager({
      ...FAST_HEARTBEATS,
      SLUICE_REST_SERVER_MAX_CONTENT_LENGTH: '1000000',
      SLUICE_SLOT_REQUEST_TIMEOUT: '20000',
    });
    base = started.base;
    port = started.port;
    [tm1, tm2] = await Promise.all([
      startTaskManager(port, 2, FAST_HEARTBEATS),
      startTaskManager(port, 2, FAST_HEARTBEATS),
    ]);
    await eventually(async () =>
      (await rest(base, 'GET', '/overview')).json.taskmanagers === 2 ? true : undefined,
    );
  }, 60_000);

  afterAll(async () => {
    await killAll();
  });

  it('reports the cluster through the REST API in Flink shapes', async () => {
    const overview = (await rest(base, 'GET', '/overview')).json;
    expect(overview).toMatchObject({
      taskmanagers: 2,
      'slots-total': 4,
      'slots-available': 4,
      'jobs-running': 0,
    });
    expect(typeof overview.version).toBe('string');
    const tms = (await rest(base, 'GET', '/taskmanagers')).json.taskmanagers;
    expect(tms).toHaveLength(2);
    for (const tm of tms) {
      expect(tm).toMatchObject({ slotsNumber: 2, freeSlots: 2 });
      expect(tm.timeSinceLastHeartbeat).toBeLessThan(2000);
      expect(tm.hardware.cpuCores).toBeGreaterThan(0);
    }
    expect((await rest(base, 'GET', '/config')).json).toHaveProperty('refresh-interval');
    const conf = (await rest(base, 'GET', '/jobmanager/config')).json as { key: string; value: string }[];
    expect(conf).toContainEqual({ key: 'heartbeat.timeout', value: '2000' });
    const openapi = (await rest(base, 'GET', '/openapi.json')).json;
    expect(Object.keys(openapi.paths)).toEqual(
      expect.arrayContaining(['/overview', '/jobs/{jobid}', '/jars/upload']),
    );
    expect((await rest(base, 'GET', '/jobs')).json).toEqual({ jobs: [] });
  });

  it(
    'runs a job at parallelism 4 across both TaskManagers, exchanging records over TCP',
    async () => {
      const records = 200_000;
      const keys = 100;
      const run = sluice([
        'run',
        '-m',
        `127.0.0.1:${port}`,
        'test/jobs/cluster-keyed-count.ts',
        String(records),
        String(keys),
        '4',
      ]);
      const [, jobId] = (await run.waitFor(
        /Job has been submitted with JobID ([0-9a-f]{32})/,
      )) as RegExpMatchArray;
      expect(await run.exited).toBe(0);
      expect(run.output.stdout).toContain(`Job with JobID ${jobId} has finished.`);

      const job = (await rest(base, 'GET', `/jobs/${jobId}`)).json;
      expect(job).toMatchObject({ jid: jobId, name: 'cluster keyed count', state: 'FINISHED' });
      expect(job['end-time']).toBeGreaterThanOrEqual(job['start-time']);
      expect(job.plan.nodes).toHaveLength(2);
      const [source, keyed] = job.vertices;
      expect(source).toMatchObject({ parallelism: 4, status: 'FINISHED' });
      expect(source.metrics['write-records']).toBe(records);
      expect(keyed).toMatchObject({ parallelism: 4, status: 'FINISHED' });
      expect(keyed.metrics['read-records']).toBe(records);
      // Records crossed threads and processes serialized: bytes both ways, and the same amount
      // (every byte a source subtask sent was read by a keyed subtask).
      expect(source.metrics['write-bytes']).toBeGreaterThan(records);
      expect(keyed.metrics['read-bytes']).toBe(source.metrics['write-bytes']);
      expect(keyed.metrics['write-bytes']).toBe(0);
      for (const v of [source, keyed]) {
        expect(v.metrics['accumulated-busy-time']).toBeGreaterThan(0);
        expect(v.metrics['accumulated-idle-time']).toBeGreaterThanOrEqual(0);
        expect(v.metrics['accumulated-backpressured-time']).toBeGreaterThanOrEqual(0);
      }

      // Subtasks are spread over both TaskManagers and every keyed subtask got records, so records
      // of the sources on one TaskManager reached keyed subtasks on the other over the data link.
      const subtasks = (await rest(base, 'GET', `/jobs/${jobId}/vertices/${keyed.id}`)).json.subtasks;
      expect(new Set(subtasks.map((s: { 'taskmanager-id': string }) => s['taskmanager-id'])).size).toBe(2);
      for (const s of subtasks) expect(s.metrics['read-records']).toBeGreaterThan(0);
      const sourceTms = (await rest(base, 'GET', `/jobs/${jobId}/vertices/${source.id}`)).json.subtasks.map(
        (s: { 'taskmanager-id': string }) => s['taskmanager-id'],
      );
      expect(new Set(sourceTms).size).toBe(2);

      const result = (await rest(base, 'GET', `/jobs/${jobId}/execution-result`)).json;
      expect(result.status.id).toBe('COMPLETED');
      const collected = result['job-execution-result'].collected as { key: number; count: number }[];
      expect(collected).toHaveLength(keys);
      expect(new Set(collected.map((c) => c.key)).size).toBe(keys);
      for (const c of collected) expect(c.count).toBe(records / keys);

      const checkpoints = (await rest(base, 'GET', `/jobs/${jobId}/checkpoints`)).json;
      expect(checkpoints.counts).toEqual({ restored: 0, total: 0, in_progress: 0, completed: 0, failed: 0 });
      const noConfig = await rest(base, 'GET', `/jobs/${jobId}/checkpoints/config`);
      expect(noConfig.status).toBe(404);
      expect(noConfig.json.errors[0]).toMatch(/Checkpointing is not enabled/);
      expect((await rest(base, 'GET', `/jobs/${jobId}/exceptions`)).json['root-exception']).toBeNull();
      expect((await rest(base, 'GET', '/overview')).json).toMatchObject({
        'jobs-finished': 1,
        'slots-available': 4,
      });
    },
    LONG,
  );

  it("runs a program of two jobs whose second plan depends on the first job's result", async () => {
    const run = sluice(['run', '-m', `127.0.0.1:${port}`, 'test/jobs/cluster-two-jobs.ts', '10']);
    expect(await run.exited).toBe(0);
    expect(run.output.stdout.match(/Job has been submitted with JobID/g)).toHaveLength(2);
    // 3 + 6 + 9 = 18 added to each of 1..4.
    expect(run.output.stdout).toContain('SECOND [19,20,21,22]');
  });

  it('reports a failing job through the CLI exit code and the REST exceptions', async () => {
    const { run, jobId } = await submit(`127.0.0.1:${port}`, ['test/jobs/cluster-failing-job.ts', '2']);
    expect(await run.exited).toBe(1);
    expect(run.output.stderr).toMatch(/The program finished with the following exception/);
    expect(run.output.stderr).toMatch(/record 500 is out of range/);
    expect((await rest(base, 'GET', `/jobs/${jobId}`)).json.state).toBe('FAILED');
    const exceptions = (await rest(base, 'GET', `/jobs/${jobId}/exceptions`)).json;
    expect(exceptions['root-exception']).toMatch(
      /parse.*record 500 is out of range|record 500 is out of range/s,
    );
  });

  it(
    'lists and cancels a detached job with the CLI',
    async () => {
      const run = sluice([
        'run',
        '-m',
        `127.0.0.1:${port}`,
        '-d',
        'test/jobs/cluster-slow-job.ts',
        '2',
        '1000',
      ]);
      const [, jobId] = (await run.waitFor(
        /Job has been submitted with JobID ([0-9a-f]{32})/,
      )) as RegExpMatchArray;
      expect(await run.exited).toBe(0);
      await whenRunning(base, jobId!);
      const list = sluice(['list', '-m', `127.0.0.1:${port}`]);
      expect(await list.exited).toBe(0);
      expect(list.output.stdout).toMatch(new RegExp(`${jobId} : cluster slow job \\(RUNNING\\)`));

      const cancel = sluice(['cancel', '-m', `127.0.0.1:${port}`, jobId!]);
      expect(await cancel.exited).toBe(0);
      expect(cancel.output.stdout).toContain(`Cancelled job ${jobId}.`);
      expect((await rest(base, 'GET', `/jobs/${jobId}`)).json.state).toBe('CANCELED');
      await eventually(async () =>
        (await rest(base, 'GET', '/overview')).json['slots-available'] === 4 ? true : undefined,
      );
      const all = sluice(['list', '-m', `127.0.0.1:${port}`, '-a']);
      expect(await all.exited).toBe(0);
      expect(all.output.stdout).toMatch(new RegExp(`${jobId} : cluster slow job \\(CANCELED\\)`));
    },
    LONG,
  );

  it(
    'takes a savepoint, stops with a savepoint and resumes from it at another parallelism',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'sluice-e2e-savepoints-'));
      try {
        const { jobId } = await submit(`127.0.0.1:${port}`, [
          '-d',
          'test/jobs/cluster-slow-job.ts',
          '4',
          '2000',
        ]);
        await whenRunning(base, jobId);
        const savepoint = sluice(['savepoint', '-m', `127.0.0.1:${port}`, jobId!, join(dir, 'sp1')]);
        expect(await savepoint.exited).toBe(0);
        expect(savepoint.output.stdout).toMatch(/Savepoint completed\. Path: \S+/);
        const cps = (await rest(base, 'GET', `/jobs/${jobId}/checkpoints`)).json;
        expect(cps.latest.savepoint).toMatchObject({ is_savepoint: true, status: 'COMPLETED' });
        // How long the tasks were blocked at the barrier, and how long their files took after it.
        expect(cps.latest.savepoint.sync_duration).toBeGreaterThanOrEqual(0);
        expect(cps.latest.savepoint.async_duration).toBeGreaterThanOrEqual(0);

        const stop = sluice(['stop', '-m', `127.0.0.1:${port}`, '-p', join(dir, 'sp2'), jobId!]);
        expect(await stop.exited).toBe(0);
        const [, path] = (await stop.waitFor(/Savepoint completed\. Path: (\S+)/)) as RegExpMatchArray;
        await eventually(async () =>
          (await rest(base, 'GET', `/jobs/${jobId}`)).json.state === 'FINISHED' ? true : undefined,
        );

        const { jobId: resumedId } = await submit(`127.0.0.1:${port}`, [
          '-d',
          '-s',
          path!,
          'test/jobs/cluster-slow-job.ts',
          '2',
          '2000',
        ]);
        await whenRunning(base, resumedId);
        const restored = (await rest(base, 'GET', `/jobs/${resumedId}/checkpoints`)).json;
        expect(restored.counts.restored).toBe(1);
        expect(restored.latest.restored).toMatchObject({ is_savepoint: true, external_path: path });
        expect((await rest(base, 'GET', `/jobs/${resumedId}`)).json.vertices[1].parallelism).toBe(2);
        const cancel = sluice(['cancel', '-m', `127.0.0.1:${port}`, resumedId!]);
        expect(await cancel.exited).toBe(0);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    LONG,
  );

  it('answers malformed requests with JSON 4xx errors and keeps serving', async () => {
    const expectError = async (
      r: Promise<{ status: number; json: RestJson }>,
      status: number,
      text: RegExp,
    ): Promise<void> => {
      const { status: s, json } = await r;
      expect(s).toBe(status);
      expect(json.errors[0]).toMatch(text);
    };
    await expectError(rest(base, 'GET', '/jobs/not-a-job-id'), 400, /not a job id/);
    await expectError(rest(base, 'GET', `/jobs/${'0'.repeat(32)}`), 404, /not found/);
    await expectError(rest(base, 'GET', '/no/such/path'), 404, /Not found/);
    await expectError(
      rest(base, 'POST', '/jars/upload', { body: '{"a":1}', contentType: 'application/json' }),
      415,
      /Content-Type/,
    );
    await expectError(
      rest(base, 'POST', '/jars/upload', { body: '{"a":', contentType: 'application/json' }),
      400,
      /JSON/,
    );
    await expectError(
      rest(base, 'POST', '/jars/upload', {
        body: new Uint8Array(1_500_000),
        contentType: 'application/octet-stream',
      }),
      413,
      /too large/,
    );
    await expectError(
      rest(base, 'POST', '/jars/nope/run', { body: '{}', contentType: 'application/json' }),
      404,
      /no uploaded/,
    );
    const upload = await rest(base, 'POST', '/jars/upload', {
      body: 'export default 1 +',
      contentType: 'application/javascript',
    });
    expect(upload.status).toBe(200);
    await expectError(
      rest(base, 'POST', `/jars/${upload.json.filename}/run`, {
        body: '{"programArgsList": "x"}',
        contentType: 'application/json',
      }),
      400,
      /programArgsList/,
    );
    await expectError(
      rest(base, 'POST', `/jars/${upload.json.filename}/run`, {
        body: '{}',
        contentType: 'application/json',
      }),
      400,
      /not a valid JavaScript module|failed to build its pipeline/,
    );
    const jobs = (await rest(base, 'GET', '/jobs')).json.jobs;
    await expectError(rest(base, 'PATCH', `/jobs/${jobs[0].id}?mode=stop`, {}), 400, /mode/);
    expect((await rest(base, 'GET', '/overview')).status).toBe(200);
  });

  it(
    'restarts a checkpointed job from its latest checkpoint when a TaskManager is killed (SIGKILL), exactly once',
    async () => {
      const records = 24_000;
      const keys = 24;
      const { run, jobId } = await submit(`127.0.0.1:${port}`, [
        'test/jobs/cluster-checkpointed-count.ts',
        String(records),
        String(keys),
        '4',
        '4000',
      ]);
      await eventually(async () => {
        const cps = (await rest(base, 'GET', `/jobs/${jobId}/checkpoints`)).json;
        const job = (await rest(base, 'GET', `/jobs/${jobId}`)).json;
        return job.state === 'RUNNING' &&
          cps.counts.completed >= 2 &&
          job.vertices[1].metrics['read-records'] > 0
          ? true
          : undefined;
      });
      tm2.child.kill('SIGKILL');
      await eventually(
        async () => ((await rest(base, 'GET', '/overview')).json.taskmanagers === 1 ? true : undefined),
        10_000,
        'the JobManager to notice the lost TaskManager',
      );
      expect(await run.exited).toBe(0);
      const job = (await rest(base, 'GET', `/jobs/${jobId}`)).json;
      expect(job.state).toBe('FINISHED');
      expect(job.timestamps.RESTARTING).toBeGreaterThan(0);
      const exceptions = (await rest(base, 'GET', `/jobs/${jobId}/exceptions`)).json;
      expect(exceptions.exceptionHistory.entries[0].stacktrace).toMatch(
        // Whoever notices first: the JobManager (connection, heartbeat) or a peer's data link.
        /TaskManagerLostException: TaskManager \S+ .*(disconnected|timed out)|DataLinkException: data link to TaskManager \S+ lost: .*might indicate that the TaskManager was lost/,
      );
      // The failover restored the latest checkpoint, and the REST statistics say so.
      const cps = (await rest(base, 'GET', `/jobs/${jobId}/checkpoints`)).json;
      expect(cps.counts.restored).toBeGreaterThanOrEqual(1);
      expect(cps.latest.restored).toMatchObject({ is_savepoint: false });
      expect(cps.latest.restored.external_path).toMatch(/chk-\d+$/);
      // Sizes are what the tasks wrote: the keyed counts of 4 subtasks are not empty.
      const done = cps.history.filter((h: RestJson) => h.status === 'COMPLETED');
      expect(done.length).toBeGreaterThan(0);
      for (const h of done) expect(h.state_size).toBeGreaterThan(0);
      expect(cps.summary.state_size.max).toBe(Math.max(...done.map((h: RestJson) => h.state_size as number)));
      const config = (await rest(base, 'GET', `/jobs/${jobId}/checkpoints/config`)).json;
      expect(config).toMatchObject({ mode: 'exactly_once', unaligned_checkpoints: false });
      expect((await rest(base, 'GET', `/jobs/${jobId}/config`)).json).toEqual({
        jid: jobId,
        name: expect.any(String),
        'execution-config': {
          'restart-strategy': 'Restart with fixed delay (200 ms). #3 restart attempts.',
          'job-parallelism': 4,
          'object-reuse-mode': false,
          'user-config': {},
        },
      });
      expect(config.interval).toBeGreaterThan(0);
      const last = done[done.length - 1];
      const details = await rest(base, 'GET', `/jobs/${jobId}/checkpoints/details/${last.id}`);
      expect(details.status).toBe(200);
      expect(details.json).toMatchObject({ id: last.id, status: 'COMPLETED', state_size: last.state_size });
      expect((await rest(base, 'GET', `/jobs/${jobId}/checkpoints/details/99999`)).status).toBe(404);
      expect((await rest(base, 'GET', `/jobs/${jobId}/checkpoints/details/x`)).status).toBe(400);
      // After the restart every subtask runs on the remaining TaskManager.
      const keyed = job.vertices[1];
      const subtasks = (await rest(base, 'GET', `/jobs/${jobId}/vertices/${keyed.id}`)).json.subtasks;
      expect(new Set(subtasks.map((s: { 'taskmanager-id': string }) => s['taskmanager-id'])).size).toBe(1);
      const collected = (await rest(base, 'GET', `/jobs/${jobId}/execution-result`)).json[
        'job-execution-result'
      ].collected as { key: number; count: number }[];
      expect(collected.map((c) => c.key).sort((a, b) => a - b)).toEqual(
        Array.from({ length: keys }, (_, i) => i),
      );
      for (const c of collected) expect(c.count).toBe(records / keys);
      expect((await rest(base, 'GET', `/jobs/${jobId}/checkpoints`)).json.counts.completed).toBeGreaterThan(
        0,
      );
    },
    LONG,
  );

  it(
    'fails a job without restarts when its TaskManager stops heartbeating (SIGSTOP)',
    async () => {
      const { jobId } = await submit(`127.0.0.1:${port}`, [
        '-d',
        'test/jobs/cluster-slow-job.ts',
        '2',
        '1000',
      ]);
      await whenRunning(base, jobId);
      const before = (await rest(base, 'GET', '/overview')).json.taskmanagers as number;
      const stoppedAt = Date.now();
      tm1.child.kill('SIGSTOP');
      await eventually(
        async () => ((await rest(base, 'GET', `/jobs/${jobId}`)).json.state === 'FAILED' ? true : undefined),
        15_000,
      );
      expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(1500);
      const exceptions = (await rest(base, 'GET', `/jobs/${jobId}/exceptions`)).json;
      expect(exceptions['root-exception']).toMatch(
        /TaskManagerLostException: heartbeat of TaskManager \S+ .*timed out/,
      );
      expect(exceptions.exceptionHistory.entries).toHaveLength(1);
      const overview = (await rest(base, 'GET', '/overview')).json;
      expect(overview.taskmanagers).toBe(before - 1);
      expect(overview['jobs-failed']).toBeGreaterThanOrEqual(1);
      tm1.child.kill('SIGCONT');
    },
    LONG,
  );
});

describe('TaskManager and JobManager restarts', () => {
  afterAll(async () => {
    await killAll();
  });

  it(
    'a TaskManager registers again with a restarted JobManager and runs its jobs',
    async () => {
      const first = await startJobManager(FAST_HEARTBEATS);
      const tm = await startTaskManager(first.port, 2, FAST_HEARTBEATS);
      first.jm.child.kill('SIGKILL');
      await tm.waitFor(/lost the JobManager/, 10_000);
      const again = sluice(['jobmanager', '--port', String(first.port)], {
        ...FAST_HEARTBEATS,
        SLUICE_SLOT_REQUEST_TIMEOUT: '3000',
      });
      await again.waitFor(/JobManager listening/);
      await eventually(
        async () => ((await rest(first.base, 'GET', '/overview')).json.taskmanagers === 1 ? true : undefined),
        20_000,
      );
      const run = sluice([
        'run',
        '-m',
        `127.0.0.1:${first.port}`,
        'test/jobs/cluster-keyed-count.ts',
        '10000',
        '10',
        '2',
      ]);
      expect(await run.exited).toBe(0);
      expect(run.output.stdout).toMatch(/Job with JobID [0-9a-f]{32} has finished/);

      // Wider than the cluster: waits for slots, then fails naming what it needs.
      const { run: wide, jobId: wideId } = await submit(`127.0.0.1:${first.port}`, [
        'test/jobs/cluster-keyed-count.ts',
        '1000',
        '10',
        '4',
      ]);
      expect((await rest(first.base, 'GET', `/jobs/${wideId}`)).json.state).toBe('CREATED');
      expect(await wide.exited).toBe(1);
      expect(wide.output.stderr).toMatch(
        /NoResourceAvailableException: .*could not get 4 task slot\(s\) within 3000 ms/,
      );
    },
    LONG,
  );
});

describe('JobManager high availability', () => {
  afterAll(async () => {
    await killAll();
  });

  it(
    'a restarted JobManager runs its jobs again from their latest checkpoints',
    async () => {
      const ha = mkdtempSync(join(tmpdir(), 'sluice-e2e-ha-'));
      const checkpoints = mkdtempSync(join(tmpdir(), 'sluice-e2e-chk-'));
      try {
        const env = {
          ...FAST_HEARTBEATS,
          SLUICE_HIGH_AVAILABILITY_TYPE: 'file',
          SLUICE_HIGH_AVAILABILITY_STORAGEDIR: ha,
          SLUICE_STATE_CHECKPOINTS_DIR: checkpoints,
        };
        const first = await startJobManager(env);
        await startTaskManager(first.port, 2, FAST_HEARTBEATS);
        const records = 24_000;
        const keys = 24;
        const { jobId } = await submit(`127.0.0.1:${first.port}`, [
          '-d',
          'test/jobs/cluster-checkpointed-count.ts',
          String(records),
          String(keys),
          '2',
          '3000',
        ]);
        await eventually(async () => {
          const cps = (await rest(first.base, 'GET', `/jobs/${jobId}/checkpoints`)).json;
          return cps.counts.completed >= 3 ? true : undefined;
        });
        first.jm.child.kill('SIGKILL');
        const second = sluice(['jobmanager', '--port', String(first.port)], env);
        await second.waitFor(new RegExp(`recovered job ${jobId} from checkpoint`), 30_000);
        await eventually(
          async () =>
            (await rest(first.base, 'GET', `/jobs/${jobId}`)).json.state === 'FINISHED' ? true : undefined,
          40_000,
          'the recovered job to finish',
        );
        const cps = (await rest(first.base, 'GET', `/jobs/${jobId}/checkpoints`)).json;
        expect(cps.latest.restored).toMatchObject({ is_savepoint: false });
        expect(cps.latest.restored.external_path).toContain(checkpoints);
        // Resumed, not started over: the new run read fewer records than the job has.
        const job = (await rest(first.base, 'GET', `/jobs/${jobId}`)).json;
        expect(job.vertices[1].metrics['read-records']).toBeLessThan(records);
        const collected = (await rest(first.base, 'GET', `/jobs/${jobId}/execution-result`)).json[
          'job-execution-result'
        ].collected as { key: number; count: number }[];
        expect(collected.length).toBeGreaterThan(0);
        for (const c of collected) expect(c.count).toBe(records / keys);
        await eventually(
          async () => (existsSync(join(ha, 'jobs', jobId!)) ? undefined : true),
          5000,
          'the record removed',
        );
      } finally {
        rmSync(ha, { recursive: true, force: true });
        rmSync(checkpoints, { recursive: true, force: true });
      }
    },
    LONG,
  );
});

describe('reactive mode', () => {
  afterAll(async () => {
    await killAll();
  });

  it(
    'rescales a running job when TaskManagers join and leave',
    async () => {
      const { base, port } = await startJobManager({
        ...FAST_HEARTBEATS,
        SLUICE_SCHEDULER_MODE: 'reactive',
        SLUICE_JOBMANAGER_ADAPTIVE_SCHEDULER_RESOURCE_STABILIZATION_TIMEOUT: '500',
      });
      await startTaskManager(port, 1, FAST_HEARTBEATS);
      const { jobId } = await submit(`127.0.0.1:${port}`, [
        '-d',
        'test/jobs/cluster-slow-job.ts',
        'default',
        '2000',
        '200',
      ]);
      const keyedParallelism = async (): Promise<number | undefined> => {
        const job = (await rest(base, 'GET', `/jobs/${jobId}`)).json;
        return job.state === 'RUNNING' && job.vertices[1].status === 'RUNNING'
          ? job.vertices[1].parallelism
          : undefined;
      };
      expect(await eventually(keyedParallelism, 30_000, 'the job to run')).toBe(1);

      // A TaskManager with two more slots joins: the job goes to parallelism 3 through a savepoint.
      const tm2 = await startTaskManager(port, 2, FAST_HEARTBEATS);
      await eventually(
        async () => ((await keyedParallelism()) === 3 ? true : undefined),
        40_000,
        'parallelism 3',
      );
      const cps = (await rest(base, 'GET', `/jobs/${jobId}/checkpoints`)).json;
      expect(cps.latest.restored).toMatchObject({ is_savepoint: true });
      expect(
        (await rest(base, 'GET', `/jobs/${jobId}`)).json.vertices[1].metrics['read-records'],
      ).toBeGreaterThanOrEqual(0);

      // It leaves: the job restarts on the remaining slot, then goes back to parallelism 1.
      tm2.child.kill('SIGKILL');
      await eventually(
        async () => ((await keyedParallelism()) === 1 ? true : undefined),
        40_000,
        'parallelism 1',
      );
      const list = sluice(['list', '-m', `127.0.0.1:${port}`]);
      expect(await list.exited).toBe(0);
      expect(list.output.stdout).toContain(`${jobId} : cluster slow job (RUNNING)`);
    },
    LONG,
  );
});

describe('standalone cluster with security.token', () => {
  afterAll(async () => {
    await killAll();
  });

  it(
    'refuses TaskManagers and REST clients without the shared secret',
    async () => {
      const { base, port } = await startJobManager({ SLUICE_SECURITY_TOKEN: 's3cret' });
      const anonymous = await rest(base, 'GET', '/overview');
      expect(anonymous.status).toBe(401);
      expect(anonymous.json.errors[0]).toMatch(/security\.token/);
      expect((await rest(base, 'GET', '/overview', { token: 'wrong' })).status).toBe(401);
      expect((await rest(base, 'GET', '/overview', { token: 's3cret' })).status).toBe(200);

      const intruder = sluice(['taskmanager', '--jobmanager', `127.0.0.1:${port}`, '--slots', '1']);
      expect(await intruder.exited).toBe(1);
      expect(intruder.output.stderr).toMatch(/refused .*security\.token/);

      await startTaskManager(port, 1, { SLUICE_SECURITY_TOKEN: 's3cret' });
      expect((await rest(base, 'GET', '/overview', { token: 's3cret' })).json.taskmanagers).toBe(1);
      const list = sluice(['list', '-m', `127.0.0.1:${port}`]);
      expect(await list.exited).toBe(1);
      expect(list.output.stderr).toMatch(/401.*security\.token/);
      const listWithToken = sluice(['list', '-m', `127.0.0.1:${port}`], { SLUICE_SECURITY_TOKEN: 's3cret' });
      expect(await listWithToken.exited).toBe(0);
    },
    LONG,
  );

  it('rejects unknown configuration keys and bad values at start, naming them', async () => {
    const badEnv = sluice(['jobmanager', '--port', '0'], { SLUICE_HEARTBEAT_TIMEOUT: 'soon' });
    expect(await badEnv.exited).toBe(1);
    expect(badEnv.output.stderr).toMatch(/SLUICE_HEARTBEAT_TIMEOUT.*"heartbeat\.timeout"/);
    const unknown = sluice(['jobmanager', '--port', '0'], { SLUICE_REST_PORTT: '1' });
    expect(await unknown.exited).toBe(1);
    expect(unknown.output.stderr).toMatch(/SLUICE_REST_PORTT is not a configuration key/);
    const file = sluice(['jobmanager', '--config', 'test/e2e/fixtures/unknown-key.yaml']);
    expect(await file.exited).toBe(1);
    expect(file.output.stderr).toMatch(/unknown configuration key "rest\.prot"/);
  });
});

describe('TaskManagers that cannot reach each other', () => {
  afterAll(async () => {
    await killAll();
  });

  it(
    'fail the job with the unreachable address named, instead of hanging',
    async () => {
      const { base, port } = await startJobManager(FAST_HEARTBEATS);
      const timeout = { ...FAST_HEARTBEATS, SLUICE_TASKMANAGER_NETWORK_NETTY_CLIENT_CONNECTTIMEOUTSEC: '2' };
      await startTaskManager(port, 2, timeout);
      // 192.0.2.1 (TEST-NET-1) is never routed: no peer can open a data link to this TaskManager.
      const dataPort = await freePort();
      const unreachable = sluice(
        [
          'taskmanager',
          '--jobmanager',
          `127.0.0.1:${port}`,
          '--slots',
          '2',
          '--host',
          '192.0.2.1',
          '--data-port',
          String(dataPort),
        ],
        timeout,
      );
      await unreachable.waitFor(
        new RegExp(`TaskManager 192\\.0\\.2\\.1:${dataPort}-\\w+ registered \\(data port ${dataPort}\\)`),
      );
      const { run, jobId } = await submit(`127.0.0.1:${port}`, [
        'test/jobs/cluster-keyed-count.ts',
        '200000',
        '100',
        '4',
      ]);
      expect(await run.exited).toBe(1);
      expect(run.output.stderr).toMatch(
        /no data link to TaskManager 192\.0\.2\.1:\d+-\w+ at 192\.0\.2\.1:\d+ after 2000 ms/,
      );
      expect((await rest(base, 'GET', `/jobs/${jobId}`)).json.state).toBe('FAILED');
      const exceptions = (await rest(base, 'GET', `/jobs/${jobId}/exceptions`)).json;
      expect(exceptions['root-exception']).toMatch(/DataLinkException: no data link to TaskManager/);
    },
    LONG,
  );
});
