// Job module of the chained-pipeline benchmark: source → map → filter → map → sink at
// parallelism 1, all chained into one task in one slot (one worker thread).
// Args: shape ("numbers" | "events"), record count, sink report channel.
import {
  DataGeneratorSource,
  type DataStream,
  StreamExecutionEnvironment,
  WatermarkStrategy,
} from '../../src/index.ts';
import { CountingSink } from '../counting-sink.ts';
import { type ChainedWork, SHAPES, type ShapeName } from './chained-work.ts';

export default async function main(args: readonly string[]): Promise<void> {
  const [shape = 'numbers', count = '1000', channel = 'chained'] = args;
  const work = SHAPES[shape as ShapeName] as ChainedWork<unknown, unknown, unknown> | undefined;
  if (work === undefined) throw new Error(`unknown shape ${shape}`);
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(1);
  const source: DataStream<unknown> =
    shape === 'numbers'
      ? (env.fromSequence(0, Number(count) - 1) as DataStream<unknown>)
      : env.fromSource(
          new DataGeneratorSource(work.generate, Number(count)),
          WatermarkStrategy.noWatermarks(),
          'generator',
        );
  source
    .map(work.map1)
    .filter(work.keep)
    .map(work.map2)
    .sinkTo(new CountingSink({ channel, checksum: work.checksum }));
  await env.execute(`core: chained ${shape}`);
}
