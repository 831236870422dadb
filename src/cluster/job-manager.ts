// The JobManager: accepts jobs (dispatcher), runs a JobMaster per job, and routes the reports
// of the TaskManager's slots to the job they belong to.
import { type JobId, newJobId } from '../core/index.ts';
import type { JobProgram, StreamGraph } from '../plan/index.ts';
import type { TaskSettings } from '../runtime/index.ts';
import { JobMaster } from './job-master.ts';
import type { SlotReport } from './protocol.ts';
import type { TaskManager } from './task-manager.ts';

/**
 * Dispatches jobs to JobMasters.
 *
 * @example
 * const jm = new JobManager(taskManager);
 * const master = jm.submitJob(graph, program, settings);
 */
export class JobManager {
  readonly #tm: TaskManager;
  readonly #jobs = new Map<string, JobMaster>();
  #channelIds = 0;
  #onOutput: (text: string, stream: 'stdout' | 'stderr') => void;

  constructor(tm: TaskManager, onOutput?: (text: string, stream: 'stdout' | 'stderr') => void) {
    this.#tm = tm;
    this.#onOutput =
      onOutput ??
      ((text, stream) => {
        (stream === 'stdout' ? process.stdout : process.stderr).write(text);
      });
    tm.setReportHandler((r) => this.#route(r));
  }

  /** Submits a job; it starts at once. */
  submitJob(
    graph: StreamGraph,
    program: JobProgram | undefined,
    settings: TaskSettings,
    jobId: JobId = newJobId(),
  ): JobMaster {
    const master = new JobMaster(
      jobId,
      graph,
      program,
      this.#tm,
      settings,
      () => this.#channelIds++,
      (t, s) => this.#onOutput(t, s),
    );
    this.#jobs.set(jobId, master);
    void master.start();
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

  #route(report: SlotReport): void {
    if (report.t === 'slot-ready') return;
    if (report.t === 'slot-lost') {
      for (const job of this.#jobs.values()) job.onReport(report);
      return;
    }
    this.#jobs.get(report.jobId)?.onReport(report);
  }
}
