// The JobMaster of one job: turns the JobGraph into an execution graph (vertex × subtask), places
// subtasks in slots (slot sharing: subtask i of every vertex in slot i), wires channels, deploys,
// runs the source split enumerators and follows the job's lifecycle to its end.
import { assertNever, JobExecutionError, type SerializedError, serializeError } from '../core/index.ts';
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
import {
  type ExecutionState,
  initialJobState,
  type JobCommand,
  type JobEvent,
  type JobLifecycleState,
  type JobStatus,
  jobTransition,
} from './job-lifecycle.ts';
import type { SlotReport } from './protocol.ts';
import type { TaskManager } from './task-manager.ts';

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

interface EnumeratorHandle {
  readonly enumerator: SplitEnumerator<SourceSplit, unknown>;
  readonly vertexId: number;
  readonly nodeId: number;
  readonly readers: Set<number>;
}

const TEARDOWN_TIMEOUT_MS = 10_000;

/**
 * Runs one job on a TaskManager's slots.
 *
 * @example
 * const master = new JobMaster(jobId, graph, program, tm, settings, nextChannelId);
 * await master.start(); const result = await master.result;
 */
export class JobMaster {
  readonly jobId: string;
  readonly graph: StreamGraph;
  readonly jobGraph: JobGraph;
  readonly startTime = Date.now();
  endTime: number | undefined;
  readonly result: Promise<JobResult>;
  readonly #program: JobProgram | undefined;
  readonly #tm: TaskManager;
  readonly #settings: TaskSettings;
  readonly #nextChannelId: () => number;
  readonly #onOutput: (text: string, stream: 'stdout' | 'stderr') => void;
  #state: JobLifecycleState = initialJobState();
  #resolve!: (r: JobResult) => void;
  readonly #collected: unknown[] = [];
  readonly #enumerators = new Map<number, EnumeratorHandle>();
  #teardownTimer: NodeJS.Timeout | undefined;
  #slotsUsed: number[] = [];

  constructor(
    jobId: string,
    graph: StreamGraph,
    program: JobProgram | undefined,
    tm: TaskManager,
    settings: TaskSettings,
    nextChannelId: () => number,
    onOutput: (text: string, stream: 'stdout' | 'stderr') => void,
  ) {
    this.jobId = jobId;
    this.graph = graph;
    this.jobGraph = createJobGraph(graph);
    this.#program = program;
    this.#tm = tm;
    this.#settings = settings;
    this.#nextChannelId = nextChannelId;
    this.#onOutput = onOutput;
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

  #slotOf(subtask: number): number {
    return subtask % this.#tm.slots;
  }

  /** Loads the job into the slots, then deploys every subtask. */
  async start(): Promise<void> {
    const needed = Math.min(this.#tm.slots, Math.max(...this.jobGraph.vertices.map((v) => v.parallelism)));
    this.#slotsUsed = Array.from({ length: needed }, (_, i) => i);
    try {
      await this.#loadInSlots();
      this.#startEnumerators();
      this.#deploy();
    } catch (e) {
      this.#apply({ kind: 'failed', error: serializeError(e) });
    }
  }

  #pendingLoads = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();

  async #loadInSlots(): Promise<void> {
    await Promise.all(
      this.#slotsUsed.map(
        (slot) =>
          new Promise<void>((resolve, reject) => {
            this.#pendingLoads.set(slot, { resolve, reject });
            this.#tm.send(slot, {
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

  #startEnumerators(): void {
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
        this.#tm.send(this.#slotOf(subtask), {
          t: 'operator-event',
          jobId: this.jobId,
          vertexId: vertex.id,
          subtask,
          nodeId,
          event,
        });
      const enumerator = factory.source.createEnumerator({
        currentParallelism: () => vertex.parallelism,
        registeredReaders: () => [...handle.readers],
        assignSplit: (split, subtask) => send(subtask, { kind: 'add-splits', splits: [split] }),
        signalNoMoreSplits: (subtask) => send(subtask, { kind: 'no-more-splits' }),
      });
      (handle as { enumerator: SplitEnumerator<SourceSplit, unknown> }).enumerator = enumerator;
      this.#enumerators.set(vertex.id, handle);
      void Promise.resolve(enumerator.start()).catch((e: unknown) =>
        this.#apply({ kind: 'failed', error: serializeError(e) }),
      );
    }
  }

  #deploy(): void {
    const vertices = this.jobGraph.vertices;
    const deployments = vertices.map((v) =>
      Array.from({ length: v.parallelism }, () => ({
        inputs: [] as { channelId: number; input: 1 | 2; sourceSlot: number }[],
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
            list.push({ channelId, targetSlot: this.#slotOf(t) });
            deployments[target.id]![t]!.inputs.push({
              channelId,
              input: edge.typeNumber,
              sourceSlot: this.#slotOf(s),
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
        const deployment: TaskDeployment = {
          jobId: this.jobId,
          vertexId: v.id,
          subtaskIndex: i,
          attempt: 0,
          inputs: d.inputs,
          outputs: [...d.outputs].map(([edgeId, channels]) => ({ edgeId, channels })),
        };
        this.#tm.send(this.#slotOf(i), { t: 'deploy', jobId: this.jobId, vertexId: v.id, deployment });
      }
    }
  }

  /** Handles a report from a slot about this job. */
  onReport(report: SlotReport): void {
    switch (report.t) {
      case 'job-loaded': {
        const pending = this.#pendingLoads.get(report.slot);
        this.#pendingLoads.delete(report.slot);
        if (report.error === undefined) pending?.resolve();
        else {
          const err = new JobExecutionError(this.jobId, report.error.message);
          if (report.error.stack !== undefined) err.stack = report.error.stack;
          pending?.reject(err);
        }
        return;
      }
      case 'task-state':
        this.#apply({
          kind: 'task-state',
          task: `${report.vertexId}:${report.subtask}`,
          state: report.state,
          ...(report.error === undefined ? {} : { error: report.error }),
        });
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
      case 'collect':
        for (const v of report.values) this.#collected.push(v);
        return;
      case 'slot-lost':
        this.#apply({ kind: 'failed', error: report.error });
        return;
      case 'slot-ready':
        return;
      default: {
        assertNever(report, 'message');
      }
    }
  }

  /** Cancels the job. */
  cancel(): void {
    this.#apply({ kind: 'cancel' });
  }

  #apply(event: JobEvent): void {
    const { state, commands } = jobTransition(this.#state, event);
    this.#state = state;
    for (const c of commands) this.#execute(c);
  }

  #execute(command: JobCommand): void {
    switch (command.kind) {
      case 'cancel-tasks':
        for (const slot of this.#slotsUsed) this.#tm.send(slot, { t: 'cancel-job', jobId: this.jobId });
        this.#teardownTimer = setTimeout(
          () => this.#apply({ kind: 'teardown-timeout' }),
          TEARDOWN_TIMEOUT_MS,
        );
        this.#teardownTimer.unref();
        return;
      case 'terminated':
        if (this.#teardownTimer !== undefined) clearTimeout(this.#teardownTimer);
        this.endTime = Date.now();
        for (const h of this.#enumerators.values()) {
          void Promise.resolve()
            .then(() => h.enumerator.close())
            .catch(() => {});
        }
        for (const slot of this.#slotsUsed) this.#tm.send(slot, { t: 'release-job', jobId: this.jobId });
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
