// A job module with two jobs, the second built from what the first returned: on a cluster, the
// JobManager and the TaskManagers rebuild the second job's plan with the first job's result.
// Prints `SECOND <json>` with what the second job collected. Args: n.
import { StreamExecutionEnvironment } from '../../src/index.ts';

export default async function main(args: readonly string[]): Promise<void> {
  const n = Number(args[0] ?? '10');
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(2);
  const firsts = await env
    .fromSequence(1, n)
    .filter((x) => x % 3 === 0)
    .executeAndCollect('first');
  // The second job's shape depends on the first job's output.
  const factors = firsts.sort((a, b) => a - b);
  let stream = env.fromSequence(1, 4);
  for (const f of factors) stream = stream.map((x) => x + f).name(`plus ${f}`);
  const seconds = await stream.executeAndCollect('second');
  process.stdout.write(`SECOND ${JSON.stringify(seconds.sort((a, b) => a - b))}\n`);
}
