// The JobManager's side of the standalone cluster: TaskManagers connect (an HTTP Upgrade on the
// REST port), register their slots and heartbeat; each becomes a TaskManagerGateway in the
// JobManager's slot pool. A TaskManager whose connection closes or whose heartbeats stop for
// heartbeat.timeout is unregistered, and the jobs that ran tasks on it fail over.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { SerializedError } from '../core/index.ts';
import { HeartbeatMonitor } from './heartbeat-monitor.ts';
import type { JobManager } from './job-manager.ts';
import { PROTOCOL_VERSION, type SlotCommand } from './protocol.ts';
import { RpcConnection } from './rpc-connection.ts';
import {
  type JobManagerMessage,
  type PeerInfo,
  PROTOCOL_VERSION_HEADER,
  RPC_UPGRADE_PATH,
  RPC_UPGRADE_PROTOCOL,
  type TaskManagerHardware,
  type TaskManagerMessage,
} from './rpc-messages.ts';
import type { TaskManagerGateway } from './task-manager-gateway.ts';

/** Options of the ResourceManager. */
export interface ResourceManagerOptions {
  readonly heartbeatIntervalMs: number;
  readonly heartbeatTimeoutMs: number;
  /** Shared secret TaskManagers must present; empty = none. */
  readonly token: string;
  /** The uploaded bundle of a job, sent to a TaskManager before the job's first load-job. */
  readonly bundleOf: (jobId: string) => Uint8Array | undefined;
  /** Log lines (registrations, losses). */
  readonly log?: (line: string) => void;
}

/** A registered TaskManager, for monitoring. */
export interface TaskManagerInfo {
  readonly resourceId: string;
  readonly location: string;
  readonly dataPort: number;
  readonly hostname: string;
  readonly pid: number;
  readonly slots: number;
  readonly slotBase: number;
  readonly registeredAt: number;
  readonly sinceLastHeartbeat: number;
  readonly hardware: TaskManagerHardware;
}

/** Compares a presented secret with the configured one in constant time. */
export function tokenMatches(presented: string | undefined, expected: string): boolean {
  if (expected === '') return true;
  if (presented === undefined) return false;
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** The secret of an `Authorization: Bearer <token>` header. */
export function bearerToken(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  const m = value === undefined ? null : /^Bearer\s+(.+)$/i.exec(value.trim());
  return m === null ? undefined : m[1];
}

/** What is wrong with a registration message, if anything (it comes from the network). */
function registrationProblem(m: Extract<TaskManagerMessage, { t: 'register' }>): string | undefined {
  const isInt = (v: unknown, min: number, max: number): boolean =>
    typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
  if (typeof m.resourceId !== 'string' || m.resourceId === '' || m.resourceId.length > 256)
    return 'resourceId';
  if (!isInt(m.slots, 1, 4096)) return `slots ${JSON.stringify(m.slots)}`;
  if (typeof m.dataHost !== 'string' || m.dataHost === '' || m.dataHost.length > 256) return 'dataHost';
  if (!isInt(m.dataPort, 1, 65535)) return `dataPort ${JSON.stringify(m.dataPort)}`;
  if (typeof m.hostname !== 'string' || !isInt(m.pid, 0, Number.MAX_SAFE_INTEGER)) return 'hostname/pid';
  const h = m.hardware as Partial<TaskManagerHardware> | undefined;
  if (h === undefined || typeof h !== 'object' || typeof h.cpuCores !== 'number') return 'hardware';
  return undefined;
}

class RemoteTaskManagerGateway implements TaskManagerGateway {
  readonly resourceId: string;
  readonly slots: number;
  readonly slotBase: number;
  readonly location: string;
  readonly info: Omit<TaskManagerInfo, 'sinceLastHeartbeat'>;
  readonly connection: RpcConnection<TaskManagerMessage, JobManagerMessage>;
  readonly #bundleOf: (jobId: string) => Uint8Array | undefined;
  readonly #bundlesSent = new Set<string>();

  constructor(
    info: Omit<TaskManagerInfo, 'sinceLastHeartbeat'>,
    connection: RpcConnection<TaskManagerMessage, JobManagerMessage>,
    bundleOf: (jobId: string) => Uint8Array | undefined,
  ) {
    this.info = info;
    this.resourceId = info.resourceId;
    this.slots = info.slots;
    this.slotBase = info.slotBase;
    this.location = info.location;
    this.connection = connection;
    this.#bundleOf = bundleOf;
  }

  send(slot: number, command: SlotCommand): void {
    if (command.t === 'load-job' && !this.#bundlesSent.has(command.jobId)) {
      const code = this.#bundleOf(command.jobId);
      if (code !== undefined) {
        this.#bundlesSent.add(command.jobId);
        this.connection.send({ t: 'job-bundle', jobId: command.jobId, code });
      }
    }
    if (command.t === 'release-job') this.#bundlesSent.delete(command.jobId);
    this.connection.send({ t: 'slot-command', slot, command });
  }
}

/**
 * Accepts, tracks and loses TaskManagers.
 *
 * @example
 * const rm = new ResourceManager(jobManager, { heartbeatIntervalMs: 1000, heartbeatTimeoutMs: 5000, token: '', bundleOf });
 * httpServer.on('upgrade', (req, socket, head) => rm.handleUpgrade(req, socket, head));
 */
export class ResourceManager {
  readonly #jm: JobManager;
  readonly #options: ResourceManagerOptions;
  readonly #gateways = new Map<string, RemoteTaskManagerGateway>();
  readonly #monitor: HeartbeatMonitor;
  readonly #timer: NodeJS.Timeout;
  #nextSlotBase = 0;

  constructor(jm: JobManager, options: ResourceManagerOptions) {
    this.#jm = jm;
    this.#options = options;
    this.#monitor = new HeartbeatMonitor(options.heartbeatTimeoutMs);
    this.#timer = setInterval(() => this.#tick(), options.heartbeatIntervalMs);
    this.#timer.unref();
  }

  /** Registered TaskManagers. */
  taskManagers(): TaskManagerInfo[] {
    const now = Date.now();
    return [...this.#gateways.values()].map((g) => ({
      ...g.info,
      sinceLastHeartbeat: this.#monitor.sinceLastHeard(g.resourceId, now) ?? 0,
    }));
  }

  /** Handles an HTTP Upgrade request; refuses anything but a TaskManager RPC connection. */
  handleUpgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    const refuse = (status: number, reason: string): void => {
      const body = JSON.stringify({ errors: [reason] });
      socket.end(
        `HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : status === 404 ? 'Not Found' : 'Bad Request'}\r\n` +
          `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    };
    socket.on('error', () => {});
    const path = (req.url ?? '').split('?')[0];
    if (path !== RPC_UPGRADE_PATH || (req.headers.upgrade ?? '').toLowerCase() !== RPC_UPGRADE_PROTOCOL) {
      refuse(
        404,
        `no upgrade at ${req.url ?? ''}; TaskManagers connect with Upgrade: ${RPC_UPGRADE_PROTOCOL} at ${RPC_UPGRADE_PATH}`,
      );
      return;
    }
    if (!tokenMatches(bearerToken(req.headers.authorization), this.#options.token)) {
      refuse(
        401,
        'TaskManager refused: this JobManager requires the shared secret security.token, and the TaskManager presented none or a different one',
      );
      return;
    }
    const version = Number(req.headers[PROTOCOL_VERSION_HEADER]);
    if (version !== PROTOCOL_VERSION) {
      refuse(
        400,
        `TaskManager refused: it speaks protocol version ${String(req.headers[PROTOCOL_VERSION_HEADER])}, this JobManager ${PROTOCOL_VERSION}; run the same Sluice version on every process`,
      );
      return;
    }
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: ${RPC_UPGRADE_PROTOCOL}\r\nConnection: Upgrade\r\n\r\n`,
    );
    this.#accept(socket, head, req.socket.remoteAddress ?? '?');
  }

  #accept(socket: Socket, head: Buffer, remoteAddress: string): void {
    let gateway: RemoteTaskManagerGateway | undefined;
    const registrationTimer = setTimeout(() => {
      if (gateway === undefined) conn.close('TaskManager did not register within 10 s');
    }, 10_000);
    registrationTimer.unref();
    const conn = new RpcConnection<TaskManagerMessage, JobManagerMessage>(
      socket,
      {
        control: (m) => {
          if (gateway === undefined) {
            if (m.t !== 'register') {
              conn.close(`TaskManager at ${remoteAddress} sent ${m.t} before registering`);
              return;
            }
            clearTimeout(registrationTimer);
            const problem = registrationProblem(m);
            if (problem !== undefined) {
              conn.close(`TaskManager at ${remoteAddress} sent an invalid registration: ${problem}`);
              return;
            }
            gateway = this.#register(m, conn);
            return;
          }
          this.#monitor.heard(gateway.resourceId, Date.now());
          this.#onMessage(gateway, m);
        },
        closed: (reason) => {
          clearTimeout(registrationTimer);
          if (gateway !== undefined && this.#gateways.get(gateway.resourceId) === gateway) {
            this.#lose(
              gateway,
              `TaskManager ${gateway.resourceId} (${gateway.location}) disconnected: ${reason}`,
            );
          }
        },
      },
      head,
    );
  }

  #register(
    m: Extract<TaskManagerMessage, { t: 'register' }>,
    conn: RpcConnection<TaskManagerMessage, JobManagerMessage>,
  ): RemoteTaskManagerGateway {
    const previous = this.#gateways.get(m.resourceId);
    if (previous !== undefined) {
      this.#lose(previous, `TaskManager ${m.resourceId} registered again (it restarted)`);
    }
    const slotBase = this.#nextSlotBase;
    this.#nextSlotBase += m.slots;
    const gateway = new RemoteTaskManagerGateway(
      {
        resourceId: m.resourceId,
        location: `${m.dataHost}:${m.dataPort}`,
        dataPort: m.dataPort,
        hostname: m.hostname,
        pid: m.pid,
        slots: m.slots,
        slotBase,
        registeredAt: Date.now(),
        hardware: m.hardware,
      },
      conn,
      this.#options.bundleOf,
    );
    this.#gateways.set(m.resourceId, gateway);
    this.#monitor.heard(m.resourceId, Date.now());
    conn.send({
      t: 'registered',
      slotBase,
      heartbeatIntervalMs: this.#options.heartbeatIntervalMs,
      heartbeatTimeoutMs: this.#options.heartbeatTimeoutMs,
    });
    // Every TaskManager learns the new peer before any job can place tasks on it.
    this.#broadcastPeers();
    this.#options.log?.(
      `TaskManager ${m.resourceId} registered from ${conn.remote}: ${m.slots} slot(s), data port ${gateway.location}`,
    );
    this.#jm.registerTaskManager(gateway);
    return gateway;
  }

  #onMessage(gateway: RemoteTaskManagerGateway, m: TaskManagerMessage): void {
    switch (m.t) {
      case 'heartbeat':
        if (m.metrics.length > 0) this.#jm.onMetrics(m.metrics);
        return;
      case 'slot-report':
        this.#jm.onReport(m.report, gateway.resourceId);
        return;
      case 'data-link-failed':
        // A peer that is gone already failed its jobs (heartbeat or disconnect).
        if (this.#gateways.has(m.peer)) {
          this.#options.log?.(`TaskManager ${gateway.resourceId}: ${m.reason}`);
          this.#jm.onDataLinkFailed(gateway.resourceId, m.peer, m.reason);
        }
        return;
      case 'register':
        gateway.connection.close(`TaskManager ${gateway.resourceId} registered twice on one connection`);
        return;
      default: {
        const never: never = m;
        gateway.connection.close(`unknown message ${JSON.stringify(never)}`);
      }
    }
  }

  #tick(): void {
    for (const g of this.#gateways.values()) g.connection.send({ t: 'heartbeat' });
    for (const id of this.#monitor.expired(Date.now())) {
      const g = this.#gateways.get(id);
      if (g === undefined) continue;
      this.#lose(
        g,
        `heartbeat of TaskManager ${id} (${g.location}) timed out: nothing heard for more than ${this.#options.heartbeatTimeoutMs} ms (heartbeat.timeout)`,
      );
    }
  }

  #lose(gateway: RemoteTaskManagerGateway, message: string): void {
    if (this.#gateways.get(gateway.resourceId) !== gateway) return;
    this.#gateways.delete(gateway.resourceId);
    this.#monitor.forget(gateway.resourceId);
    gateway.connection.close(message);
    this.#options.log?.(message);
    const cause: SerializedError = {
      name: 'TaskManagerLostException',
      message,
      stack: `TaskManagerLostException: ${message}`,
    };
    this.#jm.unregisterTaskManager(gateway.resourceId, cause);
    this.#broadcastPeers();
  }

  #broadcastPeers(): void {
    const peers: PeerInfo[] = [...this.#gateways.values()].map((g) => ({
      resourceId: g.resourceId,
      slotBase: g.slotBase,
      slots: g.slots,
      host: g.info.location.slice(0, g.info.location.lastIndexOf(':')),
      port: g.info.dataPort,
    }));
    for (const g of this.#gateways.values()) g.connection.send({ t: 'peers', peers });
  }

  /** Disconnects every TaskManager and stops the heartbeats. */
  close(): void {
    clearInterval(this.#timer);
    for (const g of [...this.#gateways.values()]) g.connection.close('JobManager shutting down');
    this.#gateways.clear();
  }
}
