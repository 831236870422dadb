// End to end, as a user of a standalone cluster meets it: a job wider than the cluster is said to
// wait for slots (not followed in silence), does not hold back smaller jobs, and ends with its
// tasks CANCELED in the REST API (not DEPLOYING) when it times out or is cancelled; and every
// answer of the REST API — for running, finished, failed and cancelled jobs, and for bad
// requests — is what its OpenAPI description (GET /openapi.json) says; a job program that loops
// in plan mode is stopped and refused while the JobManager keeps serving.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
} from './cluster-harness.ts';

/** An OpenAPI 3.0 schema object, as far as the REST API's description uses one. */
interface Schema {
  type?: string;
  nullable?: boolean;
  enum?: unknown[];
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
}

/** Where `value` differs from `schema` (an empty list when it conforms). */
function violations(schema: Schema, value: unknown, at: string): string[] {
  if (value === null) return schema.nullable === true ? [] : [`${at}: null`];
  const kind = Array.isArray(value) ? 'array' : typeof value;
  const expected = schema.type === 'integer' ? 'number' : schema.type;
  if (expected !== undefined && kind !== expected)
    return [`${at}: ${kind} where ${schema.type} is described`];
  if (schema.type === 'integer' && !Number.isInteger(value))
    return [`${at}: ${String(value)} is not an integer`];
  if (schema.enum !== undefined && !schema.enum.includes(value))
    return [`${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`];
  if (Array.isArray(value))
    return value.flatMap((v, i) =>
      schema.items === undefined ? [] : violations(schema.items, v, `${at}[${i}]`),
    );
  if (kind !== 'object') return [];
  const record = value as Record<string, unknown>;
  const out = (schema.required ?? []).filter((k) => !(k in record)).map((k) => `${at}.${k}: missing`);
  for (const [k, v] of Object.entries(record)) {
    const declared = schema.properties?.[k];
    if (declared !== undefined) out.push(...violations(declared, v, `${at}.${k}`));
    else if (schema.additionalProperties === false) out.push(`${at}.${k}: not described`);
    else if (typeof schema.additionalProperties === 'object')
      out.push(...violations(schema.additionalProperties, v, `${at}.${k}`));
  }
  return out;
}

/** The OpenAPI path template (`/jobs/{jobid}`) that serves `path`. */
function templateOf(paths: Record<string, unknown>, path: string): string {
  const bare = path.split('?')[0]!;
  const found = Object.keys(paths).find((t) =>
    new RegExp(`^${t.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(bare),
  );
  if (found === undefined) throw new Error(`no OpenAPI path describes ${path}`);
  return found;
}

/** The `/jobs/overview` row of job `jobId`. */
async function overviewRow(base: string, jobId: string): Promise<RestJson> {
  const jobs = (await rest(base, 'GET', '/jobs/overview')).json.jobs as RestJson[];
  return jobs.find((j) => j.jid === jobId);
}

describe('standalone cluster of one 2-slot TaskManager, jobs wider than it', () => {
  let base = '';
  let port = 0;
  let jm: SluiceProcess;
  const savepoints = mkdtempSync(join(tmpdir(), 'sluice-e2e-savepoints-'));

  beforeAll(async () => {
    const started = await startJobManager({
      ...FAST_HEARTBEATS,
      SLUICE_SLOT_REQUEST_TIMEOUT: '15000',
      SLUICE_JOBMANAGER_PLAN_MODE_TIMEOUT: '10000',
    });
    jm = started.jm;
    base = started.base;
    port = started.port;
    await startTaskManager(port, 2, FAST_HEARTBEATS);
  }, 60_000);

  afterAll(async () => {
    await killAll();
    rmSync(savepoints, { recursive: true, force: true });
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
    // Flink's list filters: -s only scheduled jobs, -r only running ones.
    const scheduled = sluice(['list', '-m', `127.0.0.1:${port}`, '-s']);
    expect(await scheduled.exited).toBe(0);
    expect(scheduled.output.stdout).toContain(`${jobId} : cluster slow job (CREATED)`);
    expect(scheduled.output.stdout).not.toContain('Running/Restarting Jobs');
    const running = sluice(['list', '-m', `127.0.0.1:${port}`, '--running']);
    expect(await running.exited).toBe(0);
    expect(running.output.stdout.trim()).toBe('No running jobs.');
    const cancel = sluice(['cancel', '-m', `127.0.0.1:${port}`, jobId]);
    expect(await cancel.exited, cancel.output.stderr).toBe(0);
    const row = await eventually(async () => {
      const r = await overviewRow(base, jobId);
      return r.state === 'CANCELED' ? r : undefined;
    });
    expect(row.tasks).toMatchObject({ total: 6, canceled: 6, deploying: 0 });
    expect((await rest(base, 'GET', '/overview')).json['jobs-cancelled']).toBe(1);
    // A savepoint or stop of the ended job says that it ended, whether a directory is given or not.
    for (const args of [
      ['savepoint', jobId],
      ['stop', jobId],
      ['stop', '-p', savepoints, jobId],
    ]) {
      const cmd = sluice([args[0]!, '-m', `127.0.0.1:${port}`, ...args.slice(1)]);
      expect(await cmd.exited).toBe(1);
      expect(cmd.output.stderr).toContain('the job is no longer running (it is CANCELED)');
    }
  }, 60_000);

  it('stops a job program that loops in plan mode and refuses it, serving other requests and jobs meanwhile', async () => {
    const looping = sluice(['run', '-m', `127.0.0.1:${port}`, 'test/jobs/cluster-plan-loop.ts']);
    await jm.waitFor(/plan-loop: looping in plan mode/);
    expect((await rest(base, 'GET', '/overview')).status).toBe(200);
    const { run: other } = await submit(`127.0.0.1:${port}`, [
      'test/jobs/cluster-keyed-count.ts',
      '100',
      '10',
      '1',
    ]);
    expect(await other.exited, other.output.stderr).toBe(0);
    expect(await looping.exited).toBe(1);
    expect(looping.output.stderr).toMatch(
      /HTTP 400 \(POST \/jars\/.*\/run\): .*did not call execute\(\) #1 within 10000 ms \(it was stopped\)/,
    );
    expect((await rest(base, 'GET', '/jobs/overview')).json.jobs.map((j: RestJson) => j.name)).not.toContain(
      'plan loop',
    );
  }, 60_000);

  it("starts a JobManager configured with Flink's older key high-availability: file", async () => {
    const file = join(savepoints, 'ha.yaml');
    writeFileSync(file, `high-availability: file\nhigh-availability.storageDir: ${join(savepoints, 'ha')}\n`);
    const otherPort = await freePort();
    const other = sluice(['jobmanager', '--port', String(otherPort), '--config', file]);
    await other.waitFor(/JobManager listening at/);
    const conf = (await rest(`http://127.0.0.1:${otherPort}`, 'GET', '/jobmanager/config')).json;
    expect(conf).toContainEqual({ key: 'high-availability.type', value: 'file' });
    other.child.kill('SIGTERM');
    await other.exited;
  }, 60_000);

  it('answers as its OpenAPI description says: fields, types and status codes', async () => {
    const doc = (await rest(base, 'GET', '/openapi.json')).json;
    const paths = doc.paths as Record<string, Record<string, { responses: Record<string, RestJson> }>>;
    const problems: string[] = [];
    /** Calls the API and checks the answer's status and (for 2xx) body against the description. */
    const check = async (
      method: string,
      path: string,
      body?: string,
      contentType?: string,
    ): Promise<RestJson> => {
      const template = templateOf(paths, path);
      const r = await rest(base, method, path, {
        ...(body === undefined ? {} : { body }),
        ...(contentType === undefined ? {} : { contentType }),
      });
      const operation = paths[template]![method.toLowerCase()];
      if (operation === undefined) {
        // A method the path does not have: 405 (with Allow), as the description's info says.
        if (r.status !== 405) problems.push(`${method} ${path}: ${r.status} for an undescribed method`);
        return r.json;
      }
      const described = operation.responses[String(r.status)];
      if (described === undefined) {
        problems.push(`${method} ${path}: status ${r.status} is not described for ${template}`);
        return r.json;
      }
      const schema = described.content?.['application/json']?.schema as Schema | undefined;
      if (schema !== undefined) problems.push(...violations(schema, r.json, `${method} ${path} ${r.status}`));
      return r.json;
    };

    // A finished job, a failed one, and a running one with checkpoints and a savepoint.
    const { run: bounded, jobId: ended } = await submit(`127.0.0.1:${port}`, [
      'test/jobs/cluster-keyed-count.ts',
      '100',
      '10',
      '1',
    ]);
    expect(await bounded.exited).toBe(0);
    const { run: failing } = await submit(`127.0.0.1:${port}`, ['test/jobs/cluster-failing-job.ts', '2']);
    expect(await failing.exited).toBe(1);
    const { jobId } = await submit(`127.0.0.1:${port}`, [
      '-d',
      'test/jobs/cluster-slow-job.ts',
      '2',
      '500',
      '200',
    ]);
    await eventually(async () => {
      const c = (await rest(base, 'GET', `/jobs/${jobId}/checkpoints`)).json;
      return c.counts?.completed > 0 ? true : undefined;
    });
    const spDir = join(savepoints, 'sp');
    const { 'request-id': trigger } = await check(
      'POST',
      `/jobs/${jobId}/savepoints`,
      JSON.stringify({ 'target-directory': spDir }),
      'application/json',
    );
    await eventually(async () => {
      const s = (await rest(base, 'GET', `/jobs/${jobId}/savepoints/${trigger}`)).json;
      return s.status?.id === 'COMPLETED' ? true : undefined;
    });
    await check('GET', `/jobs/${jobId}/savepoints/${trigger}`);
    for (const p of ['/overview', '/config', '/jobmanager/config', '/jobs', '/jobs/overview', '/jars']) {
      await check('GET', p);
    }
    for (const tm of (await check('GET', '/taskmanagers')).taskmanagers) {
      await check('GET', `/taskmanagers/${tm.id}`);
    }
    for (const { jid } of (await rest(base, 'GET', '/jobs/overview')).json.jobs) {
      const job = await check('GET', `/jobs/${jid}`);
      for (const sub of ['/status', '/config', '/exceptions', '/checkpoints', '/plan', '/execution-result']) {
        await check('GET', `/jobs/${jid}${sub}`);
      }
      const checkpoints = (await rest(base, 'GET', `/jobs/${jid}/checkpoints`)).json;
      const latest = checkpoints.latest?.completed?.id;
      if (latest !== undefined) {
        await check('GET', `/jobs/${jid}/checkpoints/config`);
        await check('GET', `/jobs/${jid}/checkpoints/details/${latest}`);
      }
      for (const v of job.vertices) {
        const prefix = `/jobs/${jid}/vertices/${v.id}`;
        await check('GET', prefix);
        await check('GET', `${prefix}/subtasks/0`);
        await check('GET', `${prefix}/metrics`);
        await check('GET', `${prefix}/metrics?get=0.numRecordsIn`);
        await check('GET', `${prefix}/subtasks/metrics?get=numRecordsIn,numRecordsOut`);
        await check('GET', `${prefix}/subtasks/0/metrics?get=numRecordsOut`);
      }
    }

    // Bad requests: each status must be one the description gives for its path.
    const unknown = '0123456789abcdef0123456789abcdef';
    await check('GET', `/jobs/${unknown}`);
    await check('GET', '/jobs/not-a-job-id/checkpoints');
    await check('GET', `/jobs/${jobId}/checkpoints/details/999999`);
    await check('GET', `/jobs/${jobId}/savepoints/${unknown}`);
    await check('GET', `/jobs/${jobId}/vertices/nope`);
    await check('GET', '/taskmanagers/nope');
    await check('DELETE', `/jobs/${jobId}`);
    await check('PATCH', `/jobs/${jobId}?mode=bogus`);
    await check('PATCH', `/jobs/${ended}?mode=cancel`);
    await check('POST', `/jobs/${jobId}/savepoints`, '{bad', 'application/json');
    await check('POST', `/jobs/${jobId}/stop`, 'drain=true', 'application/x-www-form-urlencoded');
    await check('POST', '/jars/upload', '{}', 'application/json');
    await check('POST', `/jars/nope/run`, '{}', 'application/json');
    await check('DELETE', '/jars/nope');
    // Cancel with a savepoint (cancel-job): the savepoint completes and the job ends CANCELED, as
    // in Flink; PATCH ?mode=cancel then answers 202 (already cancelled).
    const { 'request-id': cancelTrigger } = await check(
      'POST',
      `/jobs/${jobId}/savepoints`,
      JSON.stringify({ 'target-directory': spDir, 'cancel-job': true }),
      'application/json',
    );
    const cancelled = await eventually(async () => {
      const s = (await rest(base, 'GET', `/jobs/${jobId}/savepoints/${cancelTrigger}`)).json;
      return s.status?.id === 'COMPLETED' ? s : undefined;
    });
    expect(cancelled.operation.location).toContain(spDir);
    await eventually(async () =>
      (await rest(base, 'GET', `/jobs/${jobId}`)).json.state === 'CANCELED' ? true : undefined,
    );
    await check('PATCH', `/jobs/${jobId}?mode=cancel`);
    await check('GET', `/jobs/${jobId}`);
    await check('GET', `/jobs/${jobId}/execution-result`);
    // An operation that failed: a savepoint of a job that already finished.
    const { 'request-id': failedTrigger } = await check(
      'POST',
      `/jobs/${ended}/savepoints`,
      JSON.stringify({ 'target-directory': spDir }),
      'application/json',
    );
    await eventually(async () => {
      const s = (await rest(base, 'GET', `/jobs/${ended}/savepoints/${failedTrigger}`)).json;
      return s.status?.id === 'COMPLETED' ? true : undefined;
    });
    await check('GET', `/jobs/${ended}/savepoints/${failedTrigger}`);

    expect(problems).toEqual([]);
    // The checker itself finds an undescribed field, a missing one and a wrong type.
    const overviewSchema = paths['/overview']!.get!.responses['200'].content['application/json'].schema;
    const { taskmanagers: _, ...withoutTms } = (await rest(base, 'GET', '/overview')).json;
    expect(violations(overviewSchema, { ...withoutTms, extra: 1, version: 1 }, 'overview')).toEqual([
      'overview.taskmanagers: missing',
      'overview.version: number where string is described',
      'overview.extra: not described',
    ]);
  }, 90_000);
});
