// `sluice run -m host:port`: bundles the job file, uploads the bundle to the JobManager, then runs
// the program here as Flink's client does — each execute() submits its job to the cluster (the
// JobManager rebuilds the same plan from the bundle) and, unless detached, follows it to its end.
import { basename } from 'node:path';
import { type JobClient, JobExecutionResult, jobResultError, setPipelineExecutor } from '../api/index.ts';
import type { JobResult, JobStatus } from '../cluster/index.ts';
import { Configuration } from '../core/index.ts';
import { loadJobProgram, resolveJobFile, runJobProgram } from './job-program-loader.ts';
import { RestClusterClient } from './rest-cluster-client.ts';

/** Options of `sluice run -m`. */
export interface RemoteRunOptions {
  readonly jobmanager: string;
  readonly parallelism?: number;
  readonly detached: boolean;
  readonly token: string;
  /** Start from this savepoint (`-s`). */
  readonly savepointPath?: string;
  /** With `savepointPath`: allow state of operators that no longer exist. */
  readonly allowNonRestoredState?: boolean;
  /** Where the CLI's own lines go (default stdout). */
  readonly out?: (line: string) => void;
  /** Where notices go, e.g. that a job waits for task slots (default stderr). */
  readonly warn?: (line: string) => void;
}

function toJobResult(
  jobId: string,
  jobName: string,
  r: Awaited<ReturnType<RestClusterClient['waitForResult']>>,
): JobResult {
  const status =
    r['application-status'] === 'SUCCEEDED'
      ? 'FINISHED'
      : r['application-status'] === 'CANCELED'
        ? 'CANCELED'
        : 'FAILED';
  const cause = r['failure-cause'];
  return {
    jobId,
    jobName,
    status,
    netRuntime: r['net-runtime'],
    failure:
      cause === undefined
        ? undefined
        : {
            name: cause.class,
            message: cause['stack-trace'].split('\n')[0] ?? cause.class,
            stack: cause['stack-trace'],
          },
    collected: r.collected ?? [],
  };
}

/**
 * Runs a job file against a standalone cluster.
 *
 * @example
 * await runJobOnCluster('jobs/word-count.ts', ['2', 'a b'], { jobmanager: '127.0.0.1:8081', detached: true, token: '' });
 */
export async function runJobOnCluster(
  file: string,
  args: readonly string[],
  options: RemoteRunOptions,
): Promise<void> {
  const out = options.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const warn = options.warn ?? ((line: string) => process.stderr.write(`${line}\n`));
  const path = resolveJobFile(file);
  const client = new RestClusterClient(options.jobmanager, options.token);
  // One bundle: the client runs it (linked here) and the cluster runs it (linked there).
  const job = await loadJobProgram(file);
  const { filename: jarId } = await client.uploadBundle(
    basename(path).replace(/\.[mc]?[jt]sx?$/, '.mjs'),
    job.code,
  );
  const defaults: Record<string, unknown> = {};
  if (options.parallelism !== undefined) defaults['parallelism.default'] = options.parallelism;
  Configuration.setGlobalDefaults(defaults);
  setPipelineExecutor({
    async execute(submission) {
      const program = submission.program;
      const { jobid } = await client.runBundle(jarId, {
        programArgsList: [...args],
        executeIndex: program?.executeIndex ?? 0,
        configuration: program?.configuration ?? defaults,
        jobConfiguration: submission.configuration,
        taskSettings: submission.taskSettings,
        fingerprint: submission.graph.fingerprint,
        priorResults: (program?.priorResults ?? []).map((r) => r ?? null),
        ...(options.savepointPath === undefined
          ? {}
          : {
              savepointPath: options.savepointPath,
              allowNonRestoredState: options.allowNonRestoredState === true,
            }),
      });
      out(`Job has been submitted with JobID ${jobid}`);
      // The JobManager takes free slots at submission, so a job still without slots now waits for
      // them — up to slot.request.timeout (5 min): say so rather than follow it in silence.
      const notice = await client.slotWaitNotice(jobid).catch(() => undefined);
      if (notice !== undefined) warn(notice);
      const name = submission.graph.jobName;
      const done: Promise<JobResult> = options.detached
        ? Promise.resolve({
            jobId: jobid,
            jobName: name,
            status: 'FINISHED',
            netRuntime: 0,
            failure: undefined,
            collected: [],
          })
        : client.waitForResult(jobid).then((r) => {
            const result = toJobResult(jobid, name, r);
            if (result.status === 'FINISHED') {
              out(
                `Program execution finished\nJob with JobID ${jobid} has finished.\nJob Runtime: ${result.netRuntime} ms`,
              );
            }
            return result;
          });
      const jobClient: JobClient = {
        jobId: jobid,
        getJobStatus: async () => (await client.job(jobid)).state as JobStatus,
        cancel: async () => {
          await client.cancel(jobid);
          if (!options.detached) await done;
        },
        triggerSavepoint: (dir?: string) => client.savepoint(jobid, { dir }),
        stopWithSavepoint: async (dir?: string, drain = false) => {
          const path = await client.savepoint(jobid, { dir, stop: true, drain });
          if (!options.detached) {
            const result = await done;
            if (result.status === 'FAILED') throw jobResultError(result);
          }
          return path;
        },
        getJobExecutionResult: async () => {
          const result = await done;
          if (result.status !== 'FINISHED') throw jobResultError(result);
          return new JobExecutionResult(result.jobId, result.jobName, result.netRuntime);
        },
      };
      return { client: jobClient, done };
    },
  });
  try {
    await runJobProgram(job, args);
  } finally {
    setPipelineExecutor(undefined);
  }
}
