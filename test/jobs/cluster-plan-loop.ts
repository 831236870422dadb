// A job module for the cluster tests whose program loops forever in plan mode, before its
// execute() call: the JobManager must stop it and refuse the submission, not hang on it.
// It runs normally in the client (`sluice run`), so the submission reaches the JobManager.
import { BlackholeSink, StreamExecutionEnvironment } from '../../src/index.ts';

export default async function main(): Promise<void> {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  if (StreamExecutionEnvironment.isPlanMode()) {
    console.log('plan-loop: looping in plan mode');
    for (;;) {}
  }
  env.fromSequence(1, 10).sinkTo(new BlackholeSink());
  await env.execute('plan loop');
}
