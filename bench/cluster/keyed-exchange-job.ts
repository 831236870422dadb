// Job module of the cluster benchmark: a generator source (parallelism 1) → keyBy → rolling sum
// per key → discarding sink. The keyed operator runs at parallelism 2 and every key belongs to
// its subtask 1: on a cluster of two one-slot TaskManagers the source runs on one and keyed
// subtask 1 on the other, so every record crosses the TCP data link between them; embedded, the
// two run in two worker threads. Prints one `BENCH {...}` line with the job's net runtime.
// Args: record count, distinct keys.
import {
  BlackholeSink,
  DataGeneratorSource,
  StreamExecutionEnvironment,
  WatermarkStrategy,
} from '../../src/index.ts';
import { assignToKeyGroup, computeOperatorIndexForKeyGroup } from '../../src/state/index.ts';

const MAX_PARALLELISM = 128;

function keysOfSubtask(subtask: number, parallelism: number, n: number): number[] {
  const keys: number[] = [];
  for (let k = 0; keys.length < n; k++) {
    const group = assignToKeyGroup(k, MAX_PARALLELISM);
    if (computeOperatorIndexForKeyGroup(MAX_PARALLELISM, parallelism, group) === subtask) keys.push(k);
  }
  return keys;
}

export default async function main(args: readonly string[]): Promise<void> {
  const [count = '1000000', distinctKeys = '1000'] = args;
  const keys = keysOfSubtask(1, 2, Number(distinctKeys));
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setMaxParallelism(MAX_PARALLELISM);
  env.setParallelism(2);
  env
    .fromSource(
      new DataGeneratorSource((i) => ({ key: keys[i % keys.length]!, value: 1 }), Number(count)),
      WatermarkStrategy.noWatermarks(),
      'generator',
    )
    .setParallelism(1)
    .keyBy((e) => e.key)
    .sum('value')
    .sinkTo(new BlackholeSink());
  const result = await env.execute('cluster bench: keyed exchange');
  process.stdout.write(
    `BENCH ${JSON.stringify({ jobId: result.getJobID(), netRuntime: result.getNetRuntime() })}\n`,
  );
}
