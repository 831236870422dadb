// The data plane between TaskManagers: one TCP connection per pair of TaskManagers carries the
// data buffers and credits of every channel between their slots, addressed by global slot and
// channel id. Credit-based flow control stays end to end: a task still sends a buffer only with
// its receiver's credit, so what is in flight on a link is bounded by the credits of its channels.
// Of two TaskManagers, the one with the smaller resource id dials; the other queues its messages
// until that connection arrives. A link that breaks, or that records wait for longer than the
// connect timeout, is reported (`onLinkFailed`): records on it are lost, so the jobs using it must
// fail over rather than hang.
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import type { NetworkMessage } from '../runtime/index.ts';
import { PROTOCOL_VERSION } from './protocol.ts';
import { tokenMatches } from './resource-manager.ts';
import { RpcConnection } from './rpc-connection.ts';
import type { DataLinkMessage, PeerInfo } from './rpc-messages.ts';
import type { RemoteNetworkMessage } from './task-manager.ts';

interface Link {
  peer: PeerInfo;
  connection: RpcConnection<DataLinkMessage, DataLinkMessage> | undefined;
  ready: boolean;
  /** Messages waiting for the connection. */
  readonly pending: RemoteNetworkMessage[];
  /** Fires when messages waited too long for the connection. */
  timer: ReturnType<typeof setTimeout> | undefined;
  /** Why the last connection attempt or connection ended. */
  lastError: string | undefined;
  /** Set when the peer refused the link (wrong token or protocol version): retrying cannot help. */
  refused: string | undefined;
}

/** Options of a DataPlane. */
export interface DataPlaneOptions {
  readonly resourceId: string;
  readonly bindHost: string;
  readonly port: number;
  readonly token: string;
  /** A message from another TaskManager for the local slot at address `to`. */
  readonly deliver: (to: number, message: NetworkMessage) => void;
  readonly log?: (line: string) => void;
  /** How long queued messages may wait for a link before it counts as failed (default 10 s). */
  readonly connectTimeoutMs?: number;
  /** The link to `peer` failed; messages for it were dropped. */
  readonly onLinkFailed?: (peer: string, reason: string) => void;
}

/**
 * Connections to the other TaskManagers of the cluster.
 *
 * @example
 * const plane = await DataPlane.start({ resourceId, bindHost: '127.0.0.1', port: 0, token: '', deliver });
 * plane.setPeers(peers); plane.send({ t: 'credit', ch: 3, n: 1, to: 5 });
 */
export class DataPlane {
  #options: DataPlaneOptions;
  readonly #server: Server;
  readonly #links = new Map<string, Link>();
  /** Peer resource id by slot address. */
  readonly #owners = new Map<number, string>();
  #closed = false;

  private constructor(options: DataPlaneOptions, server: Server) {
    this.#options = options;
    this.#server = server;
  }

  /** Starts listening for links from other TaskManagers. */
  static async start(options: DataPlaneOptions): Promise<DataPlane> {
    const server = createServer();
    const plane = new DataPlane(options, server);
    server.on('connection', (socket) => plane.#accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.bindHost, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return plane;
  }

  /** Sets the resource id once it is known (it may contain the port). */
  setResourceId(resourceId: string): void {
    this.#options = { ...this.#options, resourceId };
  }

  /** The port the data plane listens on. */
  get port(): number {
    const address = this.#server.address();
    return typeof address === 'object' && address !== null ? address.port : 0;
  }

  /** The current set of TaskManagers; links to departed ones close, new ones are dialed. */
  setPeers(peers: readonly PeerInfo[]): void {
    this.#owners.clear();
    const present = new Set<string>();
    for (const p of peers) {
      if (p.resourceId === this.#options.resourceId) continue;
      present.add(p.resourceId);
      for (let i = 0; i < p.slots; i++) this.#owners.set(p.slotBase + i, p.resourceId);
      const dialer = this.#options.resourceId < p.resourceId;
      const existing = this.#links.get(p.resourceId);
      if (existing !== undefined) {
        const moved = existing.peer.port !== p.port || existing.peer.host !== p.host;
        if (!dialer || !moved) {
          // The acceptor keeps the link its peer dialed (it may have arrived before this update).
          existing.peer = p;
          continue;
        }
        this.#drop(existing, 'peer moved');
      }
      const link = newLink(p);
      this.#links.set(p.resourceId, link);
      if (dialer) this.#dial(link);
    }
    for (const link of [...this.#links.values()]) {
      if (!present.has(link.peer.resourceId)) this.#drop(link, 'peer left the cluster');
    }
  }

  /** Sends a message to the TaskManager that owns slot address `message.to`. */
  send(message: RemoteNetworkMessage): void {
    const owner = this.#owners.get(message.to);
    const link = owner === undefined ? undefined : this.#links.get(owner);
    // No owner: the peer is gone and its job is failing over; the message has nowhere to go.
    if (link === undefined) return;
    if (!link.ready || link.connection === undefined) {
      if (link.refused !== undefined) {
        this.#fail(link, link.refused);
        return;
      }
      if (link.pending.push(message) === 1 && link.timer === undefined) this.#startTimer(link);
      return;
    }
    this.#write(link.connection, message);
  }

  #write(conn: RpcConnection<DataLinkMessage, DataLinkMessage>, m: RemoteNetworkMessage): void {
    if (m.t === 'data') conn.writer.data(m.to, m.ch, m.buf);
    else if (m.t === 'priority') conn.writer.priority(m.to, m.ch, m.buf);
    else conn.writer.credit(m.to, m.ch, m.n);
  }

  #dial(link: Link): void {
    const socket = tcpConnect({ host: link.peer.host, port: link.peer.port });
    const conn = new RpcConnection<DataLinkMessage, DataLinkMessage>(socket, {
      control: (m) => {
        if (m.t === 'hello-ack') this.#ready(link, conn);
        else if (m.t === 'refused') {
          link.refused = `TaskManager ${link.peer.resourceId} refused the data link: ${m.reason}`;
          conn.close(`refused by ${link.peer.resourceId}: ${m.reason}`);
        }
      },
      data: (to, ch, buf) => this.#options.deliver(to, { t: 'data', ch, buf }),
      credit: (to, ch, n) => this.#options.deliver(to, { t: 'credit', ch, n }),
      priority: (to, ch, buf) => this.#options.deliver(to, { t: 'priority', ch, buf }),
      closed: (reason) => this.#lost(link, conn, reason),
    });
    link.connection = conn;
    conn.send({
      t: 'hello',
      version: PROTOCOL_VERSION,
      resourceId: this.#options.resourceId,
      token: this.#options.token,
    });
  }

  #accept(socket: Socket): void {
    let link: Link | undefined;
    const conn = new RpcConnection<DataLinkMessage, DataLinkMessage>(socket, {
      control: (m) => {
        if (link !== undefined || m.t !== 'hello') {
          conn.close('unexpected handshake message');
          return;
        }
        if (m.version !== PROTOCOL_VERSION) {
          conn.send({ t: 'refused', reason: `protocol version ${m.version}, expected ${PROTOCOL_VERSION}` });
          conn.close('protocol version mismatch');
          return;
        }
        if (!tokenMatches(m.token, this.#options.token)) {
          conn.send({ t: 'refused', reason: 'wrong or missing security.token' });
          conn.close('data link refused: wrong or missing security.token');
          return;
        }
        const known = this.#links.get(m.resourceId);
        link = known ?? newLink({ resourceId: m.resourceId, slotBase: 0, slots: 0, host: '', port: 0 });
        if (known === undefined) this.#links.set(m.resourceId, link);
        link.connection = conn;
        conn.send({ t: 'hello-ack', resourceId: this.#options.resourceId });
        this.#ready(link, conn);
      },
      data: (to, ch, buf) => this.#options.deliver(to, { t: 'data', ch, buf }),
      credit: (to, ch, n) => this.#options.deliver(to, { t: 'credit', ch, n }),
      priority: (to, ch, buf) => this.#options.deliver(to, { t: 'priority', ch, buf }),
      closed: (reason) => {
        if (link !== undefined) this.#lost(link, conn, reason);
      },
    });
  }

  #ready(link: Link, conn: RpcConnection<DataLinkMessage, DataLinkMessage>): void {
    link.ready = true;
    link.refused = undefined;
    clearTimeout(link.timer);
    link.timer = undefined;
    for (const m of link.pending.splice(0)) this.#write(conn, m);
  }

  #startTimer(link: Link): void {
    const ms = this.#options.connectTimeoutMs ?? 10_000;
    // Only the peer with the smaller resource id dials. The acceptor waits twice as long, so that
    // when both sides have records waiting, the dialer's report (which names the address it
    // could not reach) is the one that fails the job.
    const dialer = this.#options.resourceId < link.peer.resourceId;
    const wait = dialer ? ms : 2 * ms;
    link.timer = setTimeout(() => {
      link.timer = undefined;
      if (this.#closed || link.ready || link.pending.length === 0) return;
      const hint =
        'check that the TaskManagers can reach each other (taskmanager.host, taskmanager.data.port, firewalls)';
      if (!dialer) {
        this.#fail(
          link,
          `no data link from TaskManager ${link.peer.resourceId} after ${wait} ms while records waited for it: it has not reached this TaskManager (${this.#options.resourceId}) at its advertised address; ${hint}`,
        );
        return;
      }
      const where = link.peer.host === '' ? '' : ` at ${link.peer.host}:${link.peer.port}`;
      const why = link.lastError === undefined ? '' : ` (last error: ${link.lastError})`;
      this.#fail(
        link,
        `no data link to TaskManager ${link.peer.resourceId}${where} after ${ms} ms while records waited for it${why}; ${hint}`,
      );
    }, wait);
    link.timer.unref();
  }

  /** Records for `link` are lost: drop them and let the JobManager fail over the jobs using it. */
  #fail(link: Link, reason: string): void {
    const dropped = link.pending.length;
    link.pending.length = 0;
    clearTimeout(link.timer);
    link.timer = undefined;
    if (this.#closed || this.#links.get(link.peer.resourceId) !== link) return;
    this.#options.log?.(
      `data link to TaskManager ${link.peer.resourceId} failed (${dropped} message(s) dropped): ${reason}`,
    );
    this.#options.onLinkFailed?.(link.peer.resourceId, reason);
  }

  #lost(link: Link, conn: RpcConnection<DataLinkMessage, DataLinkMessage>, reason: string): void {
    if (link.connection !== conn) return;
    const wasReady = link.ready;
    link.connection = undefined;
    link.ready = false;
    link.lastError = reason;
    if (!this.#closed)
      this.#options.log?.(`data link to TaskManager ${link.peer.resourceId} lost: ${reason}`);
    // Buffers written to the broken connection may not have arrived: the exchange cannot go on
    // exactly, so the jobs using the link fail over (as Flink's tasks fail on a lost connection).
    if (wasReady) {
      this.#fail(
        link,
        `data link to TaskManager ${link.peer.resourceId} lost: ${reason}; this might indicate that the TaskManager was lost`,
      );
    } else if (link.refused !== undefined && link.pending.length > 0) this.#fail(link, link.refused);
    // The JobManager notices a dead peer by its heartbeats and fails the affected jobs; a link
    // that dropped for another reason is dialed again by its dialer (not after a refusal: a
    // wrong token or version does not heal by retrying).
    if (
      !this.#closed &&
      !reason.startsWith('refused') &&
      this.#links.get(link.peer.resourceId) === link &&
      this.#options.resourceId < link.peer.resourceId
    ) {
      setTimeout(() => {
        if (!this.#closed && this.#links.get(link.peer.resourceId) === link && link.connection === undefined)
          this.#dial(link);
      }, 500).unref();
    }
  }

  #drop(link: Link, reason: string): void {
    this.#links.delete(link.peer.resourceId);
    clearTimeout(link.timer);
    link.connection?.close(reason);
  }

  /** Closes every link and the listening socket. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const link of this.#links.values()) {
      clearTimeout(link.timer);
      link.connection?.close('TaskManager shutting down');
    }
    this.#links.clear();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

function newLink(peer: PeerInfo): Link {
  return {
    peer,
    connection: undefined,
    ready: false,
    pending: [],
    timer: undefined,
    lastError: undefined,
    refused: undefined,
  };
}
