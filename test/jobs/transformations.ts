// Job module: stateless transformations (arrow and object forms), keyBy, rolling aggregations,
// union and every partitioner. Each check tags its records, so one job run covers all of them.
import { appendFileSync } from 'node:fs';
import {
  AbstractRichFunction,
  type Collector,
  type DataStream,
  type RuntimeContext,
  StreamExecutionEnvironment,
} from '../../src/index.ts';
import { options, type Tagged } from './support.ts';

/** map() as a class: records the subtask it runs in, from its runtime context. */
class SubtaskTagger<T> extends AbstractRichFunction {
  readonly #check: string;
  constructor(check: string) {
    super();
    this.#check = check;
  }
  map(value: T): Tagged {
    return [this.#check, [value, this.getRuntimeContext().getIndexOfThisSubtask()]];
  }
}

interface Row {
  k: string;
  v: number;
  id: number;
}

export default async function main(args: readonly string[]): Promise<Tagged[]> {
  const { parallelism = '2', closeLog = '' } = options(args);
  const p = Number(parallelism);
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(p);
  const seq = env.fromSequence(1, 20);
  const branches: DataStream<Tagged>[] = [];

  branches.push(seq.map((x): Tagged => ['map-arrow', x * 10]));
  // A plain object with Flink's method names (not a class).
  const mapObject = {
    opened: false,
    subtask: -1,
    parallelism: -1,
    open(ctx: RuntimeContext) {
      this.opened = true;
      this.subtask = ctx.getIndexOfThisSubtask();
      this.parallelism = ctx.getNumberOfParallelSubtasks();
    },
    map(x: number): Tagged {
      return ['map-object', [x, this.subtask, this.parallelism, this.opened]];
    },
    close() {
      if (closeLog !== '') appendFileSync(closeLog, `map-object ${this.subtask}\n`);
    },
  };
  branches.push(seq.map(mapObject));
  branches.push(seq.flatMap((x) => (x % 2 === 0 ? [x, -x] : [])).map((x): Tagged => ['flatmap-arrow', x]));
  branches.push(
    seq
      .flatMap({
        flatMap(x: number, out: Collector<number>) {
          if (x % 5 === 0) {
            out.collect(x);
            out.collect(x + 0.5);
          }
        },
      })
      .map((x): Tagged => ['flatmap-object', x]),
  );
  branches.push(seq.filter((x) => x % 3 === 0).map((x): Tagged => ['filter-arrow', x]));
  const filterObject = {
    limit: 0,
    open() {
      this.limit = 15;
    },
    filter(x: number) {
      return x > this.limit;
    },
  };
  branches.push(seq.filter(filterObject).map((x): Tagged => ['filter-object', x]));

  // keyBy: the same key always reaches the same subtask (strings, numbers, composite keys).
  const many = env.fromSequence(1, 200);
  branches.push(many.keyBy((x) => `k${x % 7}`).map(new SubtaskTagger<number>('keyby-string')));
  branches.push(many.keyBy((x) => x % 11).map(new SubtaskTagger<number>('keyby-number')));
  branches.push(
    many
      .keyBy((x) => (x % 2 === 0 ? { a: x % 3, b: 'even' } : { b: 'odd', a: x % 3 }))
      .map(new SubtaskTagger<number>('keyby-composite')),
  );

  // Rolling aggregations on objects, arrays and plain numbers.
  const rows = env.fromElements<Row>(
    { k: 'a', v: 3, id: 1 },
    { k: 'b', v: 1, id: 2 },
    { k: 'a', v: 1, id: 3 },
    { k: 'a', v: 5, id: 4 },
    { k: 'b', v: 1, id: 5 },
  );
  const byK = rows.keyBy((r) => r.k);
  branches.push(byK.sum('v').map((r): Tagged => ['sum-object', r]));
  branches.push(byK.min('v').map((r): Tagged => ['min-object', r]));
  branches.push(byK.max('v').map((r): Tagged => ['max-object', r]));
  branches.push(byK.minBy('v').map((r): Tagged => ['minBy-object', r]));
  branches.push(byK.maxBy('v').map((r): Tagged => ['maxBy-object', r]));
  branches.push(
    byK
      .reduce({ reduce: (x: Row, y: Row) => ({ ...x, v: x.v * 10 + y.v }) })
      .map((r): Tagged => ['reduce', r]),
  );
  const pairs = env.fromElements<[string, number]>(['a', 3], ['b', 1], ['a', 1], ['a', 5]).keyBy((t) => t[0]);
  branches.push(pairs.sum(1).map((r): Tagged => ['sum-array', r]));
  branches.push(pairs.min(1).map((r): Tagged => ['min-array', r]));
  branches.push(pairs.max(1).map((r): Tagged => ['max-array', r]));
  branches.push(pairs.minBy(1).map((r): Tagged => ['minBy-array', r]));
  branches.push(pairs.maxBy(1).map((r): Tagged => ['maxBy-array', r]));
  branches.push(
    env
      .fromElements(1, 2, 3, 4, 5)
      .keyBy((x) => x % 2)
      .sum()
      .map((r): Tagged => ['sum-number', r]),
  );

  // union of three streams, one of them parallel.
  branches.push(
    env
      .fromElements('x', 'y')
      .union(
        env.fromElements('z'),
        seq.filter((x) => x <= 2).map((x) => String(x)),
      )
      .map((s): Tagged => ['union', s]),
  );

  // Partitioners: tag each record with the subtask that sent it and the one that received it.
  const sent = env
    .fromSequence(1, 40)
    .map(new SubtaskTagger<number>('x'))
    .map((t) => t[1] as [number, number]);
  const received = (check: string) =>
    new SubtaskTagger<[number, number]>(check) as unknown as { map(v: [number, number]): Tagged };
  branches.push(sent.rebalance().map(received('rebalance')));
  branches.push(
    sent
      .rescale()
      .map(received('rescale'))
      .setParallelism(2 * p),
  );
  branches.push(sent.shuffle().map(received('shuffle')));
  branches.push(sent.forward().map(received('forward')));
  branches.push(sent.broadcast().map(received('broadcast')));
  branches.push(sent.global().map(received('global')));
  branches.push(
    sent
      .partitionCustom(
        (key: number, n) => key % n,
        (t) => t[0],
      )
      .map(received('custom')),
  );

  const [first, ...rest] = branches;
  return first!.union(...rest).executeAndCollect('transformations');
}
