// A job module for the cluster failover test: a rate-limited generator counted per key through a
// keyBy exchange, with checkpoints every 200 ms and a fixed-delay restart strategy, so a
// TaskManager lost mid-job restarts it from its latest checkpoint. Emits one `{ key, count }` per
// key when its count reaches records / keys: exactly once, or the counts are wrong.
// Args: records, keys, parallelism, records per second.
import { RestartStrategies, StreamExecutionEnvironment } from '../../src/index.ts';

export default async function main(args: readonly string[]): Promise<Array<{ key: number; count: number }>> {
  const [records = '20000', keys = '20', parallelism = '4', rate = '4000'] = args;
  const n = Number(records);
  const k = Number(keys);
  const perKey = n / k;
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(Number(parallelism));
  env.enableCheckpointing(200);
  env.setRestartStrategy(RestartStrategies.fixedDelayRestart(3, 200));
  return env
    .fromGenerator((i) => ({ key: i % k, count: 1 }), n, { recordsPerSecond: Number(rate) })
    .keyBy((e) => e.key)
    .sum('count')
    .filter((e) => e.count === perKey)
    .executeAndCollect('cluster checkpointed count');
}
