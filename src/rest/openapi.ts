// The OpenAPI 3.0 description of the REST API, served at `GET /openapi.json`: the one place the
// endpoints, their parameters and their answers are written down for clients and tools.
import { FLINK_JOB_STATES, TASK_STATES } from './job-views.ts';

const jobId = {
  name: 'jobid',
  in: 'path',
  required: true,
  description: '32 lowercase hex characters',
  schema: { type: 'string', pattern: '^[0-9a-f]{32}$' },
};
const errors = {
  description: 'Error: `{"errors": [message]}`',
  content: {
    'application/json': {
      schema: { type: 'object', properties: { errors: { type: 'array', items: { type: 'string' } } } },
    },
  },
};
const json = (description: string, schema: Record<string, unknown> = obj({})): Record<string, unknown> => ({
  description,
  content: { 'application/json': { schema } },
});
const jobState = {
  type: 'string',
  enum: ['CREATED', 'RUNNING', 'FAILING', 'FAILED', 'CANCELLING', 'CANCELED', 'FINISHED', 'RESTARTING'],
};

type Schema = Record<string, unknown>;
const int: Schema = { type: 'integer' };
const num: Schema = { type: 'number' };
const str: Schema = { type: 'string' };
const bool: Schema = { type: 'boolean' };
const nullable = (s: Schema): Schema => ({ ...s, nullable: true });
const arr = (items: Schema): Schema => ({ type: 'array', items });
/** An object with exactly these properties, all present except `optional` ones. */
const obj = (properties: Record<string, Schema>, optional: readonly string[] = []): Schema => ({
  type: 'object',
  properties,
  required: Object.keys(properties).filter((k) => !optional.includes(k)),
  additionalProperties: false,
});
/** An object whose keys are not fixed (values of schema `values`; any value without it). */
const map = (values: Schema = {}): Schema => ({ type: 'object', additionalProperties: values });
const ofKeys = (keys: readonly string[], value: Schema): Schema =>
  obj(Object.fromEntries(keys.map((k) => [k, value])));

const taskState: Schema = { type: 'string', enum: [...TASK_STATES] };
const ioMetrics = obj({
  'read-bytes': int,
  'read-bytes-complete': bool,
  'write-bytes': int,
  'write-bytes-complete': bool,
  'read-records': int,
  'read-records-complete': bool,
  'write-records': int,
  'write-records-complete': bool,
  'accumulated-backpressured-time': int,
  'accumulated-idle-time': int,
  'accumulated-busy-time': int,
});
const jobOverviewRow = obj({
  jid: str,
  name: str,
  state: jobState,
  'start-time': int,
  'end-time': int,
  duration: int,
  'last-modification': int,
  tasks: obj({ total: int, ...Object.fromEntries(TASK_STATES.map((s) => [s.toLowerCase(), int])) }),
});
const jsonPlan = obj({
  jid: str,
  name: str,
  type: str,
  nodes: arr(
    obj({
      id: str,
      parallelism: int,
      operator: str,
      operator_strategy: str,
      description: str,
      inputs: arr(obj({ num: int, id: str, ship_strategy: str, exchange: str })),
      optimizer_properties: obj({}),
    }),
  ),
});
const jobDetails = obj({
  jid: str,
  name: str,
  isStoppable: bool,
  state: jobState,
  'job-type': str,
  'start-time': int,
  'end-time': int,
  duration: int,
  maxParallelism: int,
  now: int,
  timestamps: ofKeys(FLINK_JOB_STATES, int),
  vertices: arr(
    obj({
      id: str,
      name: str,
      maxParallelism: int,
      parallelism: int,
      status: taskState,
      'start-time': int,
      'end-time': int,
      duration: int,
      tasks: ofKeys(TASK_STATES, int),
      metrics: ioMetrics,
    }),
  ),
  'status-counts': ofKeys(TASK_STATES, int),
  plan: jsonPlan,
});
const subtask = obj({
  subtask: int,
  status: taskState,
  attempt: int,
  endpoint: str,
  host: str,
  'taskmanager-id': str,
  'start-time': int,
  'end-time': int,
  duration: int,
  metrics: ioMetrics,
});
const failureCause = obj({ class: str, 'stack-trace': str, 'serialized-throwable': str }, [
  'serialized-throwable',
]);
const exceptions = obj({
  'root-exception': nullable(str),
  timestamp: nullable(int),
  'all-exceptions': arr(map()),
  truncated: bool,
  exceptionHistory: obj({
    entries: arr(
      obj({
        exceptionName: str,
        stacktrace: str,
        timestamp: int,
        taskName: nullable(str),
        endpoint: nullable(str),
        taskManagerId: nullable(str),
        failureLabels: map(str),
        concurrentExceptions: arr(map()),
      }),
    ),
    truncated: bool,
  }),
});
const checkpoint = obj(
  {
    className: { type: 'string', enum: ['completed', 'failed', 'in_progress'] },
    id: int,
    status: { type: 'string', enum: ['COMPLETED', 'FAILED', 'IN_PROGRESS'] },
    is_savepoint: bool,
    savepointFormat: nullable(str),
    checkpoint_type: { type: 'string', enum: ['CHECKPOINT', 'UNALIGNED_CHECKPOINT', 'SAVEPOINT'] },
    trigger_timestamp: int,
    latest_ack_timestamp: int,
    end_to_end_duration: int,
    num_subtasks: int,
    num_acknowledged_subtasks: int,
    unaligned: bool,
    alignment_buffered: int,
    persisted_data: int,
    processed_data: int,
    state_size: int,
    checkpointed_size: int,
    sync_duration: int,
    async_duration: int,
    external_path: nullable(str),
    discarded: bool,
    failure_message: str,
    failure_timestamp: int,
  },
  ['failure_message', 'failure_timestamp'],
);
const statistic = ofKeys(['min', 'max', 'avg', 'p50', 'p90', 'p95', 'p99', 'p999'], int);
const checkpointStatistics = obj({
  counts: ofKeys(['restored', 'total', 'in_progress', 'completed', 'failed'], int),
  summary: ofKeys(
    [
      'checkpointed_size',
      'state_size',
      'end_to_end_duration',
      'alignment_buffered',
      'processed_data',
      'persisted_data',
    ],
    statistic,
  ),
  latest: obj({
    completed: nullable(checkpoint),
    savepoint: nullable(checkpoint),
    failed: nullable(checkpoint),
    restored: nullable(obj({ id: int, restore_timestamp: int, is_savepoint: bool, external_path: str })),
  }),
  history: arr(checkpoint),
});
const checkpointConfig = obj({
  mode: { type: 'string', enum: ['exactly_once', 'at_least_once'] },
  interval: int,
  timeout: int,
  min_pause: int,
  max_concurrent: int,
  externalization: obj({ enabled: bool, delete_on_cancellation: bool }),
  state_backend: str,
  checkpoint_storage: str,
  unaligned_checkpoints: bool,
  tolerable_failed_checkpoints: int,
  aligned_checkpoint_timeout: int,
  checkpoints_after_tasks_finish: bool,
  num_retained: int,
});
const operationStatus = obj(
  {
    status: obj({ id: { type: 'string', enum: ['IN_PROGRESS', 'COMPLETED'] } }),
    operation: obj({ location: str, 'failure-cause': failureCause }, ['location', 'failure-cause']),
  },
  ['operation'],
);
const executionResult = obj(
  {
    status: obj({ id: { type: 'string', enum: ['IN_PROGRESS', 'COMPLETED'] } }),
    'job-execution-result': obj(
      {
        id: str,
        'application-status': { type: 'string', enum: ['SUCCEEDED', 'FAILED', 'CANCELED'] },
        'accumulator-results': map(),
        'net-runtime': int,
        'failure-cause': failureCause,
        collected: arr({}),
      },
      ['failure-cause'],
    ),
  },
  ['job-execution-result'],
);
const resources = ofKeys(['cpuCores', 'taskHeapMemory', 'managedMemory', 'networkMemory'], int);
const taskManager = obj({
  id: str,
  path: str,
  dataPort: int,
  jmxPort: int,
  timeSinceLastHeartbeat: int,
  slotsNumber: int,
  freeSlots: int,
  totalResource: resources,
  freeResource: resources,
  hardware: ofKeys(['cpuCores', 'physicalMemory', 'freeMemory', 'managedMemory'], int),
  memoryConfiguration: map(),
  host: str,
  pid: int,
  slotBase: int,
});

/** The OpenAPI document. */
export function openApiDocument(): Record<string, unknown> {
  const get = (summary: string, ok: Record<string, unknown>, parameters: unknown[] = []) => ({
    get: { summary, parameters, responses: { 200: ok, 400: errors, 401: errors, 404: errors, 405: errors } },
  });
  const vertexId = { name: 'vertexid', in: 'path', required: true, schema: { type: 'string' } };
  const metricGet = {
    name: 'get',
    in: 'query',
    required: false,
    description: 'comma-separated metric names; without it the names are listed',
    schema: { type: 'string' },
  };
  const metricsList = {
    description: 'Metrics',
    content: {
      'application/json': {
        schema: arr(
          obj({ id: str, value: str, min: num, max: num, avg: num, sum: num }, [
            'value',
            'min',
            'max',
            'avg',
            'sum',
          ]),
        ),
      },
    },
  };
  return {
    openapi: '3.0.3',
    info: {
      title: 'Sluice JobManager REST API',
      version: '1',
      description:
        'Flink\'s REST paths and field names. Errors are `{"errors": [message]}`: 400 for a malformed id or body, 404 for an unknown job, vertex, subtask, TaskManager, trigger or checkpoint id, 405 (with an Allow header) for a known path asked with another method, 409 for cancelling a job that already finished or failed, 413 for a body over rest.server.max-content-length, 415 for a body of the wrong content type. When security.token is set, every request needs `Authorization: Bearer <token>`. ' +
        'TaskManagers connect on the same port with an HTTP Upgrade (`Upgrade: sluice-rpc`) at /v1/taskmanagers/rpc.',
    },
    components: { securitySchemes: { token: { type: 'http', scheme: 'bearer' } } },
    security: [{ token: [] }],
    paths: {
      '/overview': get(
        'Cluster overview',
        json(
          'Overview',
          obj({
            taskmanagers: int,
            'slots-total': int,
            'slots-available': int,
            'jobs-running': int,
            'jobs-finished': int,
            'jobs-cancelled': int,
            'jobs-failed': int,
            version: str,
            'flink-version': str,
            'flink-commit': str,
          }),
        ),
      ),
      '/config': get(
        'Dashboard configuration (versions, refresh interval)',
        json(
          'Config',
          obj({
            'refresh-interval': int,
            'timezone-name': str,
            'timezone-offset': int,
            'flink-version': str,
            'flink-revision': str,
            features: ofKeys(['web-submit', 'web-cancel', 'web-history', 'web-rescale'], bool),
          }),
        ),
      ),
      '/jobmanager/config': get('Effective cluster configuration as key/value pairs (token masked)', {
        description: 'Configuration',
        content: { 'application/json': { schema: arr(obj({ key: str, value: str })) } },
      }),
      '/openapi.json': get('This document', json('OpenAPI document', map())),
      '/jobs': get(
        'Job ids and states',
        json('Jobs', obj({ jobs: arr(obj({ id: str, status: jobState })) })),
      ),
      '/jobs/overview': get(
        'Jobs with names, states, times and task counts',
        json('Jobs overview', obj({ jobs: arr(jobOverviewRow) })),
      ),
      '/jobs/{jobid}': {
        ...get(
          'Job details: jid, name, state, start-time, end-time, duration, vertices (id, name, parallelism, status, metrics read-records/write-records), plan',
          json('Job', jobDetails),
          [jobId],
        ),
        patch: {
          summary: 'Cancel the job',
          parameters: [
            jobId,
            { name: 'mode', in: 'query', required: false, schema: { type: 'string', enum: ['cancel'] } },
          ],
          responses: {
            202: json('Cancellation accepted (also for a job already cancelled)', obj({})),
            400: errors,
            401: errors,
            404: errors,
            409: errors,
          },
        },
      },
      '/jobs/{jobid}/config': get(
        "The job's execution configuration (Flink's JobConfigInfo): restart strategy in words, default parallelism",
        json(
          'Job configuration',
          obj({
            jid: str,
            name: str,
            'execution-config': obj({
              'restart-strategy': str,
              'job-parallelism': int,
              'object-reuse-mode': bool,
              'user-config': map(str),
            }),
          }),
        ),
        [jobId],
      ),
      '/jobs/{jobid}/status': get("The job's state", json('Job status', obj({ status: jobState })), [jobId]),
      '/jobs/{jobid}/exceptions': get(
        'Root exception and exception history',
        json('Exceptions', exceptions),
        [jobId],
      ),
      '/jobs/{jobid}/checkpoints': get(
        'Checkpoint statistics: counts (completed, failed, in_progress, restored, total), latest, history (each entry with checkpoint_type CHECKPOINT, UNALIGNED_CHECKPOINT or SAVEPOINT, state_size, checkpointed_size, sync_duration, async_duration, unaligned, processed_data: input bytes taken up during alignment, persisted_data: in-flight bytes persisted by unaligned checkpoints), summary statistics (min/max/avg/p50/p90/p95/p99/p999 of checkpointed_size, state_size, end_to_end_duration, processed_data, persisted_data)',
        json('Checkpoint statistics', checkpointStatistics),
        [jobId],
      ),
      '/jobs/{jobid}/checkpoints/config': get(
        'Checkpointing configuration: mode, interval, timeout, min_pause, max_concurrent, externalization, state_backend, checkpoint_storage, unaligned_checkpoints, tolerable_failed_checkpoints (404 when checkpointing is off)',
        json('Checkpoint configuration', checkpointConfig),
        [jobId],
      ),
      '/jobs/{jobid}/checkpoints/details/{checkpointid}': get(
        'One checkpoint of the history, with the fields of its history entry (404 when it is not in the history)',
        json('Checkpoint', checkpoint),
        [jobId, { name: 'checkpointid', in: 'path', required: true, schema: { type: 'integer' } }],
      ),
      '/jobs/{jobid}/savepoints': {
        post: {
          summary:
            'Trigger a savepoint (cancel-job: true cancels the job after it: it ends CANCELED); poll the returned request-id',
          parameters: [jobId],
          requestBody: {
            required: false,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    'target-directory': { type: 'string' },
                    'cancel-job': { type: 'boolean' },
                    triggerId: { type: 'string', pattern: '^[0-9a-f]{32}$' },
                    formatType: { type: 'string', enum: ['CANONICAL', 'NATIVE'] },
                  },
                },
              },
            },
          },
          responses: {
            202: json('Triggered', obj({ 'request-id': str })),
            400: errors,
            401: errors,
            404: errors,
            415: errors,
          },
        },
      },
      '/jobs/{jobid}/stop': {
        post: {
          summary:
            'Stop the job with a savepoint (drain: emit the max watermark first); poll the returned request-id',
          parameters: [jobId],
          requestBody: {
            required: false,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    targetDirectory: { type: 'string' },
                    drain: { type: 'boolean' },
                    triggerId: { type: 'string', pattern: '^[0-9a-f]{32}$' },
                    formatType: { type: 'string', enum: ['CANONICAL', 'NATIVE'] },
                  },
                },
              },
            },
          },
          responses: {
            202: json('Triggered', obj({ 'request-id': str })),
            400: errors,
            401: errors,
            404: errors,
            415: errors,
          },
        },
      },
      '/jobs/{jobid}/savepoints/{triggerid}': get(
        'Status of a savepoint or stop operation: status.id IN_PROGRESS or COMPLETED with operation.location or operation.failure-cause',
        json('Operation status', operationStatus),
        [
          jobId,
          {
            name: 'triggerid',
            in: 'path',
            required: true,
            schema: { type: 'string', pattern: '^[0-9a-f]{32}$' },
          },
        ],
      ),
      '/jobs/{jobid}/plan': get('The job graph as JSON plan', json('Plan', obj({ plan: jsonPlan })), [jobId]),
      '/jobs/{jobid}/execution-result': get(
        'The outcome once the job ended (status.id IN_PROGRESS before); `collected` holds what executeAndCollect() received',
        json('Execution result', executionResult),
        [jobId],
      ),
      '/jobs/{jobid}/vertices/{vertexid}': get(
        'Subtasks of a vertex: state, TaskManager, record counts',
        json(
          'Vertex',
          obj({
            id: str,
            name: str,
            parallelism: int,
            maxParallelism: int,
            now: int,
            subtasks: arr(subtask),
          }),
        ),
        [jobId, vertexId],
      ),
      '/jobs/{jobid}/vertices/{vertexid}/metrics': get(
        'Task metrics of every subtask as `<subtask>.<name>` (numRecordsIn, numRecordsOut, numBytesIn, numBytesOut, accumulateBusyTimeMs, accumulateBackPressuredTimeMs, accumulateIdleTimeMs): `[{id}]`, or `[{id, value}]` with ?get=',
        metricsList,
        [jobId, vertexId, metricGet],
      ),
      '/jobs/{jobid}/vertices/{vertexid}/subtasks/metrics': get(
        'Task metrics aggregated over the subtasks: `[{id}]`, or `[{id, min, max, avg, sum}]` with ?get= (?agg= picks aggregates, ?subtasks= e.g. 0,2-3 picks subtasks)',
        metricsList,
        [
          jobId,
          vertexId,
          metricGet,
          { name: 'agg', in: 'query', required: false, schema: { type: 'string' } },
          { name: 'subtasks', in: 'query', required: false, schema: { type: 'string' } },
        ],
      ),
      '/jobs/{jobid}/vertices/{vertexid}/subtasks/{subtaskindex}/metrics': get(
        "One subtask's task metrics: `[{id}]`, or `[{id, value}]` with ?get=",
        metricsList,
        [
          jobId,
          vertexId,
          { name: 'subtaskindex', in: 'path', required: true, schema: { type: 'integer', minimum: 0 } },
          metricGet,
        ],
      ),
      '/jobs/{jobid}/vertices/{vertexid}/subtasks/{subtaskindex}': get(
        'The current attempt of one subtask: subtask, status, attempt, endpoint, taskmanager-id, start-time, end-time, duration, metrics (404 when the vertex has no such subtask)',
        json('Subtask', subtask),
        [
          jobId,
          vertexId,
          { name: 'subtaskindex', in: 'path', required: true, schema: { type: 'integer', minimum: 0 } },
        ],
      ),
      '/taskmanagers': get(
        'Registered TaskManagers: id, slots, free slots, last heartbeat, hardware',
        json('TaskManagers', obj({ taskmanagers: arr(taskManager) })),
      ),
      '/taskmanagers/{taskmanagerid}': get(
        'One registered TaskManager, with the fields of its /taskmanagers entry',
        json('TaskManager', taskManager),
        [{ name: 'taskmanagerid', in: 'path', required: true, schema: { type: 'string' } }],
      ),
      '/jars': get(
        'Uploaded job bundles',
        json(
          'Bundles',
          obj({
            address: str,
            files: arr(obj({ id: str, name: str, uploaded: int, size: int, entry: arr(map()) })),
          }),
        ),
      ),
      '/jars/upload': {
        post: {
          summary:
            'Upload a job bundle (one ES module, as built by `sluice run`); optional header X-Sluice-Bundle-Name. Limited by rest.server.max-content-length.',
          requestBody: {
            required: true,
            content: {
              'application/javascript': { schema: { type: 'string', format: 'binary' } },
              'application/octet-stream': { schema: { type: 'string', format: 'binary' } },
            },
          },
          responses: {
            200: json('Uploaded', obj({ filename: str, status: str })),
            401: errors,
            413: errors,
            415: errors,
          },
        },
      },
      '/jars/{jarid}': {
        delete: {
          summary: 'Delete an uploaded bundle',
          parameters: [{ name: 'jarid', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { 200: json('Deleted', obj({})), 401: errors, 404: errors },
        },
      },
      '/jars/{jarid}/run': {
        post: {
          summary: 'Run an uploaded bundle: the JobManager re-runs it in plan mode and submits the job',
          parameters: [{ name: 'jarid', in: 'path', required: true, schema: { type: 'string' } }],
          requestBody: {
            required: false,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    programArgsList: { type: 'array', items: { type: 'string' } },
                    programArgs: { type: 'string' },
                    parallelism: { type: 'integer', minimum: 1 },
                    executeIndex: { type: 'integer', minimum: 0 },
                    configuration: { type: 'object' },
                    fingerprint: { type: 'string' },
                    priorResults: { type: 'array', items: { type: 'object', nullable: true } },
                    savepointPath: { type: 'string' },
                    allowNonRestoredState: { type: 'boolean' },
                    taskSettings: { type: 'object' },
                    jobId: { type: 'string', pattern: '^[0-9a-f]{32}$' },
                  },
                },
              },
            },
          },
          responses: {
            200: json('Submitted', obj({ jobid: str })),
            400: errors,
            401: errors,
            404: errors,
          },
        },
      },
    },
  };
}
