// A task slot: hosts the subtasks deployed to it (one of each vertex, by slot sharing), routes
// data-plane messages to them and reports to its TaskManager. The same code runs inside a worker
// thread (one slot per thread) and in the calling thread (inline mode).
import { type SerializedError, SluiceError, serializeError } from '../core/index.ts';
import {
  capturePlan,
  createJobGraph,
  type JobGraph,
  type JobProgram,
  type StreamGraph,
} from '../plan/index.ts';
import {
  BufferCodec,
  type NetworkMessage,
  type NetworkSender,
  StreamTask,
  type TaskSettings,
} from '../runtime/index.ts';
import type { SlotCommand, SlotReport, TaskMetricsSample } from './protocol.ts';

/**
 * One run of the job program: a plan with its own instances of the user's functions. A plan's
 * functions serve one task of each vertex, in one attempt (Flink deserializes them per task).
 */
interface PlanInstance {
  readonly graph: StreamGraph;
  readonly jobGraph: JobGraph;
  /** Vertices whose task in this slot took its functions from this plan. */
  readonly used: Set<number>;
}

interface LoadedJob {
  readonly program: JobProgram | undefined;
  readonly fingerprint: string;
  settings: TaskSettings;
  /** Inline jobs run the client's own graph: one set of function instances for every task. */
  readonly inline: boolean;
  /** Plans captured for the current attempt; a reset drops the used ones. */
  plans: PlanInstance[];
  readonly tasks: Map<string, StreamTask>;
}

/** Resolves the StreamGraph of an inline job (same thread as the client). */
export type InlineGraphResolver = (jobId: string) => StreamGraph | undefined;

/**
 * Runs the tasks of one slot.
 *
 * @example
 * const slot = new SlotRuntime(0, sender, report);
 */
export class SlotRuntime {
  readonly index: number;
  readonly #sender: NetworkSender;
  readonly #report: (r: SlotReport) => void;
  readonly #inlineGraphs: InlineGraphResolver | undefined;
  readonly #codec = new BufferCodec();
  readonly #jobs = new Map<string, LoadedJob>();
  /** Receiving task of each input channel (data messages go there). */
  readonly #inputOwners = new Map<number, StreamTask>();
  /** Sending task of each output channel (credit messages go there). A channel between two
   * tasks of the same slot has both an input owner and an output owner. */
  readonly #outputOwners = new Map<number, StreamTask>();
  /** Messages for channels whose task is not deployed yet. */
  readonly #early = new Map<string, NetworkMessage[]>();
  /** Set while a deployment waits for a plan capture: later commands queue behind it, in order. */
  #gate: Promise<void> | undefined;
  /** Plan captures run one at a time (plan mode is per thread). */
  #captures: Promise<unknown> = Promise.resolve();

  constructor(
    index: number,
    sender: NetworkSender,
    report: (r: SlotReport) => void,
    inlineGraphs?: InlineGraphResolver,
  ) {
    this.index = index;
    this.#sender = sender;
    this.#report = report;
    this.#inlineGraphs = inlineGraphs;
  }

  /** A data-plane message arrived for this slot. */
  onNetworkMessage(message: NetworkMessage): void {
    const toInput = message.t !== 'credit';
    const task = (toInput ? this.#inputOwners : this.#outputOwners).get(message.ch);
    if (task === undefined) {
      // Priority events queue with the channel's data, keeping their order.
      const key = `${toInput ? 'data' : 'credit'}:${message.ch}`;
      const list = this.#early.get(key) ?? [];
      list.push(message);
      this.#early.set(key, list);
      return;
    }
    if (message.t === 'data') task.onBuffer(message.ch, message.buf);
    else if (message.t === 'priority') task.onPriorityEvent(message.ch, message.buf);
    else task.onCredit(message.ch, message.n);
  }

  /** A control command from the TaskManager. */
  onCommand(command: SlotCommand): Promise<void> {
    const gate = this.#gate;
    if (gate !== undefined) {
      const run = gate.then(() => this.#handle(command));
      this.#hold(run);
      return run;
    }
    if (command.t === 'deploy') {
      let capturing: Promise<void> | undefined;
      try {
        capturing = this.#deploy(command);
      } catch (e) {
        return Promise.reject(e);
      }
      if (capturing === undefined) return Promise.resolve();
      this.#hold(capturing);
      return capturing;
    }
    return this.#handle(command);
  }

  /** Queues the commands that arrive until `work` is done behind it. */
  #hold(work: Promise<void>): void {
    const tail = work.then(
      () => {},
      () => {},
    );
    this.#gate = tail;
    void tail.then(() => {
      if (this.#gate === tail) this.#gate = undefined;
    });
  }

  async #handle(command: SlotCommand): Promise<void> {
    switch (command.t) {
      case 'load-job':
        await this.#load(command);
        return;
      case 'deploy':
        await this.#deploy(command);
        return;
      case 'operator-event':
        this.#jobs
          .get(command.jobId)
          ?.tasks.get(`${command.vertexId}:${command.subtask}`)
          ?.onOperatorEvent(command.nodeId, command.event);
        return;
      case 'cancel-job': {
        const job = this.#jobs.get(command.jobId);
        if (job !== undefined) await Promise.all([...job.tasks.values()].map((t) => t.cancel()));
        return;
      }
      case 'release-job':
        this.#release(command.jobId);
        return;
      case 'reset-job':
        this.#reset(command.jobId);
        return;
      case 'trigger-checkpoint':
        this.#jobs
          .get(command.jobId)
          ?.tasks.get(`${command.vertexId}:${command.subtask}`)
          ?.triggerCheckpoint(command.barrier, command.stop);
        return;
      case 'checkpoint-complete': {
        const job = this.#jobs.get(command.jobId);
        if (job !== undefined)
          for (const t of job.tasks.values()) t.notifyCheckpointComplete(command.checkpointId);
        return;
      }
      case 'checkpoint-aborted': {
        const job = this.#jobs.get(command.jobId);
        if (job !== undefined)
          for (const t of job.tasks.values()) t.notifyCheckpointAborted(command.checkpointId);
        return;
      }
      case 'report-metrics': {
        const samples: TaskMetricsSample[] = [];
        for (const job of this.#jobs.values())
          for (const task of job.tasks.values()) samples.push(metricsOf(task));
        this.#report({ t: 'task-metrics', slot: this.index, samples, final: false });
        return;
      }
      default: {
        const never: never = command;
        throw new SluiceError('PROTOCOL', `unknown slot command ${JSON.stringify(never)}`, {
          origin: 'internal',
        });
      }
    }
  }

  /**
   * Makes sure the job has a plan no task has used yet: the first load captures one, and so does
   * the load of each restart (the failed attempt's functions are not reused, their fields may hold
   * anything). Inline jobs keep the client's graph.
   */
  async #load(command: Extract<SlotCommand, { t: 'load-job' }>): Promise<void> {
    let error: SerializedError | undefined;
    try {
      const loaded = this.#jobs.get(command.jobId);
      if (loaded !== undefined) {
        loaded.settings = command.settings;
        if (!loaded.inline && loaded.plans.every((p) => p.used.size > 0))
          loaded.plans.push(await this.#capture(loaded));
      } else {
        const graph = this.#inlineGraphs?.(command.jobId);
        const job: LoadedJob = {
          program: command.program,
          fingerprint: command.fingerprint,
          settings: command.settings,
          inline: graph !== undefined,
          plans: [],
          tasks: new Map(),
        };
        job.plans.push(graph === undefined ? await this.#capture(job) : this.#checked(job, graph));
        this.#jobs.set(command.jobId, job);
      }
    } catch (e) {
      error = serializeError(e);
    }
    this.#report(
      error === undefined
        ? { t: 'job-loaded', jobId: command.jobId, slot: this.index }
        : { t: 'job-loaded', jobId: command.jobId, slot: this.index, error },
    );
  }

  /** Runs the job program once more in plan mode (one capture at a time in this thread). */
  #capture(job: LoadedJob): Promise<PlanInstance> {
    const program = job.program;
    if (program === undefined) {
      return Promise.reject(
        new SluiceError('NO_PROGRAM', 'the job has no program to rebuild its plan from', {
          origin: 'internal',
        }),
      );
    }
    const captured = this.#captures.then(() => capturePlan(program)).then((g) => this.#checked(job, g));
    this.#captures = captured.catch(() => {});
    return captured;
  }

  #checked(job: LoadedJob, graph: StreamGraph): PlanInstance {
    if (graph.fingerprint !== job.fingerprint) {
      throw new SluiceError(
        'NON_DETERMINISTIC_PLAN',
        `the job program built a different pipeline in slot ${this.index} (plan ${graph.fingerprint}) than in the client ` +
          `(plan ${job.fingerprint}): pipeline construction must be deterministic (no randomness, time or I/O deciding its shape)`,
      );
    }
    return { graph, jobGraph: createJobGraph(graph), used: new Set() };
  }

  /**
   * Deploys a task with functions no other task used. When every plan of the slot already serves
   * a task of this vertex (more subtasks of it than slots), a new plan is captured first and the
   * returned promise settles once the task is deployed; otherwise this returns undefined.
   */
  #deploy(command: Extract<SlotCommand, { t: 'deploy' }>): Promise<void> | undefined {
    const job = this.#jobs.get(command.jobId);
    if (job === undefined) return undefined;
    const free = job.inline ? job.plans[0] : job.plans.find((p) => !p.used.has(command.vertexId));
    if (free !== undefined) {
      this.#start(job, free, command);
      return undefined;
    }
    return this.#capture(job).then(
      (plan) => {
        // Commands that came meanwhile wait behind this one; only a job released before can be gone.
        if (this.#jobs.get(command.jobId) !== job) return;
        job.plans.push(plan);
        this.#start(job, plan, command);
      },
      (e: unknown) => {
        const d = command.deployment;
        this.#report({
          t: 'task-state',
          jobId: command.jobId,
          vertexId: command.vertexId,
          subtask: d.subtaskIndex,
          attempt: d.attempt,
          state: 'FAILED',
          error: serializeError(e),
        });
      },
    );
  }

  #start(job: LoadedJob, plan: PlanInstance, command: Extract<SlotCommand, { t: 'deploy' }>): void {
    plan.used.add(command.vertexId);
    const { deployment } = command;
    const vertex = plan.jobGraph.vertices[command.vertexId]!;
    const jobId = command.jobId;
    const base = { jobId, vertexId: command.vertexId, subtask: deployment.subtaskIndex };
    const task = new StreamTask({
      graph: plan.graph,
      vertex,
      deployment,
      settings: job.settings,
      network: this.#sender,
      codec: this.#codec,
      reportState: (state, error) => {
        // Final counts travel ahead of the final state, so a finished job's metrics are complete.
        if (state !== 'RUNNING')
          this.#report({ t: 'task-metrics', slot: this.index, samples: [metricsOf(task)], final: true });
        this.#report(
          error === undefined
            ? { t: 'task-state', ...base, attempt: deployment.attempt, state }
            : { t: 'task-state', ...base, attempt: deployment.attempt, state, error },
        );
      },
      print: (text, stream) => this.#report({ t: 'print', jobId, text, stream }),
      emitToClient: (values, batch) =>
        this.#report(
          batch === undefined ? { t: 'collect', jobId, values } : { t: 'collect', jobId, values, batch },
        ),
      sendOperatorEvent: (nodeId, event) => this.#report({ t: 'operator-event', ...base, nodeId, event }),
      acknowledgeCheckpoint: (checkpointId, ack) =>
        this.#report({ t: 'checkpoint-ack', ...base, checkpointId, ack }),
      declineCheckpoint: (checkpointId, reason) =>
        this.#report({ t: 'checkpoint-decline', ...base, checkpointId, reason }),
      reportEndOfInput: () => this.#report({ t: 'task-end-of-input', ...base, attempt: deployment.attempt }),
    });
    job.tasks.set(`${command.vertexId}:${deployment.subtaskIndex}`, task);
    const inputs = task.inputChannelIds();
    const outputs = deployment.outputs.flatMap((o) => o.channels.map((c) => c.channelId));
    for (const ch of inputs) this.#inputOwners.set(ch, task);
    for (const ch of outputs) this.#outputOwners.set(ch, task);
    // start() wires the task's channels synchronously before its first await, so messages that
    // arrived before the deployment can be replayed right away, ahead of any later message.
    void task.start();
    for (const key of [...inputs.map((ch) => `data:${ch}`), ...outputs.map((ch) => `credit:${ch}`)]) {
      const early = this.#early.get(key);
      if (early === undefined) continue;
      this.#early.delete(key);
      for (const m of early) this.onNetworkMessage(m);
    }
  }

  /**
   * Forgets the job's tasks and their channels, and the plans whose functions they used: the
   * next attempt's load captures new ones.
   */
  #reset(jobId: string): void {
    const job = this.#jobs.get(jobId);
    if (job === undefined) return;
    if (!job.inline) job.plans = job.plans.filter((p) => p.used.size === 0);
    for (const task of job.tasks.values()) {
      void task.cancel();
      for (const ch of task.inputChannelIds()) {
        this.#inputOwners.delete(ch);
        this.#early.delete(`data:${ch}`);
      }
      for (const ch of task.outputChannelIds()) {
        this.#outputOwners.delete(ch);
        this.#early.delete(`credit:${ch}`);
      }
    }
    job.tasks.clear();
  }

  #release(jobId: string): void {
    const job = this.#jobs.get(jobId);
    if (job === undefined) return;
    for (const task of job.tasks.values()) {
      for (const ch of task.inputChannelIds()) {
        this.#inputOwners.delete(ch);
        this.#early.delete(`data:${ch}`);
      }
      for (const ch of task.outputChannelIds()) {
        this.#outputOwners.delete(ch);
        this.#early.delete(`credit:${ch}`);
      }
    }
    this.#jobs.delete(jobId);
  }
}

function metricsOf(task: StreamTask): TaskMetricsSample {
  const d = task.env.deployment;
  const m = task.sampleMetrics();
  return {
    jobId: d.jobId,
    vertexId: d.vertexId,
    subtask: d.subtaskIndex,
    attempt: d.attempt,
    recordsIn: m.numRecordsIn,
    recordsOut: m.numRecordsOut,
    bytesIn: m.numBytesIn,
    bytesOut: m.numBytesOut,
    busyTimeMs: m.busyTimeMs,
    backPressuredTimeMs: m.backPressuredTimeMs,
    idleTimeMs: m.idleTimeMs,
  };
}
