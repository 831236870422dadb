// Public surface of the plan layer: transformations, StreamGraph, JobGraph, plan mode.

export {
  channelTargets,
  createJobGraph,
  isChainable,
  type JobEdge,
  type JobGraph,
  type JobVertex,
} from './job-graph.ts';
export {
  capturePlan,
  isPlanMode,
  type JobProgram,
  nextJobProgram,
  offerPlan,
  type PriorJobResult,
  recordJobResult,
  recordSavepoint,
  setJobProgramModule,
} from './plan-mode.ts';
export {
  generateStreamGraph,
  operatorIdOf,
  type StreamEdge,
  type StreamGraph,
  type StreamGraphSettings,
  type StreamNode,
} from './stream-graph.ts';
export type {
  ChainingStrategy,
  KeySelectorFunction,
  OperatorFactory,
  PartitionerKind,
  PartitionerSpec,
  Transformation,
  TransformationBase,
} from './transformation.ts';
