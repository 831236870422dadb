// The JobManager process' job service: keeps uploaded job bundles ("jars", as Flink's REST API
// calls them), turns a run request into a job — re-running the bundle in plan mode here, as the
// TaskManagers' slots will, to get the StreamGraph and its source enumerators — and hands it to
// the JobManager. The REST API is a thin layer over this class.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import {
  Configuration,
  CoreOptions,
  IllegalArgumentError,
  isJobId,
  type JobId,
  newJobId,
} from '../core/index.ts';
import { capturePlan, type JobProgram, type PriorJobResult, type StreamGraph } from '../plan/index.ts';
import type { TaskSettings } from '../runtime/index.ts';
import { type ClusterConfiguration, ClusterOptions } from './cluster-configuration.ts';
import { FileJobStore, latestCheckpointOf } from './file-job-store.ts';
import { JobBundleStore } from './job-bundle-store.ts';
import { jobOptionsFrom, taskSettingsFrom } from './job-configuration.ts';
import { JobManager } from './job-manager.ts';
import type { JobMaster } from './job-master.ts';
import { probePlan } from './plan-probe.ts';
import { ResourceManager } from './resource-manager.ts';

/** An uploaded job bundle. */
export interface UploadedJar {
  readonly id: string;
  readonly name: string;
  readonly uploaded: number;
  readonly size: number;
}

/** A request to run an uploaded bundle (the body of `POST /jars/:jarid/run`). */
export interface RunJarRequest {
  /** What the program sees as `process.argv.slice(2)`. */
  readonly programArgsList?: readonly string[];
  /** Default parallelism (`parallelism.default`), as `sluice run -p`. */
  readonly parallelism?: number;
  /** Which execute() call of the program is the job (0-based; the client counts them). */
  readonly executeIndex?: number;
  /** Process-wide configuration defaults of the client (e.g. `-p`), seen by the program in plan mode. */
  readonly configuration?: Readonly<Record<string, unknown>>;
  /** The configuration of the program's execution environment (checkpointing, buffers, ...). */
  readonly jobConfiguration?: Readonly<Record<string, unknown>>;
  /** Fingerprint of the client's StreamGraph; the job fails to start if the plan differs. */
  readonly fingerprint?: string;
  /** Runtime settings of the job's tasks. */
  readonly taskSettings?: Partial<TaskSettings>;
  /** A job id to use (32 hex characters); default: a fresh one. */
  readonly jobId?: string;
  /** Start from this savepoint or retained checkpoint directory (`sluice run -s`). */
  readonly savepointPath?: string;
  /** Allow savepoint state of operators that no longer exist. */
  readonly allowNonRestoredState?: boolean;
  /**
   * What the program's earlier execute() calls returned in the client, by index: plan mode
   * returns the same from them, so code between jobs builds the same pipeline here.
   */
  readonly priorResults?: readonly (PriorJobResult | null | undefined)[];
}

/** Checks the task settings a client sent (the environment's values outside its configuration). */
function settingsOverrides(requested: Partial<TaskSettings> | undefined): {
  bufferTimeout?: number;
  autoWatermarkInterval?: number;
} {
  const out: { bufferTimeout?: number; autoWatermarkInterval?: number } = {};
  for (const key of ['bufferTimeout', 'autoWatermarkInterval'] as const) {
    const v = requested?.[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
      throw new IllegalArgumentError(
        `taskSettings.${key}: expected an integer >= 0, got ${JSON.stringify(v)}`,
      );
    }
    out[key] = v;
  }
  return out;
}

/**
 * Jobs of a standalone JobManager.
 *
 * @example
 * const dispatcher = new Dispatcher(ClusterConfiguration.load({}));
 * const jar = await dispatcher.uploadJar('job.mjs', code);
 * const jobId = await dispatcher.runJar(jar.id, { programArgsList: ['--n', '10'] });
 */
export class Dispatcher {
  readonly configuration: ClusterConfiguration;
  readonly jobManager: JobManager;
  readonly resourceManager: ResourceManager;
  readonly startTime = Date.now();
  readonly #store: JobBundleStore;
  readonly #jars = new Map<string, UploadedJar & { readonly code: Uint8Array }>();
  /** Bundle of each job (sent to TaskManagers). */
  readonly #jobBundles = new Map<string, Uint8Array>();
  /** Plan captures run one at a time: plan mode is process-wide. */
  #captures: Promise<unknown> = Promise.resolve();
  readonly #log: ((line: string) => void) | undefined;
  /** Reactive mode (`scheduler-mode: reactive`). */
  readonly #reactive: boolean;
  readonly #reactiveJobs = new Map<string, ReactiveJob>();
  readonly #reactiveTimer: NodeJS.Timeout | undefined;
  #lastTarget = 0;
  #targetSince = 0;
  /** High availability: the record of running jobs. */
  readonly #jobStore: FileJobStore | undefined;
  #closing = false;

  constructor(configuration: ClusterConfiguration, log?: (line: string) => void) {
    this.configuration = configuration;
    this.#log = log;
    this.#reactive = configuration.get(ClusterOptions.SCHEDULER_MODE) === 'reactive';
    this.#jobStore =
      configuration.get(ClusterOptions.HA_TYPE) === 'file'
        ? new FileJobStore(configuration.get(ClusterOptions.HA_STORAGE_DIR))
        : undefined;
    if (this.#reactive) {
      this.#reactiveTimer = setInterval(() => this.#reactiveTick(), 250);
      this.#reactiveTimer.unref();
    }
    this.#store = new JobBundleStore('sluice-jobmanager', configuration.get(ClusterOptions.IO_TMP_DIRS));
    this.jobManager = new JobManager({
      slotRequestTimeoutMs: configuration.get(ClusterOptions.SLOT_REQUEST_TIMEOUT),
      shareSlotsWhenShort: false,
    });
    this.resourceManager = new ResourceManager(this.jobManager, {
      heartbeatIntervalMs: configuration.get(ClusterOptions.HEARTBEAT_INTERVAL),
      heartbeatTimeoutMs: configuration.get(ClusterOptions.HEARTBEAT_TIMEOUT),
      token: configuration.get(ClusterOptions.SECURITY_TOKEN),
      bundleOf: (jobId) => this.#jobBundles.get(jobId),
      ...(log === undefined ? {} : { log }),
    });
  }

  /** Stores an uploaded bundle. */
  uploadJar(name: string, code: Uint8Array): UploadedJar {
    if (code.length === 0) throw new IllegalArgumentError('the uploaded job bundle is empty');
    const safe = name.replace(/[^A-Za-z0-9._-]/g, '_').slice(-100) || 'job.mjs';
    const id = `${randomBytes(16).toString('hex')}_${safe}`;
    const jar = { id, name: safe, uploaded: Date.now(), size: code.length, code };
    this.#jars.set(id, jar);
    return { id, name: safe, uploaded: jar.uploaded, size: jar.size };
  }

  /** Uploaded bundles, newest first. */
  listJars(): UploadedJar[] {
    return [...this.#jars.values()]
      .map(({ id, name, uploaded, size }) => ({ id, name, uploaded, size }))
      .sort((a, b) => b.uploaded - a.uploaded);
  }

  /** Deletes an uploaded bundle; false when there is none by that id. */
  deleteJar(id: string): boolean {
    return this.#jars.delete(id);
  }

  /**
   * Runs an uploaded bundle: rebuilds its plan in plan mode and submits the job. Rejects with an
   * IllegalArgumentError when the request or the program is at fault.
   */
  async runJar(jarId: string, request: RunJarRequest): Promise<JobMaster> {
    const jar = this.#jars.get(jarId);
    if (jar === undefined) throw new NotFoundError(`no uploaded job bundle with id ${jarId}`);
    if (request.jobId !== undefined && !isJobId(request.jobId)) {
      throw new IllegalArgumentError(
        `jobId: expected 32 lowercase hex characters, got ${JSON.stringify(request.jobId)}`,
      );
    }
    const jobId = (request.jobId ?? newJobId()) as JobId;
    if (this.jobManager.getJob(jobId) !== undefined) {
      throw new IllegalArgumentError(`job ${jobId} exists already`);
    }
    // With high availability the job is recorded before it starts, and forgotten if it cannot.
    await this.#jobStore?.put({ jobId, code: jar.code, request: { ...request, jobId } });
    try {
      return await this.#start(jobId, jar.code, request, 0);
    } catch (e) {
      this.#jobStore?.remove(jobId);
      throw e;
    }
  }

  async #start(
    jobId: JobId,
    code: Uint8Array,
    request: RunJarRequest,
    generation: number,
  ): Promise<JobMaster> {
    if (!this.#reactive) return this.#run(jobId, code, request, undefined, generation);
    // Reactive mode: the job's default parallelism is the cluster's slot count, whatever the
    // client planned with (so the client's plan fingerprint does not apply).
    const parallelism = this.#targetParallelism();
    const master = await this.#run(jobId, code, request, parallelism, generation);
    this.#reactiveJobs.set(jobId, { code, request, parallelism, generation, rescaling: false });
    return master;
  }

  /**
   * High availability: runs every job the store recorded (jobs of an earlier JobManager process)
   * again, each from its latest completed checkpoint (or from where it started, without one).
   * Resolves with the ids of the recovered jobs.
   */
  async recoverJobs(): Promise<string[]> {
    const store = this.#jobStore;
    if (store === undefined) return [];
    const recovered: string[] = [];
    for (const job of store.list()) {
      const jobId = job.jobId as JobId;
      if (this.jobManager.getJob(jobId) !== undefined) continue;
      try {
        const { jobConf } = this.#configurations(job.request, undefined);
        const base = jobOptionsFrom(jobConf).checkpointing?.baseDir;
        const latest = base === undefined ? undefined : latestCheckpointOf(base, jobId);
        const request: RunJarRequest = {
          ...job.request,
          ...(latest === undefined ? {} : { savepointPath: latest.dir, allowNonRestoredState: false }),
        };
        // A new run checkpoints into its own directory, beside the retained ones it restores from.
        await this.#start(jobId, job.code, request, Date.now());
        this.#log?.(
          `recovered job ${jobId}${latest === undefined ? ' (no checkpoint: from the start)' : ` from checkpoint ${latest.dir}`}`,
        );
        recovered.push(jobId);
      } catch (e) {
        this.#log?.(`could not recover job ${jobId}: ${(e as Error).message}`);
      }
    }
    return recovered;
  }

  /** The plan-mode configuration and the job configuration of a run request. */
  #configurations(
    request: RunJarRequest,
    parallelism: number | undefined,
  ): { conf: Configuration; jobConf: Configuration } {
    const raw: Record<string, unknown> = { ...(request.configuration ?? {}) };
    if (request.parallelism !== undefined) raw['parallelism.default'] = request.parallelism;
    if (parallelism !== undefined) raw['parallelism.default'] = parallelism;
    const conf = Configuration.fromMap(raw);
    // The cluster's core options (checkpoint storage, restart strategy, ...) are the job's
    // defaults; the client's configuration wins. The plan itself is the client's (plan mode sees
    // only the client's defaults), so options that shape it (parallelism) come from the client.
    const jobConf = Configuration.fromMap({
      ...this.configuration.core.toMap(),
      ...raw,
      ...(request.jobConfiguration ?? {}),
    });
    return { conf, jobConf };
  }

  /** Whether job `jobId` is being rescaled (its current run ends, a new one follows). */
  isRescaling(jobId: string): boolean {
    return this.#reactiveJobs.get(jobId)?.rescaling === true;
  }

  /**
   * Starts one run of a job. `parallelism` (reactive mode) replaces the client's default
   * parallelism and skips the fingerprint check.
   */
  async #run(
    jobId: JobId,
    code: Uint8Array,
    request: RunJarRequest,
    parallelism: number | undefined,
    generation = 0,
  ): Promise<JobMaster> {
    const args = request.programArgsList ?? [];
    if (!Array.isArray(args) || args.some((a) => typeof a !== 'string')) {
      throw new IllegalArgumentError('programArgsList: expected an array of strings');
    }
    const executeIndex = request.executeIndex ?? 0;
    if (!Number.isInteger(executeIndex) || executeIndex < 0) {
      throw new IllegalArgumentError(
        `executeIndex: expected a non-negative integer, got ${JSON.stringify(executeIndex)}`,
      );
    }
    const { conf, jobConf } = this.#configurations(request, parallelism);
    if (request.savepointPath !== undefined) {
      if (typeof request.savepointPath !== 'string' || request.savepointPath === '') {
        throw new IllegalArgumentError('savepointPath: expected a directory path');
      }
      jobConf.set(CoreOptions.SAVEPOINT_PATH, request.savepointPath);
      if (request.allowNonRestoredState === true) jobConf.set(CoreOptions.SAVEPOINT_IGNORE_UNCLAIMED, true);
    }
    if (generation > 0) {
      // A rescaled run checkpoints beside the earlier runs' (same job id), never into their
      // directories, which the earlier run is still discarding.
      const base = jobOptionsFrom(jobConf).checkpointing?.baseDir;
      if (base !== undefined) jobConf.set(CoreOptions.CHECKPOINTS_DIRECTORY, join(base, `run-${generation}`));
    }
    const settings = taskSettingsFrom(jobConf, settingsOverrides(request.taskSettings));
    const jobOptions = jobOptionsFrom(jobConf);
    const prior = request.priorResults ?? [];
    if (!Array.isArray(prior) || prior.some((p) => p !== null && p !== undefined && typeof p !== 'object')) {
      throw new IllegalArgumentError('priorResults: expected an array of job results');
    }
    // One bundle file per run: a module is imported once per process, and a rescaled job must
    // run its program again.
    const fileId = `${jobId}-${generation}`;
    const moduleUrl = await this.#store.put(fileId, code);
    const program: JobProgram = {
      moduleUrl,
      args,
      executeIndex,
      configuration: conf.toMap(),
      // JSON has no undefined: a job without a result travels as null.
      priorResults: prior.map((p) => p ?? undefined),
    };
    let graph: StreamGraph;
    try {
      graph = await this.#capture(program);
    } catch (e) {
      this.#store.remove(fileId);
      throw new IllegalArgumentError(
        `the job program failed to build its pipeline: ${(e as Error).message}`,
        {
          cause: e,
        },
      );
    }
    if (
      parallelism === undefined &&
      request.fingerprint !== undefined &&
      request.fingerprint !== graph.fingerprint
    ) {
      this.#store.remove(fileId);
      throw new IllegalArgumentError(
        `the job program built a different pipeline on the JobManager (plan ${graph.fingerprint}) than in the client ` +
          `(plan ${request.fingerprint}): pipeline construction must be deterministic`,
      );
    }
    this.#jobBundles.set(jobId, code);
    const master = this.jobManager.submitJob(graph, program, settings, jobId, jobOptions);
    void master.result.then(() => {
      this.#store.remove(fileId);
      if (this.jobManager.getJob(jobId) === master && !this.isRescaling(jobId) && !this.#closing) {
        this.#jobBundles.delete(jobId);
        this.#reactiveJobs.delete(jobId);
        this.#jobStore?.remove(jobId);
      }
    });
    return master;
  }

  /** Reactive mode: the parallelism jobs should have — every slot of the cluster. */
  #targetParallelism(): number {
    return Math.max(
      1,
      this.jobManager.taskManagers().reduce((n, t) => n + t.gateway.slots, 0),
    );
  }

  /**
   * Reactive mode, every tick: once the slot count has been stable for the stabilization
   * timeout, rescales each running job whose parallelism differs — stop with a savepoint, then
   * the same job (same id) again from that savepoint at the new parallelism.
   */
  #reactiveTick(): void {
    const target = this.#targetParallelism();
    const now = Date.now();
    if (target !== this.#lastTarget) {
      this.#lastTarget = target;
      this.#targetSince = now;
      return;
    }
    if (now - this.#targetSince < this.configuration.get(ClusterOptions.RESOURCE_STABILIZATION_TIMEOUT))
      return;
    for (const [jobId, job] of this.#reactiveJobs) {
      const master = this.jobManager.getJob(jobId);
      if (master === undefined || job.rescaling || job.parallelism === target || master.status !== 'RUNNING')
        continue;
      void this.#rescale(jobId as JobId, job, master, target);
    }
  }

  async #rescale(jobId: JobId, job: ReactiveJob, master: JobMaster, target: number): Promise<void> {
    job.rescaling = true;
    const from = job.parallelism;
    try {
      const dir = join(this.#savepointBase(), `${jobId}-rescale-${job.generation + 1}`);
      this.#log?.(
        `reactive mode: rescaling job ${jobId} from parallelism ${from} to ${target} (savepoint ${dir})`,
      );
      const path = await master.stopWithSavepoint(dir, false);
      const result = await master.result;
      if (result.status !== 'FINISHED') {
        this.#log?.(`reactive mode: job ${jobId} ended ${result.status} while rescaling; not restarted`);
        return;
      }
      job.generation++;
      job.parallelism = target;
      await this.#run(jobId, job.code, { ...job.request, savepointPath: path }, target, job.generation);
    } catch (e) {
      this.#log?.(`reactive mode: rescaling job ${jobId} failed: ${(e as Error).message}`);
    } finally {
      job.rescaling = false;
    }
  }

  #savepointBase(): string {
    const configured = this.configuration.core.get(CoreOptions.SAVEPOINT_DIRECTORY);
    return configured === '' ? join(this.#store.directory, 'rescale-savepoints') : configured;
  }

  #capture(program: JobProgram): Promise<StreamGraph> {
    const run = async (): Promise<StreamGraph> => {
      const argv = process.argv;
      const defaults = Configuration.globalDefaults();
      try {
        // In a worker thread first: a program that loops before its execute() must not block this one.
        const timeoutMs = this.configuration.get(ClusterOptions.PLAN_MODE_TIMEOUT);
        await probePlan(program, timeoutMs);
        return await capturePlan(program, timeoutMs);
      } finally {
        process.argv = argv;
        Configuration.setGlobalDefaults(defaults);
      }
    };
    const result = this.#captures.then(run, run);
    this.#captures = result.catch(() => {});
    return result;
  }

  /** Stops the cluster side: disconnects TaskManagers and deletes bundles. */
  close(): void {
    this.#closing = true;
    if (this.#reactiveTimer !== undefined) clearInterval(this.#reactiveTimer);
    this.#reactiveJobs.clear();
    // With high availability running jobs stay recorded (and their checkpoints kept) for the
    // next JobManager; the TaskManagers cancel their tasks when this one goes away.
    if (this.#jobStore === undefined) for (const job of this.jobManager.listJobs()) job.cancel();
    this.resourceManager.close();
    this.#store.close();
  }
}

/** A job of a reactive-mode cluster: what it takes to run it again at another parallelism. */
interface ReactiveJob {
  readonly code: Uint8Array;
  readonly request: RunJarRequest;
  parallelism: number;
  generation: number;
  rescaling: boolean;
}

/** A resource that does not exist (REST answers 404). */
export class NotFoundError extends IllegalArgumentError {}
