// Where execute() sends a job: by default the embedded cluster in this process; a command line
// that targets a standalone cluster (`sluice run -m host:port`) installs an executor that submits
// the job there instead (Flink's PipelineExecutor). Keeps the API layer free of any transport.
import type { JobResult } from '../cluster/index.ts';
import type { JobProgram, StreamGraph } from '../plan/index.ts';
import type { JobClient } from './job-client.ts';

/** What execute() hands to a PipelineExecutor. */
export interface PipelineSubmission {
  readonly graph: StreamGraph;
  /** How to rebuild the plan elsewhere (module, arguments, which execute() call). */
  readonly program: JobProgram | undefined;
  /** The environment's configuration (explicitly set keys). */
  readonly configuration: Readonly<Record<string, unknown>>;
  /** Settings set on the environment outside the configuration. */
  readonly taskSettings: { readonly bufferTimeout: number; readonly autoWatermarkInterval: number };
}

/**
 * Runs jobs somewhere other than the embedded cluster.
 *
 * @example
 * setPipelineExecutor({ execute: async (s) => submitToMyCluster(s) });
 */
export interface PipelineExecutor {
  execute(submission: PipelineSubmission): Promise<{ client: JobClient; done: Promise<JobResult> }>;
}

let installed: PipelineExecutor | undefined;

/** Installs (or, with undefined, removes) the executor of this process' execute() calls. */
export function setPipelineExecutor(executor: PipelineExecutor | undefined): void {
  installed = executor;
}

/** The installed executor, if any. */
export function pipelineExecutor(): PipelineExecutor | undefined {
  return installed;
}
