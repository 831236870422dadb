// A job module for the cluster tests: unaligned checkpoints under backpressure across
// TaskManagers. A fast generator feeds a slow keyed map through few, small buffers, so buffers
// always wait in the channels (also on the TCP data links between TaskManagers); it runs until
// it is cancelled. Args: parallelism, checkpoint interval.
import { BlackholeSink, StreamExecutionEnvironment } from '../../src/index.ts';

export default async function main(args: readonly string[]): Promise<void> {
  const [parallelism = '4', interval = '200'] = args;
  const env = StreamExecutionEnvironment.getExecutionEnvironment({
    'taskmanager.network.credits-per-channel': 2,
    'taskmanager.memory.segment-size': 1024,
  });
  env.setParallelism(Number(parallelism));
  env.enableCheckpointing(Number(interval));
  env.getCheckpointConfig().enableUnalignedCheckpoints();
  let _sink = 0;
  env
    .fromGenerator((i) => i, 1_000_000_000)
    .keyBy((v) => v % 64)
    .map((v) => {
      // Slow: a fifth of a millisecond per record.
      const until = performance.now() + 0.2;
      while (performance.now() < until) _sink += v;
      return v;
    })
    .sinkTo(new BlackholeSink());
  await env.execute('cluster unaligned job');
}
