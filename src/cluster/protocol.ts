// The typed messages between the JobManager, TaskManagers and their slots. In the embedded
// cluster they travel through in-memory queues and worker ports; every message is plain data so
// the same protocol can cross the network. PROTOCOL_VERSION changes when a message changes.
import type { SerializedError } from '../core/index.ts';
import type { JobProgram } from '../plan/index.ts';
import type {
  Barrier,
  CheckpointAck,
  OperatorEvent,
  TaskDeployment,
  TaskSettings,
  TaskState,
} from '../runtime/index.ts';

/** Version of the message protocol (also checked when a TaskManager connects over TCP). */
export const PROTOCOL_VERSION = 3;

/** Records counted by one task: sent with heartbeats and when the task ends. */
export interface TaskMetricsSample {
  readonly jobId: string;
  readonly vertexId: number;
  readonly subtask: number;
  readonly attempt: number;
  readonly recordsIn: number;
  readonly recordsOut: number;
  /** Serialized bytes received and sent (batches within a thread are not serialized). */
  readonly bytesIn: number;
  readonly bytesOut: number;
  /** Accumulated busy, back-pressured and idle time in ms. */
  readonly busyTimeMs: number;
  readonly backPressuredTimeMs: number;
  readonly idleTimeMs: number;
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
  /** Drops the job's (cancelled) tasks but keeps its plan: a restart deploys new attempts. */
  | { readonly t: 'reset-job'; readonly jobId: string }
  /** Source tasks: inject a checkpoint barrier (and, for stop-with-savepoint, end the input). */
  | {
      readonly t: 'trigger-checkpoint';
      readonly jobId: string;
      readonly vertexId: number;
      readonly subtask: number;
      readonly barrier: Barrier;
      readonly stop: { readonly drain: boolean } | undefined;
    }
  | { readonly t: 'checkpoint-complete'; readonly jobId: string; readonly checkpointId: number }
  | { readonly t: 'checkpoint-aborted'; readonly jobId: string; readonly checkpointId: number }
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
      readonly t: 'checkpoint-ack';
      readonly jobId: string;
      readonly vertexId: number;
      readonly subtask: number;
      readonly checkpointId: number;
      readonly ack: CheckpointAck;
    }
  | {
      /** The task's input ended; it waits for a final checkpoint (triggered on it directly). */
      readonly t: 'task-end-of-input';
      readonly jobId: string;
      readonly vertexId: number;
      readonly subtask: number;
      readonly attempt: number;
    }
  | {
      readonly t: 'checkpoint-decline';
      readonly jobId: string;
      readonly vertexId: number;
      readonly subtask: number;
      readonly checkpointId: number;
      readonly reason: string;
    }
  | {
      readonly t: 'print';
      readonly jobId: string;
      readonly text: string;
      readonly stream: 'stdout' | 'stderr';
    }
  | { readonly t: 'collect'; readonly jobId: string; readonly values: unknown[]; readonly batch?: string }
  | {
      readonly t: 'task-metrics';
      readonly slot: number;
      readonly samples: readonly TaskMetricsSample[];
      /** True for the final counts of a task that ended; false for an answer to `report-metrics`. */
      readonly final: boolean;
    };
