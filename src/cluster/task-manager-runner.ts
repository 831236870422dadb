// The TaskManager process of a standalone cluster: starts its slots (worker threads) and its data
// plane, connects to the JobManager (an HTTP Upgrade on the JobManager's REST port), registers,
// heartbeats both ways, relays commands and reports, and links each job's bundle to its own engine
// before the slots load it. When the JobManager is lost, it cancels its tasks and registers again.
import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import type { Socket } from 'node:net';
import { availableParallelism, freemem, hostname, totalmem } from 'node:os';
import { CoreOptions, SluiceError } from '../core/index.ts';
import { type ClusterConfiguration, ClusterOptions } from './cluster-configuration.ts';
import { DataPlane } from './data-plane.ts';
import { HeartbeatMonitor } from './heartbeat-monitor.ts';
import { JobBundleStore } from './job-bundle-store.ts';
import { PROTOCOL_VERSION, type SlotCommand, type SlotReport, type TaskMetricsSample } from './protocol.ts';
import { RpcConnection } from './rpc-connection.ts';
import {
  type JobManagerMessage,
  PROTOCOL_VERSION_HEADER,
  RPC_UPGRADE_PATH,
  RPC_UPGRADE_PROTOCOL,
  type TaskManagerMessage,
} from './rpc-messages.ts';
import { TaskManager } from './task-manager.ts';

/** The JobManager refused this TaskManager (bad token, other version): retrying cannot help. */
export class RegistrationRefusedError extends SluiceError {
  constructor(message: string) {
    super('REGISTRATION_REFUSED', message, { origin: 'user' });
  }
}

/**
 * The local address of a connection, the one this host is reached at on the route it took
 * (an IPv4-mapped IPv6 address as plain IPv4); the host name if the socket has none.
 *
 * @example
 * connectingAddress({ localAddress: '::ffff:10.0.0.7' }); // '10.0.0.7'
 */
export function connectingAddress(socket: Pick<Socket, 'localAddress'>): string {
  const local = socket.localAddress;
  if (local === undefined || local === '') return hostname();
  return local.startsWith('::ffff:') && local.includes('.') ? local.slice('::ffff:'.length) : local;
}

/**
 * A running TaskManager process.
 *
 * @example
 * const tm = await TaskManagerRunner.start(ClusterConfiguration.load({ flags: { 'jobmanager.rpc.port': 8081 } }));
 * await tm.closed; // until shutdown or a fatal error
 */
export class TaskManagerRunner {
  readonly resourceId: string;
  readonly #conf: ClusterConfiguration;
  readonly #tm: TaskManager;
  readonly #plane: DataPlane;
  readonly #store: JobBundleStore;
  readonly #log: (line: string) => void;
  #connection: RpcConnection<JobManagerMessage, TaskManagerMessage> | undefined;
  #registered = false;
  #attached = false;
  #monitor: HeartbeatMonitor | undefined;
  #heartbeatTimer: NodeJS.Timeout | undefined;
  #metrics = new Map<string, TaskMetricsSample>();
  /** Local module URL of each job's linked bundle. */
  readonly #bundles = new Map<string, Promise<string>>();
  /** File id of each job's current bundle. */
  readonly #bundleFiles = new Map<string, string>();
  #bundleCount = 0;
  /** Slots each job is loaded in (its bundle is deleted when all release it). */
  readonly #jobSlots = new Map<string, Set<number>>();
  /** Control messages are handled in order, waiting for bundle links. */
  #queue: Promise<void> = Promise.resolve();
  #stopping = false;
  readonly closed: Promise<void>;
  #resolveClosed!: () => void;
  #rejectClosed!: (e: Error) => void;

  private constructor(
    conf: ClusterConfiguration,
    resourceId: string,
    tm: TaskManager,
    plane: DataPlane,
    log: (line: string) => void,
  ) {
    this.#conf = conf;
    this.resourceId = resourceId;
    this.#tm = tm;
    this.#plane = plane;
    this.#log = log;
    this.#store = new JobBundleStore('sluice-taskmanager', conf.get(ClusterOptions.IO_TMP_DIRS));
    this.closed = new Promise((resolve, reject) => {
      this.#resolveClosed = resolve;
      this.#rejectClosed = reject;
    });
  }

  /** Starts slots and data plane, then registers with the JobManager (retrying until it answers). */
  static async start(
    conf: ClusterConfiguration,
    log: (line: string) => void = () => {},
  ): Promise<TaskManagerRunner> {
    const configured = conf.core.get(CoreOptions.TASK_SLOTS);
    const slots = configured > 0 ? configured : availableParallelism();
    const bindHost = conf.get(ClusterOptions.TASKMANAGER_BIND_HOST);
    let runner: TaskManagerRunner | undefined;
    const pendingDeliveries: [number, import('../runtime/index.ts').NetworkMessage][] = [];
    const plane = await DataPlane.start({
      resourceId: 'pending',
      bindHost,
      port: conf.get(ClusterOptions.TASKMANAGER_DATA_PORT),
      token: conf.get(ClusterOptions.SECURITY_TOKEN),
      deliver: (to, m) => {
        if (runner === undefined) pendingDeliveries.push([to, m]);
        else runner.#tm.deliver(to, m);
      },
      log,
      connectTimeoutMs: conf.get(ClusterOptions.TASKMANAGER_DATA_CONNECT_TIMEOUT) * 1000,
      // Without a JobManager connection there is no job to fail over: its loss cancels the tasks.
      onLinkFailed: (peer, reason) => {
        if (runner !== undefined) runner.#send({ t: 'data-link-failed', peer, reason });
      },
    });
    // Bound to every interface and no taskmanager.host: peers get the local address of the
    // connection to the JobManager (as Flink does), known once connected. Not the host name: it
    // often resolves to a loopback address (/etc/hosts), which no other host can dial.
    const advertised =
      conf.get(ClusterOptions.TASKMANAGER_HOST) ||
      (bindHost === '0.0.0.0' || bindHost === '::' ? '' : bindHost);
    const resourceId =
      conf.get(ClusterOptions.TASKMANAGER_RESOURCE_ID) ||
      `${advertised || hostname()}:${plane.port}-${randomBytes(3).toString('hex')}`;
    plane.setResourceId(resourceId);
    const tm = await TaskManager.start({ slots, mode: 'threads', typescript: false, resourceId }, () => {});
    runner = new TaskManagerRunner(conf, resourceId, tm, plane, log);
    for (const [to, m] of pendingDeliveries) tm.deliver(to, m);
    tm.setReportHandler((r) => runner.#onSlotReport(r));
    runner.#advertisedHost = advertised;
    await runner.#connectWithRetry();
    return runner;
  }

  #advertisedHost = '';

  get dataPort(): number {
    return this.#plane.port;
  }

  async #connectWithRetry(): Promise<void> {
    const host = this.#conf.get(ClusterOptions.JOBMANAGER_ADDRESS);
    const port = this.#conf.get(ClusterOptions.JOBMANAGER_PORT);
    const limit = this.#conf.get(ClusterOptions.TASKMANAGER_REGISTRATION_TIMEOUT);
    const started = Date.now();
    let delay = 100;
    let lastError = '';
    for (;;) {
      if (this.#stopping) return;
      try {
        await this.#connect(host, port);
        return;
      } catch (e) {
        if (e instanceof RegistrationRefusedError) throw e;
        const message = (e as Error).message;
        if (message !== lastError)
          this.#log(`cannot reach the JobManager at ${host}:${port} (${message}); retrying`);
        lastError = message;
      }
      if (limit > 0 && Date.now() - started > limit) {
        throw new SluiceError(
          'REGISTRATION_TIMEOUT',
          `could not register with the JobManager at ${host}:${port} within ${limit} ms (taskmanager.registration.timeout): ${lastError}`,
          { origin: 'external' },
        );
      }
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 2000);
    }
  }

  /** Opens the RPC connection and registers; resolves once registered. */
  #connect(host: string, port: number): Promise<void> {
    const token = this.#conf.get(ClusterOptions.SECURITY_TOKEN);
    return new Promise((resolve, reject) => {
      const req = httpRequest({
        host,
        port,
        path: RPC_UPGRADE_PATH,
        headers: {
          Connection: 'Upgrade',
          Upgrade: RPC_UPGRADE_PROTOCOL,
          [PROTOCOL_VERSION_HEADER]: String(PROTOCOL_VERSION),
          ...(token === '' ? {} : { Authorization: `Bearer ${token}` }),
        },
      });
      req.setTimeout(10_000, () => req.destroy(new Error('no answer within 10 s')));
      req.on('error', reject);
      req.on('response', (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          body += c;
        });
        res.on('end', () => {
          let reason = body;
          try {
            reason = (JSON.parse(body) as { errors?: string[] }).errors?.join('; ') ?? body;
          } catch {}
          const message = `the JobManager at ${host}:${port} refused the connection (HTTP ${res.statusCode}): ${reason}`;
          reject(
            res.statusCode === 401 || res.statusCode === 400
              ? new RegistrationRefusedError(message)
              : new Error(message),
          );
        });
      });
      req.on('upgrade', (_res, socket: Socket, head: Buffer) => {
        req.setTimeout(0);
        this.#attach(socket, head, resolve, reject);
      });
      req.end();
    });
  }

  #attach(socket: Socket, head: Buffer, resolve: () => void, reject: (e: Error) => void): void {
    const conn = new RpcConnection<JobManagerMessage, TaskManagerMessage>(
      socket,
      {
        control: (m) => {
          this.#monitor?.heard('jobmanager', Date.now());
          if (!this.#registered) {
            if (m.t === 'registered') {
              this.#onRegistered(m);
              resolve();
            } else if (m.t === 'refused') {
              reject(new RegistrationRefusedError(`the JobManager refused this TaskManager: ${m.reason}`));
              conn.close('refused');
            }
            return;
          }
          this.#queue = this.#queue
            .then(() => this.#onMessage(m))
            .catch((e: unknown) => {
              this.#log(`TaskManager: ${(e as Error).stack ?? String(e)}`);
            });
        },
        closed: (reason) => {
          if (!this.#registered) reject(new Error(reason));
          else this.#onJobManagerLost(reason);
        },
      },
      head,
    );
    this.#connection = conn;
    conn.send({
      t: 'register',
      resourceId: this.resourceId,
      slots: this.#tm.slots,
      dataHost: this.#advertisedHost || connectingAddress(socket),
      dataPort: this.#plane.port,
      hostname: hostname(),
      pid: process.pid,
      hardware: { cpuCores: availableParallelism(), physicalMemory: totalmem(), freeMemory: freemem() },
    });
  }

  #onRegistered(m: Extract<JobManagerMessage, { t: 'registered' }>): void {
    this.#registered = true;
    if (this.#attached && this.#tm.slotBase !== m.slotBase) {
      // Slot addresses are assigned at registration; running tasks were cancelled when the
      // JobManager was lost, so the new addresses apply from now on.
      this.#attached = false;
    }
    if (!this.#attached) {
      this.#tm.attachNetwork(m.slotBase, (msg) => this.#plane.send(msg));
      this.#attached = true;
    }
    this.#monitor = new HeartbeatMonitor(m.heartbeatTimeoutMs);
    this.#monitor.heard('jobmanager', Date.now());
    if (this.#heartbeatTimer !== undefined) clearInterval(this.#heartbeatTimer);
    this.#heartbeatTimer = setInterval(() => this.#heartbeat(), m.heartbeatIntervalMs);
    this.#log(
      `TaskManager ${this.resourceId} registered with ${this.#tm.slots} slot(s) (addresses ${m.slotBase}..${m.slotBase + this.#tm.slots - 1}), data port ${this.#plane.port}`,
    );
  }

  #heartbeat(): void {
    const conn = this.#connection;
    if (conn === undefined || !this.#registered) return;
    if (this.#monitor !== undefined && this.#monitor.expired(Date.now()).length > 0) {
      conn.close(
        `no heartbeat from the JobManager for more than ${this.#monitor.timeoutMs} ms (heartbeat.timeout)`,
      );
      return;
    }
    const metrics = [...this.#metrics.values()];
    this.#metrics.clear();
    conn.send({ t: 'heartbeat', metrics });
    // Answers arrive before the next heartbeat, which carries them.
    for (let slot = 0; slot < this.#tm.slots; slot++) this.#tm.send(slot, { t: 'report-metrics' });
  }

  async #onMessage(m: JobManagerMessage): Promise<void> {
    switch (m.t) {
      case 'heartbeat':
      case 'registered':
        return;
      case 'refused':
        this.#log(`the JobManager refused this TaskManager: ${m.reason}`);
        return;
      case 'peers':
        this.#plane.setPeers(m.peers);
        return;
      case 'job-bundle':
        // A fresh file per receipt: a job that runs again (rescaled) must be imported afresh.
        this.#bundleFiles.set(m.jobId, `${m.jobId}-${++this.#bundleCount}`);
        this.#bundles.set(m.jobId, this.#store.put(this.#bundleFiles.get(m.jobId)!, m.code));
        await this.#bundles.get(m.jobId)!.catch(() => {});
        return;
      case 'slot-command':
        await this.#onSlotCommand(m.slot, m.command);
        return;
      default: {
        const never: never = m;
        this.#log(`unknown message from the JobManager: ${JSON.stringify(never)}`);
      }
    }
  }

  async #onSlotCommand(slot: number, command: SlotCommand): Promise<void> {
    if (slot < 0 || slot >= this.#tm.slots || !Number.isInteger(slot)) return;
    let c = command;
    if (c.t === 'load-job') {
      const bundle = this.#bundles.get(c.jobId);
      if (bundle !== undefined && c.program !== undefined) {
        try {
          c = { ...c, program: { ...c.program, moduleUrl: await bundle } };
        } catch (e) {
          this.#send({
            t: 'slot-report',
            report: {
              t: 'job-loaded',
              jobId: c.jobId,
              slot,
              error: {
                name: 'JobBundleError',
                message: (e as Error).message,
                stack: (e as Error).stack ?? '',
              },
            },
          });
          return;
        }
      }
      const slots = this.#jobSlots.get(c.jobId) ?? new Set();
      slots.add(slot);
      this.#jobSlots.set(c.jobId, slots);
    }
    this.#tm.send(slot, c);
    if (c.t === 'release-job') {
      const slots = this.#jobSlots.get(c.jobId);
      slots?.delete(slot);
      if (slots === undefined || slots.size === 0) {
        this.#jobSlots.delete(c.jobId);
        this.#bundles.delete(c.jobId);
        // Workers have imported the module already; the file can go.
        this.#removeBundle(c.jobId);
      }
    }
  }

  #removeBundle(jobId: string): void {
    const file = this.#bundleFiles.get(jobId);
    this.#bundleFiles.delete(jobId);
    if (file !== undefined) this.#store.remove(file);
  }

  #onSlotReport(report: SlotReport): void {
    switch (report.t) {
      case 'print':
        // Job output goes to the TaskManager's stdout, as Flink's print sink does.
        (report.stream === 'stdout' ? process.stdout : process.stderr).write(report.text);
        return;
      case 'task-metrics':
        if (report.final) break;
        for (const s of report.samples) this.#metrics.set(`${s.jobId}:${s.vertexId}:${s.subtask}`, s);
        return;
      case 'slot-ready':
        return;
      default:
        break;
    }
    this.#send({ t: 'slot-report', report });
  }

  #send(m: TaskManagerMessage): void {
    this.#connection?.send(m);
  }

  #onJobManagerLost(reason: string): void {
    if (this.#stopping) return;
    this.#registered = false;
    this.#connection = undefined;
    if (this.#heartbeatTimer !== undefined) clearInterval(this.#heartbeatTimer);
    this.#log(`lost the JobManager: ${reason}; cancelling this TaskManager's tasks and registering again`);
    for (const [jobId, slots] of this.#jobSlots) {
      for (const slot of slots) {
        this.#tm.send(slot, { t: 'cancel-job', jobId });
        this.#tm.send(slot, { t: 'release-job', jobId });
      }
      this.#removeBundle(jobId);
    }
    this.#jobSlots.clear();
    this.#bundles.clear();
    this.#plane.setPeers([]);
    this.#connectWithRetry().catch((e: unknown) => {
      this.#rejectClosed(e as Error);
    });
  }

  /** Stops slots, data plane and connection. */
  async close(): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    if (this.#heartbeatTimer !== undefined) clearInterval(this.#heartbeatTimer);
    this.#connection?.close('TaskManager shutting down');
    await this.#plane.close();
    await this.#tm.close();
    this.#store.close();
    this.#resolveClosed();
  }
}
