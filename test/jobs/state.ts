// Job module: the five keyed state kinds (in a process function and in a map on a keyed stream),
// state TTL on the task's clock, and operator list state of a non-keyed function.
import {
  type AggregatingState,
  AggregatingStateDescriptor,
  type Collector,
  type DataStream,
  EmbeddedLmdbStateBackend,
  KeyedProcessFunction,
  type ListState,
  ListStateDescriptor,
  type MapState,
  MapStateDescriptor,
  type ProcessContext,
  type ReducingState,
  ReducingStateDescriptor,
  type RuntimeContext,
  StateTtlConfig,
  StreamExecutionEnvironment,
  type ValueState,
  ValueStateDescriptor,
} from '../../src/index.ts';
import { options, type Tagged } from './support.ts';

type In = [key: string, value: number];

class AllStates extends KeyedProcessFunction<string, In, Tagged> {
  #count!: ValueState<number>;
  #values!: ListState<number>;
  #occurrences!: MapState<number, number>;
  #sum!: ReducingState<number>;
  #average!: AggregatingState<number, number>;
  override open(ctx: RuntimeContext): void {
    this.#count = ctx.getState(new ValueStateDescriptor<number>('count', { defaultValue: 0 }));
    this.#values = ctx.getListState(new ListStateDescriptor<number>('values'));
    this.#occurrences = ctx.getMapState(new MapStateDescriptor<number, number>('occurrences'));
    this.#sum = ctx.getReducingState(new ReducingStateDescriptor<number>('sum', (a, b) => a + b));
    this.#average = ctx.getAggregatingState(
      new AggregatingStateDescriptor('average', {
        createAccumulator: () => [0, 0] as [number, number],
        add: (v: number, acc: [number, number]): [number, number] => [acc[0] + v, acc[1] + 1],
        getResult: (acc: [number, number]) => acc[0] / acc[1],
      }),
    );
  }
  processElement([, v]: In, ctx: ProcessContext<string>, out: Collector<Tagged>): void {
    this.#count.update(this.#count.value()! + 1);
    this.#values.add(v);
    this.#occurrences.put(v, (this.#occurrences.get(v) ?? 0) + 1);
    this.#sum.add(v);
    this.#average.add(v);
    if (v < 0) {
      // A negative value resets the key: every kind of state can be cleared.
      for (const s of [this.#count, this.#values, this.#occurrences, this.#sum, this.#average]) s.clear();
    }
    out.collect([
      'all-states',
      {
        key: ctx.getCurrentKey(),
        count: this.#count.value(),
        values: this.#values.get(),
        occurrences: [...this.#occurrences.entries()].sort((a, b) => a[0] - b[0]),
        empty: this.#occurrences.isEmpty(),
        sum: this.#sum.get() ?? null,
        average: this.#average.get() ?? null,
      },
    ]);
  }
}

/** map() on a keyed stream: keyed state through the function's runtime context, with TTL. */
class WithTtl {
  #shortLived!: ValueState<number>;
  #longLived!: ValueState<number>;
  open(ctx: RuntimeContext): void {
    this.#shortLived = ctx.getState(
      new ValueStateDescriptor<number>('short').enableTimeToLive(StateTtlConfig.newBuilder(2).build()),
    );
    this.#longLived = ctx.getState(
      new ValueStateDescriptor<number>('long').enableTimeToLive(StateTtlConfig.newBuilder(3_600_000).build()),
    );
  }
  map([key, v]: In): Tagged {
    const before = this.#longLived.value() ?? 0;
    this.#longLived.update(before + v);
    this.#shortLived.update(v);
    const written = this.#shortLived.value();
    // Let the task's processing-time clock pass the 2 ms time-to-live (a wait on a condition).
    const start = Date.now();
    while (Date.now() - start < 4) {}
    return [
      'ttl',
      { key, written, afterTtl: this.#shortLived.value() ?? null, long: this.#longLived.value() },
    ];
  }
}

/** Operator (non-keyed) list state: every subtask keeps the records it saw. */
class Buffering {
  #buffer!: ListState<number>;
  #union!: ListState<number>;
  #subtask = -1;
  open(ctx: RuntimeContext): void {
    this.#buffer = ctx.getOperatorListState(new ListStateDescriptor<number>('buffer'));
    this.#union = ctx.getUnionListState(new ListStateDescriptor<number>('union'));
    this.#subtask = ctx.getIndexOfThisSubtask();
  }
  map(v: number): Tagged {
    this.#buffer.add(v);
    this.#union.update([v]);
    return [
      'operator-state',
      { subtask: this.#subtask, size: this.#buffer.get().length, union: this.#union.get() },
    ];
  }
}

export default async function main(args: readonly string[]): Promise<Tagged[]> {
  const { parallelism = '2', 'state-backend': backend = 'hashmap' } = options(args);
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(Number(parallelism));
  if (backend === 'lmdb') env.setStateBackend(new EmbeddedLmdbStateBackend());
  const input = env.fromElements<In>(['a', 1], ['b', 10], ['a', 2], ['a', 2], ['c', 5], ['b', -1], ['b', 7]);
  const streams: DataStream<Tagged>[] = [
    input.keyBy((r) => r[0]).process(new AllStates()),
    input.keyBy((r) => r[0]).map(new WithTtl()),
    // rebalance(): splits go to whichever reader asks first, so a subtask might read none.
    env.fromSequence(1, 60).rebalance().map(new Buffering()),
  ];
  const [first, ...rest] = streams;
  return first!.union(...rest).executeAndCollect('state');
}
