// The embedded cluster: a JobManager and one TaskManager in the user's process, speaking the same
// protocol as the standalone cluster. Slots are worker threads (or inline, for debugging).
import { newJobId } from '../core/index.ts';
import type { JobProgram, StreamGraph } from '../plan/index.ts';
import type { TaskSettings } from '../runtime/index.ts';
import { JobManager } from './job-manager.ts';
import type { JobMaster, JobOptions } from './job-master.ts';
import { type SlotMode, TaskManager } from './task-manager.ts';

/** Options of a MiniCluster. */
export interface MiniClusterOptions {
  readonly slots: number;
  readonly mode: SlotMode;
  readonly typescript: boolean;
  readonly onOutput?: (text: string, stream: 'stdout' | 'stderr') => void;
}

/**
 * An embedded JobManager + TaskManager.
 *
 * @example
 * const cluster = await MiniCluster.start({ slots: 2, mode: 'threads', typescript: true });
 * const job = cluster.submitJob(graph, program, settings);
 * await job.result; await cluster.close();
 */
export class MiniCluster {
  readonly jobManager: JobManager;
  readonly taskManager: TaskManager;
  readonly #inlineGraphs: Map<string, StreamGraph>;

  private constructor(tm: TaskManager, jm: JobManager, inlineGraphs: Map<string, StreamGraph>) {
    this.taskManager = tm;
    this.jobManager = jm;
    this.#inlineGraphs = inlineGraphs;
  }

  static async start(options: MiniClusterOptions): Promise<MiniCluster> {
    const graphs = new Map<string, StreamGraph>();
    const tm = await TaskManager.start(
      {
        slots: options.slots,
        mode: options.mode,
        typescript: options.typescript,
        inlineGraphs: (id) => graphs.get(id),
      },
      () => {},
    );
    const jm = new JobManager(options.onOutput === undefined ? {} : { onOutput: options.onOutput });
    tm.setReportHandler((r) => jm.onReport(r, tm.resourceId));
    jm.registerTaskManager(tm);
    return new MiniCluster(tm, jm, graphs);
  }

  /** Submits a job. Inline slots use `graph` directly instead of re-running the program. */
  submitJob(
    graph: StreamGraph,
    program: JobProgram | undefined,
    settings: TaskSettings,
    options: JobOptions = {},
  ): JobMaster {
    const jobId = newJobId();
    this.#inlineGraphs.set(jobId, graph);
    const master = this.jobManager.submitJob(graph, program, settings, jobId, options);
    void master.result.then(() => this.#inlineGraphs.delete(jobId));
    return master;
  }

  /** Stops the TaskManager's slots. */
  async close(): Promise<void> {
    await this.taskManager.close();
  }
}
