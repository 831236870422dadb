// A task slot: hosts the subtasks deployed to it (one of each vertex, by slot sharing), routes
// data-plane messages to them and reports to its TaskManager. The same code runs inside a worker
// thread (one slot per thread) and in the calling thread (inline mode).
import { type SerializedError, SluiceError, serializeError } from '../core/index.ts';
import { capturePlan, createJobGraph, type JobGraph, type StreamGraph } from '../plan/index.ts';
import {
  BufferCodec,
  type NetworkMessage,
  type NetworkSender,
  StreamTask,
  type TaskSettings,
} from '../runtime/index.ts';
import type { SlotCommand, SlotReport, TaskMetricsSample } from './protocol.ts';

interface LoadedJob {
  readonly graph: StreamGraph;
  readonly jobGraph: JobGraph;
  readonly settings: TaskSettings;
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
  async onCommand(command: SlotCommand): Promise<void> {
    switch (command.t) {
      case 'load-job':
        await this.#load(command);
        return;
      case 'deploy':
        this.#deploy(command);
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

  async #load(command: Extract<SlotCommand, { t: 'load-job' }>): Promise<void> {
    if (this.#jobs.has(command.jobId)) {
      // Already loaded (a restart of the job): the plan is the same.
      this.#report({ t: 'job-loaded', jobId: command.jobId, slot: this.index });
      return;
    }
    let error: SerializedError | undefined;
    try {
      let graph = this.#inlineGraphs?.(command.jobId);
      if (graph === undefined) {
        if (command.program === undefined) {
          throw new SluiceError('NO_PROGRAM', 'the job has no program to rebuild its plan from', {
            origin: 'internal',
          });
        }
        graph = await capturePlan(command.program);
      }
      if (graph.fingerprint !== command.fingerprint) {
        throw new SluiceError(
          'NON_DETERMINISTIC_PLAN',
          `the job program built a different pipeline in slot ${this.index} (plan ${graph.fingerprint}) than in the client ` +
            `(plan ${command.fingerprint}): pipeline construction must be deterministic (no randomness, time or I/O deciding its shape)`,
        );
      }
      this.#jobs.set(command.jobId, {
        graph,
        jobGraph: createJobGraph(graph),
        settings: command.settings,
        tasks: new Map(),
      });
    } catch (e) {
      error = serializeError(e);
    }
    this.#report(
      error === undefined
        ? { t: 'job-loaded', jobId: command.jobId, slot: this.index }
        : { t: 'job-loaded', jobId: command.jobId, slot: this.index, error },
    );
  }

  #deploy(command: Extract<SlotCommand, { t: 'deploy' }>): void {
    const job = this.#jobs.get(command.jobId);
    if (job === undefined) return;
    const { deployment } = command;
    const vertex = job.jobGraph.vertices[command.vertexId]!;
    const jobId = command.jobId;
    const base = { jobId, vertexId: command.vertexId, subtask: deployment.subtaskIndex };
    const task = new StreamTask({
      graph: job.graph,
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

  /** Forgets the job's tasks and their channels, keeping its plan for the next attempt. */
  #reset(jobId: string): void {
    const job = this.#jobs.get(jobId);
    if (job === undefined) return;
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
