// The interval join: inclusive bounds, the result timestamp, late elements, buffer cleanup, and a
// property test against the definition (every pair of a key within the bounds, exactly once).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OutputTag } from '../../functions/index.ts';
import { IntervalJoinOperator, type IntervalJoinSpec } from './interval-join-operator.ts';
import { OperatorTestHarness } from './operator-test-harness.ts';

type E = [string, number];

async function harness(
  spec: Partial<IntervalJoinSpec> & Pick<IntervalJoinSpec, 'lowerBound' | 'upperBound'>,
) {
  const op = new IntervalJoinOperator({
    leftLateDataTag: undefined,
    rightLateDataTag: undefined,
    fn: {
      processElement: (l, r, ctx, out) =>
        out.collect(
          `${(l as E)[1]}-${(r as E)[1]}@${ctx.getTimestamp()}(${ctx.getLeftTimestamp()},${ctx.getRightTimestamp()})`,
        ),
    },
    ...spec,
  });
  const h = new OperatorTestHarness(op, { keySelector: (v: E) => v[0], keySelector2: (v: E) => v[0] });
  await h.open();
  return h;
}

describe('IntervalJoinOperator', () => {
  it('joins pairs with left.ts + lower <= right.ts <= left.ts + upper, stamped with the later one', async () => {
    const h = await harness({ lowerBound: -2, upperBound: 1 });
    h.processElement1(['a', 10], 10);
    for (const t of [7, 8, 10, 11, 12]) h.processElement2(['a', t], t);
    h.processElement2(['b', 10], 10);
    expect(h.values()).toEqual(['10-8@10(10,8)', '10-10@10(10,10)', '10-11@11(10,11)']);
    h.clearOutput();
    h.processElement1(['a', 9], 9);
    expect(h.values().sort()).toEqual(['9-10@10(9,10)', '9-7@9(9,7)', '9-8@9(9,8)']);
  });

  it('late elements (behind the watermark of both inputs) are dropped or sent to the side output', async () => {
    const leftLate = new OutputTag<E>('left-late');
    const h = await harness({
      lowerBound: 0,
      upperBound: 5,
      leftLateDataTag: leftLate as OutputTag<unknown>,
    });
    h.processWatermark(10, 1);
    h.processElement1(['a', 5], 5); // input 2 has no watermark yet: not late
    h.processWatermark(10, 2);
    h.processElement1(['a', 9], 9);
    h.processElement1(['a', 10], 10); // not late: late means strictly behind
    h.processElement2(['a', 9], 9); // dropped silently (no right tag)
    h.processElement2(['a', 12], 12);
    expect(h.sideOutput(leftLate)).toEqual([{ value: ['a', 9], timestamp: 9 }]);
    expect(h.values().sort()).toEqual(['10-12@12(10,12)']);
  });

  it('cleans up buffers once the watermark passes what could still join', async () => {
    const h = await harness({ lowerBound: -3, upperBound: 4 });
    h.processElement1(['a', 1], 10);
    h.processElement2(['a', 2], 12);
    expect(h.backend!.numEntries()).toBeGreaterThan(0);
    h.processWatermark(14, 1);
    h.processWatermark(14, 2); // left cleanup at 10 + 4, right at 12 + 3
    expect(h.backend!.numEntries()).toBe(1);
    h.processWatermark(15, 1);
    h.processWatermark(15, 2);
    expect(h.backend!.numEntries()).toBe(0);
  });

  it('rejects records without timestamps and inverted bounds', async () => {
    const h = await harness({ lowerBound: 0, upperBound: 1 });
    expect(() => h.processElement1(['a', 1])).toThrow(/left record \["a",1\] has no event timestamp/);
    expect(() => new IntervalJoinOperator({ lowerBound: 2, upperBound: 1 } as IntervalJoinSpec)).toThrow(
      /lower bound 2 must not be greater than the upper bound 1/,
    );
  });

  it('emits every pair within the bounds exactly once (property)', async () => {
    const side = fc.array(fc.tuple(fc.constantFrom('a', 'b'), fc.integer({ min: 0, max: 40 })), {
      maxLength: 15,
    });
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: -10, max: 10 }),
        fc.integer({ min: 0, max: 10 }),
        side,
        side,
        fc.array(fc.boolean(), { maxLength: 30 }),
        async (lower, width, lefts, rights, order) => {
          const upper = lower + width;
          const h = await harness({ lowerBound: lower, upperBound: upper });
          const l = lefts.map(([k, t], i): E => [k, t * 100 + i]);
          const r = rights.map(([k, t], i): E => [k, t * 100 + 50 + i]);
          let i = 0;
          let j = 0;
          for (const left of order) {
            if (left && i < l.length) h.processElement1(l[i]!, Math.floor(l[i++]![1] / 100));
            else if (j < r.length) h.processElement2(r[j]!, Math.floor(r[j++]![1] / 100));
          }
          while (i < l.length) h.processElement1(l[i]!, Math.floor(l[i++]![1] / 100));
          while (j < r.length) h.processElement2(r[j]!, Math.floor(r[j++]![1] / 100));
          const expected: string[] = [];
          for (const a of l)
            for (const b of r) {
              const ta = Math.floor(a[1] / 100);
              const tb = Math.floor(b[1] / 100);
              if (a[0] === b[0] && ta + lower <= tb && tb <= ta + upper) {
                expected.push(`${a[1]}-${b[1]}@${Math.max(ta, tb)}(${ta},${tb})`);
              }
            }
          expect((h.values() as string[]).sort()).toEqual(expected.sort());
        },
      ),
    );
  });
});
