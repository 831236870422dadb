// Job module of the unaligned-checkpoint benchmark: a generator (parallelism 2) → keyBy → a slow
// keyed map (busy work per record) → blackhole, with few, small network buffers, so buffers wait
// in every channel: checkpoints every interval, aligned or unaligned.
// Args: records, micros of work per record, checkpoint interval ms, checkpoint dir, aligned|unaligned.
import {
  BlackholeSink,
  DataGeneratorSource,
  StreamExecutionEnvironment,
  WatermarkStrategy,
} from '../../src/index.ts';

export default async function main(args: readonly string[]): Promise<void> {
  const [records = '100000', micros = '50', interval = '200', dir = '', mode = 'unaligned'] = args;
  const env = StreamExecutionEnvironment.getExecutionEnvironment({
    'taskmanager.network.credits-per-channel': 2,
    'taskmanager.memory.segment-size': 4096,
  });
  env.setParallelism(2);
  env.enableCheckpointing(Number(interval));
  const config = env.getCheckpointConfig();
  config.setCheckpointStorage(dir);
  // Kept until the job ends, so the benchmark can read every checkpoint.
  config.setNumRetainedCheckpoints(10_000);
  if (mode === 'unaligned') config.enableUnalignedCheckpoints();
  const work = Number(micros) / 1000;
  let _sink = 0;
  env
    .fromSource(
      new DataGeneratorSource((i) => i, Number(records)),
      WatermarkStrategy.noWatermarks(),
      'generator',
    )
    .keyBy((v) => v % 1000)
    .map((v) => {
      const until = performance.now() + work;
      while (performance.now() < until) _sink += v;
      return v;
    })
    .sinkTo(new BlackholeSink());
  await env.execute(`unaligned bench (${mode})`);
}
