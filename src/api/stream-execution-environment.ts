// The entry point of a DataStream program: configuration, sources, and execution on the
// embedded cluster. Nothing runs before execute(); in a slot's plan mode, execute() only hands
// over the plan.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { type JobResult, jobOptionsFrom, MiniCluster, taskSettingsFrom } from '../cluster/index.ts';
import {
  DataGeneratorSource,
  FileSource,
  IterableSource,
  NumberSequenceSource,
} from '../connectors/index.ts';
import {
  assertNever,
  Configuration,
  CoreOptions,
  describeValue,
  IllegalArgumentError,
} from '../core/index.ts';
import { type Source, type SourceSplit, WatermarkStrategy } from '../functions/index.ts';
import {
  generateStreamGraph,
  isPlanMode,
  type JobProgram,
  nextJobProgram,
  offerPlan,
  type PriorJobResult,
  recordJobResult,
  recordSavepoint,
  type StreamGraph,
  type Transformation,
} from '../plan/index.ts';
import { sourceOperatorFactory } from '../runtime/index.ts';
import { CheckpointConfig } from './checkpoint-config.ts';
import { DataStream } from './data-stream.ts';
import { ExecutionConfig } from './execution-config.ts';
import { embeddedJobClient, type JobClient, JobExecutionResult } from './job-client.ts';
import { pipelineExecutor } from './pipeline-executor.ts';
import type { RestartStrategyConfiguration } from './restart-strategies.ts';
import type { StateBackend } from './state-backends.ts';

function checkPositiveInt(what: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new IllegalArgumentError(`${what}: expected a positive integer, got ${describeValue(value)}`);
  }
}

/**
 * Builds and runs streaming jobs (Flink's StreamExecutionEnvironment).
 *
 * @example
 * const env = StreamExecutionEnvironment.getExecutionEnvironment();
 * env.fromElements(1, 2, 3).map((x) => x * 2).print();
 * await env.execute('doubles');
 */
export class StreamExecutionEnvironment {
  readonly #conf: Configuration;
  readonly #config: ExecutionConfig;
  #parallelism: number;
  #maxParallelism: number;
  #bufferTimeout: number;
  #chaining = true;
  #nextId = 0;
  #sinks: Transformation[] = [];

  private constructor(conf: Configuration) {
    this.#conf = conf;
    const p = conf.get(CoreOptions.DEFAULT_PARALLELISM);
    this.#parallelism = p === 0 ? availableParallelism() : p;
    this.#maxParallelism = conf.get(CoreOptions.MAX_PARALLELISM);
    this.#bufferTimeout = conf.get(CoreOptions.BUFFER_TIMEOUT);
    this.#config = new ExecutionConfig(conf.get(CoreOptions.AUTO_WATERMARK_INTERVAL));
  }

  /** The environment of the current program: the embedded cluster unless a cluster is configured. */
  static getExecutionEnvironment(
    conf?: Configuration | Readonly<Record<string, unknown>>,
  ): StreamExecutionEnvironment {
    const c =
      conf === undefined
        ? new Configuration()
        : conf instanceof Configuration
          ? conf.clone()
          : Configuration.fromMap(conf);
    return new StreamExecutionEnvironment(c);
  }

  /** A local environment with the given default parallelism. */
  static createLocalEnvironment(
    parallelism?: number,
    conf?: Readonly<Record<string, unknown>>,
  ): StreamExecutionEnvironment {
    const env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    if (parallelism !== undefined) env.setParallelism(parallelism);
    return env;
  }

  /** True while a worker re-runs the program to rebuild its plan (side effects may be skipped). */
  static isPlanMode(): boolean {
    return isPlanMode();
  }

  /** Default parallelism of operators. */
  setParallelism(parallelism: number): this {
    checkPositiveInt('setParallelism()', parallelism);
    if (parallelism > this.#maxParallelism) {
      throw new IllegalArgumentError(
        `setParallelism(): parallelism ${parallelism} is greater than max parallelism ${this.#maxParallelism}`,
      );
    }
    this.#parallelism = parallelism;
    return this;
  }

  getParallelism(): number {
    return this.#parallelism;
  }

  /** Number of key groups: the upper bound of rescaling keyed state. */
  setMaxParallelism(maxParallelism: number): this {
    checkPositiveInt('setMaxParallelism()', maxParallelism);
    if (maxParallelism > 32768) {
      throw new IllegalArgumentError(`setMaxParallelism(): must be at most 32768, got ${maxParallelism}`);
    }
    this.#maxParallelism = maxParallelism;
    return this;
  }

  getMaxParallelism(): number {
    return this.#maxParallelism;
  }

  /** Milliseconds after which partly filled network buffers are sent (0 = every record). */
  setBufferTimeout(timeoutMs: number): this {
    if (!Number.isInteger(timeoutMs) || timeoutMs < 0) {
      throw new IllegalArgumentError(
        `setBufferTimeout(): expected a non-negative integer of ms, got ${timeoutMs}`,
      );
    }
    this.#bufferTimeout = timeoutMs;
    return this;
  }

  getBufferTimeout(): number {
    return this.#bufferTimeout;
  }

  /** Disables operator chaining for the whole job. */
  disableOperatorChaining(): this {
    this.#chaining = false;
    return this;
  }

  /**
   * Takes a consistent checkpoint of all state every `intervalMs`; failures restart from the
   * latest one (by default with the exponential-delay restart strategy).
   */
  enableCheckpointing(intervalMs: number, mode: 'EXACTLY_ONCE' | 'AT_LEAST_ONCE' = 'EXACTLY_ONCE'): this {
    if (!Number.isInteger(intervalMs) || intervalMs < 10) {
      throw new IllegalArgumentError(
        `enableCheckpointing(): interval must be an integer of at least 10 ms, got ${describeValue(intervalMs)}`,
      );
    }
    this.#conf.set(CoreOptions.CHECKPOINTING_INTERVAL, intervalMs);
    this.#conf.set(CoreOptions.CHECKPOINTING_MODE, mode);
    return this;
  }

  /** Checkpoint settings (storage, pauses, timeouts, retention). */
  getCheckpointConfig(): CheckpointConfig {
    return new CheckpointConfig(this.#conf);
  }

  /** How the job restarts after failures. */
  setRestartStrategy(strategy: RestartStrategyConfiguration): this {
    strategy.applyTo(this.#conf);
    return this;
  }

  /** Where keyed state lives: `new HashMapStateBackend()` (default) or `new EmbeddedLmdbStateBackend()`. */
  setStateBackend(backend: StateBackend): this {
    backend.applyTo(this.#conf);
    return this;
  }

  getConfig(): ExecutionConfig {
    return this.#config;
  }

  /** The configuration this environment was created with. */
  getConfiguration(): Configuration {
    return this.#conf;
  }

  /** @internal next transformation id (creation order, deterministic). */
  nextTransformationId(): number {
    return this.#nextId++;
  }

  /** @internal registers a sink; the job is what the sinks reach. */
  addSink(t: Transformation): void {
    this.#sinks.push(t);
  }

  /** A stream from a split-based source. */
  fromSource<T>(
    source: Source<T, SourceSplit, unknown>,
    watermarkStrategy: WatermarkStrategy<T>,
    sourceName: string,
  ): DataStream<T> {
    if (source === null || typeof source !== 'object' || typeof source.createReader !== 'function') {
      throw new IllegalArgumentError(`fromSource(): expected a Source, got ${describeValue(source)}`);
    }
    if (!(watermarkStrategy instanceof WatermarkStrategy)) {
      throw new IllegalArgumentError(`fromSource(): expected a WatermarkStrategy for source "${sourceName}"`);
    }
    const t: Transformation = {
      kind: 'source',
      id: this.nextTransformationId(),
      name: sourceName,
      uid: undefined,
      parallelism: undefined,
      maxParallelism: undefined,
      chaining: 'always',
      factory: sourceOperatorFactory(source, watermarkStrategy),
      bounded: source.getBoundedness() === 'BOUNDED',
      fixedParallelism: source.maxSourceParallelism === 1 ? 1 : undefined,
    };
    return new DataStream<T>(this, t);
  }

  /** A bounded, non-parallel stream of the given values. */
  fromElements<T>(...values: T[]): DataStream<T> {
    return this.fromSource(new IterableSource(values), WatermarkStrategy.noWatermarks(), 'Collection Source');
  }

  /** A bounded, non-parallel stream over an iterable; a generator is consumed lazily as the job runs. */
  fromCollection<T>(values: Iterable<T>): DataStream<T> {
    if (values === null || typeof (values as Iterable<T>)[Symbol.iterator] !== 'function') {
      throw new IllegalArgumentError(`fromCollection(): expected an iterable, got ${describeValue(values)}`);
    }
    return this.fromSource(new IterableSource(values), WatermarkStrategy.noWatermarks(), 'Collection Source');
  }

  /** The integers from..to (inclusive), in parallel. */
  fromSequence(from: number, to: number): DataStream<number> {
    return this.fromSource(
      new NumberSequenceSource(from, to),
      WatermarkStrategy.noWatermarks(),
      'Sequence Source',
    );
  }

  /** The lines of a file, or of every file under a directory. */
  readTextFile(path: string): DataStream<string> {
    if (typeof path !== 'string' || !existsSync(path)) {
      throw new IllegalArgumentError(`readTextFile(): path ${describeValue(path)} does not exist`);
    }
    return this.fromSource(
      FileSource.forTextLines(path),
      WatermarkStrategy.noWatermarks(),
      `File Source: ${path}`,
    );
  }

  /** Records generated from their index (see DataGeneratorSource). */
  fromGenerator<T>(
    generator: (index: number) => T,
    count: number,
    options: { recordsPerSecond?: number } = {},
  ): DataStream<T> {
    return this.fromSource(
      new DataGeneratorSource(generator, count, options),
      WatermarkStrategy.noWatermarks(),
      'Data Generator',
    );
  }

  /** The StreamGraph of the pipeline built so far (for plans and tests). */
  getStreamGraph(jobName = 'Sluice Streaming Job'): StreamGraph {
    if (this.#sinks.length === 0) {
      throw new IllegalArgumentError(
        'No operators defined in streaming topology. Cannot execute: add a sink (print(), sinkTo(), executeAndCollect()).',
      );
    }
    const reachable = new Map<number, Transformation>();
    const visit = (t: Transformation): void => {
      if (reachable.has(t.id)) return;
      reachable.set(t.id, t);
      switch (t.kind) {
        case 'source':
          return;
        case 'one-input':
        case 'partition':
        case 'side-output':
          visit(t.input);
          return;
        case 'two-input':
          visit(t.input1);
          visit(t.input2);
          return;
        case 'union':
          for (const i of t.inputs) visit(i);
          return;
        default: {
          assertNever(t, 'transformation');
        }
      }
    };
    for (const s of this.#sinks) visit(s);
    return generateStreamGraph([...reachable.values()], {
      jobName,
      defaultParallelism: this.#parallelism,
      maxParallelism: this.#maxParallelism,
      chainingEnabled: this.#chaining,
    });
  }

  /** Runs the job and resolves when it finishes; rejects with the root cause when it fails. */
  async execute(jobName?: string): Promise<JobExecutionResult> {
    const client = await this.executeAsync(jobName);
    return client.getJobExecutionResult();
  }

  /** Starts the job and returns a client for it. */
  async executeAsync(jobName = 'Sluice Streaming Job'): Promise<JobClient> {
    return (await this.#submit(jobName)).client;
  }

  /** @internal runs the job and returns what its collect sink received. */
  async executeAndCollectInternal(jobName: string | undefined): Promise<unknown[]> {
    const { client, done } = await this.#submit(jobName ?? 'Sluice Streaming Job');
    await client.getJobExecutionResult();
    return (await done).collected;
  }

  async #submit(jobName: string): Promise<{ client: JobClient; done: Promise<JobResult> }> {
    const graph = this.getStreamGraph(jobName);
    this.#sinks = [];
    if (isPlanMode()) {
      // Never settles for the job being planned; an earlier job of the program stands in with
      // what it returned in the client.
      return finishedStandIn(jobName, await offerPlan(graph));
    }
    const remote = pipelineExecutor();
    if (remote !== undefined) {
      const program = nextJobProgram();
      return recordResult(
        program,
        await remote.execute({
          graph,
          program,
          configuration: this.#conf.toMap(),
          taskSettings: {
            bufferTimeout: this.#bufferTimeout,
            autoWatermarkInterval: this.#config.getAutoWatermarkInterval(),
          },
        }),
      );
    }
    const mode = this.#conf.get(CoreOptions.LOCAL_EXECUTION);
    const program = mode === 'threads' ? nextJobProgram() : undefined;
    const jobParallelism = Math.max(...graph.nodes.map((n) => n.parallelism));
    const configuredSlots = this.#conf.get(CoreOptions.TASK_SLOTS);
    // Validated before any worker thread starts: a bad option must not leave a cluster behind.
    const settings = taskSettingsFrom(this.#conf, {
      bufferTimeout: this.#bufferTimeout,
      autoWatermarkInterval: this.#config.getAutoWatermarkInterval(),
    });
    const options = jobOptionsFrom(this.#conf);
    const cluster = await MiniCluster.start({
      slots: configuredSlots > 0 ? configuredSlots : jobParallelism,
      mode: program === undefined ? 'inline' : mode,
      typescript: program !== undefined && /\.[mc]?tsx?$/.test(program.moduleUrl),
    });
    const master = cluster.submitJob(graph, program, settings, options);
    const done = master.result.finally(() => cluster.close());
    return recordResult(program, { client: embeddedJobClient(master, done), done });
  }
}

/** Remembers a finished job's result for the plan-mode re-runs of the program's later jobs. */
function recordResult(
  program: JobProgram | undefined,
  submitted: { client: JobClient; done: Promise<JobResult> },
): { client: JobClient; done: Promise<JobResult> } {
  if (program === undefined) return submitted;
  submitted.done.then(
    (r) => {
      if (r.status === 'FINISHED') {
        recordJobResult(program, { jobId: r.jobId, netRuntime: r.netRuntime, collected: r.collected });
      }
    },
    () => {},
  );
  const client = submitted.client;
  const remember = async (savepoint: Promise<string>): Promise<string> => {
    const path = await savepoint;
    recordSavepoint(program, path);
    return path;
  };
  return {
    done: submitted.done,
    client: {
      jobId: client.jobId,
      getJobStatus: () => client.getJobStatus(),
      cancel: () => client.cancel(),
      triggerSavepoint: (dir) => remember(client.triggerSavepoint(dir)),
      stopWithSavepoint: (dir, drain) => remember(client.stopWithSavepoint(dir, drain)),
      getJobExecutionResult: () => client.getJobExecutionResult(),
    },
  };
}

/** In plan mode, an earlier job of the program: finished, with the result it had in the client. */
function finishedStandIn(
  jobName: string,
  prior: PriorJobResult | undefined,
): { client: JobClient; done: Promise<JobResult> } {
  const result: JobResult = {
    jobId: prior?.jobId ?? '0'.repeat(32),
    jobName,
    status: 'FINISHED',
    netRuntime: prior?.netRuntime ?? 0,
    failure: undefined,
    collected: [...(prior?.collected ?? [])],
  };
  const savepoints = [...(prior?.savepoints ?? [])];
  const savepoint = (): Promise<string> => {
    const path = savepoints.shift();
    return path === undefined
      ? Promise.reject(new IllegalArgumentError(`job "${jobName}" has already finished`))
      : Promise.resolve(path);
  };
  const client: JobClient = {
    jobId: result.jobId,
    getJobStatus: () => Promise.resolve('FINISHED'),
    cancel: () => Promise.resolve(),
    // The paths the client's calls resolved with, in the same order.
    triggerSavepoint: savepoint,
    stopWithSavepoint: savepoint,
    getJobExecutionResult: () =>
      Promise.resolve(new JobExecutionResult(result.jobId, jobName, result.netRuntime)),
  };
  return { client, done: Promise.resolve(result) };
}
