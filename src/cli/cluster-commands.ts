// `sluice jobmanager`, `sluice taskmanager`, `sluice list -m` and `sluice cancel -m`: the
// processes of a standalone cluster and the client commands that monitor and control its jobs.
import {
  ClusterConfiguration,
  Dispatcher,
  RegistrationRefusedError,
  TaskManagerRunner,
} from '../cluster/index.ts';
import { IllegalArgumentError, SluiceError } from '../core/index.ts';
import { startRestServer } from '../rest/index.ts';
import { RestClusterClient } from './rest-cluster-client.ts';

function log(line: string): void {
  process.stderr.write(`${new Date().toISOString()} ${line}\n`);
}

/** Splits `host:port`. */
export function parseHostPort(value: string, what: string): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:\s]+):(\d+)$/.exec(value.trim());
  const port = m === null ? Number.NaN : Number(m[2]);
  if (m === null || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new IllegalArgumentError(`${what}: expected host:port (e.g. 127.0.0.1:8081), got "${value}"`);
  }
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
}

/** A port that cannot be listened on, as the user's one-line error naming the option to change. */
function listenFailure(e: unknown, option: string): unknown {
  const err = e as { code?: unknown; address?: unknown; port?: unknown };
  const where = `${String(err.address ?? '')}:${String(err.port ?? '')}`;
  switch (err.code) {
    case 'EADDRINUSE':
      return new SluiceError(
        'PORT_IN_USE',
        `cannot listen on ${where}: the port is in use (another JobManager or TaskManager?); choose another ${option}`,
        { cause: e },
      );
    case 'EACCES':
      return new SluiceError(
        'PORT_NOT_PERMITTED',
        `cannot listen on ${where}: permission denied (ports below 1024 need privileges); choose another ${option}`,
        { cause: e },
      );
    case 'EADDRNOTAVAIL':
      return new SluiceError(
        'ADDRESS_NOT_AVAILABLE',
        `cannot listen on ${where}: the address is not one of this host's`,
        { cause: e },
      );
    default:
      return e;
  }
}

function onShutdown(stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (): void => {
    if (stopping) return;
    stopping = true;
    stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}

/** Options of `sluice jobmanager`. */
export interface JobManagerCommandOptions {
  readonly port?: number;
  readonly bind?: string;
  readonly config?: string;
}

/** Starts a JobManager process: REST API and TaskManager RPC on one port. */
export async function startJobManager(options: JobManagerCommandOptions): Promise<void> {
  const conf = ClusterConfiguration.load({
    file: options.config,
    env: process.env,
    flags: { 'rest.port': options.port, 'rest.bind-address': options.bind },
  });
  const dispatcher = new Dispatcher(conf, log);
  let server: Awaited<ReturnType<typeof startRestServer>>;
  try {
    server = await startRestServer(dispatcher);
  } catch (e) {
    dispatcher.close();
    throw listenFailure(e, '--port (rest.port)');
  }
  // One line on stdout that scripts and tests wait for.
  process.stdout.write(`JobManager listening at ${server.url} (REST API and TaskManager RPC)\n`);
  const recovered = await dispatcher.recoverJobs();
  if (recovered.length > 0) log(`recovered ${recovered.length} job(s): ${recovered.join(', ')}`);
  onShutdown(async () => {
    dispatcher.close();
    await server.close();
  });
}

/** Options of `sluice taskmanager`. */
export interface TaskManagerCommandOptions {
  readonly jobmanager?: string;
  readonly slots?: number;
  readonly bind?: string;
  readonly host?: string;
  readonly dataPort?: number;
  readonly config?: string;
}

/** Starts a TaskManager process and registers it with the JobManager. */
export async function startTaskManager(options: TaskManagerCommandOptions): Promise<void> {
  const jm = options.jobmanager === undefined ? undefined : parseHostPort(options.jobmanager, '--jobmanager');
  const conf = ClusterConfiguration.load({
    file: options.config,
    env: process.env,
    flags: {
      'jobmanager.rpc.address': jm?.host,
      'jobmanager.rpc.port': jm?.port,
      'taskmanager.numberOfTaskSlots': options.slots,
      'taskmanager.bind-host': options.bind,
      'taskmanager.host': options.host,
      'taskmanager.data.port': options.dataPort,
    },
  });
  let runner: TaskManagerRunner;
  try {
    runner = await TaskManagerRunner.start(conf, log);
  } catch (e) {
    if (e instanceof RegistrationRefusedError) throw new IllegalArgumentError(e.message, { cause: e });
    throw listenFailure(e, '--data-port (taskmanager.data.port)');
  }
  process.stdout.write(`TaskManager ${runner.resourceId} registered (data port ${runner.dataPort})\n`);
  onShutdown(() => runner.close());
  runner.closed.catch((e: unknown) => {
    log(`TaskManager stopping: ${(e as Error).message}`);
    process.exit(1);
  });
}

function formatTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${p(d.getDate())}.${p(d.getMonth() + 1)}.${d.getFullYear()} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/**
 * `sluice list -m`: jobs of the cluster, running first. As Flink's `list`: `all` adds the
 * terminated jobs; `only: 'running'` (`-r`) or `'scheduled'` (`-s`) lists just those.
 */
export async function listJobs(
  jobmanager: string,
  token: string,
  all: boolean,
  only?: 'running' | 'scheduled',
): Promise<string> {
  const { jobs } = await new RestClusterClient(jobmanager, token).jobsOverview();
  const line = (j: (typeof jobs)[number]): string =>
    `${formatTime(j['start-time'])} : ${j.jid} : ${j.name} (${j.state})`;
  const running = jobs.filter(
    (j) =>
      j.state === 'RUNNING' || j.state === 'RESTARTING' || j.state === 'FAILING' || j.state === 'CANCELLING',
  );
  const scheduled = jobs.filter((j) => j.state === 'CREATED');
  const ended = jobs.filter((j) => j.state === 'FINISHED' || j.state === 'FAILED' || j.state === 'CANCELED');
  const out: string[] = [];
  const section = (title: string, rows: typeof jobs, empty: string): void => {
    if (rows.length === 0) {
      out.push(empty);
      return;
    }
    out.push(`------------------ ${title} -------------------`);
    for (const j of rows) out.push(line(j));
    out.push('--------------------------------------------------------------');
  };
  if (only !== 'scheduled' || all) section('Running/Restarting Jobs', running, 'No running jobs.');
  if (only !== 'running' || all) section('Scheduled Jobs', scheduled, 'No scheduled jobs.');
  if (all) section('Terminated Jobs', ended, 'No terminated jobs.');
  return out.join('\n');
}

/** `sluice cancel -m <jobId>`: cancels a job and waits until it is cancelled. */
export async function cancelJob(
  jobmanager: string,
  token: string,
  jobId: string,
  timeoutMs = 60_000,
): Promise<string> {
  if (!/^[0-9a-f]{32}$/.test(jobId))
    throw new IllegalArgumentError(`cancel: "${jobId}" is not a job id (32 hex characters)`);
  const client = new RestClusterClient(jobmanager, token);
  await client.cancel(jobId);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { state } = await client.job(jobId);
    if (state === 'CANCELED') return `Cancelled job ${jobId}.`;
    if (state === 'FINISHED' || state === 'FAILED') return `Job ${jobId} had already ended (${state}).`;
    if (Date.now() > deadline) return `Cancellation of job ${jobId} requested; it is ${state}.`;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** `sluice savepoint -m <jobId> [dir]`: takes a savepoint; resolves with the CLI's answer. */
export async function savepointJob(
  jobmanager: string,
  token: string,
  jobId: string,
  dir: string | undefined,
): Promise<string> {
  if (!/^[0-9a-f]{32}$/.test(jobId))
    throw new IllegalArgumentError(`savepoint: "${jobId}" is not a job id (32 hex characters)`);
  const path = await new RestClusterClient(jobmanager, token).savepoint(jobId, { dir });
  return `Savepoint completed. Path: ${path}`;
}

/** `sluice stop -m <jobId> [--savepointPath dir] [--drain]`: stops a job with a savepoint. */
export async function stopJob(
  jobmanager: string,
  token: string,
  jobId: string,
  dir: string | undefined,
  drain: boolean,
): Promise<string> {
  if (!/^[0-9a-f]{32}$/.test(jobId))
    throw new IllegalArgumentError(`stop: "${jobId}" is not a job id (32 hex characters)`);
  const path = await new RestClusterClient(jobmanager, token).savepoint(jobId, { dir, stop: true, drain });
  return `Savepoint completed. Path: ${path}`;
}
