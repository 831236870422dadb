// What the JobManager needs of a TaskManager, whether it runs in this process (the embedded
// cluster) or in another one reached over TCP: its slots, their data-plane addresses and a way to
// command them. The scheduler and the JobMaster see only this interface.
import type { SlotCommand } from './protocol.ts';

/**
 * A TaskManager as the JobManager sees it.
 *
 * @example
 * const gateway: TaskManagerGateway = taskManager; // the embedded TaskManager is its own gateway
 * gateway.send(0, { t: 'release-job', jobId });
 */
export interface TaskManagerGateway {
  /** Stable id of the TaskManager (Flink's ResourceID). */
  readonly resourceId: string;
  /** Number of slots. */
  readonly slots: number;
  /**
   * Data-plane address of local slot 0: slot `i` of this TaskManager is `slotBase + i` in task
   * deployments, unique across the cluster.
   */
  readonly slotBase: number;
  /** Where it runs, for monitoring (`host:dataPort`, or `embedded`). */
  readonly location: string;
  /** Sends a command to one of its slots (local index). */
  send(slot: number, command: SlotCommand): void;
}

/** A slot a job runs in: its TaskManager, its local index and its data-plane address. */
export interface AllocatedSlot {
  readonly gateway: TaskManagerGateway;
  readonly slot: number;
  readonly address: number;
}
