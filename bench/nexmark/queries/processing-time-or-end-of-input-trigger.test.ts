// q12's trigger on the engine's window operator with a manual clock: windows fire when the clock
// passes their end and, once, at the end of input; none twice, none lost.
import { describe, expect, it } from 'vitest';
import {
  type AggregateFunction,
  MAX_WATERMARK,
  type TimeWindow,
  TumblingProcessingTimeWindows,
} from '../../../src/index.ts';
import {
  createWindowOperator,
  type InternalWindowFunction,
  OperatorTestHarness,
} from '../../../src/runtime/index.ts';
import { ProcessingTimeOrEndOfInputTrigger } from './processing-time-or-end-of-input-trigger.ts';

type Bid = { readonly bidder: string };

const count: AggregateFunction<unknown, number, number> = {
  createAccumulator: () => 0,
  add: (_v, n) => n + 1,
  getResult: (n) => n,
  merge: (a, b) => a + b,
};

/** Emits `bidder@[start,end)=count`. */
const label: InternalWindowFunction = {
  process(key, ctx, counts, out) {
    const w = ctx.window as TimeWindow;
    for (const n of counts as number[]) out.collect(`${String(key)}@[${w.start},${w.end})=${n}`);
  },
};

async function harness(): Promise<OperatorTestHarness> {
  const op = createWindowOperator({
    assigner: TumblingProcessingTimeWindows.of(10),
    trigger: ProcessingTimeOrEndOfInputTrigger.create(),
    evictor: undefined,
    allowedLateness: 0,
    lateDataTag: undefined,
    aggregation: { kind: 'aggregate', aggregate: count as AggregateFunction<unknown, unknown, unknown> },
    windowFunction: label,
    userFunction: undefined,
  });
  const h = new OperatorTestHarness(op, { keySelector: (b: Bid) => b.bidder });
  await h.open();
  return h;
}

describe('ProcessingTimeOrEndOfInputTrigger', () => {
  it('fires each window when the clock passes its end, and the open ones at the end of input', async () => {
    const h = await harness();
    h.setProcessingTime(3);
    h.processElement({ bidder: 'a' }, 1_000_000); // event time plays no part
    h.processElement({ bidder: 'b' });
    h.setProcessingTime(8);
    h.processElement({ bidder: 'a' });
    h.processWatermark(500); // an ordinary watermark fires nothing
    expect(h.values()).toEqual([]);
    h.setProcessingTime(12);
    expect(h.values().sort()).toEqual(['a@[0,10)=2', 'b@[0,10)=1']);
    h.processElement({ bidder: 'a' });
    h.processElement({ bidder: 'a' });
    h.clearOutput();
    // The input ends before the clock reaches 19: the final watermark fires [10, 20).
    h.processWatermark(MAX_WATERMARK);
    expect(h.values()).toEqual(['a@[10,20)=2']);
    // Its processing-time timer, if it still comes, finds the window purged.
    h.setProcessingTime(40);
    expect(h.values()).toEqual(['a@[10,20)=2']);
  });

  it('does not fire a window again at the end of input once the clock has fired it', async () => {
    const h = await harness();
    h.setProcessingTime(21);
    h.processElement({ bidder: 'a' });
    h.setProcessingTime(30);
    expect(h.values()).toEqual(['a@[20,30)=1']);
    h.processWatermark(MAX_WATERMARK);
    expect(h.values()).toEqual(['a@[20,30)=1']);
  });
});
