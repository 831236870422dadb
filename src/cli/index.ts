// Public surface of the CLI layer.

export { describePlan, infoJobFile } from './info-command.ts';
export { createProgram, main } from './main.ts';
export { describeFailure, runJobFile } from './run-command.ts';
