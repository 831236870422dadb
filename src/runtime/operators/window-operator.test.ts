// The window operator's semantics (Flink's WindowOperator), driven through the operator harness:
// firing at max timestamp, allowed lateness, late data, cleanup, session merging, processing
// time, count/purging/continuous triggers, evictors, window-function context and errors.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UserFunctionError } from '../../core/index.ts';
import {
  ContinuousEventTimeTrigger,
  CountEvictor,
  CountTrigger,
  EventTimeSessionWindows,
  type Evictor,
  GlobalWindows,
  OutputTag,
  ProcessingTimeSessionWindows,
  type ProcessWindowContext,
  PurgingTrigger,
  SlidingEventTimeWindows,
  TimeEvictor,
  type TimeWindow,
  type Trigger,
  TumblingEventTimeWindows,
  TumblingProcessingTimeWindows,
  type Window,
  type WindowAssigner,
} from '../../functions/index.ts';
import { ValueStateDescriptor } from '../../state/index.ts';
import { OperatorTestHarness } from './operator-test-harness.ts';
import type { InternalWindowFunction } from './window-function-runner.ts';
import { type WindowAggregation, WindowOperator, type WindowOperatorSpec } from './window-operator.ts';

type KV = [string, number];

/** Emits `key@[start,end): sorted values` for every firing. */
const listWindows: InternalWindowFunction = {
  process(key, ctx, elements, out) {
    const w = ctx.window as TimeWindow;
    const values = (elements as KV[]).map((e) => e[1]).sort((a, b) => a - b);
    out.collect(`${String(key)}@[${w.start},${w.end}): ${values.join(',')}`);
  },
};

async function harness(
  assigner: WindowAssigner<unknown, Window>,
  options: Partial<Omit<WindowOperatorSpec, 'assigner'>> = {},
): Promise<{ h: OperatorTestHarness; op: WindowOperator }> {
  const aggregation: WindowAggregation = options.aggregation ?? { kind: 'process' };
  const op = new WindowOperator({
    assigner,
    trigger: options.trigger,
    evictor: options.evictor,
    allowedLateness: options.allowedLateness ?? 0,
    lateDataTag: options.lateDataTag,
    aggregation,
    windowFunction: 'windowFunction' in options ? options.windowFunction : listWindows,
    userFunction: undefined,
  });
  const h = new OperatorTestHarness(op, { keySelector: (v: KV) => v[0], operatorName: 'my-window' });
  await h.open();
  return { h, op };
}

const sum: WindowAggregation = {
  kind: 'reduce',
  reduce: (a, b) => [(a as KV)[0], (a as KV)[1] + (b as KV)[1]],
};

describe('event-time tumbling windows', () => {
  it('fire when the watermark reaches the max timestamp (end - 1), with that timestamp', async () => {
    const { h } = await harness(TumblingEventTimeWindows.of(10));
    h.processElement(['a', 1], 0);
    h.processElement(['a', 2], 9);
    h.processElement(['b', 3], 5);
    h.processElement(['a', 4], 10);
    h.processWatermark(8);
    expect(h.records()).toEqual([]);
    h.processWatermark(9);
    expect(h.records().sort((x, y) => String(x.value).localeCompare(String(y.value)))).toEqual([
      { value: 'a@[0,10): 1,2', timestamp: 9 },
      { value: 'b@[0,10): 3', timestamp: 9 },
    ]);
    h.clearOutput();
    h.processWatermark(100);
    expect(h.values()).toEqual(['a@[10,20): 4']);
    // Records are emitted before the watermark that fired them is forwarded.
    expect(h.output.map((o) => o.kind)).toEqual(['record', 'watermark']);
    expect(h.backend!.numEntries()).toBe(0);
  });

  it('incremental reduce emits one value per window', async () => {
    const { h } = await harness(TumblingEventTimeWindows.of(10), {
      aggregation: sum,
      windowFunction: undefined,
    });
    for (const t of [1, 2, 3, 15]) h.processElement(['a', t], t);
    h.processWatermark(Number.MAX_SAFE_INTEGER);
    expect(h.records()).toEqual([
      { value: ['a', 6], timestamp: 9 },
      { value: ['a', 15], timestamp: 19 },
    ]);
  });
});

describe('allowed lateness and late data', () => {
  it('a late element within the lateness is added and re-fires the window at once with all its contents', async () => {
    const { h, op } = await harness(TumblingEventTimeWindows.of(10), { allowedLateness: 5 });
    h.processElement(['a', 1], 1);
    h.processWatermark(9);
    expect(h.values()).toEqual(['a@[0,10): 1']);
    h.processElement(['a', 2], 3); // watermark 9 >= max timestamp 9: fires at once
    expect(h.values()).toEqual(['a@[0,10): 1', 'a@[0,10): 1,2']);
    h.processWatermark(13);
    h.processElement(['a', 3], 8); // 13 < 9 + 5: still allowed
    expect(h.values()).toEqual(['a@[0,10): 1', 'a@[0,10): 1,2', 'a@[0,10): 1,2,3']);
    h.processWatermark(14); // cleanup time 9 + 5 = 14: state removed
    expect(h.backend!.numEntries()).toBe(0);
    h.processElement(['a', 4], 9); // 9 + 5 <= 14: dropped
    expect(h.values()).toHaveLength(3);
    expect(op.numLateRecordsDropped).toBe(1);
  });

  it('late elements go to the side output when one is set (and are not counted as dropped)', async () => {
    const late = new OutputTag<KV>('late');
    const { h, op } = await harness(TumblingEventTimeWindows.of(10), {
      lateDataTag: late as OutputTag<unknown>,
    });
    h.processWatermark(19);
    h.processElement(['a', 1], 20); // on time
    h.processElement(['a', 2], 19); // late: [10,20) was cleaned up at 19
    expect(h.sideOutput(late)).toEqual([{ value: ['a', 2], timestamp: 19 }]);
    expect(op.numLateRecordsDropped).toBe(0);
    h.processWatermark(29);
    expect(h.values()).toEqual(['a@[20,30): 1']);
  });

  it('an element with some windows late and others not is added to the live ones only', async () => {
    const late = new OutputTag<KV>('late');
    const { h } = await harness(SlidingEventTimeWindows.of(10, 5), {
      lateDataTag: late as OutputTag<unknown>,
    });
    h.processWatermark(12);
    h.processElement(['a', 7], 7); // windows [5,15) (live) and [0,10) (late)
    h.processWatermark(100);
    expect(h.values()).toEqual(['a@[5,15): 7']);
    expect(h.sideOutput(late)).toEqual([]);
  });
});

describe('session windows', () => {
  it('merge out-of-order elements, including windows that only touch, and fire once', async () => {
    const { h } = await harness(EventTimeSessionWindows.withGap(5));
    h.processElement(['a', 1], 0); // [0,5)
    h.processElement(['a', 2], 10); // [10,15)
    h.processElement(['a', 3], 20); // [20,25)
    h.processElement(['a', 4], 5); // [5,10) touches [0,5) and [10,15): merges them into [0,15)
    h.processWatermark(14);
    expect(h.values()).toEqual(['a@[0,15): 1,2,4']);
    h.processWatermark(24);
    expect(h.values()).toEqual(['a@[0,15): 1,2,4', 'a@[20,25): 3']);
    expect(h.backend!.numEntries()).toBe(0);
  });

  it('a late element within the lateness merges into a fired session and re-fires it', async () => {
    const late = new OutputTag<KV>('late');
    const { h } = await harness(EventTimeSessionWindows.withGap(5), {
      allowedLateness: 10,
      lateDataTag: late as OutputTag<unknown>,
    });
    h.processElement(['a', 1], 0);
    h.processWatermark(6);
    expect(h.values()).toEqual(['a@[0,5): 1']);
    h.processElement(['a', 2], 2); // [2,7) merges into [0,7); max timestamp 6 <= watermark 6: fires at once
    h.processElement(['a', 3], 4); // [4,9) extends it to [0,9); max timestamp 8 > watermark 6: waits
    expect(h.values()).toEqual(['a@[0,5): 1', 'a@[0,7): 1,2']);
    h.processWatermark(8);
    expect(h.values()).toEqual(['a@[0,5): 1', 'a@[0,7): 1,2', 'a@[0,9): 1,2,3']);
    h.processWatermark(18); // cleanup of [0,9) at 8 + 10
    expect(h.backend!.numEntries()).toBe(0);
    h.processElement(['a', 9], 0); // a new session [0,5) that is late on its own
    expect(h.sideOutput(late)).toEqual([{ value: ['a', 9], timestamp: 0 }]);
  });

  it('merge incrementally aggregated state and count triggers', async () => {
    const { h } = await harness(EventTimeSessionWindows.withGap(3), {
      aggregation: sum,
      windowFunction: undefined,
      trigger: CountTrigger.of(3),
    });
    h.processElement(['a', 1], 0);
    h.processElement(['a', 10], 10);
    expect(h.values()).toEqual([]);
    h.processElement(['a', 100], 5); // bridges [0,3) and [10,13) via [5,8)? no: [5,8) touches neither
    expect(h.values()).toEqual([]);
    h.processElement(['a', 1000], 2); // [2,5) merges [0,3) and [5,8): count 1 + 1 + 1 = 3
    expect(h.values()).toEqual([['a', 1101]]);
  });

  it('dynamic gaps', async () => {
    const { h } = await harness(
      EventTimeSessionWindows.withDynamicGap((e: KV) => e[1]) as WindowAssigner<unknown, Window>,
    );
    h.processElement(['a', 2], 0); // [0,2)
    h.processElement(['a', 10], 3); // [3,13)
    h.processWatermark(100);
    expect(h.values()).toEqual(['a@[0,2): 2', 'a@[3,13): 10']);
  });

  it('windowState() is not available for sessions', async () => {
    const { h } = await harness(EventTimeSessionWindows.withGap(3), {
      windowFunction: { process: (_k, ctx) => ctx.windowState() },
    });
    h.processElement(['a', 1], 0);
    expect(() => h.processWatermark(10)).toThrow(/windowState\(\) is not available for merging/);
  });
});

describe('processing time', () => {
  it('tumbling windows fire when the clock reaches their max timestamp', async () => {
    const { h } = await harness(TumblingProcessingTimeWindows.of(10));
    h.setProcessingTime(3);
    h.processElement(['a', 1], 1000); // the record timestamp does not matter
    h.setProcessingTime(8);
    h.processElement(['a', 2]);
    h.setProcessingTime(12);
    h.processElement(['a', 3]);
    expect(h.values()).toEqual(['a@[0,10): 1,2']);
    h.setProcessingTime(19);
    expect(h.values()).toEqual(['a@[0,10): 1,2', 'a@[10,20): 3']);
    expect(h.records()[1]!.timestamp).toBe(19);
  });

  it('session windows merge by processing time', async () => {
    const { h } = await harness(ProcessingTimeSessionWindows.withGap(5));
    h.processElement(['a', 1]);
    h.setProcessingTime(3);
    h.processElement(['a', 2]); // [3,8) merges with [0,5)
    h.setProcessingTime(6);
    expect(h.values()).toEqual([]);
    h.setProcessingTime(7);
    expect(h.values()).toEqual(['a@[0,8): 1,2']);
  });
});

describe('global windows, count, purging and continuous triggers', () => {
  it('count windows: PurgingTrigger(CountTrigger) fires every n elements and empties the window', async () => {
    const { h } = await harness(GlobalWindows.create(), {
      trigger: PurgingTrigger.of(CountTrigger.of(2)) as Trigger<unknown, Window>,
      windowFunction: { process: (k, _c, es, out) => out.collect(`${k}:${(es as KV[]).map((e) => e[1])}`) },
    });
    for (let i = 1; i <= 5; i++) h.processElement(['a', i]);
    h.processWatermark(Number.MAX_SAFE_INTEGER);
    expect(h.values()).toEqual(['a:1,2', 'a:3,4']);
    expect(h.records()[0]!.timestamp).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('sliding count windows: CountEvictor(size) with CountTrigger(slide)', async () => {
    const { h } = await harness(GlobalWindows.create(), {
      trigger: CountTrigger.of(2),
      evictor: CountEvictor.of(3),
      windowFunction: { process: (_k, _c, es, out) => out.collect((es as KV[]).map((e) => e[1]).join(',')) },
    });
    for (let i = 1; i <= 7; i++) h.processElement(['a', i]);
    expect(h.values()).toEqual(['1,2', '2,3,4', '4,5,6']);
  });

  it('ContinuousEventTimeTrigger fires early every interval and at the end', async () => {
    const { h } = await harness(TumblingEventTimeWindows.of(100), {
      trigger: ContinuousEventTimeTrigger.of(30),
    });
    h.processElement(['a', 1], 5);
    h.processWatermark(30);
    h.processElement(['a', 2], 40);
    h.processWatermark(65);
    h.processWatermark(200);
    expect(h.values()).toEqual(['a@[0,100): 1', 'a@[0,100): 1,2', 'a@[0,100): 1,2', 'a@[0,100): 1,2']);
  });
});

describe('evictors', () => {
  it('TimeEvictor removes old elements before the function; what remains stays in the window', async () => {
    const { h } = await harness(GlobalWindows.create(), {
      trigger: CountTrigger.of(3),
      evictor: TimeEvictor.of(10),
      windowFunction: { process: (_k, _c, es, out) => out.collect((es as KV[]).map((e) => e[1]).join(',')) },
    });
    h.processElement(['a', 1], 0);
    h.processElement(['a', 2], 5);
    h.processElement(['a', 3], 12); // fires: 0 <= 12 - 10 evicted
    h.processElement(['a', 4], 13);
    h.processElement(['a', 5], 30);
    h.processElement(['a', 6], 31); // fires: window holds 2,3,4,5,6 → keep > 21
    expect(h.values()).toEqual(['2,3', '5,6']);
  });

  it('evict after the function, with reduce applied to what the evictor keeps', async () => {
    const dropAll: Evictor<unknown, Window> = {
      evictBefore: () => {},
      evictAfter: (es) => es.splice(0),
    };
    const { h } = await harness(GlobalWindows.create(), {
      trigger: CountTrigger.of(2),
      evictor: dropAll,
      aggregation: sum,
      windowFunction: undefined,
    });
    for (let i = 1; i <= 4; i++) h.processElement(['a', i]);
    expect(h.values()).toEqual([
      ['a', 3],
      ['a', 7],
    ]);
  });
});

describe('window function context', () => {
  it('gives the window, time, per-window and global state, side outputs, and clear() at cleanup', async () => {
    const side = new OutputTag<string>('side');
    const perWindow = new ValueStateDescriptor<number>('fires');
    const total = new ValueStateDescriptor<number>('total');
    const cleared: string[] = [];
    const fn: InternalWindowFunction = {
      process(key, ctx, elements, out) {
        const w = ctx.window as TimeWindow;
        const fires = ctx.windowState().getState(perWindow);
        fires.update((fires.value() ?? 0) + 1);
        const t = ctx.globalState().getState(total);
        t.update((t.value() ?? 0) + elements.length);
        ctx.output(side, `side ${w.start}`);
        out.collect(
          `${key} [${w.start},${w.end}) fire ${fires.value()} total ${t.value()} wm ${ctx.currentWatermark()}`,
        );
      },
      clear(ctx: ProcessWindowContext<Window>) {
        const w = ctx.window as TimeWindow;
        cleared.push(`${w.start}: ${ctx.windowState().getState(perWindow).value()}`);
        ctx.windowState().getState(perWindow).clear();
      },
    };
    const { h } = await harness(TumblingEventTimeWindows.of(10), { allowedLateness: 10, windowFunction: fn });
    h.processElement(['a', 1], 1);
    h.processWatermark(9);
    h.processElement(['a', 2], 2);
    h.processElement(['a', 3], 15);
    h.processWatermark(100);
    expect(h.values()).toEqual([
      'a [0,10) fire 1 total 1 wm 9',
      'a [0,10) fire 2 total 3 wm 9',
      'a [10,20) fire 1 total 4 wm 100',
    ]);
    expect(h.sideOutput(side)).toEqual([
      { value: 'side 0', timestamp: 9 },
      { value: 'side 0', timestamp: 9 },
      { value: 'side 10', timestamp: 19 },
    ]);
    expect(cleared).toEqual(['0: 2', '10: 1']);
  });

  it('a window function that throws fails with the operator, the key and the window', async () => {
    const { h } = await harness(TumblingEventTimeWindows.of(10), {
      windowFunction: {
        process: () => {
          throw new Error('boom');
        },
      },
    });
    h.processElement(['user-7', 1], 3);
    let error: unknown;
    try {
      h.processWatermark(20);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UserFunctionError);
    expect(String((error as Error).message)).toMatch(
      /operator "my-window".*window function for window TimeWindow\{start=0, end=10\} of key "user-7": Error: boom/,
    );
  });
});

describe('numLateRecordsDropped', () => {
  it('counts exactly the records the late-data side output would receive (property)', async () => {
    const assigners: Array<() => WindowAssigner<unknown, Window>> = [
      () => TumblingEventTimeWindows.of(10),
      () => SlidingEventTimeWindows.of(10, 3),
      () => EventTimeSessionWindows.withGap(4),
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.nat(2),
        fc.integer({ min: 0, max: 15 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 100 }), fc.integer({ min: -20, max: 10 })), {
          maxLength: 40,
        }),
        async (which, lateness, input) => {
          const late = new OutputTag<KV>('late');
          const run = async (tag: boolean) => {
            const { h, op } = await harness(assigners[which]!(), {
              allowedLateness: lateness,
              ...(tag ? { lateDataTag: late as OutputTag<unknown> } : {}),
            });
            let wm = 0;
            for (const [ts, lag] of input) {
              h.processElement(['k', ts], ts);
              wm = Math.max(wm, ts - lag);
              h.processWatermark(wm);
            }
            return { values: h.values(), late: h.sideOutput(late).length, dropped: op.numLateRecordsDropped };
          };
          const withTag = await run(true);
          const without = await run(false);
          expect(withTag.dropped).toBe(0);
          expect(without.dropped).toBe(withTag.late);
          expect(without.values).toEqual(withTag.values);
        },
      ),
    );
  });
});
