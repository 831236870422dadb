// Windows through the public API, inline: window functions and their context, incremental
// aggregation, late data, count windows, windowAll, evictors, custom triggers and assigners,
// window joins, co-groups and interval joins; bad sizes rejected at build time; a failing window
// function fails the job naming the operator, the key and the window.
import { describe, expect, it } from 'vitest';
import {
  type AggregateFunction,
  type Collector,
  CountTrigger,
  DeltaTrigger,
  EventTimeSessionWindows,
  GlobalWindows,
  IllegalArgumentError,
  JobExecutionError,
  OutputTag,
  type ProcessJoinContext,
  ProcessJoinFunction,
  type ProcessWindowContext,
  ProcessWindowFunction,
  type RuntimeContext,
  SlidingEventTimeWindows,
  SlidingProcessingTimeWindows,
  StreamExecutionEnvironment,
  TimeEvictor,
  TimeWindow,
  type Trigger,
  TumblingEventTimeWindows,
  TumblingProcessingTimeWindows,
  ValueStateDescriptor,
  WatermarkStrategy,
  type Window,
  type WindowAssigner,
} from '../../src/index.ts';

type Click = { user: string; page: string; t: number };

function env(): StreamExecutionEnvironment {
  const e = StreamExecutionEnvironment.getExecutionEnvironment({ 'execution.local.mode': 'inline' });
  e.setParallelism(2);
  return e;
}

const clicks: Click[] = [
  { user: 'ann', page: 'home', t: 1_000 },
  { user: 'bob', page: 'home', t: 2_000 },
  { user: 'ann', page: 'cart', t: 59_000 },
  { user: 'ann', page: 'home', t: 61_000 },
  { user: 'bob', page: 'cart', t: 125_000 },
];

function clickStream(e: StreamExecutionEnvironment, bound = 0) {
  return e
    .fromCollection(clicks)
    .assignTimestampsAndWatermarks(
      WatermarkStrategy.forBoundedOutOfOrderness<Click>(bound).withTimestampAssigner((c) => c.t),
    )
    .setParallelism(1);
}

const count: AggregateFunction<unknown, number, number> = {
  createAccumulator: () => 0,
  add: (_v, acc) => acc + 1,
  getResult: (acc) => acc,
  merge: (a, b) => a + b,
};

class PerUser extends ProcessWindowFunction<number, string, string, TimeWindow> {
  #prefix = '';
  override open(ctx: RuntimeContext): void {
    this.#prefix = `subtask-${ctx.getIndexOfThisSubtask() >= 0 ? 'ok' : '?'}`;
  }
  process(
    user: string,
    ctx: ProcessWindowContext<TimeWindow>,
    counts: readonly number[],
    out: Collector<string>,
  ) {
    out.collect(
      `${this.#prefix} ${user} [${ctx.window.start / 1000}s, ${ctx.window.end / 1000}s): ${counts[0]}`,
    );
  }
}

describe('keyed windows through the API', () => {
  it('aggregate with a ProcessWindowFunction: per key and tumbling window, stamped end - 1', async () => {
    const out = await clickStream(env())
      .keyBy((c) => c.user)
      .window(TumblingEventTimeWindows.of(60_000))
      .aggregate(count, new PerUser())
      .executeAndCollect();
    expect(out.sort()).toEqual([
      'subtask-ok ann [0s, 60s): 2',
      'subtask-ok ann [60s, 120s): 1',
      'subtask-ok bob [0s, 60s): 1',
      'subtask-ok bob [120s, 180s): 1',
    ]);
  });

  it('reduce with a WindowFunction, and apply()', async () => {
    const e = env();
    const pages = clickStream(e)
      .keyBy((c) => c.user)
      .window(SlidingEventTimeWindows.of(120_000, 60_000))
      .reduce(
        (a, b) => ({ user: a.user, page: `${a.page}+${b.page}`, t: a.t }),
        (user: string, w: TimeWindow, reduced: readonly Click[], out: Collector<string>) =>
          out.collect(`${user}@${w.start}: ${reduced[0]!.page}`),
      );
    const applied = clickStream(e)
      .keyBy((c) => c.user)
      .window(TumblingEventTimeWindows.of(60_000))
      .apply((user: string, w: TimeWindow, cs: readonly Click[], out: Collector<string>) =>
        out.collect(`apply ${user}@${w.start}: ${cs.length}`),
      );
    const out = await pages.union(applied).executeAndCollect();
    // ann's two clicks in [0, 120s) may be combined in either order (pane-shared partials).
    const normalized = out.map((s) =>
      s.replace('cart+home', 'home+cart').replace('home+cart+home', 'home+home+cart'),
    );
    expect(normalized.sort()).toEqual(
      [
        'ann@-60000: home+cart',
        'ann@0: home+cart+home',
        'ann@60000: home',
        'bob@-60000: home',
        'bob@0: home',
        'bob@60000: cart',
        'bob@120000: cart',
        'apply ann@0: 2',
        'apply ann@60000: 1',
        'apply bob@0: 1',
        'apply bob@120000: 1',
      ]
        .map((s) => s.replace('home+cart+home', 'home+home+cart'))
        .sort(),
    );
  });

  it('late data: allowed lateness re-fires, later elements go to the side output', async () => {
    const e = env();
    const events: Array<[string, number]> = [
      ['a', 1],
      ['a', 25], // watermark 20: [0, 10) fires with 1
      ['a', 5], // late but within the lateness (cleanup at 9 + 15 = 24): [0, 10) fires again with 1, 5
      ['a', 40], // watermark 35: [0, 10) is cleaned up
      ['a', 7], // too late
    ];
    const late = new OutputTag<[string, number]>('late');
    const windowed = e
      .fromCollection(events)
      .assignTimestampsAndWatermarks(
        WatermarkStrategy.forGenerator<[string, number]>(() => ({
          onEvent: (ev, _t, out) => out.emitWatermark(ev[1] - 5),
          onPeriodicEmit: () => {},
        })).withTimestampAssigner((ev) => ev[1]),
      )
      .setParallelism(1)
      .keyBy((ev) => ev[0])
      .window(TumblingEventTimeWindows.of(10))
      .allowedLateness(15)
      .sideOutputLateData(late)
      .process({
        process: (
          k: string,
          ctx: ProcessWindowContext<TimeWindow>,
          es: readonly [string, number][],
          out: Collector<string>,
        ) => out.collect(`${k}[${ctx.window.start},${ctx.window.end}): ${es.map((x) => x[1]).join(',')}`),
      });
    const out = await windowed
      .union(windowed.getSideOutput(late).map((x) => `late ${x[1]}`))
      .executeAndCollect();
    expect(out.sort()).toEqual(
      ['a[0,10): 1', 'a[0,10): 1,5', 'a[20,30): 25', 'a[40,50): 40', 'late 7'].sort(),
    );
  });

  it('session windows with a dynamic gap merge out-of-order elements', async () => {
    const out = await env()
      .fromCollection([
        ['x', 0, 10],
        ['x', 30, 5],
        ['x', 12, 20], // [12, 32) bridges [0, 10)? no: it touches [30, 35) only
        ['x', 9, 3], // [9, 12) touches [0, 10) and [12, 32): one session [0, 35)
        ['x', 100, 1],
      ] as Array<[string, number, number]>)
      .assignTimestampsAndWatermarks(
        WatermarkStrategy.forBoundedOutOfOrderness<[string, number, number]>(50).withTimestampAssigner(
          (v) => v[1],
        ),
      )
      .keyBy((v) => v[0])
      .window(EventTimeSessionWindows.withDynamicGap((v: [string, number, number]) => v[2]))
      .aggregate(count, (_k: string, w: TimeWindow, c: readonly number[], o: Collector<string>) =>
        o.collect(`[${w.start},${w.end}) ${c[0]}`),
      )
      .executeAndCollect();
    expect(out.sort()).toEqual(['[0,35) 4', '[100,101) 1']);
  });

  it('count windows: tumbling and sliding (count evictor)', async () => {
    const e = env();
    const input = e.fromCollection([1, 2, 3, 4, 5, 6, 7]).keyBy(() => 'k');
    const tumbling = input.countWindow(3).reduce((a, b) => a + b);
    const sliding = input
      .countWindow(3, 2)
      .apply((_k: string, _w: Window, vs: readonly number[], out: Collector<string>) =>
        out.collect(vs.join(',')),
      );
    const out = await tumbling.map(String).union(sliding).executeAndCollect();
    expect(out.sort()).toEqual(['1,2', '15', '2,3,4', '4,5,6', '6'].sort());
  });

  it('evictors and custom triggers through the API', async () => {
    const e = env();
    const everyOther: Trigger<number, Window> = {
      onElement: (v) => (v % 2 === 0 ? 'FIRE' : 'CONTINUE'),
      onEventTime: () => 'CONTINUE',
      onProcessingTime: () => 'CONTINUE',
      clear: () => {},
      toString: () => 'EveryEven',
    };
    const out = await e
      .fromCollection([1, 3, 4, 5, 8, 9, 10])
      .assignTimestampsAndWatermarks(
        WatermarkStrategy.forMonotonousTimestamps<number>().withTimestampAssigner((v) => v),
      )
      .setParallelism(1)
      .keyBy(() => 'k')
      .window(GlobalWindows.create())
      .trigger(everyOther)
      .evictor(TimeEvictor.of(3))
      .process({
        process: (_k: unknown, _c: unknown, vs: readonly number[], o: Collector<string>) =>
          o.collect(vs.join(',')),
      })
      .executeAndCollect();
    // At 4: {1,3,4} keep > 1. At 8: {3,4,5,8} keep > 5. At 10: {8,9,10} keep > 7.
    expect(out).toEqual(['3,4', '8', '8,9,10']);
  });

  it('a custom assigner implementing WindowAssigner', async () => {
    const evenOdd: WindowAssigner<number, TimeWindow> = {
      assignWindows: (v) => [v % 2 === 0 ? new TimeWindow(0, 1) : new TimeWindow(1, 2)],
      getDefaultTrigger: () => CountTrigger.of(2),
      getWindowSerializer: () => TimeWindow.serializer,
      isEventTime: () => false,
      toString: () => 'EvenOdd',
    };
    const out = await env()
      .fromCollection([1, 2, 3, 4, 5])
      .keyBy(() => 'k')
      .window(evenOdd)
      .reduce((a, b) => a + b)
      .executeAndCollect();
    expect(out.sort()).toEqual([4, 6]);
  });
});

describe('windowAll', () => {
  it('windows over the whole stream in one subtask', async () => {
    const e = env();
    const all = clickStream(e).windowAll(TumblingEventTimeWindows.of(60_000)).aggregate(count);
    all.print();
    expect(e.getStreamGraph().nodes.find((n) => n.name.startsWith('AllWindow'))?.parallelism).toBe(1);
    all.setParallelism(2);
    expect(() => e.getStreamGraph()).toThrow(/not parallel; its parallelism must be 1, got 2/);
    expect(
      await env()
        .fromCollection([5, 1, 4])
        .countWindowAll(2)
        .reduce((a, b) => a + b)
        .executeAndCollect(),
    ).toEqual([6]);
  });

  it('counts every element once, with parallel input', async () => {
    const e = env();
    const out = await e
      .fromSequence(1, 1000)
      .map((x) => x)
      .assignTimestampsAndWatermarks(
        WatermarkStrategy.forMonotonousTimestamps<number>().withTimestampAssigner((x) => x),
      )
      .windowAll(TumblingEventTimeWindows.of(100))
      .aggregate(count, (w: TimeWindow, c: readonly number[], o: Collector<[number, number]>) =>
        o.collect([w.start, c[0]!]),
      )
      .executeAndCollect();
    expect(out.reduce((s, [, c]) => s + c, 0)).toBe(1000);
    expect(out).toHaveLength(11);
  });
});

describe('joins', () => {
  const orders: Array<{ id: string; t: number; total: number }> = [
    { id: 'o1', t: 1, total: 10 },
    { id: 'o2', t: 3, total: 20 },
    { id: 'o3', t: 12, total: 30 },
  ];
  const payments: Array<{ order: string; t: number; amount: number }> = [
    { order: 'o1', t: 4, amount: 10 },
    { order: 'o1', t: 6, amount: 1 },
    { order: 'o3', t: 25, amount: 30 },
  ];
  function inputs(e: StreamExecutionEnvironment) {
    const o = e
      .fromCollection(orders)
      .assignTimestampsAndWatermarks(
        WatermarkStrategy.forMonotonousTimestamps<(typeof orders)[0]>().withTimestampAssigner((x) => x.t),
      );
    const p = e
      .fromCollection(payments)
      .assignTimestampsAndWatermarks(
        WatermarkStrategy.forMonotonousTimestamps<(typeof payments)[0]>().withTimestampAssigner((x) => x.t),
      );
    return { o, p };
  }

  it('window join: every pair with equal keys in the same window', async () => {
    const e = env();
    const { o, p } = inputs(e);
    const joined = o
      .join(p)
      .where((x) => x.id)
      .equalTo((x) => x.order)
      .window(TumblingEventTimeWindows.of(10))
      .apply((a, b) => `${a.id}:${b.amount}`);
    const flat = o
      .join(p)
      .where((x) => x.id)
      .equalTo((x) => x.order)
      .window(TumblingEventTimeWindows.of(10))
      .apply({
        join(a, b, out: Collector<string>) {
          if (b.amount >= a.total) out.collect(`paid ${a.id}`);
        },
      });
    expect((await joined.union(flat).executeAndCollect()).sort()).toEqual(['o1:1', 'o1:10', 'paid o1']);
  });

  it('coGroup: both sides of a key and window, either may be empty', async () => {
    const e = env();
    const { o, p } = inputs(e);
    const out = await o
      .coGroup(p)
      .where((x) => x.id)
      .equalTo((x) => x.order)
      .window(TumblingEventTimeWindows.of(10))
      .apply((os, ps, c: Collector<string>) =>
        c.collect(`${os.map((x) => x.id).join('') || '-'}/${ps.length}`),
      )
      .executeAndCollect();
    expect(out.sort()).toEqual(['-/1', 'o1/2', 'o2/0', 'o3/0']);
  });

  it('interval join with exclusive bounds and the result timestamp', async () => {
    const e = env();
    const { o, p } = inputs(e);
    class Paid extends ProcessJoinFunction<(typeof orders)[0], (typeof payments)[0], string> {
      processElement(
        a: (typeof orders)[0],
        b: (typeof payments)[0],
        ctx: ProcessJoinContext,
        out: Collector<string>,
      ) {
        out.collect(`${a.id}:${b.amount}@${ctx.getTimestamp()}`);
      }
    }
    const joined = (lowerExclusive: boolean, upperExclusive: boolean) => {
      let j = o
        .keyBy((x) => x.id)
        .intervalJoin(p.keyBy((x) => x.order))
        .between(3, 5);
      if (lowerExclusive) j = j.lowerBoundExclusive();
      if (upperExclusive) j = j.upperBoundExclusive();
      return j.process(new Paid());
    };
    const both = joined(false, false).map((s) => `[] ${s}`);
    const exclusive = joined(true, true).map((s) => `() ${s}`);
    const out = await both.union(exclusive).executeAndCollect();
    // o1 at 1 joins payments in [4, 6]; exclusive: (4, 6) = only 5, so none.
    expect(out.sort()).toEqual(['[] o1:1@6', '[] o1:10@4'].sort());
  });
});

describe('bad input', () => {
  it('rejects invalid sizes, slides, gaps, offsets and lateness at build time, naming the value', () => {
    const keyed = env()
      .fromCollection([1])
      .keyBy((x) => x);
    expect(() => TumblingEventTimeWindows.of(0)).toThrow(IllegalArgumentError);
    expect(() => TumblingEventTimeWindows.of(-1000)).toThrow(
      /size must be a positive integer number of milliseconds, got -1000/,
    );
    expect(() => SlidingEventTimeWindows.of(1000, 0)).toThrow(/slide must be a positive integer.*got 0/);
    expect(() => SlidingProcessingTimeWindows.of(1000, 100, 100)).toThrow(
      /\|offset\| < slide \(100\), got 100/,
    );
    expect(() => TumblingProcessingTimeWindows.of(Number.POSITIVE_INFINITY)).toThrow(/got Infinity/);
    expect(() => EventTimeSessionWindows.withGap(0)).toThrow(/gap must be a positive integer.*got 0/);
    const windowed = keyed.window(TumblingEventTimeWindows.of(10));
    expect(() => windowed.allowedLateness(-1)).toThrow(
      /allowedLateness\(\): expected a non-negative integer.*got -1/,
    );
    expect(() => keyed.countWindow(0)).toThrow(/countWindow\(\): size must be a positive integer, got 0/);
    expect(() => keyed.countWindow(5, -2)).toThrow(/slide must be a positive integer, got -2/);
    expect(() => keyed.window({} as never)).toThrow(/window\(\): expected a WindowAssigner/);
    expect(() => windowed.process(((k: unknown) => k) as never)).toThrow(
      /process\(\): expected an object with process\(\)/,
    );
    expect(() => windowed.reduce(42 as never)).toThrow(
      /reduce\(\): expected a function or an object with reduce\(\), got 42/,
    );
  });

  it('rejects what merging windows cannot do', () => {
    const sessions = env()
      .fromCollection([1])
      .keyBy((x) => x)
      .window(EventTimeSessionWindows.withGap(10));
    expect(() => sessions.trigger(DeltaTrigger.of(1, (a: number, b: number) => b - a))).toThrow(
      /DeltaTrigger\(1\) does not support merging windows/,
    );
    const noMerge = {
      createAccumulator: () => 0,
      add: (_v: number, a: number) => a + 1,
      getResult: (a: number) => a,
    };
    expect(() => sessions.aggregate(noMerge)).toThrow(/merges windows, so the AggregateFunction needs merge/);
  });

  it('rejects bad interval join bounds', () => {
    const e = env();
    const a = e.fromCollection([1]).keyBy((x) => x);
    const b = e.fromCollection([1]).keyBy((x) => x);
    expect(() => a.intervalJoin(b).between(5, 1)).toThrow(
      /lowerBound \(5\) must not be greater than upperBound \(1\)/,
    );
    expect(() =>
      a
        .intervalJoin(b)
        .between(0, 0)
        .lowerBoundExclusive()
        .process({ processElement: () => {} }),
    ).toThrow(/leave no interval/);
  });

  it('a window function that throws fails the job naming the operator, the key and the window', async () => {
    const e = env();
    clickStream(e)
      .keyBy((c) => c.user)
      .window(TumblingEventTimeWindows.of(60_000))
      .process({
        process: (user: string) => {
          if (user === 'bob') throw new Error('no bobs');
        },
      })
      .name('per-user report')
      .print();
    const failure = await e.execute().catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(JobExecutionError);
    expect(String((failure as Error).message)).toMatch(
      /operator "per-user report".*window TimeWindow\{start=0, end=60000\} of key "bob".*no bobs/s,
    );
  });

  it('records without timestamps in event-time windows fail the job with a hint', async () => {
    const e = env();
    e.fromCollection([1, 2])
      .keyBy((x) => x)
      .window(TumblingEventTimeWindows.of(10))
      .reduce((a, b) => a + b)
      .print();
    const failure = await e.execute().catch((err: unknown) => err);
    expect(String((failure as Error).message)).toMatch(/no event timestamp.*assignTimestampsAndWatermarks/);
  });
});

describe('window state', () => {
  it('per-window state is scoped to the window and cleared by clear()', async () => {
    const fires = new ValueStateDescriptor<number>('fires');
    class Fires extends ProcessWindowFunction<number, string, string, TimeWindow> {
      process(
        _k: string,
        ctx: ProcessWindowContext<TimeWindow>,
        vs: readonly number[],
        out: Collector<string>,
      ) {
        const s = ctx.windowState().getState(fires);
        s.update((s.value() ?? 0) + 1);
        out.collect(`${ctx.window.start}: ${vs.length} (fire ${s.value()})`);
      }
      override clear(ctx: ProcessWindowContext<TimeWindow>): void {
        ctx.windowState().getState(fires).clear();
      }
    }
    const out = await env()
      .fromCollection([1, 2, 11, 3, 12])
      .assignTimestampsAndWatermarks(
        WatermarkStrategy.forGenerator<number>(() => ({
          onEvent: (v, _t, out) => out.emitWatermark(v - 1),
          onPeriodicEmit: () => {},
        })).withTimestampAssigner((v) => v),
      )
      .setParallelism(1)
      .keyBy(() => 'k')
      .window(TumblingEventTimeWindows.of(10))
      .allowedLateness(100)
      .process(new Fires())
      .executeAndCollect();
    // 3 arrives after the watermark passed 9: [0, 10) fires again (second firing of that window).
    expect(out).toEqual(['0: 2 (fire 1)', '0: 3 (fire 2)', '10: 2 (fire 1)']);
  });
});
