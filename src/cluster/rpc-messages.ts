// The messages of a standalone cluster's TCP connections, on top of the slot protocol
// (protocol.ts): TaskManager registration and heartbeats, commands and reports between the
// JobManager and a TaskManager, and the handshake of TaskManager-to-TaskManager data links.
import type { SlotCommand, SlotReport, TaskMetricsSample } from './protocol.ts';

/** Path of the HTTP Upgrade that turns a REST connection into a TaskManager's RPC connection. */
export const RPC_UPGRADE_PATH = '/v1/taskmanagers/rpc';
/** Value of the `Upgrade` header of that request. */
export const RPC_UPGRADE_PROTOCOL = 'sluice-rpc';
/** Request header carrying the protocol version of the TaskManager. */
export const PROTOCOL_VERSION_HEADER = 'sluice-protocol-version';

/** A TaskManager as its peers reach it: its slot addresses and its data-plane endpoint. */
export interface PeerInfo {
  readonly resourceId: string;
  readonly slotBase: number;
  readonly slots: number;
  readonly host: string;
  readonly port: number;
}

/** Hardware of a TaskManager (for `GET /taskmanagers`). */
export interface TaskManagerHardware {
  readonly cpuCores: number;
  readonly physicalMemory: number;
  readonly freeMemory: number;
}

/** Messages from a TaskManager to the JobManager. */
export type TaskManagerMessage =
  | {
      readonly t: 'register';
      readonly resourceId: string;
      readonly slots: number;
      readonly dataHost: string;
      readonly dataPort: number;
      readonly hostname: string;
      readonly pid: number;
      readonly hardware: TaskManagerHardware;
    }
  /** Sent every heartbeat interval, with the record counts of its running tasks. */
  | { readonly t: 'heartbeat'; readonly metrics: readonly TaskMetricsSample[] }
  | { readonly t: 'slot-report'; readonly report: SlotReport }
  /**
   * The data link to TaskManager `peer` broke, or could not be set up in time while records
   * were waiting for it: the jobs using both TaskManagers must fail over.
   */
  | { readonly t: 'data-link-failed'; readonly peer: string; readonly reason: string };

/** Messages from the JobManager to a TaskManager. */
export type JobManagerMessage =
  | {
      readonly t: 'registered';
      readonly slotBase: number;
      readonly heartbeatIntervalMs: number;
      readonly heartbeatTimeoutMs: number;
    }
  | { readonly t: 'refused'; readonly reason: string }
  | { readonly t: 'heartbeat' }
  /** The job's bundle (raw, as uploaded); precedes the first `load-job` of that job. */
  | { readonly t: 'job-bundle'; readonly jobId: string; readonly code: Uint8Array }
  | { readonly t: 'slot-command'; readonly slot: number; readonly command: SlotCommand }
  /** Every registered TaskManager (sent whenever the set changes). */
  | { readonly t: 'peers'; readonly peers: readonly PeerInfo[] };

/** Handshake of a data link between two TaskManagers (the dialer speaks first). */
export type DataLinkMessage =
  | { readonly t: 'hello'; readonly version: number; readonly resourceId: string; readonly token: string }
  | { readonly t: 'hello-ack'; readonly resourceId: string }
  | { readonly t: 'refused'; readonly reason: string };
