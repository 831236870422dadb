// Job module of the keyBy-exchange benchmark: a generator source (parallelism 1, slot 0) → keyBy
// → rolling sum per key → counting sink. The keyed operator runs at parallelism 2, and every key
// is chosen from the key groups of its subtask 1, which the JobMaster places in slot 1 (subtask i
// goes to slot i mod slots): every record crosses from slot 0's worker thread to slot 1's, while
// keyed subtask 0 stays idle. The sinks and the source report their threads, so the benchmark
// checks that the records did cross.
// Args: record count, report channel, distinct keys.
import { DataGeneratorSource, StreamExecutionEnvironment, WatermarkStrategy } from '../../src/index.ts';
import { assignToKeyGroup, computeOperatorIndexForKeyGroup } from '../../src/state/index.ts';
import { CountingSink, reportThread } from '../counting-sink.ts';

/** Max parallelism of the job (number of key groups). */
export const MAX_PARALLELISM = 128;

/** A keyed event. */
export interface KeyedEvent {
  readonly key: number;
  readonly value: number;
}

/** The first `n` integer keys whose key group belongs to `subtask` of `parallelism`. */
export function keysOfSubtask(subtask: number, parallelism: number, n: number): number[] {
  const keys: number[] = [];
  for (let k = 0; keys.length < n; k++) {
    const group = assignToKeyGroup(k, MAX_PARALLELISM);
    if (computeOperatorIndexForKeyGroup(MAX_PARALLELISM, parallelism, group) === subtask) keys.push(k);
  }
  return keys;
}

export default async function main(args: readonly string[]): Promise<void> {
  const [count = '1000', channel = 'keyby', distinctKeys = '1000'] = args;
  const keys = keysOfSubtask(1, 2, Number(distinctKeys));
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setMaxParallelism(MAX_PARALLELISM);
  env.setParallelism(2);
  env
    .fromSource(
      new DataGeneratorSource<KeyedEvent>((i) => {
        if (i === 0) reportThread(channel, 'source');
        return { key: keys[i % keys.length]!, value: 1 };
      }, Number(count)),
      WatermarkStrategy.noWatermarks(),
      'generator',
    )
    .setParallelism(1)
    .keyBy((e) => e.key)
    .sum('value')
    .sinkTo(new CountingSink<KeyedEvent>({ channel, checksum: (e) => e.value }));
  await env.execute('core: keyBy exchange');
}
