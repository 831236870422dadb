// A job module for the cluster failover tests that checks exactly-once itself: a rate-limited
// generator of `{ key, count: 1, total: i }`, reduced per key through a keyBy exchange with
// checkpoints every 200 ms and a fixed-delay restart strategy. Emits one `{ key, count, total }`
// per key when its count reaches records / keys; a replayed record makes `total` wrong there
// and a lost one keeps the count from getting there, so the totals tell both apart from exactly once.
// Args: records, keys, parallelism, records per second.
import { RestartStrategies, StreamExecutionEnvironment } from '../../src/index.ts';

export default async function main(
  args: readonly string[],
): Promise<Array<{ key: number; count: number; total: number }>> {
  const [records = '20000', keys = '20', parallelism = '4', rate = '4000'] = args;
  const n = Number(records);
  const k = Number(keys);
  const perKey = n / k;
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(Number(parallelism));
  env.enableCheckpointing(200);
  env.setRestartStrategy(RestartStrategies.fixedDelayRestart(3, 200));
  return env
    .fromGenerator((i) => ({ key: i % k, count: 1, total: i }), n, { recordsPerSecond: Number(rate) })
    .keyBy((e) => e.key)
    .reduce((a, b) => ({ key: a.key, count: a.count + b.count, total: a.total + b.total }))
    .filter((e) => e.count === perKey)
    .executeAndCollect('cluster checked sum');
}
