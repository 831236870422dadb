// Handles to a submitted job: its status, its cancellation and its result.

import type { JobMaster, JobResult, JobStatus } from '../cluster/index.ts';
import { JobExecutionError } from '../core/index.ts';

/**
 * The result of a finished job.
 *
 * @example
 * const result = await env.execute('my job');
 * console.log(result.getNetRuntime());
 */
export class JobExecutionResult {
  readonly jobId: string;
  readonly jobName: string;
  readonly netRuntime: number;
  constructor(jobId: string, jobName: string, netRuntime: number) {
    this.jobId = jobId;
    this.jobName = jobName;
    this.netRuntime = netRuntime;
  }
  getJobID(): string {
    return this.jobId;
  }
  /** Milliseconds the job ran. */
  getNetRuntime(): number {
    return this.netRuntime;
  }
}

/** Turns a failed or cancelled job's outcome into the error execute() rejects with. */
export function jobResultError(result: JobResult): JobExecutionError {
  if (result.status === 'CANCELED') {
    return new JobExecutionError(result.jobId, `Job "${result.jobName}" (${result.jobId}) was cancelled`, {
      code: 'JOB_CANCELLED',
    });
  }
  const f = result.failure;
  const message = `Job "${result.jobName}" (${result.jobId}) failed: ${f?.message ?? 'unknown cause'}`;
  const error = new JobExecutionError(result.jobId, message);
  error.stack = `${error.name}: ${message}\n${f?.stack ?? ''}`;
  return error;
}

/**
 * A running job (Flink's JobClient).
 *
 * @example
 * const client = await env.executeAsync('clicks');
 * await client.cancel();
 */
export interface JobClient {
  readonly jobId: string;
  getJobStatus(): Promise<JobStatus>;
  cancel(): Promise<void>;
  /** Takes a savepoint (into `dir`, or `state.savepoints.dir`); resolves with its path. */
  triggerSavepoint(dir?: string): Promise<string>;
  /**
   * Takes a savepoint and stops the job; resolves with the savepoint's path once the job has
   * stopped. With `drain`, the max watermark is emitted first so every event-time timer fires.
   */
  stopWithSavepoint(dir?: string, drain?: boolean): Promise<string>;
  /** Resolves when the job finishes; rejects when it fails or is cancelled. */
  getJobExecutionResult(): Promise<JobExecutionResult>;
}

/** A JobClient for a job of the embedded cluster. */
export function embeddedJobClient(master: JobMaster, done: Promise<JobResult>): JobClient {
  return {
    jobId: master.jobId,
    getJobStatus: () => Promise.resolve(master.status),
    cancel: async () => {
      master.cancel();
      await done;
    },
    triggerSavepoint: (dir) => master.triggerSavepoint(dir),
    stopWithSavepoint: async (dir, drain = false) => {
      const path = await master.stopWithSavepoint(dir, drain);
      const result = await done;
      if (result.status === 'FAILED') throw jobResultError(result);
      return path;
    },
    getJobExecutionResult: async () => {
      const result = await done;
      if (result.status !== 'FINISHED') throw jobResultError(result);
      return new JobExecutionResult(result.jobId, result.jobName, result.netRuntime);
    },
  };
}
