// Helpers of the cluster end-to-end tests: start `node bin/sluice.mjs ...` processes, wait for
// their output, find free ports, call the REST API, and kill everything a test started.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/sluice.mjs', import.meta.url));

/** A started `sluice` process with its output so far. */
export interface SluiceProcess {
  readonly child: ChildProcess;
  readonly output: { stdout: string; stderr: string };
  /** Resolves with the match once `pattern` appears on stdout or stderr. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit code (or signal name). */
  readonly exited: Promise<number | string>;
}

const started = new Set<ChildProcess>();
/** Job bundles of every process go here (io.tmp.dirs), removed by killAll(). */
let tmpDir: string | undefined;

function testTmpDir(): string {
  if (tmpDir === undefined) tmpDir = mkdtempSync(join(tmpdir(), 'sluice-e2e-'));
  return tmpDir;
}

/** A parsed REST answer; the tests' assertions check its shape. */
// biome-ignore lint/suspicious/noExplicitAny: REST documents are checked field by field by the assertions.
export type RestJson = any;

/**
 * Starts `sluice <args>` with extra environment variables; `prefix` is a command that runs it
 * (e.g. `['ip', 'netns', 'exec', 'ns1']` to start it in a network namespace).
 */
export function sluice(
  args: readonly string[],
  env: Record<string, string> = {},
  prefix: readonly string[] = [],
): SluiceProcess {
  const [command = process.execPath, ...before] = [...prefix, process.execPath];
  const child = spawn(command, [...before, BIN, ...args], {
    cwd: ROOT,
    env: {
      ...cleanEnv(),
      SLUICE_IO_TMP_DIRS: testTmpDir(),
      // Checkpoints of the tests' jobs (job defaults of the JobManagers) go there too.
      SLUICE_STATE_CHECKPOINTS_DIR: join(testTmpDir(), 'checkpoints'),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.add(child);
  const output = { stdout: '', stderr: '' };
  const waiters: Array<() => void> = [];
  child.stdout!.setEncoding('utf8').on('data', (c: string) => {
    output.stdout += c;
    for (const w of waiters) w();
  });
  child.stderr!.setEncoding('utf8').on('data', (c: string) => {
    output.stderr += c;
    for (const w of waiters) w();
  });
  const exited = new Promise<number | string>((resolve) => {
    child.on('exit', (code, signal) => {
      started.delete(child);
      resolve(code ?? signal ?? -1);
      for (const w of waiters) w();
    });
  });
  return {
    child,
    output,
    exited,
    waitFor(pattern, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const m = output.stdout.match(pattern) ?? output.stderr.match(pattern);
          if (m !== null) {
            clearTimeout(timer);
            resolve(m);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            clearTimeout(timer);
            reject(new Error(`process exited before ${pattern}: ${output.stdout}\n${output.stderr}`));
          }
        };
        const timer = setTimeout(
          () => reject(new Error(`timed out waiting for ${pattern}:\n${output.stdout}\n${output.stderr}`)),
          timeoutMs,
        );
        waiters.push(check);
        check();
      });
    },
  };
}

/** The environment without SLUICE_* variables of the test runner's own. */
function cleanEnv(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !k.startsWith('SLUICE_')) out[k] = v;
  return out;
}

/**
 * Stops every process the tests started (SIGTERM, SIGKILL after 3 s), waits for them and
 * removes their temporary files.
 */
export async function killAll(): Promise<void> {
  const children = [...started];
  await Promise.all(
    children.map(
      (c) =>
        new Promise((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) {
            resolve(null);
            return;
          }
          const timer = setTimeout(() => c.kill('SIGKILL'), 3000);
          c.once('exit', () => {
            clearTimeout(timer);
            resolve(null);
          });
          c.kill('SIGCONT');
          c.kill('SIGTERM');
        }),
    ),
  );
  if (tmpDir !== undefined) rmSync(tmpDir, { recursive: true, force: true });
  tmpDir = undefined;
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Calls the REST API; resolves with status and parsed JSON (or text). */
export async function rest(
  base: string,
  method: string,
  path: string,
  options: { body?: string | Uint8Array; contentType?: string; token?: string } = {},
): Promise<{ status: number; json: RestJson }> {
  const headers: Record<string, string> = {};
  if (options.contentType !== undefined) headers['content-type'] = options.contentType;
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  const res = await fetch(`${base}${path}`, {
    method,
    headers,
    ...(options.body === undefined ? {} : { body: options.body as string }),
  });
  const text = await res.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: res.status, json };
}

/** Polls `probe` until it returns a value other than undefined. */
export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs = 30_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last === undefined ? '' : `: ${String(last)}`}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Starts a JobManager on a free port; resolves with it and its base URL. */
export async function startJobManager(
  env: Record<string, string> = {},
): Promise<{ jm: SluiceProcess; base: string; port: number }> {
  const port = await freePort();
  const jm = sluice(['jobmanager', '--port', String(port)], env);
  await jm.waitFor(/JobManager listening at (\S+)/);
  return { jm, base: `http://127.0.0.1:${port}`, port };
}

/** Starts a TaskManager and waits until it registered. */
export async function startTaskManager(
  port: number,
  slots: number,
  env: Record<string, string> = {},
): Promise<SluiceProcess> {
  const tm = sluice(['taskmanager', '--jobmanager', `127.0.0.1:${port}`, '--slots', String(slots)], env);
  await tm.waitFor(/TaskManager (\S+) registered/);
  return tm;
}

/**
 * `sluice run -m <jobmanager> <args>`: resolves with the process and the id of the job it
 * submitted (printed as `Job has been submitted with JobID <id>`).
 */
export async function submit(
  jobmanager: string,
  args: readonly string[],
): Promise<{ run: SluiceProcess; jobId: string }> {
  const run = sluice(['run', '-m', jobmanager, ...args]);
  const [, jobId] = await run.waitFor(/JobID ([0-9a-f]{32})/);
  return { run, jobId: jobId! };
}

/** Waits until job `jobId` is RUNNING (REST `GET /jobs/:id`). */
export async function whenRunning(base: string, jobId: string): Promise<void> {
  await eventually(async () =>
    (await rest(base, 'GET', `/jobs/${jobId}`)).json.state === 'RUNNING' ? true : undefined,
  );
}

/** Heartbeats every 200 ms, a TaskManager lost after 2 s: failures are detected quickly in tests. */
export const FAST_HEARTBEATS = { SLUICE_HEARTBEAT_INTERVAL: '200', SLUICE_HEARTBEAT_TIMEOUT: '2000' };
