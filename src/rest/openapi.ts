// The OpenAPI 3.0 description of the REST API, served at `GET /openapi.json`: the one place the
// endpoints, their parameters and their answers are written down for clients and tools.

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
const json = (description: string, properties: Record<string, unknown> = {}): Record<string, unknown> => ({
  description,
  content: { 'application/json': { schema: { type: 'object', properties } } },
});
const jobState = {
  type: 'string',
  enum: ['CREATED', 'RUNNING', 'FAILING', 'FAILED', 'CANCELLING', 'CANCELED', 'FINISHED', 'RESTARTING'],
};

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
    content: { 'application/json': { schema: { type: 'array', items: { type: 'object' } } } },
  };
  return {
    openapi: '3.0.3',
    info: {
      title: 'Sluice JobManager REST API',
      version: '1',
      description:
        'Flink\'s REST paths and field names. Errors are `{"errors": [message]}`: 400 for a malformed id or body, 404 for an unknown job, vertex, subtask, TaskManager, trigger or checkpoint id, 405 (with an Allow header) for a known path asked with another method. When security.token is set, every request needs `Authorization: Bearer <token>`. ' +
        'TaskManagers connect on the same port with an HTTP Upgrade (`Upgrade: sluice-rpc`) at /v1/taskmanagers/rpc.',
    },
    components: { securitySchemes: { token: { type: 'http', scheme: 'bearer' } } },
    security: [{ token: [] }],
    paths: {
      '/overview': get(
        'Cluster overview',
        json('Overview', {
          taskmanagers: { type: 'integer' },
          'slots-total': { type: 'integer' },
          'slots-available': { type: 'integer' },
          'jobs-running': { type: 'integer' },
          'jobs-finished': { type: 'integer' },
          'jobs-cancelled': { type: 'integer' },
          'jobs-failed': { type: 'integer' },
          version: { type: 'string' },
        }),
      ),
      '/config': get('Dashboard configuration (versions, refresh interval)', json('Config')),
      '/jobmanager/config': get('Effective cluster configuration as key/value pairs (token masked)', {
        description: 'Configuration',
        content: { 'application/json': { schema: { type: 'array', items: { type: 'object' } } } },
      }),
      '/openapi.json': get('This document', json('OpenAPI document')),
      '/jobs': get(
        'Job ids and states',
        json('Jobs', {
          jobs: {
            type: 'array',
            items: { type: 'object', properties: { id: { type: 'string' }, status: jobState } },
          },
        }),
      ),
      '/jobs/overview': get('Jobs with names, states, times and task counts', json('Jobs overview')),
      '/jobs/{jobid}': {
        ...get(
          'Job details: jid, name, state, start-time, end-time, duration, vertices (id, name, parallelism, status, metrics read-records/write-records), plan',
          json('Job', { jid: { type: 'string' }, name: { type: 'string' }, state: jobState }),
          [jobId],
        ),
        patch: {
          summary: 'Cancel the job',
          parameters: [
            jobId,
            { name: 'mode', in: 'query', required: false, schema: { type: 'string', enum: ['cancel'] } },
          ],
          responses: {
            202: json('Cancellation accepted (also for a job already cancelled)'),
            400: errors,
            401: errors,
            404: errors,
            409: errors,
          },
        },
      },
      '/jobs/{jobid}/status': get("The job's state", json('Job status', { status: jobState }), [jobId]),
      '/jobs/{jobid}/exceptions': get(
        'Root exception and exception history',
        json('Exceptions', {
          'root-exception': { type: 'string', nullable: true },
          exceptionHistory: { type: 'object' },
        }),
        [jobId],
      ),
      '/jobs/{jobid}/checkpoints': get(
        'Checkpoint statistics: counts (completed, failed, in_progress, restored, total), latest, history (each entry with checkpoint_type CHECKPOINT, UNALIGNED_CHECKPOINT or SAVEPOINT, state_size, checkpointed_size, sync_duration, async_duration, unaligned, processed_data: input bytes taken up during alignment, persisted_data: in-flight bytes persisted by unaligned checkpoints), summary statistics (min/max/avg/p50/p90/p95/p99/p999 of checkpointed_size, state_size, end_to_end_duration, processed_data, persisted_data)',
        json('Checkpoint statistics'),
        [jobId],
      ),
      '/jobs/{jobid}/checkpoints/config': get(
        'Checkpointing configuration: mode, interval, timeout, min_pause, max_concurrent, externalization, state_backend, checkpoint_storage, unaligned_checkpoints, tolerable_failed_checkpoints (404 when checkpointing is off)',
        json('Checkpoint configuration'),
        [jobId],
      ),
      '/jobs/{jobid}/checkpoints/details/{checkpointid}': get(
        'One checkpoint of the history, with the fields of its history entry (404 when it is not in the history)',
        json('Checkpoint'),
        [jobId, { name: 'checkpointid', in: 'path', required: true, schema: { type: 'integer' } }],
      ),
      '/jobs/{jobid}/savepoints': {
        post: {
          summary:
            'Trigger a savepoint (cancel-job: true stops the job after it); poll the returned request-id',
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
            202: json('Triggered', { 'request-id': { type: 'string' } }),
            400: errors,
            404: errors,
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
            202: json('Triggered', { 'request-id': { type: 'string' } }),
            400: errors,
            404: errors,
          },
        },
      },
      '/jobs/{jobid}/savepoints/{triggerid}': get(
        'Status of a savepoint or stop operation: status.id IN_PROGRESS or COMPLETED with operation.location or operation.failure-cause',
        json('Operation status'),
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
      '/jobs/{jobid}/plan': get('The job graph as JSON plan', json('Plan'), [jobId]),
      '/jobs/{jobid}/execution-result': get(
        'The outcome once the job ended (status.id IN_PROGRESS before); `collected` holds what executeAndCollect() received',
        json('Execution result'),
        [jobId],
      ),
      '/jobs/{jobid}/vertices/{vertexid}': get(
        'Subtasks of a vertex: state, TaskManager, record counts',
        json('Vertex'),
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
        json('Subtask'),
        [
          jobId,
          vertexId,
          { name: 'subtaskindex', in: 'path', required: true, schema: { type: 'integer', minimum: 0 } },
        ],
      ),
      '/taskmanagers': get(
        'Registered TaskManagers: id, slots, free slots, last heartbeat, hardware',
        json('TaskManagers'),
      ),
      '/taskmanagers/{taskmanagerid}': get(
        'One registered TaskManager, with the fields of its /taskmanagers entry',
        json('TaskManager'),
        [{ name: 'taskmanagerid', in: 'path', required: true, schema: { type: 'string' } }],
      ),
      '/jars': get('Uploaded job bundles', json('Bundles')),
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
            200: json('Uploaded', { filename: { type: 'string' }, status: { type: 'string' } }),
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
          responses: { 200: json('Deleted'), 404: errors },
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
            200: json('Submitted', { jobid: { type: 'string' } }),
            400: errors,
            401: errors,
            404: errors,
          },
        },
      },
    },
  };
}
