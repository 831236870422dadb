// Job module: process functions (keyed and not), event-time timers, side outputs, connected
// streams (co-map, co-flatMap, co-process, keyed co-process with state) and broadcast state.
// Every check tags its records; one job run covers all of them.
import {
  type BroadcastContext,
  BroadcastProcessFunction,
  type Collector,
  CoProcessFunction,
  type DataStream,
  type KeyedBroadcastContext,
  KeyedBroadcastProcessFunction,
  KeyedCoProcessFunction,
  KeyedProcessFunction,
  type ListState,
  ListStateDescriptor,
  MapStateDescriptor,
  type OnTimerContext,
  OutputTag,
  type ProcessContext,
  ProcessFunction,
  type ReadOnlyBroadcastContext,
  type RuntimeContext,
  StreamExecutionEnvironment,
  type ValueState,
  ValueStateDescriptor,
  WatermarkStrategy,
} from '../../src/index.ts';
import { options, type Tagged } from './support.ts';

interface Event {
  key: string;
  t: number;
}

const odd = new OutputTag<Tagged>('odd');
const timerSide = new OutputTag<Tagged>('timer-side');

/** Non-keyed: main output for even timestamps, a side output for odd ones. */
class SplitByParity extends ProcessFunction<Event, Tagged> {
  processElement(e: Event, ctx: ProcessContext, out: Collector<Tagged>): void {
    if (e.t % 2 === 0) out.collect(['process-main', [e.key, e.t, ctx.timestamp()]]);
    else ctx.output(odd, ['process-side', [e.key, e.t, ctx.timestamp()]]);
  }
}

/**
 * Keyed, event time: a timer 10 ms after every event (registered twice: deduplicated), and a
 * "timeout" timer 1000 ms after the first event of a key, which the key's second event deletes.
 */
class Timers extends KeyedProcessFunction<string, Event, Tagged> {
  #first!: ValueState<number>;
  #count!: ValueState<number>;
  override open(ctx: RuntimeContext): void {
    this.#first = ctx.getState(new ValueStateDescriptor<number>('first'));
    this.#count = ctx.getState(new ValueStateDescriptor<number>('count', { defaultValue: 0 }));
  }
  processElement(e: Event, ctx: ProcessContext<string>, out: Collector<Tagged>): void {
    const n = this.#count.value()! + 1;
    this.#count.update(n);
    const timers = ctx.timerService();
    timers.registerEventTimeTimer(e.t + 10);
    timers.registerEventTimeTimer(e.t + 10);
    if (n === 1) {
      this.#first.update(e.t);
      timers.registerEventTimeTimer(e.t + 1000);
    }
    if (n === 2) timers.deleteEventTimeTimer(this.#first.value()! + 1000);
    out.collect(['element', [ctx.getCurrentKey(), e.t, ctx.timestamp(), timers.currentWatermark()]]);
  }
  override onTimer(timestamp: number, ctx: OnTimerContext<string>, out: Collector<Tagged>): void {
    out.collect(['timer', [ctx.getCurrentKey(), timestamp, ctx.timestamp(), ctx.timeDomain()]]);
    ctx.output(timerSide, ['timer-side', [ctx.getCurrentKey(), timestamp]]);
  }
}

/** Keyed co-process: joins orders and payments by id, whichever comes first. */
class Join extends KeyedCoProcessFunction<number, [number, string], [number, number], Tagged> {
  #order!: ValueState<string>;
  #payment!: ValueState<number>;
  override open(ctx: RuntimeContext): void {
    this.#order = ctx.getState(new ValueStateDescriptor<string>('order'));
    this.#payment = ctx.getState(new ValueStateDescriptor<number>('payment'));
  }
  processElement1(order: [number, string], ctx: ProcessContext<number>, out: Collector<Tagged>): void {
    const paid = this.#payment.value();
    if (paid === undefined) this.#order.update(order[1]);
    else out.collect(['join', [ctx.getCurrentKey(), order[1], paid]]);
  }
  processElement2(payment: [number, number], ctx: ProcessContext<number>, out: Collector<Tagged>): void {
    const item = this.#order.value();
    if (item === undefined) this.#payment.update(payment[1]);
    else out.collect(['join', [ctx.getCurrentKey(), item, payment[1]]]);
  }
}

class Interleave extends CoProcessFunction<number, string, Tagged> {
  processElement1(v: number, ctx: ProcessContext, out: Collector<Tagged>): void {
    out.collect(['coprocess', ['1', v, ctx.timestamp() ?? null]]);
  }
  processElement2(v: string, _ctx: ProcessContext, out: Collector<Tagged>): void {
    out.collect(['coprocess', ['2', v, null]]);
  }
}

const rulesDescriptor = new MapStateDescriptor<string, number>('rules');

/** Non-keyed broadcast: multiplies values by the rule of their name; buffers values that come first. */
class ApplyRules extends BroadcastProcessFunction<[string, number], [string, number], Tagged> {
  readonly #waiting: Array<[string, number]> = [];
  processElement(v: [string, number], ctx: ReadOnlyBroadcastContext, out: Collector<Tagged>): void {
    const factor = ctx.getBroadcastState(rulesDescriptor).get(v[0]);
    if (factor === undefined) this.#waiting.push(v);
    else out.collect(['broadcast', [v[0], v[1] * factor]]);
  }
  processBroadcastElement(rule: [string, number], ctx: BroadcastContext, out: Collector<Tagged>): void {
    const state = ctx.getBroadcastState(rulesDescriptor);
    state.put(rule[0], rule[1]);
    out.collect(['broadcast-seen', [rule[0], this.getRuntimeContext().getIndexOfThisSubtask()]]);
    for (const v of this.#waiting.splice(0)) {
      const factor = state.get(v[0]);
      if (factor === undefined) this.#waiting.push(v);
      else out.collect(['broadcast', [v[0], v[1] * factor]]);
    }
  }
}

/** Keyed broadcast: values wait in keyed list state until their rule arrives (applyToKeyedState). */
class KeyedApplyRules extends KeyedBroadcastProcessFunction<
  string,
  [string, number],
  [string, number],
  Tagged
> {
  readonly #pendingDescriptor = new ListStateDescriptor<number>('pending');
  #pending!: ListState<number>;
  override open(ctx: RuntimeContext): void {
    this.#pending = ctx.getListState(this.#pendingDescriptor);
  }
  processElement(v: [string, number], ctx: ReadOnlyBroadcastContext<string>, out: Collector<Tagged>): void {
    const factor = ctx.getBroadcastState(rulesDescriptor).get(ctx.getCurrentKey());
    if (factor === undefined) this.#pending.add(v[1]);
    else out.collect(['keyed-broadcast', [ctx.getCurrentKey(), v[1] * factor]]);
  }
  processBroadcastElement(rule: [string, number], ctx: KeyedBroadcastContext, out: Collector<Tagged>): void {
    ctx.getBroadcastState(rulesDescriptor).put(rule[0], rule[1]);
    ctx.applyToKeyedState(this.#pendingDescriptor, (key, state: ListState<number>) => {
      if (key !== rule[0]) return;
      for (const v of state.get()) out.collect(['keyed-broadcast', [key, v * rule[1]]]);
      state.clear();
    });
  }
}

export default async function main(args: readonly string[]): Promise<Tagged[]> {
  const { parallelism = '2' } = options(args);
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(Number(parallelism));
  const events = env
    .fromElements<Event>(
      { key: 'a', t: 100 },
      { key: 'a', t: 150 },
      { key: 'b', t: 200 },
      { key: 'b', t: 250 },
      { key: 'b', t: 255 },
      { key: 'c', t: 301 },
    )
    .assignTimestampsAndWatermarks(
      WatermarkStrategy.forMonotonousTimestamps<Event>().withTimestampAssigner((e) => e.t),
    );

  const out: DataStream<Tagged>[] = [];
  const split = events.process(new SplitByParity());
  out.push(split, split.getSideOutput(odd));

  const timed = events.keyBy((e) => e.key).process(new Timers());
  out.push(timed, timed.getSideOutput(timerSide));

  const numbers = env.fromElements(1, 2, 3);
  const words = env.fromElements('x', 'y');
  out.push(
    numbers.connect(words).map({ map1: (n): Tagged => ['comap', n * 10], map2: (w): Tagged => ['comap', w] }),
  );
  out.push(
    numbers.connect(words).flatMap({
      flatMap1: (n: number, c: Collector<Tagged>) => {
        for (let i = 0; i < n; i++) c.collect(['coflatmap', n]);
      },
      flatMap2: (w: string, c: Collector<Tagged>) => c.collect(['coflatmap', w.toUpperCase()]),
    }),
  );
  out.push(
    events
      .map((e) => e.t)
      .connect(words)
      .process(new Interleave()),
  );

  const orders = env.fromElements<[number, string]>([1, 'book'], [2, 'pen'], [3, 'ink']);
  const payments = env.fromElements<[number, number]>([3, 30], [1, 10], [2, 20], [4, 40]);
  out.push(
    orders
      .connect(payments)
      .keyBy(
        (o) => o[0],
        (p) => p[0],
      )
      .process(new Join()),
  );

  const values = env.fromSequence(1, 6).map((i): [string, number] => [i % 2 === 0 ? 'even' : 'odd', i]);
  const rules = env.fromElements<[string, number]>(['even', 10], ['odd', 100]);
  const broadcastRules = rules.broadcast(rulesDescriptor as MapStateDescriptor<unknown, unknown>);
  out.push(values.connect(broadcastRules).process(new ApplyRules()));
  out.push(
    values
      .keyBy((v) => v[0])
      .connect(broadcastRules)
      .process(new KeyedApplyRules()),
  );

  const [first, ...rest] = out;
  return first!.union(...rest).executeAndCollect('process functions');
}
