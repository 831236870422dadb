// The REST API's answers to requests it cannot serve, against a Dispatcher without TaskManagers:
// Flink's status codes with a JSON `errors` array (400 malformed id or body, 404 unknown id or path,
// 405 known path with another method), the OpenAPI document naming only served routes, and a
// seeded fuzz of paths, methods, bodies and content types that must never crash the server.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterConfiguration, Dispatcher } from '../cluster/index.ts';
import { openApiDocument } from './openapi.ts';
import { createRestApi } from './rest-server.ts';

const UNKNOWN_JOB = '0123456789abcdef0123456789abcdef';
const JOB_PATHS = [
  '',
  '/status',
  '/config',
  '/exceptions',
  '/checkpoints',
  '/checkpoints/config',
  '/checkpoints/details/1',
  '/plan',
  '/execution-result',
  '/vertices/abc',
  '/vertices/abc/subtasks/0',
  `/savepoints/${UNKNOWN_JOB}`,
];

let dir: string;
let dispatcher: Dispatcher;
let app: FastifyInstance;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-rest-'));
  dispatcher = new Dispatcher(
    ClusterConfiguration.load({
      env: { SLUICE_IO_TMP_DIRS: dir, SLUICE_REST_SERVER_MAX_CONTENT_LENGTH: '100000' },
    }),
  );
  app = createRestApi(dispatcher);
});

afterAll(async () => {
  await app.close();
  dispatcher.close();
  rmSync(dir, { recursive: true, force: true });
});

async function call(
  method: string,
  url: string,
  body?: string | Buffer,
  contentType?: string,
): Promise<{ status: number; json: Record<string, unknown>; headers: Record<string, unknown> }> {
  const res = await app.inject({
    method: method as 'GET',
    url,
    ...(body === undefined ? {} : { payload: body }),
    ...(contentType === undefined ? {} : { headers: { 'content-type': contentType } }),
  });
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(res.body) as Record<string, unknown>;
  } catch {
    throw new Error(`${method} ${url} answered ${res.statusCode} with a body that is not JSON: ${res.body}`);
  }
  return { status: res.statusCode, json, headers: res.headers };
}

function expectErrors(r: { json: Record<string, unknown> }, text: RegExp): void {
  expect(Array.isArray(r.json.errors), JSON.stringify(r.json)).toBe(true);
  expect((r.json.errors as string[])[0]).toMatch(text);
}

describe('REST API errors', () => {
  it('answers 404 with an errors array for an unknown job on every job path', async () => {
    for (const p of JOB_PATHS) {
      const r = await call('GET', `/jobs/${UNKNOWN_JOB}${p}`);
      expect(r.status, p).toBe(404);
      expectErrors(r, new RegExp(`Job ${UNKNOWN_JOB} not found`));
    }
    for (const [method, p] of [
      ['PATCH', ''],
      ['POST', '/savepoints'],
      ['POST', '/stop'],
    ] as const) {
      const r = await call(method, `/jobs/${UNKNOWN_JOB}${p}`, '{}', 'application/json');
      expect(r.status, `${method} ${p}`).toBe(404);
    }
  });

  it('answers 400 for a malformed job id on every job path', async () => {
    for (const id of ['xyz', UNKNOWN_JOB.toUpperCase(), `${UNKNOWN_JOB}0`]) {
      for (const p of JOB_PATHS) {
        const r = await call('GET', `/jobs/${id}${p}`);
        expect(r.status, `${id}${p}`).toBe(400);
        expectErrors(r, /is not a job id/);
      }
    }
  });

  it('answers 405 with Allow for a known path asked with another method, 404 for unknown paths', async () => {
    const post = await call('POST', '/overview', '{}', 'application/json');
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET');
    expectErrors(post, /Method POST not allowed on \/overview/);
    const del = await call('DELETE', `/jobs/${UNKNOWN_JOB}`);
    expect(del.status).toBe(405);
    expect(String(del.headers.allow).split(', ').sort()).toEqual(['GET', 'PATCH']);
    expect((await call('GET', `/jobs/${UNKNOWN_JOB}/savepoints`)).status).toBe(405);
    expect((await call('PUT', '/jars/upload', 'x', 'text/plain')).status).toBe(405);
    const missing = await call('GET', '/no/such/path');
    expect(missing.status).toBe(404);
    expectErrors(missing, /Not found: GET \/no\/such\/path/);
  });

  it('answers 404 for unknown TaskManagers, jars and bundles; 400 for bad bodies', async () => {
    expectErrors(await call('GET', '/taskmanagers/nope'), /TaskManager nope is not registered/);
    expect((await call('GET', '/taskmanagers/nope')).status).toBe(404);
    expect((await call('DELETE', '/jars/nope')).status).toBe(404);
    expect((await call('POST', '/jars/nope/run', '{}', 'application/json')).status).toBe(404);
    const badJson = await call('POST', '/jars/nope/run', '{"a":', 'application/json');
    expect(badJson.status).toBe(400);
    expectErrors(badJson, /JSON/);
    const array = await call('POST', '/jars/nope/run', '[1]', 'application/json');
    expect(array.status).toBe(400);
    const wrongType = await call('POST', '/jars/upload', '{"a":1}', 'application/json');
    expect(wrongType.status).toBe(415);
    const tooLarge = await call('POST', '/jars/upload', Buffer.alloc(200_000), 'application/octet-stream');
    expect(tooLarge.status).toBe(413);
    expectErrors(tooLarge, /too large/);
    expect((await call('GET', '/jobs/%zz')).status).toBe(400);
  });

  it('describes only routes it serves, in the OpenAPI document', async () => {
    const paths = openApiDocument().paths as Record<string, Record<string, unknown>>;
    expect(Object.keys(paths)).toEqual(
      expect.arrayContaining([
        '/jobs/{jobid}/status',
        '/jobs/{jobid}/vertices/{vertexid}/subtasks/{subtaskindex}',
        '/taskmanagers/{taskmanagerid}',
      ]),
    );
    for (const [path, methods] of Object.entries(paths)) {
      const url = path.replace(/\{[^}]+\}/g, (m) => (m === '{jobid}' ? UNKNOWN_JOB : 'x'));
      for (const method of Object.keys(methods)) {
        const r = await call(
          method.toUpperCase(),
          url,
          method === 'get' ? undefined : '{}',
          'application/json',
        );
        expect(r.status, `${method} ${path}`).not.toBe(405);
        if (r.status === 404)
          expect((r.json.errors as string[])[0], `${method} ${path}`).not.toMatch(/^Not found:/);
      }
    }
  });

  it('survives a seeded fuzz of paths, methods, bodies and content types', async () => {
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const pick = <T>(xs: readonly T[]): T => xs[rand(xs.length)]!;
    const segments = [
      'jobs',
      'overview',
      UNKNOWN_JOB,
      'vertices',
      'checkpoints',
      'details',
      'savepoints',
      'stop',
      'jars',
      'run',
      'upload',
      'taskmanagers',
      '%2F',
      '..',
      '-1',
      '0',
      '99999999999999999999',
      'x'.repeat(300),
      '%E2%82%AC',
      '',
    ];
    const bodies = [
      '{}',
      '{"a":',
      '[]',
      'null',
      '"s"',
      '{"drain":"yes"}',
      '{"target-directory":5}',
      'x'.repeat(5000),
    ];
    const types = [
      'application/json',
      'text/plain',
      'application/javascript',
      'multipart/form-data',
      'application/x-www-form-urlencoded',
    ];
    for (let i = 0; i < 400; i++) {
      const path = `/${Array.from({ length: 1 + rand(5) }, () => pick(segments)).join('/')}${rand(4) === 0 ? '?mode=x&mode=y' : ''}`;
      const method = pick(['GET', 'POST', 'PATCH', 'DELETE', 'PUT', 'HEAD', 'OPTIONS']);
      const withBody = method !== 'GET' && method !== 'HEAD' && rand(3) > 0;
      const res = await app.inject({
        method: method as 'GET',
        url: path,
        ...(withBody ? { payload: pick(bodies), headers: { 'content-type': pick(types) } } : {}),
      });
      const context = `${method} ${path}`;
      expect(res.statusCode, context).toBeLessThan(500);
      if (method !== 'HEAD' && res.statusCode >= 400) {
        const json = JSON.parse(res.body) as { errors?: unknown };
        expect(Array.isArray(json.errors), `${context}: ${res.body}`).toBe(true);
      }
    }
    expect((await call('GET', '/overview')).status).toBe(200);
  });
});
