// The JobMaster of one job: turns the JobGraph into an execution graph (vertex × subtask), places
// subtasks in the slots the scheduler gave it (slot sharing: subtask i of every vertex in slot
// i mod slots, whichever TaskManager holds it), wires channels, deploys, runs the source split
// enumerators and follows the job's lifecycle to its end.
import {
  type CheckpointMetadata,
  type CheckpointSettings,
  checkRestoreCompatibility,
  decideRestart,
  type RestartHistory,
  type RestartStrategy,
  readMetadata,
  restoreFilesFor,
  storagePath,
} from '../checkpoint/index.ts';
import {
  assertNever,
  JobExecutionError,
  type SerializedError,
  SluiceError,
  serializeError,
} from '../core/index.ts';
import type { SourceSplit, SplitEnumerator } from '../functions/index.ts';
import {
  channelTargets,
  createJobGraph,
  type JobGraph,
  type JobProgram,
  type StreamGraph,
} from '../plan/index.ts';
import {
  isSourceOperatorFactory,
  type OperatorEvent,
  type TaskDeployment,
  type TaskSettings,
} from '../runtime/index.ts';
import { JobCheckpointing } from './job-checkpointing.ts';
import {
  type ExecutionState,
  initialJobState,
  type JobCommand,
  type JobEvent,
  type JobLifecycleState,
  type JobStatus,
  jobTransition,
} from './job-lifecycle.ts';
import type { SlotCommand, SlotReport, TaskMetricsSample } from './protocol.ts';
import type { AllocatedSlot } from './task-manager-gateway.ts';

/** Outcome of a job. */
export interface JobResult {
  readonly jobId: string;
  readonly jobName: string;
  readonly status: 'FINISHED' | 'FAILED' | 'CANCELED';
  readonly netRuntime: number;
  readonly failure: SerializedError | undefined;
  readonly collected: unknown[];
}

/** Per-vertex information for monitoring. */
export interface VertexStatus {
  readonly id: number;
  readonly name: string;
  readonly parallelism: number;
  readonly tasks: readonly ExecutionState[];
}

/** Monitoring view of one subtask: where it runs, its state and its record counts. */
export interface SubtaskStatus {
  readonly subtask: number;
  readonly state: ExecutionState;
  readonly attempt: number;
  /** TaskManager resource id and data-plane slot address, once placed. */
  readonly taskManagerId: string | undefined;
  readonly location: string | undefined;
  readonly slotAddress: number | undefined;
  readonly startTime: number | undefined;
  readonly endTime: number | undefined;
  readonly recordsIn: number;
  readonly recordsOut: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly busyTimeMs: number;
  readonly backPressuredTimeMs: number;
  readonly idleTimeMs: number;
}

interface EnumeratorHandle {
  readonly enumerator: SplitEnumerator<SourceSplit, unknown>;
  readonly vertexId: number;
  readonly nodeId: number;
  readonly readers: Set<number>;
}

const TEARDOWN_TIMEOUT_MS = 10_000;

/** Job-level settings of fault tolerance. */
export interface JobOptions {
  /** Checkpointing (settings.interval 0 = savepoints only). */
  readonly checkpointing?: {
    readonly settings: CheckpointSettings;
    /** Base directory; checkpoints go to `<baseDir>/<jobId>/chk-<n>`. */
    readonly baseDir: string;
    readonly retainOnCancellation: boolean;
  };
  readonly restartStrategy?: RestartStrategy;
  /** Start from this checkpoint or savepoint directory. */
  readonly restoreFrom?: { readonly path: string; readonly allowNonRestoredState: boolean };
  /** Default savepoint directory. */
  readonly savepointDir?: string;
}

/** Error codes of a checkpoint that cannot be restored: restoring it again would fail again. */
const UNRESTORABLE: ReadonlySet<string> = new Set([
  'CORRUPT_STATE',
  'CORRUPT_CHECKPOINT',
  'CHECKPOINT_NOT_FOUND',
  'UNSUPPORTED_STATE_VERSION',
]);

function isUnrestorable(e: unknown): boolean {
  return e instanceof SluiceError && UNRESTORABLE.has(e.code);
}

/** A checkpoint read back for a (re)start. */
interface RestorePoint {
  readonly dir: string;
  readonly metadata: CheckpointMetadata;
}

/**
 * Runs one job on the slots of one or more TaskManagers.
 *
 * @example
 * const master = new JobMaster(jobId, graph, program, settings, nextChannelId, onOutput);
 * await master.start(slots); const result = await master.result;
 */
export class JobMaster {
  readonly jobId: string;
  readonly graph: StreamGraph;
  readonly jobGraph: JobGraph;
  readonly startTime = Date.now();
  endTime: number | undefined;
  readonly result: Promise<JobResult>;
  readonly #program: JobProgram | undefined;
  #slots: readonly AllocatedSlot[] = [];
  readonly #settings: TaskSettings;
  readonly #nextChannelId: () => number;
  readonly #onOutput: (text: string, stream: 'stdout' | 'stderr') => void;
  #state: JobLifecycleState;
  readonly #options: JobOptions;
  readonly #checkpointing: JobCheckpointing;
  #restartHistory: RestartHistory = { failures: [], attemptsSinceReset: 0, lastStart: Date.now() };
  /** The checkpoint or savepoint the job started from (used until a checkpoint completes). */
  #initialRestore: RestorePoint | undefined;
  /** Every restore of state: the initial one (savepoint / checkpoint) and each failover's. */
  #restores: { count: number; latest: { point: RestorePoint; time: number } | undefined } = {
    count: 0,
    latest: undefined,
  };
  /** What the current attempt restored from; `userGiven`: the path the job was started with. */
  #attemptRestore: { readonly point: RestorePoint; readonly userGiven: boolean } | undefined;
  #resolve!: (r: JobResult) => void;
  readonly #collected: unknown[] = [];
  /** Collect batches already received (a recovered sink may send one again). */
  readonly #collectedBatches = new Set<string>();
  readonly #enumerators = new Map<number, EnumeratorHandle>();
  #teardownTimer: NodeJS.Timeout | undefined;
  readonly #metrics = new Map<string, TaskMetricsSample>();
  readonly #taskTimes = new Map<string, { start?: number; end?: number }>();
  /** Tasks of an attempt that reached their end of input and wait for their final checkpoint. */
  #ended: { attempt: number; tasks: Set<string> } = { attempt: -1, tasks: new Set() };
  /** When the job entered each status (Flink's `timestamps`). */
  readonly statusTimestamps: Partial<Record<JobStatus, number>> = { CREATED: Date.now() };
  /** When the root failure happened. */
  failureTime: number | undefined;

  constructor(
    jobId: string,
    graph: StreamGraph,
    program: JobProgram | undefined,
    settings: TaskSettings,
    nextChannelId: () => number,
    onOutput: (text: string, stream: 'stdout' | 'stderr') => void,
    options: JobOptions = {},
  ) {
    this.jobId = jobId;
    this.graph = graph;
    this.jobGraph = createJobGraph(graph);
    this.#program = program;
    this.#settings = settings;
    this.#nextChannelId = nextChannelId;
    this.#onOutput = onOutput;
    this.#options = options;
    const strategy = options.restartStrategy ?? { kind: 'none' };
    this.#state = initialJobState(strategy.kind !== 'none');
    const cp = options.checkpointing;
    this.#checkpointing = new JobCheckpointing(
      graph,
      this.jobGraph,
      jobId,
      cp?.settings ?? {
        interval: 0,
        timeout: 600_000,
        minPause: 0,
        maxConcurrent: 1,
        tolerableFailures: 0,
        retained: 1,
      },
      cp?.baseDir ?? '',
      {
        runningTasks: () => this.#runningTasks(),
        allEnded: () => this.#allEnded(),
        triggerTasks: (checkpoint, stop, only) => {
          const plain = {
            kind: 'barrier' as const,
            checkpointId: checkpoint.id,
            timestamp: checkpoint.timestamp,
            savepoint: checkpoint.savepoint !== undefined,
            targetDir: checkpoint.dir,
          };
          const barrier =
            stop === undefined
              ? plain
              : { ...plain, stop: stop.drain ? ('drain' as const) : ('no-drain' as const) };
          const ended = this.#ended.attempt === this.#state.attempt ? this.#ended.tasks : new Set<string>();
          for (const v of this.jobGraph.vertices) {
            for (let i = 0; i < v.parallelism; i++) {
              const key = `${v.id}:${i}`;
              // A finished task has sent its last records and no barrier is expected from it.
              if (!checkpoint.awaiting.has(key)) continue;
              // Sources start the barrier; tasks waiting for their final checkpoint get no more
              // barriers (their inputs ended) and are triggered directly.
              if (only === undefined ? !v.isSource && !ended.has(key) : !only.includes(key)) continue;
              const starts = v.isSource && !ended.has(key);
              this.#send(this.#slotOf(i), {
                t: 'trigger-checkpoint',
                jobId,
                vertexId: v.id,
                subtask: i,
                barrier: starts ? barrier : plain,
                stop: starts ? stop : undefined,
              });
            }
          }
        },
        snapshotEnumerators: (id) => {
          const out: Record<string, unknown> = {};
          for (const h of this.#enumerators.values()) {
            out[this.graph.nodes[h.nodeId]!.operatorId] = h.enumerator.snapshotState(id);
          }
          return out;
        },
        notifyComplete: (id) => this.#broadcast({ t: 'checkpoint-complete', jobId, checkpointId: id }),
        notifyAborted: (id) => this.#broadcast({ t: 'checkpoint-aborted', jobId, checkpointId: id }),
        failJob: (reason) =>
          this.#apply({ kind: 'failed', error: { name: 'CheckpointException', message: reason } }),
        unaligned: settings.unalignedCheckpoints === true && settings.checkpointMode === 'EXACTLY_ONCE',
        alignedCheckpointTimeout: settings.alignedCheckpointTimeout ?? 0,
      },
    );
    this.result = new Promise((r) => {
      this.#resolve = r;
    });
  }

  get status(): JobStatus {
    return this.#state.status;
  }

  /** Execution states per vertex. */
  vertices(): VertexStatus[] {
    return this.jobGraph.vertices.map((v) => ({
      id: v.id,
      name: v.name,
      parallelism: v.parallelism,
      tasks: Array.from(
        { length: v.parallelism },
        (_, i) => this.#state.tasks.get(`${v.id}:${i}`) ?? 'DEPLOYING',
      ),
    }));
  }

  /** The root failure, once the job failed. */
  get failure(): SerializedError | undefined {
    return this.#state.failure;
  }

  /** Slots the job needs for one subtask of each vertex per slot (slot sharing). */
  get requiredSlots(): number {
    return Math.max(...this.jobGraph.vertices.map((v) => v.parallelism));
  }

  /** The slots the job runs in (empty before it starts). */
  get allocatedSlots(): readonly AllocatedSlot[] {
    return this.#slots;
  }

  /** Per-subtask state, placement and record counts of a vertex. */
  subtasks(vertexId: number): SubtaskStatus[] {
    const v = this.jobGraph.vertices[vertexId];
    if (v === undefined) return [];
    return Array.from({ length: v.parallelism }, (_, i) => {
      const key = `${v.id}:${i}`;
      const slot = this.#slots.length === 0 ? undefined : this.#slotOf(i);
      const m = this.#metrics.get(key);
      const times = this.#taskTimes.get(key);
      return {
        subtask: i,
        state: this.#state.tasks.get(key) ?? 'DEPLOYING',
        attempt: m?.attempt ?? 0,
        taskManagerId: slot?.gateway.resourceId,
        location: slot?.gateway.location,
        slotAddress: slot?.address,
        startTime: times?.start,
        endTime: times?.end,
        recordsIn: m?.recordsIn ?? 0,
        recordsOut: m?.recordsOut ?? 0,
        bytesIn: m?.bytesIn ?? 0,
        bytesOut: m?.bytesOut ?? 0,
        busyTimeMs: m?.busyTimeMs ?? 0,
        backPressuredTimeMs: m?.backPressuredTimeMs ?? 0,
        idleTimeMs: m?.idleTimeMs ?? 0,
      };
    });
  }

  #slotOf(subtask: number): AllocatedSlot {
    return this.#slots[subtask % this.#slots.length]!;
  }

  #send(slot: AllocatedSlot, command: Parameters<AllocatedSlot['gateway']['send']>[1]): void {
    slot.gateway.send(slot.slot, command);
  }

  /**
   * Loads the job into the given slots (at most {@link requiredSlots} are used), then deploys
   * every subtask.
   */
  async start(slots: readonly AllocatedSlot[]): Promise<void> {
    this.#slots = slots.slice(0, this.requiredSlots);
    try {
      if (this.#slots.length === 0) {
        throw new JobExecutionError(this.jobId, `job "${this.graph.jobName}" got no task slots to run in`);
      }
      const restore = this.#options.restoreFrom;
      if (restore !== undefined) {
        const { dir, metadata } = readMetadata(restore.path);
        checkRestoreCompatibility(metadata, dir, this.graph, restore.allowNonRestoredState);
        this.#initialRestore = { dir, metadata };
        this.#attemptRestore = { point: this.#initialRestore, userGiven: true };
        this.#restores = { count: 1, latest: { point: this.#initialRestore, time: Date.now() } };
      }
      await this.#loadInSlots();
      this.#startEnumerators(this.#initialRestore);
      this.#deploy(this.#initialRestore);
      this.#checkpointing.start();
    } catch (e) {
      this.#apply({ kind: 'failed', error: serializeError(e), recoverable: false });
    }
  }

  #pendingLoads = new Map<string, { resolve: () => void; reject: (e: Error) => void }>();

  async #loadInSlots(): Promise<void> {
    await Promise.all(
      this.#slots.map(
        (slot) =>
          new Promise<void>((resolve, reject) => {
            this.#pendingLoads.set(`${slot.gateway.resourceId}:${slot.slot}`, { resolve, reject });
            this.#send(slot, {
              t: 'load-job',
              jobId: this.jobId,
              program: this.#program,
              fingerprint: this.graph.fingerprint,
              settings: this.#settings,
            });
          }),
      ),
    );
  }

  #startEnumerators(restore: RestorePoint | undefined): void {
    for (const vertex of this.jobGraph.vertices) {
      if (!vertex.isSource) continue;
      const nodeId = vertex.nodeIds[0]!;
      const factory = this.graph.nodes[nodeId]!.factory;
      if (!isSourceOperatorFactory(factory)) continue;
      const handle: EnumeratorHandle = {
        vertexId: vertex.id,
        nodeId,
        readers: new Set(),
        enumerator: undefined as never,
      };
      const send = (subtask: number, event: OperatorEvent): void =>
        this.#send(this.#slotOf(subtask), {
          t: 'operator-event',
          jobId: this.jobId,
          vertexId: vertex.id,
          subtask,
          nodeId,
          event,
        });
      const context = {
        currentParallelism: () => vertex.parallelism,
        registeredReaders: () => [...handle.readers],
        assignSplit: (split: SourceSplit, subtask: number) =>
          send(subtask, { kind: 'add-splits', splits: [split] }),
        signalNoMoreSplits: (subtask: number) => send(subtask, { kind: 'no-more-splits' }),
      };
      const operatorId = this.graph.nodes[nodeId]!.operatorId;
      const saved = restore?.metadata.enumerators[operatorId];
      const enumerator =
        saved === undefined
          ? factory.source.createEnumerator(context)
          : factory.source.restoreEnumerator(context, saved);
      (handle as { enumerator: SplitEnumerator<SourceSplit, unknown> }).enumerator = enumerator;
      this.#enumerators.set(vertex.id, handle);
      void Promise.resolve(enumerator.start()).catch((e: unknown) =>
        this.#apply({ kind: 'failed', error: serializeError(e) }),
      );
    }
  }

  #deploy(restore: RestorePoint | undefined): void {
    const vertices = this.jobGraph.vertices;
    const deployments = vertices.map((v) =>
      Array.from({ length: v.parallelism }, () => ({
        inputs: [] as {
          channelId: number;
          input: 1 | 2;
          sourceSlot: number;
          edgeId: number;
          sourceSubtask: number;
        }[],
        outputs: new Map<number, { channelId: number; targetSlot: number }[]>(),
      })),
    );
    for (const source of vertices) {
      for (const edge of source.outputs) {
        const target = vertices[edge.targetVertex]!;
        for (let s = 0; s < source.parallelism; s++) {
          const list: { channelId: number; targetSlot: number }[] = [];
          for (const t of channelTargets(edge.partitioner, source.parallelism, target.parallelism, s)) {
            const channelId = this.#nextChannelId();
            list.push({ channelId, targetSlot: this.#slotOf(t).address });
            deployments[target.id]![t]!.inputs.push({
              channelId,
              input: edge.typeNumber,
              sourceSlot: this.#slotOf(s).address,
              edgeId: edge.id,
              sourceSubtask: s,
            });
          }
          deployments[source.id]![s]!.outputs.set(edge.id, list);
        }
      }
    }
    const keys: string[] = [];
    for (const v of vertices) for (let i = 0; i < v.parallelism; i++) keys.push(`${v.id}:${i}`);
    this.#apply({ kind: 'deployed', tasks: keys });
    for (const v of vertices) {
      for (let i = 0; i < v.parallelism; i++) {
        const d = deployments[v.id]![i]!;
        const files =
          restore === undefined ? undefined : restoreFilesFor(restore.metadata, restore.dir, v.operatorIds);
        const deployment: TaskDeployment = {
          jobId: this.jobId,
          vertexId: v.id,
          subtaskIndex: i,
          attempt: this.#state.attempt,
          inputs: d.inputs,
          outputs: [...d.outputs].map(([edgeId, channels]) => ({ edgeId, channels })),
          ...(files === undefined ? {} : { restore: files }),
        };
        this.#send(this.#slotOf(i), { t: 'deploy', jobId: this.jobId, vertexId: v.id, deployment });
      }
    }
  }

  /** Handles a report about this job from a slot of TaskManager `from`. */
  onReport(report: SlotReport, from = 'embedded'): void {
    switch (report.t) {
      case 'job-loaded': {
        const key = `${from}:${report.slot}`;
        const pending = this.#pendingLoads.get(key);
        this.#pendingLoads.delete(key);
        if (report.error === undefined) pending?.resolve();
        else {
          const err = new JobExecutionError(this.jobId, report.error.message);
          if (report.error.stack !== undefined) err.stack = report.error.stack;
          pending?.reject(err);
        }
        return;
      }
      case 'task-state': {
        // Reports of an earlier attempt (cancelled tasks of a restarted job) are stale.
        if (report.attempt !== this.#state.attempt) return;
        const key = `${report.vertexId}:${report.subtask}`;
        const times = this.#taskTimes.get(key) ?? {};
        if (report.state === 'RUNNING') times.start = Date.now();
        else times.end = Date.now();
        this.#taskTimes.set(key, times);
        this.#apply({
          kind: 'task-state',
          task: `${report.vertexId}:${report.subtask}`,
          state: report.state,
          ...(report.error === undefined ? {} : { error: report.error }),
        });
        if (report.state === 'FINISHED') this.#checkpointing.onTaskFinished(key);
        return;
      }
      case 'task-end-of-input': {
        if (report.attempt !== this.#state.attempt) return;
        if (this.#ended.attempt !== report.attempt)
          this.#ended = { attempt: report.attempt, tasks: new Set() };
        const key = `${report.vertexId}:${report.subtask}`;
        this.#ended.tasks.add(key);
        this.#checkpointing.onTaskEndOfInput(key);
        return;
      }
      case 'task-metrics':
        this.onMetrics(report.samples);
        return;
      case 'operator-event': {
        const handle = this.#enumerators.get(report.vertexId);
        if (handle === undefined) return;
        try {
          if (report.event.kind === 'reader-registered') {
            handle.readers.add(report.subtask);
            handle.enumerator.addReader(report.subtask);
          } else if (report.event.kind === 'split-request') {
            handle.enumerator.handleSplitRequest(report.subtask);
          }
        } catch (e) {
          this.#apply({ kind: 'failed', error: serializeError(e) });
        }
        return;
      }
      case 'print':
        this.#onOutput(report.text, report.stream);
        return;
      case 'checkpoint-ack':
        this.#checkpointing.onAck(`${report.vertexId}:${report.subtask}`, report.checkpointId, report.ack);
        return;
      case 'checkpoint-decline':
        this.#checkpointing.onDecline(
          `${report.vertexId}:${report.subtask}`,
          report.checkpointId,
          report.reason,
        );
        return;
      case 'collect':
        if (report.batch !== undefined) {
          if (this.#collectedBatches.has(report.batch)) return;
          this.#collectedBatches.add(report.batch);
        }
        for (const v of report.values) this.#collected.push(v);
        return;
      case 'slot-lost': {
        // The tasks of the lost slot will never report again: they failed.
        let any = false;
        for (const v of this.jobGraph.vertices) {
          for (let i = 0; i < v.parallelism; i++) {
            const slot = this.#slotOf(i);
            if (slot.gateway.resourceId !== from || slot.slot !== report.slot) continue;
            const task = `${v.id}:${i}`;
            const state = this.#state.tasks.get(task);
            if (state === 'FINISHED' || state === 'FAILED' || state === 'CANCELED') continue;
            any = true;
            this.#apply({ kind: 'task-state', task, state: 'FAILED', error: report.error });
          }
        }
        if (!any && this.#state.status === 'CREATED') this.#apply({ kind: 'failed', error: report.error });
        return;
      }
      case 'slot-ready':
        return;
      default: {
        assertNever(report, 'message');
      }
    }
  }

  /** Record counts of this job's tasks (with TaskManager heartbeats and at the end of tasks). */
  onMetrics(samples: readonly TaskMetricsSample[]): void {
    for (const m of samples) {
      if (m.jobId !== this.jobId) continue;
      const key = `${m.vertexId}:${m.subtask}`;
      const known = this.#metrics.get(key);
      // Samples may arrive out of order (heartbeats and final reports travel separately). Every
      // counter only grows within an attempt, so a sample is newer when none of its counters is
      // smaller: a late heartbeat sample must not undo the final counts of a task.
      if (
        known === undefined ||
        known.attempt < m.attempt ||
        (known.attempt === m.attempt && notOlder(m, known))
      ) {
        this.#metrics.set(key, m);
      }
    }
  }

  /**
   * The tasks of this job on TaskManager `resourceId` fail with `error`, and the job fails over:
   * the TaskManager is gone (its connection closed or its heartbeats stopped), or it cannot
   * exchange records with another one (a broken data link).
   */
  failTasksOn(resourceId: string, error: SerializedError): void {
    for (const [key, pending] of this.#pendingLoads) {
      if (!key.startsWith(`${resourceId}:`)) continue;
      this.#pendingLoads.delete(key);
      pending.reject(new JobExecutionError(this.jobId, error.message));
    }
    for (const v of this.jobGraph.vertices) {
      for (let i = 0; i < v.parallelism; i++) {
        if (this.#slots.length === 0 || this.#slotOf(i).gateway.resourceId !== resourceId) continue;
        const task = `${v.id}:${i}`;
        const state = this.#state.tasks.get(task);
        if (state === undefined || state === 'FINISHED' || state === 'FAILED' || state === 'CANCELED')
          continue;
        // The job fails over; the restart strategy decides whether it restarts from the latest
        // checkpoint, on slots the slot provider finds in place of the lost ones.
        this.#apply({ kind: 'task-state', task, state: 'FAILED', error });
      }
    }
  }

  #slotProvider: ((current: readonly AllocatedSlot[]) => Promise<readonly AllocatedSlot[]>) | undefined;

  /**
   * Sets where a restart gets its slots: given the current ones, the provider returns those to
   * use (lost slots replaced by free ones, or fewer slots: subtasks then share them).
   */
  setSlotProvider(provider: (current: readonly AllocatedSlot[]) => Promise<readonly AllocatedSlot[]>): void {
    this.#slotProvider = provider;
  }

  /** Whether a task of this job runs on TaskManager `resourceId`. */
  usesTaskManager(resourceId: string): boolean {
    return this.#slots.some((s) => s.gateway.resourceId === resourceId);
  }

  /** Fails the job (e.g. when no slots could be found for it). */
  fail(error: SerializedError): void {
    this.#apply({ kind: 'failed', error });
  }

  /**
   * Running tasks of the current attempt when every task runs or has finished (checkpoints go on
   * after bounded parts of a job end: finished tasks have no state left), else undefined.
   */
  #runningTasks(): readonly string[] | undefined {
    if (this.#state.status !== 'RUNNING' || this.#state.tasks.size === 0) return undefined;
    const running: string[] = [];
    for (const [task, s] of this.#state.tasks) {
      if (s === 'RUNNING') running.push(task);
      else if (s !== 'FINISHED') return undefined;
    }
    return running.length === 0 ? undefined : running;
  }

  /** Every task of the current attempt has finished or waits for its final checkpoint. */
  #allEnded(): boolean {
    if (this.#state.status !== 'RUNNING' || this.#state.tasks.size === 0) return false;
    const ended = this.#ended.attempt === this.#state.attempt ? this.#ended.tasks : undefined;
    for (const [task, s] of this.#state.tasks) {
      if (s === 'FINISHED') continue;
      if (s !== 'RUNNING' || ended?.has(task) !== true) return false;
    }
    return true;
  }

  #broadcast(command: SlotCommand): void {
    for (const slot of this.#slots) this.#send(slot, command);
  }

  /** Redeploys every task from the latest completed checkpoint (or the initial savepoint). */
  async #restart(): Promise<void> {
    if (this.#state.status !== 'RESTARTING') return;
    try {
      this.#broadcast({ t: 'reset-job', jobId: this.jobId });
      for (const h of this.#enumerators.values()) {
        await Promise.resolve()
          .then(() => h.enumerator.close())
          .catch(() => {});
      }
      this.#enumerators.clear();
      const restore = this.#restorePoint();
      this.#attemptRestore =
        restore === undefined ? undefined : { point: restore, userGiven: restore === this.#initialRestore };
      this.#restartHistory = { ...this.#restartHistory, lastStart: Date.now() };
      if (this.#slotProvider !== undefined) this.#slots = await this.#slotProvider(this.#slots);
      if (this.#state.status !== 'RESTARTING') return;
      await this.#loadInSlots();
      if (this.#state.status !== 'RESTARTING') return;
      this.#startEnumerators(restore);
      this.#deploy(restore);
      if (restore !== undefined) {
        this.#restores = { count: this.#restores.count + 1, latest: { point: restore, time: Date.now() } };
      }
    } catch (e) {
      this.#apply({ kind: 'failed', error: serializeError(e), recoverable: false });
    }
  }

  /**
   * The latest retained checkpoint whose metadata can be read (or, before any checkpoint, the
   * savepoint the job started from). An unreadable one is dropped and the next older one tried;
   * when none is left, this throws.
   */
  #restorePoint(): RestorePoint | undefined {
    let latest = this.#checkpointing.latest();
    if (latest === undefined) return this.#initialRestore;
    for (;;) {
      try {
        return readMetadata(latest.dir);
      } catch (e) {
        if (!isUnrestorable(e)) throw e;
        const older = this.#checkpointing.dropUnrestorable(latest.id);
        const problem = (e as Error).message;
        if (older === undefined) {
          throw new JobExecutionError(
            this.jobId,
            `checkpoint ${latest.id} cannot be restored: ${problem}; no older retained checkpoint is left to recover from`,
            { code: (e as SluiceError).code },
          );
        }
        this.#log(
          `${problem}: checkpoint ${latest.id} (${latest.dir}) cannot be restored; recovering from checkpoint ${older.id} (${older.dir}) instead`,
        );
        latest = older;
      }
    }
  }

  /**
   * After a failure: when it was the restore of the current attempt that failed because a state
   * file is corrupt or missing, restarting from the same checkpoint would fail again. A user-given
   * savepoint or checkpoint fails the job at once; a retained checkpoint is dropped and the next
   * older one is used (`note` says which); none left fails the job (`giveUp` says why).
   */
  #fallBackFromUnrestorable(): { giveUp?: string; note?: string } {
    const failure = this.#state.failure;
    const current = this.#attemptRestore;
    if (failure === undefined || current === undefined || !UNRESTORABLE.has(failure.code ?? '')) return {};
    const { point, userGiven } = current;
    const what = `${point.metadata.savepoint ? 'savepoint' : 'checkpoint'} ${point.metadata.checkpointId} (${point.dir})`;
    if (userGiven) {
      return { giveUp: `${what}, which the job was started from, cannot be restored; fix or replace it` };
    }
    const older = this.#checkpointing.dropUnrestorable(point.metadata.checkpointId);
    this.#attemptRestore = undefined;
    if (older === undefined) {
      return {
        giveUp: `${what} cannot be restored and no older retained checkpoint is left to recover from`,
      };
    }
    const note = `${what} cannot be restored; recovering from checkpoint ${older.id} (${older.dir}) instead`;
    this.#log(`${failure.message}: ${note}`);
    return { note };
  }

  #log(message: string): void {
    this.#onOutput(`[sluice] job "${this.graph.jobName}" (${this.jobId}): ${message}\n`, 'stderr');
  }

  /** The job's execution configuration (REST `GET /jobs/:id/config`). */
  get executionConfig(): { readonly restartStrategy: RestartStrategy; readonly parallelism: number } {
    return {
      restartStrategy: this.#options.restartStrategy ?? { kind: 'none' },
      // The widest vertex's: the job's parallelism unless operators set their own.
      parallelism: Math.max(...this.jobGraph.vertices.map((v) => v.parallelism)),
    };
  }

  /** The job's checkpointing configuration (REST `GET /jobs/:id/checkpoints/config`). */
  get checkpointConfig(): {
    readonly enabled: boolean;
    readonly settings: CheckpointSettings | undefined;
    readonly mode: 'EXACTLY_ONCE' | 'AT_LEAST_ONCE';
    readonly unaligned: boolean;
    readonly alignedCheckpointTimeout: number;
    readonly retainOnCancellation: boolean;
    readonly storage: string | undefined;
    readonly stateBackend: string;
  } {
    const cp = this.#options.checkpointing;
    const s = this.#settings;
    return {
      enabled: cp !== undefined && cp.settings.interval > 0,
      settings: cp?.settings,
      mode: s.checkpointMode,
      unaligned: s.unalignedCheckpoints === true && s.checkpointMode === 'EXACTLY_ONCE',
      alignedCheckpointTimeout: s.alignedCheckpointTimeout ?? 0,
      retainOnCancellation: cp?.retainOnCancellation ?? false,
      storage: cp?.baseDir,
      stateBackend: s.stateBackend,
    };
  }

  /** Checkpoint counts and history (REST, metrics). */
  checkpointStats(): ReturnType<JobCheckpointing['stats']> {
    return this.#checkpointing.stats();
  }

  /**
   * The latest restore of the job's state, if any — the savepoint or checkpoint it started from,
   * or the checkpoint its latest failover restarted from — and how many restores there were
   * (REST checkpoint statistics).
   */
  get restoredFrom():
    | {
        readonly path: string;
        readonly checkpointId: number;
        readonly savepoint: boolean;
        readonly time: number;
        readonly count: number;
      }
    | undefined {
    const latest = this.#restores.latest;
    if (latest === undefined) return undefined;
    const m = latest.point.metadata;
    return {
      path: latest.point.dir,
      checkpointId: m.checkpointId,
      savepoint: m.savepoint,
      time: latest.time,
      count: this.#restores.count,
    };
  }

  /** Failures that restarted or ended the job, oldest first (REST exceptions history). */
  get failureHistory(): JobLifecycleState['failures'] {
    return this.#state.failures;
  }

  /** Restarts so far. */
  get attempt(): number {
    return this.#state.attempt;
  }

  /** Takes a savepoint; resolves with its directory. */
  triggerSavepoint(dir?: string): Promise<string> {
    return this.#savepoint(dir, false, false);
  }

  /** Takes a savepoint and stops the job (the sources end; with `drain`, all event-time timers fire). */
  stopWithSavepoint(dir?: string, drain = false): Promise<string> {
    return this.#savepoint(dir, true, drain);
  }

  /** A bad directory rejects the promise (it does not throw at the call). */
  async #savepoint(dir: string | undefined, stop: boolean, drain: boolean): Promise<string> {
    const status = this.#state.status;
    // Said before anything about the directory: no directory makes an ended job take a savepoint.
    if (status === 'FINISHED' || status === 'FAILED' || status === 'CANCELED') {
      throw new JobExecutionError(this.jobId, `the job is no longer running (it is ${status})`, {
        code: 'JOB_NOT_RUNNING',
      });
    }
    const d = dir ?? this.#options.savepointDir;
    if (d === undefined || d === '') {
      throw new JobExecutionError(
        this.jobId,
        'no savepoint directory: pass one, or set state.savepoints.dir in the configuration',
        { code: 'NO_SAVEPOINT_DIRECTORY' },
      );
    }
    // Absolute, so that every TaskManager writes to the same place whatever its working directory.
    return this.#checkpointing.triggerSavepoint(storagePath(d), stop, drain);
  }

  /** Cancels the job. */
  cancel(): void {
    this.#apply({ kind: 'cancel' });
  }

  #apply(event: JobEvent): void {
    const before = this.#state.status;
    const { state, commands } = jobTransition(this.#state, event);
    this.#state = state;
    if (state.status !== before) this.statusTimestamps[state.status] = Date.now();
    if (state.failure !== undefined && this.failureTime === undefined) this.failureTime = Date.now();
    for (const c of commands) this.#execute(c);
  }

  #execute(command: JobCommand): void {
    switch (command.kind) {
      case 'cancel-tasks':
        for (const slot of this.#slots) this.#send(slot, { t: 'cancel-job', jobId: this.jobId });
        this.#teardownTimer = setTimeout(
          () => this.#apply({ kind: 'teardown-timeout' }),
          TEARDOWN_TIMEOUT_MS,
        );
        this.#teardownTimer.unref();
        return;
      case 'decide-restart': {
        if (this.#teardownTimer !== undefined) clearTimeout(this.#teardownTimer);
        this.#checkpointing.abortAll('the job is restarting');
        const now = Date.now();
        const fallback = this.#fallBackFromUnrestorable();
        if (fallback.giveUp !== undefined) {
          this.#apply({ kind: 'give-up', reason: fallback.giveUp, now });
          return;
        }
        const decision = decideRestart(
          this.#options.restartStrategy ?? { kind: 'none' },
          this.#restartHistory,
          now,
          Math.random(),
        );
        if (!decision.restart) {
          this.#apply({ kind: 'give-up', reason: decision.reason, now });
          return;
        }
        this.#restartHistory = decision.history;
        this.#apply({
          kind: 'restart',
          now,
          ...(fallback.note === undefined ? {} : { note: fallback.note }),
        });
        setTimeout(() => void this.#restart(), decision.delay);
        return;
      }
      case 'terminated':
        if (this.#teardownTimer !== undefined) clearTimeout(this.#teardownTimer);
        this.#checkpointing.stop(`the job is ${command.status}`);
        if (
          command.status === 'FINISHED' ||
          (command.status === 'CANCELED' && !this.#options.checkpointing?.retainOnCancellation)
        ) {
          void this.#checkpointing.discardAll().catch(() => {});
        }
        this.endTime = Date.now();
        for (const h of this.#enumerators.values()) {
          void Promise.resolve()
            .then(() => h.enumerator.close())
            .catch(() => {});
        }
        for (const slot of this.#slots) this.#send(slot, { t: 'release-job', jobId: this.jobId });
        this.#resolve({
          jobId: this.jobId,
          jobName: this.graph.jobName,
          status: command.status,
          netRuntime: this.endTime - this.startTime,
          failure: this.#state.failure,
          collected: this.#collected,
        });
        return;
      default: {
        assertNever(command, 'message');
      }
    }
  }
}

/**
 * Whether sample `m` was taken no earlier than `known` (of the same task attempt), by its counters
 * (idle time is derived from the clock and the others, so it is left out).
 */
function notOlder(m: TaskMetricsSample, known: TaskMetricsSample): boolean {
  return (
    m.recordsIn >= known.recordsIn &&
    m.recordsOut >= known.recordsOut &&
    m.bytesIn >= known.bytesIn &&
    m.bytesOut >= known.bytesOut &&
    m.busyTimeMs >= known.busyTimeMs &&
    m.backPressuredTimeMs >= known.backPressuredTimeMs
  );
}
