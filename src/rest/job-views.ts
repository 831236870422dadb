// The JSON documents of the REST API, in Flink's shapes and field names: what `GET /jobs/:id`,
// `/jobs/overview`, `/jobs/:id/vertices/:vid`, `/jobs/:id/exceptions`, `/jobs/:id/checkpoints` and
// `/taskmanagers` return, built from a JobMaster's (and the Dispatcher's) monitoring view.

import { describeRestartStrategy } from '../checkpoint/index.ts';
import type {
  Dispatcher,
  ExecutionState,
  JobMaster,
  JobResult,
  JobStatus,
  SubtaskStatus,
} from '../cluster/index.ts';
import type { JobVertex } from '../plan/index.ts';

/** Flink's execution states, as counted in `tasks` objects. */
export const TASK_STATES = [
  'CREATED',
  'SCHEDULED',
  'DEPLOYING',
  'RUNNING',
  'FINISHED',
  'CANCELING',
  'CANCELED',
  'FAILED',
  'RECONCILING',
  'INITIALIZING',
] as const;

type FlinkTaskState = (typeof TASK_STATES)[number];

/** Every state of Flink's JobStatus (job `timestamps` list them all). */
export const FLINK_JOB_STATES = [
  'INITIALIZING',
  'CREATED',
  'RUNNING',
  'FAILING',
  'FAILED',
  'CANCELLING',
  'CANCELED',
  'FINISHED',
  'RESTARTING',
  'SUSPENDED',
  'RECONCILING',
] as const;

function taskState(job: JobMaster, s: ExecutionState): FlinkTaskState {
  if (job.status === 'CREATED') return 'CREATED';
  if (s === 'RUNNING' && (job.status === 'CANCELLING' || job.status === 'FAILING')) return 'CANCELING';
  // A job that ended with tasks that never reported an end (it failed while loading or restoring,
  // before they ran, or their teardown timed out) shows them CANCELED, as Flink does.
  if ((s === 'DEPLOYING' || s === 'RUNNING') && isTerminal(job.status)) return 'CANCELED';
  return s;
}

function countTasks(states: readonly FlinkTaskState[]): Record<FlinkTaskState, number> {
  const out = Object.fromEntries(TASK_STATES.map((s) => [s, 0])) as Record<FlinkTaskState, number>;
  for (const s of states) out[s]++;
  return out;
}

function lowerKeys(counts: Record<FlinkTaskState, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).map(([k, v]) => [k.toLowerCase(), v]));
}

function vertexStatus(states: readonly FlinkTaskState[]): FlinkTaskState {
  for (const s of ['FAILED', 'CANCELING', 'RUNNING', 'DEPLOYING', 'CREATED'] as const) {
    if (states.includes(s)) return s;
  }
  if (states.length > 0 && states.every((s) => s === 'FINISHED')) return 'FINISHED';
  return states.includes('CANCELED') ? 'CANCELED' : 'FINISHED';
}

/** The REST id of a vertex: its head operator's id (32 hex characters, as Flink's JobVertexID). */
export function vertexRestId(v: JobVertex): string {
  return v.operatorIds[0] ?? String(v.id);
}

/** Finds a vertex by REST id (or by its index). */
export function findVertex(job: JobMaster, vid: string): JobVertex | undefined {
  return job.jobGraph.vertices.find((v) => vertexRestId(v) === vid || String(v.id) === vid);
}

function isTerminal(status: JobStatus): boolean {
  return status === 'FINISHED' || status === 'FAILED' || status === 'CANCELED';
}

function times(job: JobMaster, now: number): { start: number; end: number; duration: number } {
  const end = job.endTime ?? -1;
  return { start: job.startTime, end, duration: (end === -1 ? now : end) - job.startTime };
}

function metricsOf(subtasks: readonly SubtaskStatus[], complete: boolean): Record<string, number | boolean> {
  const sum = (f: (s: SubtaskStatus) => number): number => subtasks.reduce((n, s) => n + f(s), 0);
  return {
    // Bytes serialized to and from other threads and processes (a chain's and a thread's own
    // hand-overs are not serialized).
    'read-bytes': sum((s) => s.bytesIn),
    'read-bytes-complete': complete,
    'write-bytes': sum((s) => s.bytesOut),
    'write-bytes-complete': complete,
    'read-records': sum((s) => s.recordsIn),
    'read-records-complete': complete,
    'write-records': sum((s) => s.recordsOut),
    'write-records-complete': complete,
    'accumulated-backpressured-time': sum((s) => s.backPressuredTimeMs),
    'accumulated-idle-time': sum((s) => s.idleTimeMs),
    'accumulated-busy-time': sum((s) => s.busyTimeMs),
  };
}

/** A subtask's task metrics under Flink's names (counters since the attempt started). */
export function subtaskMetricValues(s: SubtaskStatus): Record<string, number> {
  return {
    numRecordsIn: s.recordsIn,
    numRecordsOut: s.recordsOut,
    numBytesIn: s.bytesIn,
    numBytesOut: s.bytesOut,
    accumulateBusyTimeMs: s.busyTimeMs,
    accumulateBackPressuredTimeMs: s.backPressuredTimeMs,
    accumulateIdleTimeMs: s.idleTimeMs,
  };
}

/** The task metric names of {@link subtaskMetricValues}. */
export const TASK_METRIC_NAMES: readonly string[] = [
  'numRecordsIn',
  'numRecordsOut',
  'numBytesIn',
  'numBytesOut',
  'accumulateBusyTimeMs',
  'accumulateBackPressuredTimeMs',
  'accumulateIdleTimeMs',
];

/** `GET /jobs/overview` entry. */
export function jobOverview(job: JobMaster, now = Date.now()): Record<string, unknown> {
  const t = times(job, now);
  const states = job.jobGraph.vertices.flatMap((v) => job.subtasks(v.id).map((s) => taskState(job, s.state)));
  return {
    jid: job.jobId,
    name: job.graph.jobName,
    state: job.status,
    'start-time': t.start,
    'end-time': t.end,
    duration: t.duration,
    'last-modification': Math.max(
      ...Object.values(job.statusTimestamps).filter((x): x is number => x !== undefined),
    ),
    tasks: { total: states.length, ...lowerKeys(countTasks(states)) },
  };
}

/** The plan of `GET /jobs/:id` (Flink's JSON plan). */
export function jobPlan(job: JobMaster): Record<string, unknown> {
  return {
    jid: job.jobId,
    name: job.graph.jobName,
    type: 'STREAMING',
    nodes: job.jobGraph.vertices.map((v) => ({
      id: vertexRestId(v),
      parallelism: v.parallelism,
      operator: '',
      operator_strategy: '',
      description: v.name,
      inputs: v.inputs.map((e, num) => ({
        num,
        id: vertexRestId(job.jobGraph.vertices[e.sourceVertex]!),
        ship_strategy: e.partitioner.toUpperCase(),
        exchange: 'pipelined_bounded',
      })),
      optimizer_properties: {},
    })),
  };
}

/** `GET /jobs/:id`. */
export function jobDetails(job: JobMaster, now = Date.now()): Record<string, unknown> {
  const t = times(job, now);
  const complete = isTerminal(job.status);
  const vertices = job.jobGraph.vertices.map((v) => {
    const subtasks = job.subtasks(v.id);
    const states = subtasks.map((s) => taskState(job, s.state));
    const starts = subtasks.map((s) => s.startTime).filter((x): x is number => x !== undefined);
    const ends = subtasks.map((s) => s.endTime).filter((x): x is number => x !== undefined);
    const start = starts.length > 0 ? Math.min(...starts) : -1;
    const status = vertexStatus(states);
    const end = ends.length === subtasks.length && ends.length > 0 ? Math.max(...ends) : -1;
    return {
      id: vertexRestId(v),
      name: v.name,
      maxParallelism: v.maxParallelism,
      parallelism: v.parallelism,
      status,
      'start-time': start,
      'end-time': end,
      duration: start === -1 ? -1 : (end === -1 ? now : end) - start,
      tasks: countTasks(states),
      metrics: metricsOf(subtasks, complete),
    };
  });
  const statusCounts = countTasks(vertices.map((v) => v.status));
  return {
    jid: job.jobId,
    name: job.graph.jobName,
    isStoppable: true,
    state: job.status,
    'job-type': 'STREAMING',
    'start-time': t.start,
    'end-time': t.end,
    duration: t.duration,
    maxParallelism: Math.max(...job.jobGraph.vertices.map((v) => v.maxParallelism)),
    now,
    // Every state of Flink's JobStatus; 0 = never entered (Sluice jobs never enter
    // INITIALIZING, SUSPENDED or RECONCILING).
    timestamps: Object.fromEntries(
      FLINK_JOB_STATES.map((s) => [s, job.statusTimestamps[s as JobStatus] ?? 0]),
    ),
    vertices,
    'status-counts': statusCounts,
    plan: jobPlan(job),
  };
}

/** `GET /jobs/:id/vertices/:vid`. */
export function vertexDetails(job: JobMaster, v: JobVertex, now = Date.now()): Record<string, unknown> {
  const complete = isTerminal(job.status);
  return {
    id: vertexRestId(v),
    name: v.name,
    parallelism: v.parallelism,
    maxParallelism: v.maxParallelism,
    now,
    subtasks: job.subtasks(v.id).map((s) => subtaskInfo(job, s, complete, now)),
  };
}

function subtaskInfo(
  job: JobMaster,
  s: SubtaskStatus,
  complete: boolean,
  now: number,
): Record<string, unknown> {
  const start = s.startTime ?? -1;
  const end = s.endTime ?? -1;
  return {
    subtask: s.subtask,
    status: taskState(job, s.state),
    attempt: s.attempt,
    endpoint: s.location ?? '',
    host: s.location === undefined ? '' : s.location.slice(0, s.location.lastIndexOf(':')) || s.location,
    'taskmanager-id': s.taskManagerId ?? '',
    'start-time': start,
    'end-time': end,
    duration: start === -1 ? -1 : (end === -1 ? now : end) - start,
    metrics: metricsOf([s], complete),
  };
}

/**
 * `GET /jobs/:id/vertices/:vid/subtasks/:index`: the current attempt of one subtask; undefined
 * when the vertex has no such subtask.
 */
export function subtaskDetails(
  job: JobMaster,
  v: JobVertex,
  index: number,
  now = Date.now(),
): Record<string, unknown> | undefined {
  const s = job.subtasks(v.id).find((x) => x.subtask === index);
  return s === undefined ? undefined : subtaskInfo(job, s, isTerminal(job.status), now);
}

/** `GET /taskmanagers` entries (Flink's fields, and where each TaskManager runs). */
export function taskManagerInfos(dispatcher: Dispatcher): Record<string, unknown>[] {
  const free = new Map(dispatcher.jobManager.taskManagers().map((t) => [t.gateway.resourceId, t.freeSlots]));
  return dispatcher.resourceManager.taskManagers().map((t) => ({
    id: t.resourceId,
    path: `sluice://${t.hostname}/taskmanager/${t.resourceId}`,
    dataPort: t.dataPort,
    jmxPort: -1,
    timeSinceLastHeartbeat: t.sinceLastHeartbeat,
    slotsNumber: t.slots,
    freeSlots: free.get(t.resourceId) ?? 0,
    totalResource: {
      cpuCores: t.hardware.cpuCores,
      taskHeapMemory: 0,
      managedMemory: 0,
      networkMemory: 0,
    },
    freeResource: { cpuCores: 0, taskHeapMemory: 0, managedMemory: 0, networkMemory: 0 },
    hardware: {
      cpuCores: t.hardware.cpuCores,
      physicalMemory: t.hardware.physicalMemory,
      freeMemory: t.hardware.freeMemory,
      managedMemory: 0,
    },
    memoryConfiguration: {},
    // Sluice extensions: where the TaskManager runs and its slot addresses.
    host: t.location,
    pid: t.pid,
    slotBase: t.slotBase,
  }));
}

/** `GET /taskmanagers/:tmid`: one registered TaskManager; undefined when it is not registered. */
export function findTaskManager(dispatcher: Dispatcher, id: string): Record<string, unknown> | undefined {
  return taskManagerInfos(dispatcher).find((t) => t.id === id);
}

/** `GET /jobs/:id/exceptions`: the root cause and every failure that restarted or ended the job. */
export function jobExceptions(job: JobMaster): Record<string, unknown> {
  const f = job.failure;
  const history = job.failureHistory.map((h) => ({ error: h.error, time: h.time }));
  // A failure of the current attempt that is not in the history yet (failing, or failed for good).
  if (
    f !== undefined &&
    !history.some((h) => h.error.message === f.message || f.message.startsWith(h.error.message))
  ) {
    history.push({ error: f, time: job.failureTime ?? job.endTime ?? Date.now() });
  }
  const entries = history
    .map((h) => ({
      exceptionName: h.error.name,
      stacktrace: h.error.stack ?? `${h.error.name}: ${h.error.message}`,
      timestamp: h.time,
      taskName: null,
      endpoint: null,
      taskManagerId: null,
      failureLabels: {},
      concurrentExceptions: [],
    }))
    .reverse();
  const root = f ?? history[history.length - 1]?.error;
  return {
    'root-exception': root === undefined ? null : (root.stack ?? `${root.name}: ${root.message}`),
    timestamp: root === undefined ? null : (entries[0]?.timestamp ?? null),
    'all-exceptions': [],
    truncated: false,
    exceptionHistory: { entries, truncated: false },
  };
}

/** `GET /jobs/:id/checkpoints`: counts, latest completed/failed/savepoint/restored, history. */
export function jobCheckpoints(job: JobMaster): Record<string, unknown> {
  const stats = job.checkpointStats();
  const zero = { min: 0, max: 0, avg: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0 };
  const completed = stats.history.filter((h) => h.status === 'COMPLETED' && h.endTimestamp !== undefined);
  /** Min/max/avg and quantiles of a statistic over the completed checkpoints in the history. */
  const summarize = (values: number[]): typeof zero => {
    if (values.length === 0) return zero;
    values.sort((a, b) => a - b);
    const pick = (q: number): number => values[Math.min(values.length - 1, Math.floor(q * values.length))]!;
    return {
      min: values[0]!,
      max: values[values.length - 1]!,
      avg: Math.round(values.reduce((a, b) => a + b, 0) / values.length),
      p50: pick(0.5),
      p90: pick(0.9),
      p95: pick(0.95),
      p99: pick(0.99),
      p999: pick(0.999),
    };
  };
  const e2e = summarize(completed.map((h) => h.endTimestamp! - h.triggerTimestamp));
  const entry = (h: (typeof stats.history)[number]): Record<string, unknown> => ({
    className: h.status === 'COMPLETED' ? 'completed' : h.status === 'FAILED' ? 'failed' : 'in_progress',
    id: h.id,
    status: h.status,
    is_savepoint: h.savepoint,
    savepointFormat: h.savepoint ? 'CANONICAL' : null,
    checkpoint_type: h.savepoint ? 'SAVEPOINT' : h.unaligned ? 'UNALIGNED_CHECKPOINT' : 'CHECKPOINT',
    trigger_timestamp: h.triggerTimestamp,
    latest_ack_timestamp: h.endTimestamp ?? -1,
    end_to_end_duration: h.endTimestamp === undefined ? -1 : h.endTimestamp - h.triggerTimestamp,
    num_subtasks: h.total,
    num_acknowledged_subtasks: h.acknowledged,
    unaligned: h.unaligned,
    // Deprecated in Flink (always 0 there too).
    alignment_buffered: 0,
    persisted_data: h.persistedData,
    // Aligned checkpoints: input bytes taken up between the first and last barrier at each task.
    processed_data: h.processedData,
    // Every checkpoint is a full snapshot: its checkpointed size is its state size.
    state_size: h.stateSize,
    checkpointed_size: h.stateSize,
    // Longest per-subtask phases (Flink reports them per subtask as checkpoint_duration.sync/async).
    sync_duration: h.syncDurationMs,
    async_duration: h.asyncDurationMs,
    external_path: h.status === 'COMPLETED' ? h.dir : null,
    discarded: false,
    ...(h.failure === undefined
      ? {}
      : { failure_message: h.failure, failure_timestamp: h.endTimestamp ?? -1 }),
  });
  const restored = job.restoredFrom;
  const find = (f: (h: (typeof stats.history)[number]) => boolean): Record<string, unknown> | null => {
    const h = stats.history.find(f);
    return h === undefined ? null : entry(h);
  };
  return {
    counts: {
      restored: restored?.count ?? 0,
      total: stats.counts.completed + stats.counts.failed + stats.inProgress,
      in_progress: stats.inProgress,
      completed: stats.counts.completed,
      failed: stats.counts.failed,
    },
    summary: {
      checkpointed_size: summarize(completed.map((h) => h.stateSize)),
      state_size: summarize(completed.map((h) => h.stateSize)),
      end_to_end_duration: e2e,
      // Deprecated in Flink (always 0 there too): aligned checkpoints buffer nothing.
      alignment_buffered: zero,
      processed_data: summarize(completed.map((h) => h.processedData)),
      persisted_data: summarize(completed.map((h) => h.persistedData)),
    },
    latest: {
      completed: find((h) => h.status === 'COMPLETED' && !h.savepoint),
      savepoint: find((h) => h.status === 'COMPLETED' && h.savepoint),
      failed: find((h) => h.status === 'FAILED'),
      restored:
        restored === undefined
          ? null
          : {
              id: restored.checkpointId,
              restore_timestamp: restored.time,
              is_savepoint: restored.savepoint,
              external_path: restored.path,
            },
    },
    history: stats.history.map(entry),
  };
}

/** `GET /jobs/:id/execution-result`. */
export function executionResult(job: JobMaster, result: JobResult | undefined): Record<string, unknown> {
  if (result === undefined) return { status: { id: 'IN_PROGRESS' } };
  return {
    status: { id: 'COMPLETED' },
    'job-execution-result': {
      id: job.jobId,
      'application-status':
        result.status === 'CANCELED' ? 'CANCELED' : result.status === 'FAILED' ? 'FAILED' : 'SUCCEEDED',
      'accumulator-results': {},
      'net-runtime': result.netRuntime,
      ...(result.failure === undefined
        ? {}
        : {
            'failure-cause': {
              class: result.failure.name,
              'stack-trace': result.failure.stack ?? result.failure.message,
              'serialized-throwable': '',
            },
          }),
      /** Sluice extension: what the job's collect sink received (executeAndCollect()). */
      collected: result.collected,
    },
  };
}

/** `GET /jobs/:id/config` (Flink's JobConfigInfo): parallelism and restart strategy of the job. */
export function jobConfig(job: JobMaster): Record<string, unknown> {
  const c = job.executionConfig;
  return {
    jid: job.jobId,
    name: job.graph.jobName,
    'execution-config': {
      'restart-strategy': describeRestartStrategy(c.restartStrategy),
      'job-parallelism': c.parallelism,
      // Records are never reused between operators (each gets its own); no global job parameters.
      'object-reuse-mode': false,
      'user-config': {},
    },
  };
}

/**
 * `GET /jobs/:id/checkpoints/config` (Flink's field names); undefined when checkpointing is off
 * (Flink answers 404 then).
 */
export function jobCheckpointConfig(job: JobMaster): Record<string, unknown> | undefined {
  const c = job.checkpointConfig;
  if (!c.enabled || c.settings === undefined) return undefined;
  return {
    mode: c.mode === 'EXACTLY_ONCE' ? 'exactly_once' : 'at_least_once',
    interval: c.settings.interval,
    timeout: c.settings.timeout,
    min_pause: c.settings.minPause,
    max_concurrent: c.settings.maxConcurrent,
    externalization: { enabled: true, delete_on_cancellation: !c.retainOnCancellation },
    state_backend: c.stateBackend,
    checkpoint_storage: c.storage,
    unaligned_checkpoints: c.unaligned,
    tolerable_failed_checkpoints: c.settings.tolerableFailures,
    aligned_checkpoint_timeout: c.alignedCheckpointTimeout,
    checkpoints_after_tasks_finish: true,
    num_retained: c.settings.retained,
  };
}

/**
 * `GET /jobs/:id/checkpoints/details/:cid`: one checkpoint of the history (as in its `history`
 * entry); undefined when it is not (or no longer) in the history.
 */
export function jobCheckpointDetails(
  job: JobMaster,
  checkpointId: number,
): Record<string, unknown> | undefined {
  const history = jobCheckpoints(job).history as Array<Record<string, unknown>>;
  return history.find((h) => h.id === checkpointId);
}
