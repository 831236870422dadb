// The typed messages between the JobManager, TaskManagers and their slots. In the embedded
// cluster they travel through in-memory queues and worker ports; every message is plain data so
// the same protocol can cross the network. PROTOCOL_VERSION changes when a message changes.
import type { SerializedError } from '../core/index.ts';
import type { JobProgram } from '../plan/index.ts';
import type { OperatorEvent, TaskDeployment, TaskSettings, TaskState } from '../runtime/index.ts';

/** Version of the message protocol (also checked when a TaskManager connects over TCP). */
export const PROTOCOL_VERSION = 2;

/** Records counted by one task: sent with heartbeats and when the task ends. */
export interface TaskMetricsSample {
  readonly jobId: string;
  readonly vertexId: number;
  readonly subtask: number;
  readonly attempt: number;
  readonly recordsIn: number;
  readonly recordsOut: number;
}

/** Messages from a TaskManager to one of its slots. */
export type SlotCommand =
  | {
      readonly t: 'load-job';
      readonly jobId: string;
      /** How to rebuild the plan (thread mode); inline slots get the graph in-process. */
      readonly program: JobProgram | undefined;
      readonly fingerprint: string;
      readonly settings: TaskSettings;
    }
  | {
      readonly t: 'deploy';
      readonly jobId: string;
      readonly vertexId: number;
      readonly deployment: TaskDeployment;
    }
  | {
      readonly t: 'operator-event';
      readonly jobId: string;
      readonly vertexId: number;
      readonly subtask: number;
      readonly nodeId: number;
      readonly event: OperatorEvent;
    }
  | { readonly t: 'cancel-job'; readonly jobId: string }
  | { readonly t: 'release-job'; readonly jobId: string }
  /** Asks the slot for a `task-metrics` report of its running tasks. */
  | { readonly t: 'report-metrics' };

/** Messages from a slot to its TaskManager (and on to the JobManager). */
export type SlotReport =
  | { readonly t: 'slot-ready'; readonly slot: number }
  | {
      readonly t: 'job-loaded';
      readonly jobId: string;
      readonly slot: number;
      readonly error?: SerializedError;
    }
  | {
      readonly t: 'task-state';
      readonly jobId: string;
      readonly vertexId: number;
      readonly subtask: number;
      readonly attempt: number;
      readonly state: TaskState;
      readonly error?: SerializedError;
    }
  | {
      readonly t: 'operator-event';
      readonly jobId: string;
      readonly vertexId: number;
      readonly subtask: number;
      readonly nodeId: number;
      readonly event: OperatorEvent;
    }
  | { readonly t: 'slot-lost'; readonly slot: number; readonly error: SerializedError }
  | {
      readonly t: 'print';
      readonly jobId: string;
      readonly text: string;
      readonly stream: 'stdout' | 'stderr';
    }
  | { readonly t: 'collect'; readonly jobId: string; readonly values: unknown[] }
  | {
      readonly t: 'task-metrics';
      readonly slot: number;
      readonly samples: readonly TaskMetricsSample[];
      /** True for the final counts of a task that ended; false for an answer to `report-metrics`. */
      readonly final: boolean;
    };
