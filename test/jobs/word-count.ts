// A job module for tests: word count over the given lines at the given parallelism.
import { StreamExecutionEnvironment } from '../../src/index.ts';

export default async function main(args: readonly string[]): Promise<Array<[string, number]>> {
  const [parallelism = '2', ...lines] = args;
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(Number(parallelism));
  return env
    .fromCollection(lines)
    .flatMap((line) => line.split(/\s+/).filter((w) => w.length > 0))
    .map((w): [string, number] => [w, 1])
    .keyBy((t) => t[0])
    .sum(1)
    .executeAndCollect('word count');
}
