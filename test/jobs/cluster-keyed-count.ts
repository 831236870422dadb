// A job module for the cluster tests: counts records per key through a keyBy exchange, so at
// parallelism > 1 on several TaskManagers most records cross between them. Emits one
// `{ key, count }` per key when its count reaches records / keys.
// Args: records, keys, parallelism.
import { StreamExecutionEnvironment } from '../../src/index.ts';

export default async function main(args: readonly string[]): Promise<Array<{ key: number; count: number }>> {
  const [records = '100000', keys = '100', parallelism = '4'] = args;
  const n = Number(records);
  const k = Number(keys);
  const perKey = n / k;
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(Number(parallelism));
  return env
    .fromSequence(0, n - 1)
    .map((i) => ({ key: i % k, count: 1 }))
    .keyBy((e) => e.key)
    .sum('count')
    .filter((e) => e.count === perKey)
    .executeAndCollect('cluster keyed count');
}
