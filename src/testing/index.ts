// Public test kit: run job modules on the real multi-threaded runtime, and a manual clock.

export {
  type HarnessOutput,
  ManualProcessingTimeService,
  OperatorTestHarness,
  type OperatorTestHarnessOptions,
} from '../runtime/index.ts';
export { runJobModule } from './job-module-runner.ts';
