// Windows survive checkpoints unchanged: contents, merging sessions, shared panes and timers are
// all keyed state or timers. Snapshot mid-stream, serialize as a checkpoint file, restore at
// parallelism 2, continue: the output must be what an uninterrupted run emits, step by step.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeTaskState, encodeTaskState, STATE_FORMAT_VERSION } from '../../checkpoint/index.ts';
import {
  CountEvictor,
  CountTrigger,
  EventTimeSessionWindows,
  GlobalWindows,
  OutputTag,
  SlidingEventTimeWindows,
  type TimeWindow,
  TumblingEventTimeWindows,
} from '../../functions/index.ts';
import { assignToKeyGroup, computeOperatorIndexForKeyGroup } from '../../state/index.ts';
import { IntervalJoinOperator } from './interval-join-operator.ts';
import { type HarnessOutput, OperatorTestHarness } from './operator-test-harness.ts';
import type { StreamOperator } from './stream-operator.ts';
import type { InternalWindowFunction } from './window-function-runner.ts';
import { createWindowOperator, type WindowOperatorSpec } from './window-operator.ts';

type KV = [string, number];
type Step =
  | { kind: 'element'; key: string; ts: number; v: number; side: 1 | 2 }
  | { kind: 'watermark'; by: number };

const MAX_PARALLELISM = 128;
const late = new OutputTag<unknown>('late');

const describeWindow: InternalWindowFunction = {
  process(key, ctx, elements, out) {
    const w = ctx.window as TimeWindow;
    const values = (elements as KV[])
      .map((e) => (Array.isArray(e) ? e[1] : e))
      .sort((a, b) => Number(a) - Number(b));
    out.collect(`${String(key)}@${w.start ?? 'global'}-${w.end ?? ''}: ${values.join(',')}`);
  },
};

const base = {
  trigger: undefined,
  evictor: undefined,
  allowedLateness: 0,
  lateDataTag: undefined,
  windowFunction: describeWindow,
  userFunction: undefined,
} as const;

const configs: Record<string, () => StreamOperator> = {
  'tumbling with lateness and late data': () =>
    createWindowOperator({
      ...base,
      assigner: TumblingEventTimeWindows.of(10),
      allowedLateness: 7,
      lateDataTag: late,
      aggregation: { kind: 'process' },
    }),
  'sessions with lateness': () =>
    createWindowOperator({
      ...base,
      assigner: EventTimeSessionWindows.withGap(4),
      allowedLateness: 5,
      aggregation: { kind: 'process' },
    }),
  'sliding, shared panes': () =>
    createWindowOperator({
      ...base,
      assigner: SlidingEventTimeWindows.of(12, 3),
      allowedLateness: 4,
      lateDataTag: late,
      aggregation: { kind: 'reduce', reduce: (a, b) => [(a as KV)[0], (a as KV)[1] + (b as KV)[1]] },
    } satisfies WindowOperatorSpec),
  'count windows with an evictor': () =>
    createWindowOperator({
      ...base,
      assigner: GlobalWindows.create(),
      trigger: CountTrigger.of(3),
      evictor: CountEvictor.of(4),
      aggregation: { kind: 'process' },
    }),
  'interval join': () =>
    new IntervalJoinOperator({
      lowerBound: -3,
      upperBound: 4,
      leftLateDataTag: late,
      rightLateDataTag: undefined,
      fn: {
        processElement: (l, r, ctx, out) =>
          out.collect(`${(l as KV)[1]}-${(r as KV)[1]}@${ctx.getTimestamp()}`),
      },
    }),
};

function harness(make: () => StreamOperator, parallelism: number, subtaskIndex: number): OperatorTestHarness {
  const key = (v: KV) => v[0];
  return new OperatorTestHarness(make(), {
    keySelector: key,
    keySelector2: key,
    parallelism,
    subtaskIndex,
    maxParallelism: MAX_PARALLELISM,
  });
}

function stepOutput(output: readonly HarnessOutput[], from: number): string[] {
  return output
    .slice(from)
    .filter((o) => o.kind !== 'watermark')
    .map((o) => JSON.stringify(o))
    .sort();
}

/** Feeds steps to the harnesses (routing elements by key group); returns the output of every step. */
function feed(
  hs: OperatorTestHarness[],
  steps: Step[],
  twoInputs: boolean,
  time: { wm: number },
): string[][] {
  const out: string[][] = [];
  for (const s of steps) {
    const from = hs.map((h) => h.output.length);
    if (s.kind === 'element') {
      const subtask = computeOperatorIndexForKeyGroup(
        MAX_PARALLELISM,
        hs.length,
        assignToKeyGroup(s.key, MAX_PARALLELISM),
      );
      const h = hs[subtask]!;
      if (!twoInputs) h.processElement([s.key, s.v], s.ts);
      else if (s.side === 1) h.processElement1([s.key, s.v], s.ts);
      else h.processElement2([s.key, s.v], s.ts);
    } else {
      time.wm += s.by;
      for (const h of hs) {
        h.processWatermark(time.wm, 1);
        if (twoInputs) h.processWatermark(time.wm, 2);
      }
    }
    out.push(hs.flatMap((h, i) => stepOutput(h.output, from[i]!)).sort());
  }
  return out;
}

const steps = fc.array(
  fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record({
        kind: fc.constant('element' as const),
        key: fc.constantFrom('a', 'b', 'c', 'd'),
        ts: fc.integer({ min: 0, max: 80 }),
        v: fc.integer({ min: 1, max: 99 }),
        side: fc.constantFrom(1 as const, 2 as const),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({ kind: fc.constant('watermark' as const), by: fc.integer({ min: 0, max: 12 }) }),
    },
  ),
  { maxLength: 60 },
);

describe('window state in checkpoints', () => {
  it.each(Object.keys(configs))('%s: snapshot, restore at parallelism 2, same output', async (name) => {
    const make = configs[name]!;
    const twoInputs = name === 'interval join';
    await fc.assert(
      fc.asyncProperty(steps, fc.nat(), async (input, cut) => {
        const at = input.length === 0 ? 0 : cut % (input.length + 1);
        const end: Step = { kind: 'watermark', by: 1_000 };
        // Uninterrupted.
        const whole = harness(make, 1, 0);
        await whole.open();
        const expected = feed([whole], [...input, end], twoInputs, { wm: 0 });
        // Interrupted at `at`: snapshot, encode and decode like a checkpoint file, restore twice.
        const first = harness(make, 1, 0);
        await first.open();
        const time = { wm: 0 };
        const before = feed([first], input.slice(0, at), twoInputs, time);
        const bytes = encodeTaskState({
          version: STATE_FORMAT_VERSION,
          checkpointId: 1,
          vertexId: 0,
          subtask: 0,
          parallelism: 1,
          operators: { op: first.operator.snapshotState(1, 0) },
        });
        const snapshot = decodeTaskState(bytes, 'test').operators.op!;
        const restored = [0, 1].map((i) => harness(make, 2, i));
        for (const h of restored) {
          h.operator.restoreState([snapshot]);
          await h.open();
          // The restored operator learns the watermark again from its inputs.
          h.processWatermark(time.wm, 1);
          if (twoInputs) h.processWatermark(time.wm, 2);
          h.clearOutput();
        }
        const after = feed(restored, [...input.slice(at), end], twoInputs, time);
        expect([...before, ...after]).toEqual(expected);
      }),
      { numRuns: 150 },
    );
  });
});
