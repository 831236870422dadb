// The JobManager's REST API (fastify), with Flink's paths and field names, and the endpoint
// TaskManagers connect to: an HTTP Upgrade on the same port turns a connection into their RPC
// channel. Every error is JSON (`{"errors": [message]}`) with a 4xx/5xx status, as Flink's: 400
// for a malformed id or body, 404 for an unknown job, vertex, subtask, trigger or checkpoint, 405
// for a known path with another method; a malformed request is the client's error, never a crash.
import { randomBytes } from 'node:crypto';
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import { readMetadata } from '../checkpoint/index.ts';
import {
  bearerToken,
  ClusterOptions,
  type Dispatcher,
  type JobMaster,
  type JobResult,
  NotFoundError,
  RPC_UPGRADE_PATH,
  type RunJarRequest,
  tokenMatches,
} from '../cluster/index.ts';
import { IllegalArgumentError, isJobId, SluiceError } from '../core/index.ts';
import type { JobVertex } from '../plan/index.ts';
import {
  executionResult,
  findTaskManager,
  findVertex,
  jobCheckpointConfig,
  jobCheckpointDetails,
  jobCheckpoints,
  jobConfig,
  jobDetails,
  jobExceptions,
  jobOverview,
  subtaskDetails,
  subtaskMetricValues,
  TASK_METRIC_NAMES,
  taskManagerInfos,
  vertexDetails,
} from './job-views.ts';
import { openApiDocument } from './openapi.ts';

/** Version reported by `/overview` and `/config`. */
export const SLUICE_VERSION = '0.1.0';

/** A listening REST server. */
export interface RestServer {
  /** `http://host:port` it listens on. */
  readonly url: string;
  readonly port: number;
  readonly app: FastifyInstance;
  close(): Promise<void>;
}

/** A route path (`/jobs/:id`) as a matcher of request paths. */
function routeMatcher(url: string): RegExp {
  const escaped = url
    .split('/')
    .map((seg) => (seg.startsWith(':') ? '[^/]+' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${escaped}/?$`);
}

/** Flink's trigger ids (and Sluice's): 32 lowercase hex characters. */
const TRIGGER_ID = /^[0-9a-f]{32}$/;

class HttpError extends Error {
  readonly statusCode: number;
  constructor(statusCode: number, message: string) {
    super(message);
    this.statusCode = statusCode;
  }
}

/**
 * Builds the REST API over a dispatcher (not listening yet; see {@link startRestServer}).
 *
 * @example
 * const app = createRestApi(dispatcher);
 * const res = await app.inject({ method: 'GET', url: '/overview' });
 */
export function createRestApi(dispatcher: Dispatcher): FastifyInstance {
  const conf = dispatcher.configuration;
  const token = conf.get(ClusterOptions.SECURITY_TOKEN);
  const app = Fastify({
    logger: false,
    bodyLimit: conf.get(ClusterOptions.REST_MAX_CONTENT_LENGTH),
    // Flink job ids and jar ids are path segments; nothing else needs long URLs.
    routerOptions: { maxParamLength: 200 },
    // Requests the router rejects (a path that is not valid URL encoding) answer in the API's
    // error shape too.
    frameworkErrors: (error, _req, reply) => {
      void (reply as FastifyReply).status(400).send({ errors: [`bad request: ${error.message}`] });
    },
  });
  // Every route with its methods: a known path asked with another method is a 405, as in Flink.
  const routes: { match: RegExp; method: string }[] = [];
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) routes.push({ match: routeMatcher(route.url ?? route.path), method });
  });
  // Results of ended runs. In reactive mode one job id has several runs; a run that ends
  // because its job is being rescaled is not the job's result.
  const results = new WeakMap<JobMaster, JobResult>();
  const tracked = new WeakSet<JobMaster>();
  const track = (job: JobMaster): void => {
    if (tracked.has(job)) return;
    tracked.add(job);
    void job.result.then((r) => results.set(job, r));
  };
  for (const job of dispatcher.jobManager.listJobs()) track(job);

  app.addContentTypeParser(
    ['application/javascript', 'text/javascript', 'application/x-javascript', 'application/octet-stream'],
    { parseAs: 'buffer' },
    (_req, body, done) => done(null, body),
  );

  app.addHook('onRequest', async (req) => {
    if (token === '' || req.url.startsWith(RPC_UPGRADE_PATH)) return;
    if (!tokenMatches(bearerToken(req.headers.authorization), token)) {
      throw new HttpError(
        401,
        'this JobManager requires the shared secret security.token: send "Authorization: Bearer <token>" (sluice CLI: --token or SLUICE_SECURITY_TOKEN)',
      );
    }
  });

  app.setErrorHandler((error: FastifyError | Error, _req: FastifyRequest, reply: FastifyReply) => {
    let status = 500;
    if (error instanceof HttpError) status = error.statusCode;
    else if (error instanceof NotFoundError) status = 404;
    else if (error instanceof IllegalArgumentError) status = 400;
    else if ('statusCode' in error && typeof error.statusCode === 'number') status = error.statusCode;
    else if (error instanceof SluiceError && error.origin === 'user') status = 400;
    const message =
      'code' in error && error.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
        ? `request body too large: at most ${conf.get(ClusterOptions.REST_MAX_CONTENT_LENGTH)} bytes (rest.server.max-content-length)`
        : error.message;
    void reply.status(status).send({ errors: [message] });
  });

  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0] ?? req.url;
    const allowed = [
      ...new Set(routes.filter((r) => r.method !== 'HEAD' && r.match.test(path)).map((r) => r.method)),
    ];
    if (allowed.length > 0 && !allowed.includes(req.method)) {
      void reply
        .status(405)
        .header('allow', allowed.join(', '))
        .send({ errors: [`Method ${req.method} not allowed on ${path}; allowed: ${allowed.join(', ')}`] });
      return;
    }
    void reply.status(404).send({ errors: [`Not found: ${req.method} ${path}`] });
  });

  const jobOf = (id: string): JobMaster => {
    if (!isJobId(id)) throw new HttpError(400, `"${id}" is not a job id (32 lowercase hex characters)`);
    const job = dispatcher.jobManager.getJob(id);
    if (job === undefined) throw new HttpError(404, `Job ${id} not found`);
    track(job);
    return job;
  };

  app.get('/openapi.json', async () => openApiDocument());

  app.get('/config', async () => ({
    'refresh-interval': 3000,
    'timezone-name': Intl.DateTimeFormat().resolvedOptions().timeZone,
    'timezone-offset': -new Date().getTimezoneOffset() * 60_000,
    'flink-version': SLUICE_VERSION,
    'flink-revision': 'sluice',
    features: { 'web-submit': true, 'web-cancel': true, 'web-history': false, 'web-rescale': false },
  }));

  app.get('/jobmanager/config', async () =>
    conf.entries().map(({ key, value }) => ({
      key,
      value: key === ClusterOptions.SECURITY_TOKEN.key && value !== '' ? '******' : String(value),
    })),
  );

  app.get('/overview', async () => {
    const tms = dispatcher.jobManager.taskManagers();
    const jobs = dispatcher.jobManager.listJobs();
    const count = (s: string): number => jobs.filter((j) => j.status === s).length;
    return {
      taskmanagers: tms.length,
      'slots-total': tms.reduce((n, t) => n + t.gateway.slots, 0),
      'slots-available': tms.reduce((n, t) => n + t.freeSlots, 0),
      'jobs-running': jobs.length - count('FINISHED') - count('CANCELED') - count('FAILED'),
      'jobs-finished': count('FINISHED'),
      'jobs-cancelled': count('CANCELED'),
      'jobs-failed': count('FAILED'),
      version: SLUICE_VERSION,
      'flink-version': SLUICE_VERSION,
      'flink-commit': 'sluice',
    };
  });

  app.get('/jobs', async () => ({
    jobs: dispatcher.jobManager.listJobs().map((j) => ({ id: j.jobId, status: j.status })),
  }));

  app.get('/jobs/overview', async () => ({
    jobs: dispatcher.jobManager
      .listJobs()
      .map((j) => jobOverview(j))
      .reverse(),
  }));

  app.get<{ Params: { id: string } }>('/jobs/:id', async (req) => jobDetails(jobOf(req.params.id)));
  app.get<{ Params: { id: string } }>('/jobs/:id/config', async (req) => jobConfig(jobOf(req.params.id)));
  app.get<{ Params: { id: string } }>('/jobs/:id/status', async (req) => ({
    status: jobOf(req.params.id).status,
  }));

  app.patch<{ Params: { id: string }; Querystring: { mode?: string } }>('/jobs/:id', async (req, reply) => {
    const job = jobOf(req.params.id);
    const mode = req.query.mode ?? 'cancel';
    if (mode !== 'cancel') {
      throw new HttpError(400, `unsupported mode "${mode}"; PATCH /jobs/:id supports mode=cancel`);
    }
    // As Flink: cancelling a job that ended otherwise is a conflict; a cancelled one, a no-op.
    if (job.status === 'FINISHED' || job.status === 'FAILED')
      throw new HttpError(
        409,
        `Job cancellation failed because the job has already reached another terminal state (${job.status}).`,
      );
    job.cancel();
    return reply.status(202).send({});
  });

  // Savepoints and stop-with-savepoint are asynchronous operations: the POST answers with a
  // trigger id ("request-id"), polled at /jobs/:id/savepoints/:triggerid (Flink's shape).
  const operations = new Map<
    string,
    {
      status: 'IN_PROGRESS' | 'COMPLETED';
      location?: string;
      failure?: { class: string; 'stack-trace': string };
    }
  >();
  const startOperation = (
    job: JobMaster,
    body: Record<string, unknown>,
    run: () => Promise<string>,
  ): { 'request-id': string } => {
    // A client may choose the trigger id (Flink's `triggerId`), so that a retried request does
    // not trigger twice.
    const given = optionalString(body, 'triggerId');
    if (given !== undefined && !TRIGGER_ID.test(given))
      throw new HttpError(400, `triggerId: expected 32 lowercase hex characters, got "${given}"`);
    const format = optionalString(body, 'formatType');
    if (format !== undefined && format !== 'CANONICAL' && format !== 'NATIVE')
      throw new HttpError(400, `formatType: expected CANONICAL or NATIVE, got "${format}"`);
    const id = given ?? randomBytes(16).toString('hex');
    if (operations.has(`${job.jobId}:${id}`)) return { 'request-id': id };
    operations.set(`${job.jobId}:${id}`, { status: 'IN_PROGRESS' });
    run().then(
      (location) => operations.set(`${job.jobId}:${id}`, { status: 'COMPLETED', location }),
      (e: unknown) =>
        operations.set(`${job.jobId}:${id}`, {
          status: 'COMPLETED',
          failure: { class: (e as Error).name ?? 'Error', 'stack-trace': (e as Error).stack ?? String(e) },
        }),
    );
    return { 'request-id': id };
  };
  const bodyObject = (body: unknown): Record<string, unknown> => {
    if (body === undefined || body === null) return {};
    if (typeof body !== 'object' || Array.isArray(body))
      throw new HttpError(400, 'the request body must be a JSON object');
    return body as Record<string, unknown>;
  };
  const optionalString = (o: Record<string, unknown>, key: string): string | undefined => {
    const v = o[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string' || v === '') throw new HttpError(400, `${key}: expected a non-empty string`);
    return v;
  };
  const optionalBoolean = (o: Record<string, unknown>, key: string): boolean => {
    const v = o[key];
    if (v === undefined || v === null) return false;
    if (typeof v !== 'boolean')
      throw new HttpError(400, `${key}: expected true or false, got ${JSON.stringify(v)}`);
    return v;
  };

  app.post<{ Params: { id: string }; Body: unknown }>('/jobs/:id/savepoints', async (req, reply) => {
    const job = jobOf(req.params.id);
    const body = bodyObject(req.body);
    const dir = optionalString(body, 'target-directory');
    const cancel = optionalBoolean(body, 'cancel-job');
    const op = startOperation(job, body, async () => {
      const path = await job.triggerSavepoint(dir);
      // Flink's cancel-with-savepoint: the job is cancelled after its savepoint and ends CANCELED
      // (stopping with a savepoint, which ends it FINISHED, is POST /jobs/:id/stop).
      if (cancel) job.cancel();
      return path;
    });
    return reply.status(202).send(op);
  });

  app.post<{ Params: { id: string }; Body: unknown }>('/jobs/:id/stop', async (req, reply) => {
    const job = jobOf(req.params.id);
    const body = bodyObject(req.body);
    const dir = optionalString(body, 'targetDirectory');
    const drain = optionalBoolean(body, 'drain');
    return reply.status(202).send(startOperation(job, body, () => job.stopWithSavepoint(dir, drain)));
  });

  app.get<{ Params: { id: string; trigger: string } }>('/jobs/:id/savepoints/:trigger', async (req) => {
    const job = jobOf(req.params.id);
    if (!TRIGGER_ID.test(req.params.trigger))
      throw new HttpError(400, `"${req.params.trigger}" is not a trigger id (32 lowercase hex characters)`);
    const op = operations.get(`${job.jobId}:${req.params.trigger}`);
    if (op === undefined)
      throw new HttpError(404, `no savepoint operation ${req.params.trigger} for job ${job.jobId}`);
    if (op.status === 'IN_PROGRESS') return { status: { id: 'IN_PROGRESS' } };
    return {
      status: { id: 'COMPLETED' },
      operation: op.failure === undefined ? { location: op.location } : { 'failure-cause': op.failure },
    };
  });

  app.get<{ Params: { id: string } }>('/jobs/:id/exceptions', async (req) =>
    jobExceptions(jobOf(req.params.id)),
  );
  app.get<{ Params: { id: string } }>('/jobs/:id/checkpoints', async (req) =>
    jobCheckpoints(jobOf(req.params.id)),
  );
  app.get<{ Params: { id: string } }>('/jobs/:id/checkpoints/config', async (req) => {
    const job = jobOf(req.params.id);
    const config = jobCheckpointConfig(job);
    if (config === undefined) throw new HttpError(404, `Checkpointing is not enabled for job ${job.jobId}`);
    return config;
  });
  app.get<{ Params: { id: string; cid: string } }>('/jobs/:id/checkpoints/details/:cid', async (req) => {
    const job = jobOf(req.params.id);
    const cid = Number(req.params.cid);
    if (!Number.isSafeInteger(cid) || cid < 1) {
      throw new HttpError(400, `checkpoint id must be a positive integer, got "${req.params.cid}"`);
    }
    const details = jobCheckpointDetails(job, cid);
    if (details === undefined) {
      throw new HttpError(404, `Checkpoint ${cid} of job ${job.jobId} is not in its checkpoint history`);
    }
    return details;
  });
  app.get<{ Params: { id: string } }>('/jobs/:id/plan', async (req) => ({
    plan: (jobDetails(jobOf(req.params.id)) as { plan: unknown }).plan,
  }));
  app.get<{ Params: { id: string } }>('/jobs/:id/execution-result', async (req) => {
    const job = jobOf(req.params.id);
    return executionResult(job, dispatcher.isRescaling(job.jobId) ? undefined : results.get(job));
  });

  app.get<{ Params: { id: string; vid: string } }>('/jobs/:id/vertices/:vid', async (req) => {
    const job = jobOf(req.params.id);
    const v = findVertex(job, req.params.vid);
    if (v === undefined) throw new HttpError(404, `Job ${job.jobId} has no vertex ${req.params.vid}`);
    return vertexDetails(job, v);
  });
  // Flink's metrics endpoints over the task metrics the TaskManagers report (`?get=a,b` selects
  // metrics; without it, the names are listed; unknown names are left out, as in Flink).
  type MetricsQuery = { get?: string; agg?: string; subtasks?: string };
  const vertexOf = (job: JobMaster, vid: string): JobVertex => {
    const v = findVertex(job, vid);
    if (v === undefined) throw new HttpError(404, `Job ${job.jobId} has no vertex ${vid}`);
    return v;
  };
  const requested = (get: string | undefined): string[] | undefined =>
    get === undefined ? undefined : get.split(',').map((m) => m.trim());
  app.get<{ Params: { id: string; vid: string }; Querystring: MetricsQuery }>(
    '/jobs/:id/vertices/:vid/metrics',
    async (req) => {
      const job = jobOf(req.params.id);
      const subtasks = job.subtasks(vertexOf(job, req.params.vid).id);
      const names = subtasks.flatMap((s) => TASK_METRIC_NAMES.map((m) => `${s.subtask}.${m}`));
      const get = requested(req.query.get);
      if (get === undefined) return names.map((id) => ({ id }));
      const values = new Map<string, number>(
        subtasks.flatMap((s) =>
          Object.entries(subtaskMetricValues(s)).map(([m, v]) => [`${s.subtask}.${m}`, v] as const),
        ),
      );
      return get.filter((id) => values.has(id)).map((id) => ({ id, value: String(values.get(id)) }));
    },
  );
  app.get<{ Params: { id: string; vid: string }; Querystring: MetricsQuery }>(
    '/jobs/:id/vertices/:vid/subtasks/metrics',
    async (req) => {
      const job = jobOf(req.params.id);
      const v = vertexOf(job, req.params.vid);
      const get = requested(req.query.get);
      if (get === undefined) return TASK_METRIC_NAMES.map((id) => ({ id }));
      const aggs = req.query.agg === undefined ? ['min', 'max', 'avg', 'sum'] : req.query.agg.split(',');
      for (const a of aggs)
        if (!['min', 'max', 'avg', 'sum'].includes(a))
          throw new HttpError(400, `agg: expected min, max, avg or sum, got "${a}"`);
      let subtasks = job.subtasks(v.id);
      if (req.query.subtasks !== undefined) {
        const wanted = new Set<number>();
        for (const part of req.query.subtasks.split(',')) {
          const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
          if (m === null)
            throw new HttpError(400, `subtasks: expected indexes and ranges like 0,2-3, got "${part}"`);
          for (let i = Number(m[1]); i <= Number(m[2] ?? m[1]); i++) wanted.add(i);
        }
        subtasks = subtasks.filter((s) => wanted.has(s.subtask));
      }
      const samples = subtasks.map((s) => subtaskMetricValues(s));
      return get
        .filter((m) => TASK_METRIC_NAMES.includes(m) && samples.length > 0)
        .map((m) => {
          const xs = samples.map((x) => x[m]!);
          const all: Record<string, number> = {
            min: Math.min(...xs),
            max: Math.max(...xs),
            avg: xs.reduce((a, b) => a + b, 0) / xs.length,
            sum: xs.reduce((a, b) => a + b, 0),
          };
          return { id: m, ...Object.fromEntries(aggs.map((a) => [a, all[a]])) };
        });
    },
  );
  app.get<{ Params: { id: string; vid: string; index: string }; Querystring: MetricsQuery }>(
    '/jobs/:id/vertices/:vid/subtasks/:index/metrics',
    async (req) => {
      const job = jobOf(req.params.id);
      const v = vertexOf(job, req.params.vid);
      if (!/^\d+$/.test(req.params.index))
        throw new HttpError(400, `subtask index must be a non-negative integer, got "${req.params.index}"`);
      const s = job.subtasks(v.id).find((x) => x.subtask === Number(req.params.index));
      if (s === undefined)
        throw new HttpError(
          404,
          `Vertex ${req.params.vid} of job ${job.jobId} has no subtask ${req.params.index}`,
        );
      const get = requested(req.query.get);
      if (get === undefined) return TASK_METRIC_NAMES.map((id) => ({ id }));
      const values = subtaskMetricValues(s);
      return get.filter((m) => m in values).map((id) => ({ id, value: String(values[id]) }));
    },
  );
  app.get<{ Params: { id: string; vid: string; index: string } }>(
    '/jobs/:id/vertices/:vid/subtasks/:index',
    async (req) => {
      const job = jobOf(req.params.id);
      const v = findVertex(job, req.params.vid);
      if (v === undefined) throw new HttpError(404, `Job ${job.jobId} has no vertex ${req.params.vid}`);
      const index = Number(req.params.index);
      if (!/^\d+$/.test(req.params.index) || !Number.isSafeInteger(index))
        throw new HttpError(400, `subtask index must be a non-negative integer, got "${req.params.index}"`);
      const details = subtaskDetails(job, v, index);
      if (details === undefined)
        throw new HttpError(
          404,
          `Vertex ${req.params.vid} of job ${job.jobId} has no subtask ${index} (parallelism ${v.parallelism})`,
        );
      return details;
    },
  );

  app.get('/taskmanagers', async () => ({ taskmanagers: taskManagerInfos(dispatcher) }));
  app.get<{ Params: { tmid: string } }>('/taskmanagers/:tmid', async (req) => {
    const tm = findTaskManager(dispatcher, req.params.tmid);
    if (tm === undefined) throw new HttpError(404, `TaskManager ${req.params.tmid} is not registered`);
    return tm;
  });

  // Submission: upload a bundle (raw body), then run it. Flink uploads a multipart jar here;
  // Sluice's bundle is one ES module sent as the request body.
  app.post('/jars/upload', async (req, reply) => {
    const body = req.body;
    if (!Buffer.isBuffer(body)) {
      throw new HttpError(
        415,
        'upload the job bundle as the request body with Content-Type: application/javascript (or application/octet-stream)',
      );
    }
    const name =
      typeof req.headers['x-sluice-bundle-name'] === 'string'
        ? req.headers['x-sluice-bundle-name']
        : 'job.mjs';
    const jar = dispatcher.uploadJar(name, body);
    return reply.status(200).send({ filename: jar.id, status: 'success' });
  });

  app.get('/jars', async (req) => ({
    address: `http://${req.headers.host ?? ''}`,
    files: dispatcher
      .listJars()
      .map((j) => ({ id: j.id, name: j.name, uploaded: j.uploaded, size: j.size, entry: [] })),
  }));

  app.delete<{ Params: { jarid: string } }>('/jars/:jarid', async (req, reply) => {
    if (!dispatcher.deleteJar(req.params.jarid))
      throw new HttpError(404, `no uploaded job bundle ${req.params.jarid}`);
    return reply.status(200).send({});
  });

  app.post<{ Params: { jarid: string }; Body: unknown }>('/jars/:jarid/run', async (req) => {
    const body = req.body ?? {};
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new HttpError(400, 'the run request body must be a JSON object');
    }
    const request = body as RunJarRequest & { programArgs?: unknown };
    if (request.programArgs !== undefined && request.programArgsList === undefined) {
      if (typeof request.programArgs !== 'string') throw new HttpError(400, 'programArgs: expected a string');
      (request as { programArgsList?: string[] }).programArgsList = request.programArgs
        .split(/\s+/)
        .filter((a) => a !== '');
    }
    // A savepoint this JobManager cannot read fails the request (400 naming the path), not the
    // job after it was accepted.
    if (typeof request.savepointPath === 'string' && request.savepointPath !== '')
      readMetadata(request.savepointPath);
    const job = await dispatcher.runJar(req.params.jarid, request);
    track(job);
    return { jobid: job.jobId };
  });

  return app;
}

/**
 * Starts the REST API and the TaskManager RPC endpoint on `rest.bind-address`:`rest.port`.
 *
 * @example
 * const server = await startRestServer(dispatcher);
 * console.log(server.url); await server.close();
 */
export async function startRestServer(dispatcher: Dispatcher): Promise<RestServer> {
  const app = createRestApi(dispatcher);
  app.server.on('upgrade', (req, socket, head) =>
    dispatcher.resourceManager.handleUpgrade(req, socket as import('node:net').Socket, head),
  );
  const conf = dispatcher.configuration;
  const host = conf.get(ClusterOptions.REST_BIND_ADDRESS);
  await app.listen({ host, port: conf.get(ClusterOptions.REST_PORT) });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    app,
    close: () => app.close(),
  };
}
