// The JobManager: accepts jobs (dispatcher), keeps the pool of TaskManager slots, gives each job
// the slots it needs (waiting for free slots up to a timeout), runs a JobMaster per job and routes
// the reports of the TaskManagers' slots to the job they belong to. The embedded cluster and the
// standalone cluster use this same class; they differ only in their TaskManagerGateways.
import { type JobId, newJobId, type SerializedError, SluiceError } from '../core/index.ts';
import type { JobProgram, StreamGraph } from '../plan/index.ts';
import type { TaskSettings } from '../runtime/index.ts';
import { JobMaster, type JobOptions } from './job-master.ts';
import type { SlotReport, TaskMetricsSample } from './protocol.ts';
import type { AllocatedSlot, TaskManagerGateway } from './task-manager-gateway.ts';

/** Options of a JobManager. */
export interface JobManagerOptions {
  /** Where the jobs' print() output goes (default: this process' stdout/stderr). */
  readonly onOutput?: (text: string, stream: 'stdout' | 'stderr') => void;
  /** How long a job waits for enough free slots before it fails (Flink's `slot.request.timeout`). */
  readonly slotRequestTimeoutMs?: number;
  /**
   * When a job needs more slots than the cluster has, run it on all of them (subtasks share
   * slots) instead of waiting for more. The embedded cluster does; a standalone cluster waits
   * for TaskManagers to offer enough slots, as Flink does.
   */
  readonly shareSlotsWhenShort?: boolean;
}

interface RegisteredTaskManager {
  readonly gateway: TaskManagerGateway;
  /** Job id per slot, or undefined when free. */
  readonly owners: (string | undefined)[];
  readonly registeredAt: number;
}

interface WaitingJob {
  readonly master: JobMaster;
  readonly timer: NodeJS.Timeout;
}

/**
 * Dispatches jobs to JobMasters on the slots of its registered TaskManagers.
 *
 * @example
 * const jm = new JobManager();
 * jm.registerTaskManager(taskManager);
 * const master = jm.submitJob(graph, program, settings);
 */
export class JobManager {
  readonly #taskManagers = new Map<string, RegisteredTaskManager>();
  readonly #jobs = new Map<string, JobMaster>();
  readonly #waiting: WaitingJob[] = [];
  #channelIds = 0;
  readonly #onOutput: (text: string, stream: 'stdout' | 'stderr') => void;
  readonly #slotRequestTimeoutMs: number;
  readonly #shareSlotsWhenShort: boolean;

  constructor(options: JobManagerOptions = {}) {
    this.#onOutput =
      options.onOutput ??
      ((text, stream) => {
        (stream === 'stdout' ? process.stdout : process.stderr).write(text);
      });
    this.#slotRequestTimeoutMs = options.slotRequestTimeoutMs ?? 300_000;
    this.#shareSlotsWhenShort = options.shareSlotsWhenShort ?? true;
  }

  /** Adds a TaskManager's slots to the pool; jobs waiting for slots may start. */
  registerTaskManager(gateway: TaskManagerGateway): void {
    this.#taskManagers.set(gateway.resourceId, {
      gateway,
      owners: Array.from({ length: gateway.slots }, () => undefined),
      registeredAt: Date.now(),
    });
    this.#schedule();
  }

  /** Removes a TaskManager; the jobs that ran tasks on it fail over with `cause`. */
  unregisterTaskManager(resourceId: string, cause: SerializedError): void {
    if (!this.#taskManagers.delete(resourceId)) return;
    for (const job of this.#jobs.values()) {
      if (job.usesTaskManager(resourceId)) job.failTasksOn(resourceId, cause);
    }
  }

  /**
   * TaskManager `from` cannot exchange records with TaskManager `peer`: the jobs with tasks on
   * both fail over (their restart strategy decides what follows).
   */
  onDataLinkFailed(from: string, peer: string, reason: string): void {
    for (const job of this.#jobs.values()) {
      if (job.usesTaskManager(from) && job.usesTaskManager(peer)) {
        job.failTasksOn(from, { name: 'DataLinkException', message: reason });
      }
    }
  }

  /** The registered TaskManagers with their free slot counts. */
  taskManagers(): { gateway: TaskManagerGateway; freeSlots: number; registeredAt: number }[] {
    return [...this.#taskManagers.values()].map((t) => ({
      gateway: t.gateway,
      freeSlots: t.owners.filter((o) => o === undefined).length,
      registeredAt: t.registeredAt,
    }));
  }

  /** Submits a job; it starts as soon as enough slots are free. */
  submitJob(
    graph: StreamGraph,
    program: JobProgram | undefined,
    settings: TaskSettings,
    jobId: JobId = newJobId(),
    options: JobOptions = {},
  ): JobMaster {
    const master = new JobMaster(
      jobId,
      graph,
      program,
      settings,
      () => this.#channelIds++,
      (t, s) => this.#onOutput(t, s),
      options,
    );
    this.#jobs.set(jobId, master);
    master.setSlotProvider((current) => this.#reallocate(jobId, current));
    void master.result.then(() => this.#release(jobId));
    const timer = setTimeout(() => {
      const i = this.#waiting.findIndex((w) => w.master === master);
      if (i < 0) return;
      this.#waiting.splice(i, 1);
      const total = [...this.#taskManagers.values()].reduce((n, t) => n + t.owners.length, 0);
      const message =
        `NoResourceAvailableException: job "${graph.jobName}" (${jobId}) could not get ${master.requiredSlots} task slot(s) ` +
        `within ${this.#slotRequestTimeoutMs} ms (slot.request.timeout); the cluster has ${total} slot(s) in ` +
        `${this.#taskManagers.size} TaskManager(s), ${this.#freeSlots().length} free: start more TaskManagers or lower the parallelism`;
      master.fail({ name: 'NoResourceAvailableException', message, stack: message });
    }, this.#slotRequestTimeoutMs);
    timer.unref();
    this.#waiting.push({ master, timer });
    this.#schedule();
    return master;
  }

  /** A job by id. */
  getJob(jobId: string): JobMaster | undefined {
    return this.#jobs.get(jobId);
  }

  /** All jobs, oldest first. */
  listJobs(): JobMaster[] {
    return [...this.#jobs.values()];
  }

  /** A report from a slot of TaskManager `from`. */
  onReport(report: SlotReport, from = 'embedded'): void {
    switch (report.t) {
      case 'slot-ready':
        return;
      case 'slot-lost':
        for (const job of this.#jobs.values()) {
          if (job.allocatedSlots.some((s) => s.gateway.resourceId === from && s.slot === report.slot)) {
            job.onReport(report, from);
          }
        }
        return;
      case 'task-metrics':
        this.onMetrics(report.samples);
        return;
      default:
        this.#jobs.get(report.jobId)?.onReport(report, from);
    }
  }

  /** Task metrics (from TaskManager heartbeats). */
  onMetrics(samples: readonly TaskMetricsSample[]): void {
    const byJob = new Map<string, TaskMetricsSample[]>();
    for (const s of samples) {
      const list = byJob.get(s.jobId) ?? [];
      list.push(s);
      byJob.set(s.jobId, list);
    }
    for (const [jobId, list] of byJob) this.#jobs.get(jobId)?.onMetrics(list);
  }

  /**
   * Starts waiting jobs, oldest first, each as soon as enough slots are free. A job needs one slot per
   * subtask of its widest vertex (slot sharing) — or, with `shareSlotsWhenShort`, every slot of
   * the cluster when it has fewer; slots are taken round-robin over TaskManagers so a job spreads
   * over the cluster.
   */
  #schedule(): void {
    // A job that waits for more slots than are free does not hold back a later one that fits
    // (as in Flink, where each job's slot requests are served on their own).
    for (let i = 0; i < this.#waiting.length; ) {
      const next = this.#waiting[i]!;
      const total = [...this.#taskManagers.values()].reduce((n, t) => n + t.owners.length, 0);
      const needed = this.#shareSlotsWhenShort
        ? Math.min(next.master.requiredSlots, total)
        : next.master.requiredSlots;
      const free = this.#freeSlots();
      if (needed === 0 || free.length < needed) {
        i++;
        continue;
      }
      this.#waiting.splice(i, 1);
      clearTimeout(next.timer);
      const slots = free.slice(0, needed);
      for (const s of slots) this.#taskManagers.get(s.gateway.resourceId)!.owners[s.slot] = next.master.jobId;
      void next.master.start(slots);
    }
  }

  /**
   * Slots for a restart of job `jobId`: its slots on live TaskManagers, plus free slots in place
   * of lost ones as far as there are any (with fewer slots, subtasks share them). Waits up to
   * slot.request.timeout when no slot is left at all.
   */
  async #reallocate(jobId: string, current: readonly AllocatedSlot[]): Promise<AllocatedSlot[]> {
    const deadline = Date.now() + this.#slotRequestTimeoutMs;
    for (;;) {
      const alive = current.filter(
        (s) => this.#taskManagers.get(s.gateway.resourceId)?.gateway === s.gateway,
      );
      const extra = this.#freeSlots().slice(0, current.length - alive.length);
      for (const s of extra) this.#taskManagers.get(s.gateway.resourceId)!.owners[s.slot] = jobId;
      const slots = [...alive, ...extra];
      if (slots.length > 0) return slots;
      if (Date.now() > deadline) {
        throw new SluiceError(
          'NO_RESOURCE_AVAILABLE',
          `NoResourceAvailableException: no task slot to restart job ${jobId} in within ${this.#slotRequestTimeoutMs} ms (slot.request.timeout)`,
          { origin: 'external' },
        );
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  #freeSlots(): AllocatedSlot[] {
    const perTm = [...this.#taskManagers.values()].map((t) =>
      t.owners.flatMap((owner, slot) =>
        owner === undefined ? [{ gateway: t.gateway, slot, address: t.gateway.slotBase + slot }] : [],
      ),
    );
    const out: AllocatedSlot[] = [];
    for (let i = 0; perTm.some((l) => i < l.length); i++) {
      for (const l of perTm) if (i < l.length) out.push(l[i]!);
    }
    return out;
  }

  #release(jobId: string): void {
    const i = this.#waiting.findIndex((w) => w.master.jobId === jobId);
    if (i >= 0) {
      clearTimeout(this.#waiting[i]!.timer);
      this.#waiting.splice(i, 1);
    }
    for (const t of this.#taskManagers.values()) {
      t.owners.forEach((owner, slot) => {
        if (owner === jobId) t.owners[slot] = undefined;
      });
    }
    this.#schedule();
  }
}
