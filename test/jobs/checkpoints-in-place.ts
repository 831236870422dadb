// Job module: keyed state changed in place (an object read, mutated and written back, a list
// appended to, a map put into) while asynchronous checkpoints of it are being written every
// 10 ms; the first attempt fails once half the records are through. Returns the collected rows.
// Args: --backend hashmap|lmdb, --dir (lmdb stores), --checkpoints DIR.
import {
  type Collector,
  DataGeneratorSource,
  KeyedProcessFunction,
  type ListState,
  ListStateDescriptor,
  type MapState,
  MapStateDescriptor,
  type ProcessContext,
  RestartStrategies,
  type RuntimeContext,
  StreamExecutionEnvironment,
  type ValueState,
  ValueStateDescriptor,
  WatermarkStrategy,
} from '../../src/index.ts';
import { options } from './support.ts';

export const RECORDS = 3000;
export const KEYS = 10;

/** [key, count, sum of the object's array, list length, list sum, map size, map total]. */
export type InPlaceRow = [number, number, number, number, number, number, number];

class InPlace extends KeyedProcessFunction<number, number, InPlaceRow> {
  #object!: ValueState<{ n: number; xs: number[] }>;
  #list!: ListState<number>;
  #map!: MapState<number, { total: number }>;
  #attempt = 0;
  override open(ctx: RuntimeContext): void {
    this.#attempt = ctx.getAttemptNumber();
    this.#object = ctx.getState(new ValueStateDescriptor('object'));
    this.#list = ctx.getListState(new ListStateDescriptor<number>('list'));
    this.#map = ctx.getMapState(new MapStateDescriptor<number, { total: number }>('map'));
  }
  processElement(v: number, ctx: ProcessContext<number>, out: Collector<InPlaceRow>): void {
    if (this.#attempt === 0 && v === RECORDS / 2) throw new Error('injected failure half-way');
    const o = this.#object.value() ?? { n: 0, xs: [] };
    o.n++;
    o.xs.push(v);
    this.#object.update(o);
    this.#list.add(v);
    const bucket = v % 3;
    const entry = this.#map.get(bucket) ?? { total: 0 };
    entry.total += v;
    this.#map.put(bucket, entry);
    const list = this.#list.get();
    let mapSize = 0;
    let mapTotal = 0;
    for (const e of this.#map.values()) {
      mapSize++;
      mapTotal += e.total;
    }
    out.collect([
      ctx.getCurrentKey(),
      o.n,
      o.xs.reduce((a, b) => a + b, 0),
      list.length,
      list.reduce((a, b) => a + b, 0),
      mapSize,
      mapTotal,
    ]);
  }
}

export default async function main(args: readonly string[]): Promise<{ rows: InPlaceRow[] }> {
  const o = options(args);
  const env = StreamExecutionEnvironment.getExecutionEnvironment({
    'state.backend.type': o.backend ?? 'hashmap',
    ...(o.backend === 'lmdb' ? { 'state.backend.lmdb.dir': o.dir! } : {}),
  });
  env.setParallelism(2);
  env.enableCheckpointing(10);
  env.getCheckpointConfig().setCheckpointStorage(o.checkpoints!);
  env.setRestartStrategy(RestartStrategies.fixedDelayRestart(2, 10));
  const rows = await env
    .fromSource(
      new DataGeneratorSource((i) => i, RECORDS, { recordsPerSecond: 3000 }),
      WatermarkStrategy.noWatermarks(),
      'numbers',
    )
    .uid('numbers')
    // One reader: each key sees its values in ascending order, so every row is determined.
    .setParallelism(1)
    .keyBy((v) => v % KEYS)
    .process(new InPlace())
    .uid('in-place')
    .executeAndCollect('in-place state under asynchronous checkpoints');
  return { rows };
}
