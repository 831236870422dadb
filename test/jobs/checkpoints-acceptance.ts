// Job module for acceptance checks of issue #5 written as a Flink user would: combinations the
// golden job does not cover — TTL state, processing-time timers, sliding windows, finished
// collection/sequence sources, union state — on either state backend, rescaled in either direction.
//   --phase straight | failover | start | resume   (as test/jobs/checkpoints-golden.ts)
//   --parallelism p (optional: `sluice run -p` decides when absent)  --out dir  --checkpoints dir
//   --backend heap | lmdb   --state-dir dir (lmdb)   --restore path (any phase but straight)
//   --version 1 | 2         version 2 drops the operator with uid "dropped" and adds "added"
//   --max-parallelism n     env.setMaxParallelism(n)       --unaligned true   unaligned checkpoints
import {
  type AggregatingState,
  AggregatingStateDescriptor,
  type CheckpointListener,
  type Collector,
  DataGeneratorSource,
  FileSink,
  type JobClient,
  KeyedProcessFunction,
  type ListState,
  ListStateDescriptor,
  type MapState,
  MapStateDescriptor,
  type OnTimerContext,
  type ProcessContext,
  type ReducingState,
  ReducingStateDescriptor,
  type RuntimeContext,
  SlidingEventTimeWindows,
  StateTtlConfig,
  type TimeWindow,
  type ValueState,
  ValueStateDescriptor,
  WatermarkStrategy,
} from '../../src/index.ts';
import { acceptanceEnvironment, options, UnionDedupe } from './support.ts';

export const EVENTS = 2_400;
export const KEYS = 13;
/**
 * Ids that register a processing-time timer 100 ms ahead: divisible by 50, below 1000, and at
 * least 150 ids before the end of their generator split at every first-run parallelism 1–4 —
 * timers still pending when the input ends do not fire (as in Flink), so each must have time to.
 */
export function registersProcessingTimer(id: number): boolean {
  return id % 50 === 0 && id < 1_000 && [600, 800, 1_200, 2_400].every((span) => id % span < span - 150);
}
export const SEQUENCE = 300;
export const COLLECTION = 40;
/** Event-time timers at and after this fire only with the final watermark. */
const END = 1e15;

interface Event {
  readonly id: number;
  readonly key: number;
  readonly v: number;
}

const ttl = StateTtlConfig.newBuilder(3_600_000).setUpdateType('OnReadAndWrite').build();

/**
 * Keyed state with a time-to-live (value, list, map, reducing), an end-of-input event-time timer
 * and processing-time timers that are usually still pending when a checkpoint or savepoint is taken.
 */
class TtlAndTimers extends KeyedProcessFunction<number, Event, string> implements CheckpointListener {
  #count!: ValueState<number>;
  #values!: ListState<number>;
  #buckets!: MapState<number, number>;
  #sum!: ReducingState<number>;
  #max!: AggregatingState<number, number>;
  readonly #failAfter: number | undefined;
  #completed = 0;
  #attempt = 0;

  constructor(failAfter: number | undefined) {
    super();
    this.#failAfter = failAfter;
  }

  override open(ctx: RuntimeContext): void {
    this.#count = ctx.getState(new ValueStateDescriptor<number>('count').enableTimeToLive(ttl));
    this.#values = ctx.getListState(new ListStateDescriptor<number>('values').enableTimeToLive(ttl));
    this.#buckets = ctx.getMapState(new MapStateDescriptor<number, number>('buckets').enableTimeToLive(ttl));
    this.#sum = ctx.getReducingState(
      new ReducingStateDescriptor<number>('sum', (a, b) => a + b).enableTimeToLive(ttl),
    );
    this.#max = ctx.getAggregatingState(
      new AggregatingStateDescriptor('max', {
        createAccumulator: () => -1,
        add: (v: number, acc: number) => Math.max(v, acc),
        getResult: (acc: number) => acc,
      }).enableTimeToLive(ttl),
    );
    this.#attempt = ctx.getAttemptNumber();
  }

  notifyCheckpointComplete(): void {
    this.#completed++;
  }

  processElement(e: Event, ctx: ProcessContext<number>, out: Collector<string>): void {
    if (this.#failAfter !== undefined && this.#attempt === 0 && this.#completed >= this.#failAfter) {
      throw new Error(`injected failure after ${this.#completed} completed checkpoints`);
    }
    const count = (this.#count.value() ?? 0) + 1;
    this.#count.update(count);
    this.#values.add(e.v);
    this.#buckets.put(e.v % 4, (this.#buckets.get(e.v % 4) ?? 0) + 1);
    this.#sum.add(e.v);
    this.#max.add(e.v);
    out.collect(`e|${e.key}|${count}`);
    const timers = ctx.timerService();
    if (count === 1) timers.registerEventTimeTimer(END + e.key);
    if (registersProcessingTimer(e.id)) {
      timers.registerProcessingTimeTimer(timers.currentProcessingTime() + 100);
    }
  }

  override onTimer(_timestamp: number, ctx: OnTimerContext<number>, out: Collector<string>): void {
    const key = ctx.getCurrentKey();
    if (ctx.timeDomain() === 'PROCESSING_TIME') {
      out.collect(`p|${key}`);
      return;
    }
    const values = this.#values.get();
    const buckets = [...this.#buckets.entries()].sort((a, b) => a[0] - b[0]);
    out.collect(
      `s|${key}|${this.#count.value()}|${this.#sum.get()}|${this.#max.get()}|${values.length}|` +
        `${values.reduce((a, b) => a + b, 0)}|${JSON.stringify(buckets)}`,
    );
  }
}

/** Counts per key in keyed value state; its uid is "dropped" (removed in version 2). */
class Counter extends KeyedProcessFunction<number, Event, string> {
  #count!: ValueState<number>;
  readonly #tag: string;
  constructor(tag: string) {
    super();
    this.#tag = tag;
  }
  override open(ctx: RuntimeContext): void {
    this.#count = ctx.getState(new ValueStateDescriptor<number>('n', { defaultValue: 0 }));
  }
  processElement(e: Event, ctx: ProcessContext<number>, out: Collector<string>): void {
    const n = this.#count.value()! + 1;
    this.#count.update(n);
    if (n === 1) ctx.timerService().registerEventTimeTimer(END + e.key);
    void out;
  }
  override onTimer(_t: number, ctx: OnTimerContext<number>, out: Collector<string>): void {
    out.collect(`${this.#tag}|${ctx.getCurrentKey()}|${this.#count.value()}`);
  }
}

export default async function main(args: readonly string[]): Promise<{ client?: JobClient }> {
  const o = options(args);
  const phase = o.phase ?? 'straight';
  const version = o.version ?? '1';
  const env = acceptanceEnvironment(o, phase, o.restore);

  const events = env
    .fromSource(
      new DataGeneratorSource((id): Event => ({ id, key: id % KEYS, v: (id * 3) % 50 }), EVENTS, {
        recordsPerSecond: EVENTS / 2,
      }),
      // The watermark trails far behind the data: windows and END timers fire only at the end.
      WatermarkStrategy.forBoundedOutOfOrderness<Event>(END / 2).withTimestampAssigner((e) => e.id * 10),
      'events',
    )
    .uid('events');

  const kinds = events
    .keyBy((e) => e.key)
    .process(new TtlAndTimers(phase === 'failover' ? 2 : undefined))
    .uid('ttl-and-timers');

  const sliding = events
    .keyBy((e) => e.key)
    .window(SlidingEventTimeWindows.of(1_000, 300))
    .aggregate(
      {
        createAccumulator: () => [0, 0] as [number, number],
        add: (e: Event, acc: [number, number]): [number, number] => [acc[0] + 1, acc[1] + e.v],
        getResult: (acc: [number, number]) => acc,
        merge: (a: [number, number], b: [number, number]): [number, number] => [a[0] + b[0], a[1] + b[1]],
      },
      (key: number, w: TimeWindow, input: readonly [number, number][], out: Collector<string>) => {
        for (const [n, sum] of input) out.collect(`w|${key}|${w.start}|${n}|${sum}`);
      },
    )
    .uid('sliding');

  // Bounded sources that end at once: a restore must not read them again.
  const sequence = env
    .fromSequence(1, SEQUENCE)
    .uid('sequence')
    .flatMap((n: number) => (n % 3 === 0 ? [n, n] : [n])) // duplicates for UnionDedupe
    .uid('sequence-dup')
    .partitionCustom(
      (n: number, parallelism) => n % parallelism,
      (n) => n,
    )
    .process(new UnionDedupe<number>('seen', (n) => n))
    .uid('dedupe')
    .map((n) => `q|${n}`)
    .uid('sequence-format');
  const collection = env
    .fromCollection(Array.from({ length: COLLECTION }, (_, i) => `c|${i}`))
    .uid('collection')
    .union(env.fromElements('c|x', 'c|y').uid('elements'));

  const versioned =
    version === '1'
      ? events
          .keyBy((e) => e.key)
          .process(new Counter('d'))
          .uid('dropped')
      : events
          .keyBy((e) => e.key)
          .process(new Counter('a'))
          .uid('added');

  kinds
    .union(sliding, sequence, collection, versioned)
    .sinkTo(FileSink.forRowFormat<string>(o.out!).withRollingPolicy({ maxPartSize: 4_096 }).build())
    .uid('sink');
  const name = `acceptance ${phase} v${version}`;
  if (phase === 'start') return { client: await env.executeAsync(name) };
  await env.execute(name);
  return {};
}
