// Job module for golden-output checks: a job whose output (as a multiset) does not depend on
// parallelism, timing or failures, and which keeps every kind of state — keyed value/list/map/
// reducing/aggregating state, event-time timers, window contents, merging session windows,
// operator list state, union list state, broadcast state — and reads four sources (DataGeneratorSource, fromSequence's
// NumberSequenceSource, FileSource, a collection), each throttled so that checkpoints, failures
// and savepoints happen while all of them are still reading.
//   --phase straight   no checkpoints, no failure (the reference)
//   --phase failover   checkpoints every 100 ms; one function throws once 2 checkpoints completed
//   --phase start      checkpoints; returns { client } for the test to stop with a savepoint
//   --phase resume     checkpoints; restores from --restore <savepoint> and runs to the end
//   --parallelism p  --out dir (FileSink)  --input dir (text files)  --checkpoints dir
import {
  type AggregatingState,
  AggregatingStateDescriptor,
  type CheckpointedFunction,
  type CheckpointListener,
  type Collector,
  DataGeneratorSource,
  EventTimeSessionWindows,
  FileSink,
  FileSource,
  IterableSource,
  type JobClient,
  type KeyedBroadcastContext,
  KeyedBroadcastProcessFunction,
  KeyedProcessFunction,
  type ListState,
  ListStateDescriptor,
  type MapState,
  MapStateDescriptor,
  NumberSequenceSource,
  type OnTimerContext,
  type ProcessContext,
  ProcessFunction,
  type ReadOnlyBroadcastContext,
  type ReducingState,
  ReducingStateDescriptor,
  RestartStrategies,
  type RuntimeContext,
  StreamExecutionEnvironment,
  TumblingEventTimeWindows,
  type ValueState,
  ValueStateDescriptor,
  WatermarkStrategy,
} from '../../src/index.ts';
import { options, ThrottledSource, UnionDedupe } from './support.ts';

export const EVENTS = 3_000;
export const SEQUENCE = 3_000;
export const COLLECTION_IDS = 500;
/** Ids per run of sessions: each key has one session per this many ids. */
export const SESSION_IDS = 500;
/** Markers at the end of the collection reach every subtask (up to this parallelism). */
const MARKERS = 8;
const RULES = 10;
/** Timers at and after this time fire only at the end of input (the final watermark). */
const END = 1e12;

interface Event {
  readonly id: number;
  readonly key: number;
  readonly v: number;
}

/** Every kind of keyed state and event-time timers; fails once in the failover phase. */
class AllKinds extends KeyedProcessFunction<number, Event, string> implements CheckpointListener {
  #count!: ValueState<number>;
  #values!: ListState<number>;
  #buckets!: MapState<number, number>;
  #sum!: ReducingState<number>;
  #average!: AggregatingState<number, number>;
  readonly #failAfterCheckpoints: number | undefined;
  #completed = 0;
  #attempt = 0;

  constructor(failAfterCheckpoints: number | undefined) {
    super();
    this.#failAfterCheckpoints = failAfterCheckpoints;
  }

  override open(ctx: RuntimeContext): void {
    this.#count = ctx.getState(new ValueStateDescriptor<number>('count', { defaultValue: 0 }));
    this.#values = ctx.getListState(new ListStateDescriptor<number>('values'));
    this.#buckets = ctx.getMapState(new MapStateDescriptor<number, number>('buckets'));
    this.#sum = ctx.getReducingState(new ReducingStateDescriptor<number>('sum', (a, b) => a + b));
    this.#average = ctx.getAggregatingState(
      new AggregatingStateDescriptor('average', {
        createAccumulator: () => [0, 0] as [number, number],
        add: (v: number, acc: [number, number]): [number, number] => [acc[0] + v, acc[1] + 1],
        getResult: (acc: [number, number]) => acc[0] / acc[1],
      }),
    );
    this.#attempt = ctx.getAttemptNumber();
  }

  notifyCheckpointComplete(): void {
    this.#completed++;
  }

  processElement(e: Event, ctx: ProcessContext<number>, out: Collector<string>): void {
    if (this.#failAfterCheckpoints !== undefined && this.#attempt === 0) {
      if (this.#completed >= this.#failAfterCheckpoints) {
        throw new Error(`injected failure after ${this.#completed} completed checkpoints`);
      }
    }
    const count = this.#count.value()! + 1;
    this.#count.update(count);
    this.#values.add(e.v);
    this.#buckets.put(e.v % 5, (this.#buckets.get(e.v % 5) ?? 0) + 1);
    this.#sum.add(e.v);
    this.#average.add(e.v);
    // The multiset of (key, count) pairs is the same in every order of arrival.
    out.collect(`e|${e.key}|${count}`);
    const timers = ctx.timerService();
    // The final summary fires with the end-of-input watermark; it must survive every restore.
    if (count === 1) timers.registerEventTimeTimer(END + e.key);
    // Timers that fire along the way: each one exactly once, whenever the watermark passes it.
    if (e.id % 10 === 0) timers.registerEventTimeTimer(ctx.timestamp()! + 500);
  }

  override onTimer(timestamp: number, ctx: OnTimerContext<number>, out: Collector<string>): void {
    const key = ctx.getCurrentKey();
    if (timestamp < END) {
      out.collect(`t|${key}|${timestamp}`);
      return;
    }
    const values = this.#values.get();
    const buckets = [...this.#buckets.entries()].sort((a, b) => a[0] - b[0]);
    out.collect(
      `s|${key}|${this.#count.value()}|${this.#sum.get()}|${values.length}|${values.reduce((a, b) => a + b, 0)}|` +
        `${JSON.stringify(buckets)}|${this.#average.get()?.toFixed(6)}`,
    );
  }
}

/** A query for a rule, answered once the rule is known (broadcast state + keyed waiting list). */
class RuleJoin extends KeyedBroadcastProcessFunction<number, number, [string, number], string> {
  static readonly rules = new MapStateDescriptor<string, number>('rules');
  static readonly waiting = new ListStateDescriptor<number>('waiting');
  #waiting!: ListState<number>;

  override open(ctx: RuntimeContext): void {
    this.#waiting = ctx.getListState(RuleJoin.waiting);
  }

  processElement(n: number, ctx: ReadOnlyBroadcastContext<number>, out: Collector<string>): void {
    const value = ctx.getBroadcastState(RuleJoin.rules).get(`r${n % RULES}`);
    if (value === undefined) this.#waiting.add(n);
    else out.collect(`b|${n}|${value}`);
  }

  processBroadcastElement(
    [name, value]: [string, number],
    ctx: KeyedBroadcastContext,
    out: Collector<string>,
  ): void {
    ctx.getBroadcastState(RuleJoin.rules).put(name, value);
    if (name === 'noop') return;
    ctx.applyToKeyedState(RuleJoin.waiting, (key, state: ListState<number>) => {
      if (`r${(key as number) % RULES}` !== name) return;
      for (const n of state.get()) out.collect(`b|${n}|${value}`);
      state.clear();
    });
  }
}

/** An id, or a marker asking the subtask `target % parallelism` to flush. */
type Item = { readonly id: number } | { readonly marker: number };

/** Holds ids back in batches of 7 (operator list state, split among subtasks on rescale). */
class Batcher extends ProcessFunction<Item, string> implements CheckpointedFunction {
  #buffer: number[] = [];
  #state!: ListState<number>;
  override open(ctx: RuntimeContext): void {
    this.#state = ctx.getOperatorListState(new ListStateDescriptor<number>('buffered-ids'));
    this.#buffer = this.#state.get();
  }
  snapshotState(): void {
    this.#state.update(this.#buffer);
  }
  processElement(item: Item, _ctx: ProcessContext<never>, out: Collector<string>): void {
    if ('id' in item) this.#buffer.push(item.id);
    if ('marker' in item || this.#buffer.length >= 7) {
      for (const id of this.#buffer) out.collect(`u|${id}`);
      this.#buffer = [];
    }
  }
}

export default async function main(args: readonly string[]): Promise<{ client?: JobClient }> {
  const o = options(args);
  const phase = o.phase ?? 'straight';
  const p = Number(o.parallelism ?? '2');
  const env = StreamExecutionEnvironment.getExecutionEnvironment(
    phase === 'resume' ? { 'execution.savepoint.path': o.restore! } : {},
  );
  env.setParallelism(p);
  if (phase !== 'straight') {
    env.enableCheckpointing(100);
    env.getCheckpointConfig().setCheckpointStorage(o.checkpoints!);
    env.setRestartStrategy(RestartStrategies.fixedDelayRestart(1, 10));
  }

  // Keyed state of every kind and event-time timers over generated events (2 s of data).
  const events = env
    .fromSource(
      new DataGeneratorSource((id): Event => ({ id, key: id % 17, v: (id * 7) % 100 }), EVENTS, {
        recordsPerSecond: EVENTS / 2,
      }),
      WatermarkStrategy.forBoundedOutOfOrderness<Event>(2_000).withTimestampAssigner((e) => e.id * 10),
      'events',
    )
    .uid('events');
  const kinds = events
    .keyBy((e) => e.key)
    .process(new AllKinds(phase === 'failover' ? 2 : undefined))
    .uid('all-kinds');
  // Window contents: windows fire only at the end (the watermark trails by far more than the data spans).
  const windows = events
    .assignTimestampsAndWatermarks(
      WatermarkStrategy.forBoundedOutOfOrderness<Event>(END).withTimestampAssigner((e) => e.id * 10),
    )
    .uid('window-time')
    .map((e): [number, number, number, number] => [e.key, 1, e.v, e.id])
    .uid('window-prepare')
    .keyBy((t) => t[0])
    .window(TumblingEventTimeWindows.of(1_000))
    .reduce((a, b): [number, number, number, number] => [
      a[0],
      a[1] + b[1],
      a[2] + b[2],
      Math.min(a[3], b[3]),
    ])
    .uid('windows')
    .map(([key, n, sum, minId]) => `w|${key}|${Math.floor(minId / 100)}|${n}|${sum}`)
    .uid('window-format');
  // Session windows merging all along (70 ms apart per key, gap 1 s), broken every 500 ids by a
  // jump in time: the in-flight sessions of every key are in each checkpoint and savepoint.
  const sessions = events
    .assignTimestampsAndWatermarks(
      WatermarkStrategy.forBoundedOutOfOrderness<Event>(END).withTimestampAssigner(
        (e) => e.id * 10 + Math.floor(e.id / SESSION_IDS) * 100_000,
      ),
    )
    .uid('session-time')
    .map((e): [number, number, number] => [e.id % 7, 1, e.v])
    .uid('session-prepare')
    .keyBy((t) => t[0])
    .window(EventTimeSessionWindows.withGap(1_000))
    .reduce((a, b): [number, number, number] => [a[0], a[1] + b[1], a[2] + b[2]])
    .uid('sessions')
    .map(([key, n, sum]) => `x|${key}|${n}|${sum}`)
    .uid('session-format');

  // Source positions of fromSequence's source, answered by rules from broadcast state.
  const queries = env
    .fromSource(
      new ThrottledSource(new NumberSequenceSource(1, SEQUENCE), SEQUENCE / 2),
      WatermarkStrategy.noWatermarks(),
      'sequence',
    )
    .uid('sequence');
  const rules = env
    .fromSource(
      new ThrottledSource(
        new IterableSource<[string, number]>([
          ...Array.from({ length: RULES }, (_, k): [string, number] => [`r${k}`, k * 11]),
          ...Array.from({ length: 400 }, (_, i): [string, number] => ['noop', i]),
        ]),
        200,
      ),
      WatermarkStrategy.noWatermarks(),
      'rules',
    )
    .uid('rules');
  const answers = queries
    .keyBy((n) => n % RULES)
    .connect(rules.broadcast(RuleJoin.rules))
    .process(new RuleJoin())
    .uid('rule-join');

  // FileSource positions (byte offsets in each file).
  const lines = env
    .fromSource(
      new ThrottledSource(FileSource.forTextLines(o.input!), 750),
      WatermarkStrategy.noWatermarks(),
      'files',
    )
    .uid('files')
    .map((l) => `f|${l}`)
    .uid('file-format');

  // Collection positions, union list state and operator list state (rescaled).
  const items: Item[] = [
    ...Array.from({ length: COLLECTION_IDS }, (_, id) => ({ id })),
    ...Array.from({ length: COLLECTION_IDS }, (_, id) => ({ id })),
    ...Array.from({ length: MARKERS }, (_, marker) => ({ marker })),
  ];
  const unique = env
    .fromSource(
      new ThrottledSource(new IterableSource(items), 500),
      WatermarkStrategy.noWatermarks(),
      'collection',
    )
    .uid('collection')
    .partitionCustom(
      (k: number, n) => k % n,
      (item) => ('id' in item ? item.id : item.marker),
    )
    .process(new UnionDedupe<Item>('seen-ids', (item) => ('id' in item ? item.id : undefined)))
    .uid('dedupe')
    .process(new Batcher())
    .uid('batcher');

  kinds
    .union(windows, sessions, answers, lines, unique)
    .sinkTo(FileSink.forRowFormat<string>(o.out!).build())
    .uid('sink');
  const name = `golden ${phase} p=${p}`;
  if (phase === 'start') return { client: await env.executeAsync(name) };
  await env.execute(name);
  return {};
}
