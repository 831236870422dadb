// A job program that fails before it builds a pipeline (bad arguments), for the CLI tests: what
// `sluice info` and `sluice run` print when the user's program itself throws.
// Args: record count (must be a positive integer).
import { StreamExecutionEnvironment } from '../../src/index.ts';

export default async function main(args: readonly string[]): Promise<void> {
  const records = Number(args[0]);
  if (!Number.isInteger(records) || records < 1)
    throw new RangeError(`expected a positive record count, got "${args[0] ?? ''}"`);
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env
    .fromSequence(1, records)
    .map((n) => n * 2)
    .print();
  await env.execute('cli failing program');
}
