// Job module of the checkpoint-overhead benchmark: a generator source (parallelism 1) → keyBy →
// count per key in ValueState (parallelism 2) → counting sink, with or without checkpoints.
// Args: records, report channel, distinct keys, checkpoint interval in ms (0 = none), checkpoint dir.
import {
  type Collector,
  DataGeneratorSource,
  KeyedProcessFunction,
  type ProcessContext,
  type RuntimeContext,
  StreamExecutionEnvironment,
  type ValueState,
  ValueStateDescriptor,
  WatermarkStrategy,
} from '../../src/index.ts';
import { CountingSink } from '../counting-sink.ts';

class CountPerKey extends KeyedProcessFunction<number, number, number> {
  #count!: ValueState<number>;
  override open(ctx: RuntimeContext): void {
    this.#count = ctx.getState(new ValueStateDescriptor<number>('count', { defaultValue: 0 }));
  }
  processElement(_key: number, _ctx: ProcessContext<number>, out: Collector<number>): void {
    const n = this.#count.value()! + 1;
    this.#count.update(n);
    out.collect(n);
  }
}

export default async function main(args: readonly string[]): Promise<void> {
  const [records = '1000', channel = 'keyed-count', keys = '100000', interval = '0', dir = ''] = args;
  const distinct = Number(keys);
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(2);
  if (Number(interval) > 0) {
    env.enableCheckpointing(Number(interval));
    env.getCheckpointConfig().setCheckpointStorage(dir);
    // Kept until the job ends, so the benchmark can read every checkpoint's metadata.
    env.getCheckpointConfig().setNumRetainedCheckpoints(10_000);
  }
  env
    .fromSource(
      new DataGeneratorSource((i) => (i * 7919) % distinct, Number(records)),
      WatermarkStrategy.noWatermarks(),
      'generator',
    )
    .setParallelism(1)
    .keyBy((k) => k)
    .process(new CountPerKey())
    .sinkTo(new CountingSink<number>({ channel, checksum: (n) => n }));
  await env.execute(`checkpoints: keyed count (interval ${interval} ms)`);
}
