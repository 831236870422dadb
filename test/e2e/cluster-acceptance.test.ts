// End to end, as a user of a standalone cluster meets it: a job wider than the cluster is said to
// wait for slots (not followed in silence), does not hold back smaller jobs, and ends with its
// tasks CANCELED in the REST API (not DEPLOYING) when it times out or is cancelled.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  eventually,
  killAll,
  type RestJson,
  rest,
  sluice,
  startJobManager,
  startTaskManager,
  submit,
} from './cluster-harness.ts';

const FAST_HEARTBEATS = { SLUICE_HEARTBEAT_INTERVAL: '200', SLUICE_HEARTBEAT_TIMEOUT: '2000' };

/** The `/jobs/overview` row of job `jobId`. */
async function overviewRow(base: string, jobId: string): Promise<RestJson> {
  const jobs = (await rest(base, 'GET', '/jobs/overview')).json.jobs as RestJson[];
  return jobs.find((j) => j.jid === jobId);
}

describe('standalone cluster of one 2-slot TaskManager, jobs wider than it', () => {
  let base = '';
  let port = 0;

  beforeAll(async () => {
    const started = await startJobManager({ ...FAST_HEARTBEATS, SLUICE_SLOT_REQUEST_TIMEOUT: '15000' });
    base = started.base;
    port = started.port;
    await startTaskManager(port, 2, FAST_HEARTBEATS);
  }, 60_000);

  afterAll(async () => {
    await killAll();
  });

  it('says a wide job waits for slots, runs a smaller job meanwhile, and fails the wide one after slot.request.timeout with its tasks CANCELED', async () => {
    const { run: wide, jobId: wideId } = await submit(`127.0.0.1:${port}`, [
      'test/jobs/cluster-slow-job.ts',
      '5',
    ]);
    await wide.waitFor(
      /Job [0-9a-f]{32} is waiting for 5 free task slot\(s\); the cluster has 2 in 1 TaskManager\(s\), 2 free\./,
    );
    // A job that fits starts on the free slots at once, although an older job is waiting.
    const { run: small, jobId: smallId } = await submit(`127.0.0.1:${port}`, [
      'test/jobs/cluster-keyed-count.ts',
      '1000',
      '10',
      '2',
    ]);
    expect(await small.exited, small.output.stderr).toBe(0);
    expect(small.output.stderr).not.toContain('waiting');
    expect((await overviewRow(base, smallId)).state).toBe('FINISHED');
    expect((await overviewRow(base, wideId)).state).toBe('CREATED');

    expect(await wide.exited).toBe(1);
    expect(wide.output.stderr).toContain('NoResourceAvailableException');
    const row = await overviewRow(base, wideId);
    expect(row.state).toBe('FAILED');
    expect(row.tasks).toMatchObject({ total: 10, canceled: 10, deploying: 0, created: 0 });
    const job = (await rest(base, 'GET', `/jobs/${wideId}`)).json;
    expect(job.vertices.map((v: RestJson) => v.status)).toEqual(['CANCELED', 'CANCELED']);
    const overview = (await rest(base, 'GET', '/overview')).json;
    expect(overview).toMatchObject({ 'jobs-finished': 1, 'jobs-failed': 1, 'slots-available': 2 });
  }, 90_000);

  it('shows a waiting job cancelled with sluice cancel as CANCELED with CANCELED tasks', async () => {
    const { run, jobId } = await submit(`127.0.0.1:${port}`, ['-d', 'test/jobs/cluster-slow-job.ts', '3']);
    expect(await run.exited).toBe(0);
    expect(run.output.stderr).toContain(`Job ${jobId} is waiting for 3 free task slot(s)`);
    expect((await overviewRow(base, jobId)).tasks).toMatchObject({ total: 6, created: 6 });
    const cancel = sluice(['cancel', '-m', `127.0.0.1:${port}`, jobId]);
    expect(await cancel.exited, cancel.output.stderr).toBe(0);
    const row = await eventually(async () => {
      const r = await overviewRow(base, jobId);
      return r.state === 'CANCELED' ? r : undefined;
    });
    expect(row.tasks).toMatchObject({ total: 6, canceled: 6, deploying: 0 });
    expect((await rest(base, 'GET', '/overview')).json['jobs-cancelled']).toBe(1);
  }, 60_000);
});
