// Job module for acceptance checks of issue #5: keyed operators whose state is more than plain
// keyed state — count windows (sliding too), a global window with trigger and evictor, rolling
// aggregations, interval and window joins, coGroup, connected keyed streams, session windows with
// allowed lateness, and window-all — restored after a failure and at another parallelism. One source subtask feeds
// them all, so each key's records arrive in the same order in every run: the output does not
// depend on parallelism or on where the checkpoint or savepoint fell.
//   --phase straight | failover | start | resume  --parallelism p  --out dir  --checkpoints dir
//   --backend heap | lmdb  --state-dir dir  --restore path  --unaligned true (unaligned checkpoints)
import {
  type CheckpointListener,
  type Collector,
  CountEvictor,
  CountTrigger,
  DataGeneratorSource,
  EventTimeSessionWindows,
  FileSink,
  type GlobalWindow,
  GlobalWindows,
  type JobClient,
  KeyedCoProcessFunction,
  type OnTimerContext,
  OutputTag,
  type ProcessContext,
  ProcessFunction,
  type RuntimeContext,
  type TimeWindow,
  TumblingEventTimeWindows,
  type ValueState,
  ValueStateDescriptor,
  WatermarkStrategy,
} from '../../src/index.ts';
import { acceptanceEnvironment, options } from './support.ts';

export const EVENTS = 1_500;
export const KEYS = 7;
const END = 1e15;

export interface Event {
  readonly id: number;
  readonly key: number;
  readonly v: number;
}

/** Per key of two connected keyed streams: counts and sums of each side, emitted at the end. */
class BothSides extends KeyedCoProcessFunction<number, Event, Event, string> {
  #a!: ValueState<[number, number]>;
  #b!: ValueState<[number, number]>;
  override open(ctx: RuntimeContext): void {
    this.#a = ctx.getState(new ValueStateDescriptor<[number, number]>('a', { defaultValue: [0, 0] }));
    this.#b = ctx.getState(new ValueStateDescriptor<[number, number]>('b', { defaultValue: [0, 0] }));
  }
  #add(state: ValueState<[number, number]>, e: Event, ctx: ProcessContext<number>): void {
    const [n, sum] = state.value()!;
    state.update([n + 1, sum + e.v]);
    ctx.timerService().registerEventTimeTimer(END + e.key);
  }
  processElement1(e: Event, ctx: ProcessContext<number>): void {
    this.#add(this.#a, e, ctx);
  }
  processElement2(e: Event, ctx: ProcessContext<number>): void {
    this.#add(this.#b, e, ctx);
  }
  override onTimer(_t: number, ctx: OnTimerContext<number>, out: Collector<string>): void {
    out.collect(`kc|${ctx.getCurrentKey()}|${this.#a.value()!.join('|')}|${this.#b.value()!.join('|')}`);
  }
}

/** Passes records on; throws once in the first attempt after two checkpoints completed (failover). */
class FailOnce extends ProcessFunction<Event, Event> implements CheckpointListener {
  readonly #enabled: boolean;
  #completed = 0;
  #attempt = 0;
  constructor(enabled: boolean) {
    super();
    this.#enabled = enabled;
  }
  override open(ctx: RuntimeContext): void {
    this.#attempt = ctx.getAttemptNumber();
  }
  notifyCheckpointComplete(): void {
    this.#completed++;
  }
  processElement(e: Event, _ctx: ProcessContext<never>, out: Collector<Event>): void {
    if (this.#enabled && this.#attempt === 0 && this.#completed >= 2) {
      throw new Error(`injected failure after ${this.#completed} completed checkpoints`);
    }
    out.collect(e);
  }
}

const values = (es: readonly Event[]) => es.map((e) => e.v).join(',');

export default async function main(args: readonly string[]): Promise<{ client?: JobClient }> {
  const o = options(args);
  const phase = o.phase ?? 'straight';
  const env = acceptanceEnvironment(o, phase, phase === 'resume' ? o.restore : undefined);

  const events = env
    .fromSource(
      new DataGeneratorSource((id): Event => ({ id, key: id % KEYS, v: (id * 7) % 31 }), EVENTS, {
        recordsPerSecond: EVENTS / 2,
      }),
      WatermarkStrategy.forBoundedOutOfOrderness<Event>(END / 2).withTimestampAssigner((e) => e.id * 10),
      'events',
    )
    .uid('events')
    .setParallelism(1)
    .process(new FailOnce(phase === 'failover'))
    .uid('fail-once')
    .setParallelism(1);
  const keyed = events.keyBy((e) => e.key);

  const count = keyed
    .countWindow(5)
    .apply((key: number, _w: GlobalWindow, es: readonly Event[], out: Collector<string>) =>
      out.collect(`cw|${key}|${values(es)}`),
    )
    .uid('count-window');
  const slidingCount = keyed
    .countWindow(6, 4)
    .apply((key: number, _w: GlobalWindow, es: readonly Event[], out: Collector<string>) =>
      out.collect(`cs|${key}|${values(es)}`),
    )
    .uid('sliding-count-window');
  const evicting = keyed
    .window(GlobalWindows.create())
    .trigger(CountTrigger.of(4))
    .evictor(CountEvictor.of(3))
    .apply((key: number, _w: GlobalWindow, es: readonly Event[], out: Collector<string>) =>
      out.collect(`ev|${key}|${values(es)}`),
    )
    .uid('evicting-window');
  const rolling = keyed
    .map((e): [number, number] => [e.key, e.v])
    .uid('rolling-prepare')
    .keyBy((t) => t[0])
    .sum(1)
    .uid('rolling-sum')
    .map(([k, s]) => `rs|${k}|${s}`)
    .uid('rolling-format');

  const odd = events.filter((e) => e.id % 2 === 1).uid('odd');
  const even = events.filter((e) => e.id % 2 === 0).uid('even');
  const interval = odd
    .keyBy((e) => e.key)
    .intervalJoin(even.keyBy((e) => e.key))
    .between(-100, 50)
    .process({
      processElement: (a: Event, b: Event, _ctx: unknown, out: Collector<string>) =>
        out.collect(`ij|${a.id}|${b.id}`),
    })
    .uid('interval-join');
  const joined = odd
    .join(even)
    .where((e) => e.key)
    .equalTo((e) => e.key)
    .window(TumblingEventTimeWindows.of(500))
    .apply((a, b) => `wj|${a.id}|${b.id}`)
    .uid('window-join');
  const cogrouped = odd
    .coGroup(even)
    .where((e) => e.key % 3)
    .equalTo((e) => e.key % 3)
    .window(TumblingEventTimeWindows.of(700))
    .apply((as: Iterable<Event>, bs: Iterable<Event>, out: Collector<string>) => {
      const a = [...as].map((e) => e.id).sort((x, y) => x - y);
      const b = [...bs].map((e) => e.id).sort((x, y) => x - y);
      out.collect(`cg|${a.join(',')}|${b.join(',')}`);
    })
    .uid('co-group');
  const both = odd
    .keyBy((e) => e.key)
    .connect(even.keyBy((e) => e.key))
    .process(new BothSides())
    .uid('both-sides');
  const late = new OutputTag<Event>('late');
  const sessions = events
    .assignTimestampsAndWatermarks(
      WatermarkStrategy.forBoundedOutOfOrderness<Event>(END / 2).withTimestampAssigner(
        (e) => e.id * 10 + Math.floor(e.id / 300) * 100_000,
      ),
    )
    .uid('session-time')
    .setParallelism(1)
    .keyBy((e) => e.key % 4)
    .window(EventTimeSessionWindows.withGap(500))
    .allowedLateness(1_000)
    .sideOutputLateData(late)
    .apply((key: number, w: TimeWindow, es: readonly Event[], out: Collector<string>) =>
      out.collect(`se|${key}|${w.start}|${w.end}|${es.length}`),
    )
    .uid('sessions');
  const all = events
    .windowAll(TumblingEventTimeWindows.of(2_000))
    .apply((w: TimeWindow, es: readonly Event[], out: Collector<string>) =>
      out.collect(`wa|${w.start}|${es.length}`),
    )
    .uid('window-all');

  count
    .union(
      both,
      slidingCount,
      evicting,
      rolling,
      interval,
      joined,
      cogrouped,
      sessions,
      sessions.getSideOutput(late).map((e) => `late|${e.id}`),
      all,
    )
    .sinkTo(FileSink.forRowFormat<string>(o.out!).build())
    .uid('sink');
  const name = `acceptance windows ${phase}`;
  if (phase === 'start') return { client: await env.executeAsync(name) };
  await env.execute(name);
  return {};
}
