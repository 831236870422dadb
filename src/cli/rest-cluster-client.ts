// A client of a JobManager's REST API (what `sluice run -m`, `list` and `cancel` use): JSON over
// fetch, the shared secret as a bearer token, and the API's `{"errors": [...]}` turned into errors
// that say which request failed and why.
import type { JobStatus } from '../cluster/index.ts';
import { SluiceError } from '../core/index.ts';

/** A failed REST call. */
export class RestClientError extends SluiceError {
  readonly status: number;
  constructor(status: number, message: string) {
    super('REST_REQUEST_FAILED', message, { origin: status >= 500 || status === 0 ? 'external' : 'user' });
    this.status = status;
  }
}

/** One row of `GET /jobs/overview`. */
export interface JobOverviewRow {
  readonly jid: string;
  readonly name: string;
  readonly state: JobStatus;
  readonly 'start-time': number;
  readonly 'end-time': number;
  readonly duration: number;
}

/** `GET /jobs/:id/execution-result`. */
export interface ExecutionResultResponse {
  readonly status: { readonly id: 'IN_PROGRESS' | 'COMPLETED' };
  readonly 'job-execution-result'?: {
    readonly id: string;
    readonly 'application-status': 'SUCCEEDED' | 'FAILED' | 'CANCELED';
    readonly 'net-runtime': number;
    readonly 'failure-cause'?: { readonly class: string; readonly 'stack-trace': string };
    readonly collected: unknown[];
  };
}

/**
 * Normalizes `host:port` (`[v6]:port`) or an http(s) URL into a base URL.
 *
 * @example
 * restBaseUrl('127.0.0.1:8081'); // 'http://127.0.0.1:8081'
 */
export function restBaseUrl(address: string): string {
  const a = address.trim();
  const bad = (why: string): RestClientError =>
    new RestClientError(
      0,
      `-m/--jobmanager: expected host:port (e.g. 127.0.0.1:8081) or an http(s) URL, got "${address}"${why}`,
    );
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(a)) {
    let url: URL;
    try {
      url = new URL(a);
    } catch {
      throw bad('');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw bad(` (scheme ${url.protocol} is not http or https)`);
    return a.replace(/\/+$/, '');
  }
  const m = /^(\[[0-9a-fA-F:.]+\]|[^\s/:[\]]+):(\d+)$/.exec(a);
  if (m === null) throw bad('');
  const port = Number(m[2]);
  if (port < 1 || port > 65535) throw bad(` (port ${m[2]} is not between 1 and 65535)`);
  return `http://${a}`;
}

/** Why a JobManager could not be reached, from fetch's cause. */
function unreachableReason(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  switch (cause?.code) {
    case 'ECONNREFUSED':
      return 'connection refused (is the JobManager running, and is this its rest.port?)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'unknown host';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'connection timed out';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return 'connection closed before an answer (is this the REST port of a Sluice JobManager?)';
    default:
      if (cause?.message === 'bad port') return 'fetch refuses to connect to this port (a reserved port)';
      return cause?.message ?? (e as Error).message;
  }
}

/**
 * REST client of one JobManager.
 *
 * @example
 * const client = new RestClusterClient('127.0.0.1:8081');
 * const { jobs } = await client.jobsOverview();
 */
export class RestClusterClient {
  readonly baseUrl: string;
  readonly #token: string;

  constructor(address: string, token = '') {
    this.baseUrl = restBaseUrl(address);
    this.#token = token;
  }

  /** Sends a request; resolves with the JSON answer. */
  async request<T>(
    method: string,
    path: string,
    body?: unknown,
    contentType = 'application/json',
    extraHeaders: Record<string, string> = {},
  ): Promise<T> {
    const headers: Record<string, string> = { ...extraHeaders };
    if (this.#token !== '') headers.authorization = `Bearer ${this.#token}`;
    let payload: RequestInit['body'] | undefined;
    if (body instanceof Uint8Array) {
      headers['content-type'] = contentType;
      payload = body as unknown as RequestInit['body'];
    } else if (body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers,
        ...(payload === undefined ? {} : { body: payload }),
      });
    } catch (e) {
      throw new RestClientError(0, `cannot reach the JobManager at ${this.baseUrl}: ${unreachableReason(e)}`);
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text === '' ? {} : JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const errors = (json as { errors?: unknown } | undefined)?.errors;
      const why = Array.isArray(errors) ? errors.join('; ') : text.slice(0, 200) || res.statusText;
      throw new RestClientError(res.status, `HTTP ${res.status} (${method} ${path}): ${why}`);
    }
    return json as T;
  }

  uploadBundle(name: string, code: Uint8Array): Promise<{ filename: string }> {
    return this.request('POST', '/jars/upload', code, 'application/javascript', {
      'x-sluice-bundle-name': name,
    });
  }

  runBundle(jarId: string, body: Record<string, unknown>): Promise<{ jobid: string }> {
    return this.request('POST', `/jars/${encodeURIComponent(jarId)}/run`, body);
  }

  jobsOverview(): Promise<{ jobs: JobOverviewRow[] }> {
    return this.request('GET', '/jobs/overview');
  }

  job(jobId: string): Promise<{ state: JobStatus; name: string }> {
    return this.request('GET', `/jobs/${jobId}`);
  }

  /**
   * A line for the user when job `jobId` waits for task slots (it is `CREATED` and has none yet):
   * how many it needs and what the cluster has; `undefined` when it does not wait.
   */
  async slotWaitNotice(jobId: string): Promise<string | undefined> {
    const job = await this.request<{ state: string; vertices?: { id: string; parallelism: number }[] }>(
      'GET',
      `/jobs/${jobId}`,
    );
    const first = job.vertices?.[0];
    if (job.state !== 'CREATED' || first === undefined) return undefined;
    const vertex = await this.request<{ subtasks?: { 'taskmanager-id'?: string }[] }>(
      'GET',
      `/jobs/${jobId}/vertices/${first.id}`,
    );
    // A subtask names its TaskManager once the job has slots ("" before).
    if ((vertex.subtasks ?? []).some((s) => (s['taskmanager-id'] ?? '') !== '')) return undefined;
    const cluster = await this.request<{
      taskmanagers: number;
      'slots-total': number;
      'slots-available': number;
    }>('GET', '/overview');
    const needed = Math.max(...(job.vertices ?? []).map((v) => v.parallelism));
    return (
      `Job ${jobId} is waiting for ${needed} free task slot(s); the cluster has ${cluster['slots-total']} ` +
      `in ${cluster.taskmanagers} TaskManager(s), ${cluster['slots-available']} free. It starts when enough ` +
      'slots are free and fails with NoResourceAvailableException after slot.request.timeout otherwise: ' +
      'start more TaskManagers, lower the parallelism (-p), or cancel it (sluice cancel).'
    );
  }

  cancel(jobId: string): Promise<unknown> {
    return this.request('PATCH', `/jobs/${jobId}?mode=cancel`);
  }

  executionResult(jobId: string): Promise<ExecutionResultResponse> {
    return this.request('GET', `/jobs/${jobId}/execution-result`);
  }

  /** Triggers a savepoint (`stop`: stop-with-savepoint) and waits for it; resolves with its path. */
  async savepoint(
    jobId: string,
    options: { dir?: string | undefined; stop?: boolean; drain?: boolean },
    pollMs = 200,
  ): Promise<string> {
    const { 'request-id': trigger } = options.stop
      ? await this.request<{ 'request-id': string }>('POST', `/jobs/${jobId}/stop`, {
          ...(options.dir === undefined ? {} : { targetDirectory: options.dir }),
          drain: options.drain === true,
        })
      : await this.request<{ 'request-id': string }>('POST', `/jobs/${jobId}/savepoints`, {
          ...(options.dir === undefined ? {} : { 'target-directory': options.dir }),
          'cancel-job': false,
        });
    for (;;) {
      const r = await this.request<{
        status: { id: string };
        operation?: { location?: string; 'failure-cause'?: { 'stack-trace': string } };
      }>('GET', `/jobs/${jobId}/savepoints/${trigger}`);
      if (r.status.id === 'COMPLETED') {
        const failure = r.operation?.['failure-cause'];
        if (failure !== undefined) {
          throw new RestClientError(
            500,
            `savepoint of job ${jobId} failed: ${failure['stack-trace'].split('\n')[0]}`,
          );
        }
        return r.operation?.location ?? '';
      }
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }

  /** Polls until the job ends; resolves with its execution result. */
  async waitForResult(
    jobId: string,
    pollMs = 250,
  ): Promise<NonNullable<ExecutionResultResponse['job-execution-result']>> {
    for (;;) {
      const r = await this.executionResult(jobId);
      if (r.status.id === 'COMPLETED' && r['job-execution-result'] !== undefined)
        return r['job-execution-result'];
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }
}
