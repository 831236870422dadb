// Which downstream subtasks each upstream subtask is wired to, per partitioner.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { channelTargets } from './job-graph.ts';
import type { PartitionerKind } from './transformation.ts';

const ALL_TO_ALL: PartitionerKind[] = ['rebalance', 'shuffle', 'broadcast', 'hash', 'custom'];
const parallelisms = fc.record({
  source: fc.integer({ min: 1, max: 64 }),
  target: fc.integer({ min: 1, max: 64 }),
});

function wiring(kind: PartitionerKind, source: number, target: number): number[][] {
  return Array.from({ length: source }, (_, s) => channelTargets(kind, source, target, s));
}

describe('channelTargets', () => {
  it('forward: subtask i feeds subtask i', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 64 }), (p) => {
        expect(wiring('forward', p, p)).toEqual(Array.from({ length: p }, (_, i) => [i]));
      }),
    );
  });

  it('global: every subtask feeds subtask 0', () => {
    fc.assert(
      fc.property(parallelisms, ({ source, target }) => {
        for (const targets of wiring('global', source, target)) expect(targets).toEqual([0]);
      }),
    );
  });

  it.each(ALL_TO_ALL)('%s: every subtask feeds every downstream subtask, in index order', (kind) => {
    fc.assert(
      fc.property(parallelisms, ({ source, target }) => {
        const all = Array.from({ length: target }, (_, i) => i);
        for (const targets of wiring(kind, source, target)) expect(targets).toEqual(all);
      }),
    );
  });

  it('rescale: contiguous groups that cover every downstream subtask; each downstream subtask has inputs', () => {
    fc.assert(
      fc.property(parallelisms, ({ source, target }) => {
        const w = wiring('rescale', source, target);
        const inputs = new Array<number>(target).fill(0);
        for (const targets of w) {
          expect(targets.length).toBeGreaterThan(0);
          targets.forEach((t, i) => {
            expect(t).toBe(targets[0]! + i);
            expect(t >= 0 && t < target).toBe(true);
            inputs[t]!++;
          });
        }
        expect(inputs.every((n) => n > 0)).toBe(true);
        if (target >= source) {
          // Fan-out: the groups partition the downstream subtasks.
          expect(w.flat()).toEqual(Array.from({ length: target }, (_, i) => i));
        } else {
          // Fan-in: every upstream subtask feeds exactly one downstream subtask, in order.
          expect(w.every((t) => t.length === 1)).toBe(true);
          const flat = w.flat();
          expect(flat).toEqual([...flat].sort((a, b) => a - b));
        }
      }),
    );
  });

  it('rescale 2 -> 4 and 4 -> 2, as in Flink', () => {
    expect(wiring('rescale', 2, 4)).toEqual([
      [0, 1],
      [2, 3],
    ]);
    expect(wiring('rescale', 4, 2)).toEqual([[0], [0], [1], [1]]);
  });
});
