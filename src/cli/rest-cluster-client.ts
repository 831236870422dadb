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

/** Normalizes `host:port` or a URL into a base URL. */
export function restBaseUrl(address: string): string {
  const a = address.trim();
  if (/^https?:\/\//.test(a)) return a.replace(/\/+$/, '');
  if (!/^[^\s/]+:\d+$/.test(a)) {
    throw new RestClientError(
      0,
      `-m/--jobmanager: expected host:port (e.g. 127.0.0.1:8081), got "${address}"`,
    );
  }
  return `http://${a}`;
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
      const cause = (e as { cause?: { message?: string } }).cause?.message ?? (e as Error).message;
      throw new RestClientError(0, `cannot reach the JobManager at ${this.baseUrl}: ${cause}`);
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text === '' ? {} : JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const errors = (json as { errors?: string[] } | undefined)?.errors;
      throw new RestClientError(
        res.status,
        `${method} ${path} failed (HTTP ${res.status}): ${errors?.join('; ') ?? (text || res.statusText)}`,
      );
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
