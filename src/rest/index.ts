// Public surface of the REST layer: the JobManager's REST API and its OpenAPI description.

export {
  executionResult,
  findVertex,
  jobCheckpoints,
  jobDetails,
  jobExceptions,
  jobOverview,
  jobPlan,
  vertexDetails,
  vertexRestId,
} from './job-views.ts';
export { openApiDocument } from './openapi.ts';
export { createRestApi, type RestServer, SLUICE_VERSION, startRestServer } from './rest-server.ts';
