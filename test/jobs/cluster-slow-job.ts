// A job module for the cluster tests that runs until it is cancelled (or its TaskManager dies):
// a rate-limited generator, a keyBy exchange and a sink that discards.
// Args: parallelism ("default": leave it to the cluster), rate, checkpoint interval (0 = none).
import { BlackholeSink, StreamExecutionEnvironment } from '../../src/index.ts';

export default async function main(args: readonly string[]): Promise<void> {
  const [parallelism = '2', rate = '2000', checkpointInterval = '0'] = args;
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  if (parallelism !== 'default') env.setParallelism(Number(parallelism));
  if (Number(checkpointInterval) > 0) env.enableCheckpointing(Number(checkpointInterval));
  env
    .fromGenerator((i) => ({ key: i % 64, value: 1 }), 1_000_000_000, { recordsPerSecond: Number(rate) })
    .keyBy((e) => e.key)
    .sum('value')
    .sinkTo(new BlackholeSink());
  await env.execute('cluster slow job');
}
