// The watermark of a two-input operator: the minimum of its inputs, ignoring idle ones, never
// going back; idleness is forwarded when both inputs are idle.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MIN_WATERMARK, type StreamRecord } from '../../core/index.ts';
import { type OperatorContext, type Output, TwoInputOperator } from './stream-operator.ts';

class Passthrough extends TwoInputOperator {
  override processElement1(_r: StreamRecord): void {}
  override processElement2(_r: StreamRecord): void {}
}

function setup() {
  const emitted: Array<number | 'idle' | 'active'> = [];
  const output: Output = {
    collect: () => {},
    collectSide: () => {},
    emitWatermark: (t) => emitted.push(t),
    emitWatermarkStatus: (idle) => emitted.push(idle ? 'idle' : 'active'),
  };
  const op = new Passthrough();
  op.setup({
    output,
    operatorName: 'two',
    keySelectors: [],
    keyedBackend: undefined,
  } as unknown as OperatorContext);
  return { op, emitted };
}

describe('two-input operator watermarks', () => {
  it('forwards the minimum of both inputs once both have one', () => {
    const { op, emitted } = setup();
    op.processWatermark(10, 1);
    expect(emitted).toEqual([]);
    op.processWatermark(5, 2);
    op.processWatermark(20, 1);
    op.processWatermark(30, 2);
    expect(emitted).toEqual([5, 20]);
    expect(op.currentWatermark()).toBe(20);
  });

  it('ignores an idle input at once, even if the other input sends no new watermark', () => {
    const { op, emitted } = setup();
    op.processWatermark(100, 1);
    op.processWatermark(50, 2);
    op.processWatermarkStatus(true, 2);
    expect(emitted).toEqual([50, 100]);
    op.processWatermarkStatus(false, 2); // back, behind: no regression
    op.processWatermark(60, 2);
    expect(op.currentWatermark()).toBe(100);
    op.processWatermark(150, 2);
    op.processWatermark(200, 1);
    expect(emitted).toEqual([50, 100, 150]);
  });

  it('is idle only when both inputs are', () => {
    const { op, emitted } = setup();
    op.processWatermarkStatus(true, 1);
    op.processWatermarkStatus(true, 2);
    op.processWatermarkStatus(false, 1);
    expect(emitted).toEqual(['idle', 'active']);
  });

  it('never emits a watermark above the minimum of the active inputs, nor a decreasing one', () => {
    type Step = { input: 1 | 2 } & ({ kind: 'wm'; by: number } | { kind: 'idle'; idle: boolean });
    const step: fc.Arbitrary<Step> = fc.oneof(
      fc.record({ kind: fc.constant('wm' as const), input: fc.constantFrom<1 | 2>(1, 2), by: fc.nat(20) }),
      fc.record({
        kind: fc.constant('idle' as const),
        input: fc.constantFrom<1 | 2>(1, 2),
        idle: fc.boolean(),
      }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        const { op, emitted } = setup();
        const wm = { 1: MIN_WATERMARK, 2: MIN_WATERMARK };
        const idle = { 1: false, 2: false };
        let last = MIN_WATERMARK;
        for (const s of steps) {
          if (s.kind === 'wm') {
            wm[s.input] = Math.max(wm[s.input], 0) + s.by;
            op.processWatermark(wm[s.input], s.input);
          } else {
            idle[s.input] = s.idle;
            op.processWatermarkStatus(s.idle, s.input);
          }
          const active = ([1, 2] as const).filter((i) => !idle[i]).map((i) => wm[i]);
          const expected = active.length === 0 ? last : Math.max(last, Math.min(...active));
          expect(op.currentWatermark()).toBe(expected);
          last = expected;
        }
        const marks = emitted.filter((e): e is number => typeof e === 'number');
        for (let i = 1; i < marks.length; i++) expect(marks[i]!).toBeGreaterThan(marks[i - 1]!);
      }),
    );
  });
});
