// A job module for the cluster tests whose map function throws on record 500: the job fails and
// `sluice run -m` reports the root cause. Args: parallelism.
import { BlackholeSink, StreamExecutionEnvironment } from '../../src/index.ts';

function parseRecord(i: number): number {
  if (i === 500) throw new RangeError(`record ${i} is out of range`);
  return i;
}

export default async function main(args: readonly string[]): Promise<void> {
  const [parallelism = '2'] = args;
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(Number(parallelism));
  env.fromSequence(0, 10_000).map(parseRecord).name('parse').sinkTo(new BlackholeSink());
  await env.execute('cluster failing job');
}
