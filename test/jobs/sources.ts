// Job module: every built-in source, tagged and unioned into one collected stream. Each record
// carries the subtask that read it, to show which sources read in parallel.
import {
  AbstractRichFunction,
  DataGeneratorSource,
  type DataStream,
  FileSource,
  StreamExecutionEnvironment,
  WatermarkStrategy,
} from '../../src/index.ts';
import { options, type Tagged } from './support.ts';

class Tag<T> extends AbstractRichFunction {
  readonly #check: string;
  constructor(check: string) {
    super();
    this.#check = check;
  }
  map(value: T): Tagged {
    return [this.#check, [value, this.getRuntimeContext().getIndexOfThisSubtask()]];
  }
}

function* numbers(n: number): Generator<number> {
  for (let i = 0; i < n; i++) yield i * i;
}

export default async function main(args: readonly string[]): Promise<Tagged[]> {
  const { parallelism = '2', file = '', folder = '' } = options(args);
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(Number(parallelism));
  const none = WatermarkStrategy.noWatermarks<number>();
  const streams: DataStream<Tagged>[] = [
    env.fromElements('a', 'b', 'c').map(new Tag<string>('fromElements')),
    env.fromCollection(numbers(50)).map(new Tag<number>('fromCollection-generator')),
    env.fromCollection(new Set(['s1', 's2'])).map(new Tag<string>('fromCollection-set')),
    env.fromSequence(1, 1000).map(new Tag<number>('fromSequence')),
    env.readTextFile(file).map(new Tag<string>('readTextFile-file')),
    env.readTextFile(folder).map(new Tag<string>('readTextFile-folder')),
    env
      .fromSource(new DataGeneratorSource((i) => i, 300), none, 'generated')
      .map(new Tag<number>('datagen-count')),
    env
      .fromSource(new DataGeneratorSource((i) => i, 60, { recordsPerSecond: 600 }), none, 'rate-limited')
      .map(new Tag<number>('datagen-rate')),
    env
      .fromSource(FileSource.forTextLines(folder, file), WatermarkStrategy.noWatermarks(), 'files')
      .map(new Tag<string>('fileSource')),
  ];
  const [first, ...rest] = streams;
  return first!.union(...rest).executeAndCollect('sources');
}
