// The executor around the pure CheckpointCoordinator for one job: a periodic tick, messages to
// tasks (through callbacks of the JobMaster), the checkpoint metadata written atomically, old
// checkpoints discarded, savepoint requests answered.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import {
  type CheckpointMetadata,
  type CheckpointRecord,
  type CheckpointSettings,
  type CompletedCheckpoint,
  type CoordinatorCommand,
  type CoordinatorEvent,
  type CoordinatorState,
  coordinatorTransition,
  discardCheckpoint,
  initialCoordinatorState,
  latestCompleted,
  type PendingCheckpoint,
  type StateFileHandle,
  writeMetadata,
} from '../checkpoint/index.ts';
import { assertNever, SluiceError } from '../core/index.ts';
import type { JobGraph, StreamGraph } from '../plan/index.ts';
import type { CheckpointAck } from '../runtime/index.ts';

/** What the checkpointing of a job needs from its JobMaster. */
export interface CheckpointingHooks {
  /**
   * Keys (`vertex:subtask`) of the running tasks when every task runs or has finished (finished
   * tasks have no state left and sent no barrier), else undefined.
   */
  runningTasks(): readonly string[] | undefined;
  /** Every task has finished or waits for its final checkpoint (which is then triggered at once). */
  allEnded(): boolean;
  /**
   * Sends the checkpoint to every running source task (with stop instructions for
   * stop-with-savepoint) and to the tasks waiting for their final checkpoint — or, with `only`,
   * to those of the tasks it names.
   */
  triggerTasks(
    checkpoint: PendingCheckpoint,
    stop: { drain: boolean } | undefined,
    only?: readonly string[],
  ): void;
  /** Snapshots the split enumerators, by source operator id. */
  snapshotEnumerators(checkpointId: number): Record<string, unknown>;
  notifyComplete(checkpointId: number): void;
  notifyAborted(checkpointId: number): void;
  /** Too many checkpoints failed. */
  failJob(reason: string): void;
  /** Checkpoints (not savepoints) are unaligned (REST history's `unaligned`). */
  readonly unaligned?: boolean;
  /** > 0: checkpoints start aligned; one is unaligned when a task switched (acknowledged unaligned). */
  readonly alignedCheckpointTimeout?: number;
}

/** A line of checkpoint history with what the tasks reported about unaligned checkpoints. */
export interface CheckpointHistoryEntry extends CheckpointRecord {
  readonly unaligned: boolean;
  /** Bytes of in-flight data persisted by the tasks that acknowledged (Flink's `persisted_data`). */
  readonly persistedData: number;
  /**
   * Input bytes the tasks that acknowledged took up during alignment (Flink's `processed_data`):
   * between each task's first and last barrier of an aligned checkpoint.
   */
  readonly processedData: number;
  /** Longest time a task was blocked at the barrier taking its snapshot (ms; -1 unknown). */
  readonly syncDurationMs: number;
  /** Longest asynchronous phase of a task: barrier passed to file durable (ms; -1 unknown). */
  readonly asyncDurationMs: number;
  /** Bytes of the state files of the tasks that acknowledged (Flink's `state_size`). */
  readonly stateSize: number;
}

/** What the acknowledging tasks reported about one checkpoint. */
interface AckStats {
  /** A task acknowledged an unaligned snapshot. */
  unaligned: boolean;
  persisted: number;
  processed: number;
  sync: number;
  async: number;
  stateSize: number;
}

interface SavepointWaiter {
  resolve(path: string): void;
  reject(error: Error): void;
}

/**
 * Checkpoint coordination of one job.
 *
 * @example
 * const cp = new JobCheckpointing(graph, jobGraph, jobId, settings, baseDir, hooks);
 * cp.start();
 */
export class JobCheckpointing {
  #state: CoordinatorState;
  readonly #graph: StreamGraph;
  readonly #jobGraph: JobGraph;
  readonly #jobId: string;
  readonly #hooks: CheckpointingHooks;
  readonly #enumeratorStates = new Map<number, Record<string, unknown>>();
  readonly #timeouts = new Map<number, NodeJS.Timeout>();
  readonly #savepoints = new Map<string, SavepointWaiter>();
  /** What the tasks acknowledged per checkpoint id (entries leave with the history). */
  readonly #ackStats = new Map<number, AckStats>();
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(
    graph: StreamGraph,
    jobGraph: JobGraph,
    jobId: string,
    settings: CheckpointSettings,
    baseDir: string,
    hooks: CheckpointingHooks,
    restoredFrom?: { id: number },
  ) {
    this.#graph = graph;
    this.#jobGraph = jobGraph;
    this.#jobId = jobId;
    this.#hooks = hooks;
    this.#state = initialCoordinatorState(settings, join(baseDir, jobId), restoredFrom);
  }

  /** Starts periodic checkpoints (when an interval is set). */
  start(): void {
    const interval = this.#state.settings.interval;
    if (interval <= 0 || this.#timer !== undefined) return;
    const tick = Math.max(10, Math.min(interval, 100));
    this.#timer = setInterval(
      () =>
        this.#apply({
          kind: 'tick',
          now: Date.now(),
          running: this.#hooks.runningTasks(),
          allEnded: this.#hooks.allEnded(),
        }),
      tick,
    );
    this.#timer.unref();
  }

  /** Stops the timer and fails pending savepoint requests. */
  stop(reason: string): void {
    this.#stopped = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.abortAll(reason);
    for (const t of this.#timeouts.values()) clearTimeout(t);
    this.#timeouts.clear();
  }

  /** The job fails over: pending checkpoints are aborted (they do not count as failures). */
  abortAll(reason: string): void {
    this.#apply({ kind: 'abort-all', reason, now: Date.now() });
  }

  /** Triggers a savepoint; resolves with its directory. */
  triggerSavepoint(dir: string, stop: boolean, drain: boolean): Promise<string> {
    if (this.#stopped)
      return Promise.reject(new SluiceError('JOB_NOT_RUNNING', 'the job is no longer running'));
    const requestId = randomUUID();
    const done = new Promise<string>((resolve, reject) =>
      this.#savepoints.set(requestId, { resolve, reject }),
    );
    this.#apply({
      kind: 'trigger-savepoint',
      now: Date.now(),
      running: this.#hooks.runningTasks(),
      request: { requestId, dir, stop, drain },
    });
    return done;
  }

  onAck(task: string, checkpointId: number, ack: CheckpointAck): void {
    let a = this.#ackStats.get(checkpointId);
    if (a === undefined) {
      a = { unaligned: false, persisted: 0, processed: 0, sync: -1, async: -1, stateSize: 0 };
      this.#ackStats.set(checkpointId, a);
      this.#pruneAckStats();
    }
    a.unaligned ||= ack.unaligned === true;
    a.persisted += ack.persistedData ?? 0;
    a.processed += ack.processedData ?? 0;
    a.sync = Math.max(a.sync, Math.round(ack.syncDurationMs ?? -1));
    a.async = Math.max(a.async, Math.round(ack.asyncDurationMs ?? -1));
    a.stateSize += ack.bytes;
    this.#apply({ kind: 'ack', id: checkpointId, task, handle: ack, now: Date.now() });
  }

  /**
   * A task's input ended and it waits for its final checkpoint: the pending checkpoints that
   * still wait for it will get no barrier from its inputs, so they are triggered on it directly.
   */
  onTaskEndOfInput(task: string): void {
    // From now on the job waits for the coordinator: its timer keeps the process alive.
    this.#timer?.ref();
    for (const p of this.#state.pending.values())
      if (p.awaiting.has(task)) this.#hooks.triggerTasks(p, undefined, [task]);
  }

  /** A task finished: pending checkpoints stop waiting for it. */
  onTaskFinished(task: string): void {
    this.#apply({ kind: 'task-finished', task, now: Date.now() });
  }

  onDecline(task: string, checkpointId: number, reason: string): void {
    this.#apply({ kind: 'decline', id: checkpointId, task, reason, now: Date.now() });
  }

  /** The latest completed checkpoint (to recover from). */
  latest(): CompletedCheckpoint | undefined {
    return latestCompleted(this.#state);
  }

  /**
   * A retained checkpoint cannot be restored (a state file is corrupt or missing): it is no
   * longer a recovery point, so the next recovery uses the next older one, which this returns.
   * Its directory is left on disk for inspection (it is no longer discarded with the others).
   */
  dropUnrestorable(checkpointId: number): CompletedCheckpoint | undefined {
    // Bookkeeping of the executor, not a coordination decision: the coordinator only ever reads
    // `completed` to find the latest and to subsume the oldest.
    this.#state = { ...this.#state, completed: this.#state.completed.filter((c) => c.id !== checkpointId) };
    return latestCompleted(this.#state);
  }

  /** Keeps the statistics of the checkpoints in the history (and those in progress) only. */
  #pruneAckStats(): void {
    if (this.#ackStats.size <= this.#state.history.length + this.#state.pending.size + 8) return;
    const keep = new Set([...this.#state.history.map((h) => h.id), ...this.#state.pending.keys()]);
    for (const id of this.#ackStats.keys()) if (!keep.has(id)) this.#ackStats.delete(id);
  }

  /** Counts and history for monitoring. */
  stats(): {
    counts: CoordinatorState['counts'];
    inProgress: number;
    history: readonly CheckpointHistoryEntry[];
    restoredFrom: number | undefined;
  } {
    const unaligned = this.#hooks.unaligned === true;
    const startAligned = (this.#hooks.alignedCheckpointTimeout ?? 0) > 0;
    const history = this.#state.history;
    return {
      counts: this.#state.counts,
      inProgress: this.#state.pending.size,
      history: history.map((h) => ({
        ...h,
        unaligned:
          unaligned && !h.savepoint && (!startAligned || this.#ackStats.get(h.id)?.unaligned === true),
        persistedData: this.#ackStats.get(h.id)?.persisted ?? 0,
        processedData: this.#ackStats.get(h.id)?.processed ?? 0,
        syncDurationMs: this.#ackStats.get(h.id)?.sync ?? -1,
        asyncDurationMs: this.#ackStats.get(h.id)?.async ?? -1,
        stateSize: this.#ackStats.get(h.id)?.stateSize ?? 0,
      })),
      restoredFrom: this.#state.restoredFrom,
    };
  }

  /** Deletes retained checkpoints (job cancelled with DELETE_ON_CANCELLATION, or finished). */
  async discardAll(): Promise<void> {
    for (const c of this.#state.completed) await discardCheckpoint(c.dir);
  }

  #apply(event: CoordinatorEvent): void {
    const { state, commands } = coordinatorTransition(this.#state, event);
    this.#state = state;
    for (const c of commands) this.#execute(c);
  }

  #execute(command: CoordinatorCommand): void {
    switch (command.kind) {
      case 'trigger': {
        const cp = command.checkpoint;
        this.#enumeratorStates.set(cp.id, this.#hooks.snapshotEnumerators(cp.id));
        const sp = cp.savepoint;
        this.#hooks.triggerTasks(cp, sp?.stop === true ? { drain: sp.drain } : undefined);
        return;
      }
      case 'schedule-timeout': {
        const t = setTimeout(
          () => this.#apply({ kind: 'timeout', id: command.id, now: Date.now() }),
          Math.max(0, command.at - Date.now()),
        );
        t.unref();
        this.#timeouts.set(command.id, t);
        return;
      }
      case 'write-metadata': {
        const cp = command.checkpoint;
        this.#clearTimeout(cp.id);
        const metadata = this.#metadata(cp);
        writeMetadata(cp.dir, metadata).then(
          () => this.#apply({ kind: 'metadata-written', id: cp.id, now: Date.now() }),
          (e: unknown) =>
            this.#apply({ kind: 'metadata-failed', id: cp.id, reason: String(e), now: Date.now() }),
        );
        return;
      }
      case 'notify-complete':
        this.#enumeratorStates.delete(command.id);
        this.#hooks.notifyComplete(command.id);
        return;
      case 'notify-aborted':
        this.#clearTimeout(command.id);
        this.#enumeratorStates.delete(command.id);
        this.#hooks.notifyAborted(command.id);
        return;
      case 'discard':
        void discardCheckpoint(command.dir).catch(() => {});
        return;
      case 'savepoint-completed': {
        const w = this.#savepoints.get(command.requestId);
        this.#savepoints.delete(command.requestId);
        w?.resolve(command.dir);
        return;
      }
      case 'savepoint-failed': {
        const w = this.#savepoints.get(command.requestId);
        this.#savepoints.delete(command.requestId);
        w?.reject(
          new SluiceError('SAVEPOINT_FAILED', `savepoint of job ${this.#jobId} failed: ${command.reason}`),
        );
        return;
      }
      case 'fail-job':
        this.#hooks.failJob(command.reason);
        return;
      default:
        assertNever(command, 'coordinator command');
    }
  }

  #clearTimeout(id: number): void {
    const t = this.#timeouts.get(id);
    if (t !== undefined) clearTimeout(t);
    this.#timeouts.delete(id);
  }

  #metadata(cp: PendingCheckpoint): CheckpointMetadata {
    const files: StateFileHandle[] = [];
    for (const [task, handle] of cp.acks) {
      const [vertexId, subtask] = task.split(':').map(Number) as [number, number];
      const ack = handle as CheckpointAck;
      files.push({
        vertexId,
        subtask,
        parallelism: this.#jobGraph.vertices[vertexId]?.parallelism ?? 0,
        file: ack.file,
        bytes: ack.bytes,
        operatorIds: ack.operatorIds,
        ...(ack.channelEdges === undefined ? {} : { channelEdges: ack.channelEdges }),
        ...(ack.syncDurationMs === undefined ? {} : { syncDurationMs: Math.round(ack.syncDurationMs) }),
        ...(ack.asyncDurationMs === undefined ? {} : { asyncDurationMs: Math.round(ack.asyncDurationMs) }),
      });
    }
    return {
      version: 1,
      jobId: this.#jobId,
      jobName: this.#graph.jobName,
      checkpointId: cp.id,
      timestamp: cp.timestamp,
      savepoint: cp.savepoint !== undefined,
      operators: this.#graph.nodes.map((n) => ({
        operatorId: n.operatorId,
        uid: n.uid,
        name: n.name,
        parallelism: n.parallelism,
        maxParallelism: n.maxParallelism,
      })),
      files,
      enumerators: this.#enumeratorStates.get(cp.id) ?? {},
    };
  }
}
