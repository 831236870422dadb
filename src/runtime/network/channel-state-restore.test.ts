// Redistribution of an unaligned checkpoint's in-flight data on restore: every recorded record is
// taken by exactly one new subtask (one copy per subtask for broadcast), the one the edge's
// partitioner routes it to under the new parallelism.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { InputChannelStateSnapshot, OutputChannelStateSnapshot } from '../../checkpoint/index.ts';
import type { PartitionerSpec } from '../../plan/index.ts';
import { assignToKeyGroup, computeOperatorIndexForKeyGroup } from '../../state/index.ts';
import { BufferCodec } from './buffer-codec.ts';
import {
  type OldChannelState,
  type RestoredEdge,
  restoredInputRecords,
  restoredOutputEntries,
} from './channel-state-restore.ts';

const codec = new BufferCodec();
const MAX_PARALLELISM = 128;
const edge = (partitioner: PartitionerSpec): RestoredEdge => ({
  partitioner,
  typeNumber: 1,
  maxParallelism: MAX_PARALLELISM,
});
const hash = edge({ kind: 'hash', key: ((v: number) => v % 17) as never });

/** Old subtask i (of p) recorded `perSubtask` records per upstream channel, two upstreams. */
function oldInputs(p: number, perSubtask: number): OldChannelState<InputChannelStateSnapshot>[] {
  const out: OldChannelState<InputChannelStateSnapshot>[] = [];
  for (let i = 0; i < p; i++) {
    for (let up = 0; up < 2; up++) {
      const values = Array.from({ length: perSubtask }, (_, k) => i * 10_000 + up * 1_000 + k);
      out.push({
        oldSubtask: i,
        oldParallelism: p,
        state: {
          edgeId: 3,
          sourceOperatorId: 'a',
          targetOperatorId: 'b',
          input: 1,
          sourceSubtask: up,
          // Two buffers, with timestamps, so order and fields survive.
          buffers: [
            codec.encode(values.slice(0, 3), values.slice(0, 3), null, null),
            codec.encode(values.slice(3), values.slice(3), null, null),
          ],
        },
      });
    }
  }
  return out;
}

const take = (entries: OldChannelState<InputChannelStateSnapshot>[], e: RestoredEdge, j: number, q: number) =>
  restoredInputRecords(entries, () => e, j, q, codec, 'chk-1').map((r) => r.record.value as number);

describe('restoredInputRecords', () => {
  it('same parallelism: each subtask takes back its own, in order, with timestamps', () => {
    const entries = oldInputs(2, 5);
    for (const e of [hash, edge({ kind: 'rebalance' }), edge({ kind: 'broadcast' })]) {
      const mine = restoredInputRecords(entries, () => e, 1, 2, codec, 'chk-1');
      expect(mine.map((r) => r.record.value)).toEqual([
        ...[10_000, 10_001, 10_002, 10_003, 10_004],
        ...[11_000, 11_001, 11_002, 11_003, 11_004],
      ]);
      expect(mine.every((r) => r.record.timestamp === r.record.value && r.input === 1)).toBe(true);
    }
  });

  it('keyed edges at another parallelism: each record once, at the owner of its key group', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 5 }), fc.nat(8), (p, q, n) => {
        // (At the same parallelism each subtask takes back its own: tested above.)
        fc.pre(p !== q);
        const entries = oldInputs(p, n + 3);
        const all = entries.flatMap((e) =>
          e.state.buffers.flatMap((b) => codec.decode(b).values as number[]),
        );
        const taken = Array.from({ length: q }, (_, j) => take(entries, hash, j, q));
        expect(taken.flat().sort((a, b) => a - b)).toEqual([...all].sort((a, b) => a - b));
        taken.forEach((values, j) => {
          for (const v of values) {
            const kg = assignToKeyGroup(v % 17, MAX_PARALLELISM);
            expect(computeOperatorIndexForKeyGroup(MAX_PARALLELISM, q, kg)).toBe(j);
          }
        });
      }),
    );
  });

  it('round-robin edges at another parallelism: each record once, dealt evenly', () => {
    const entries = oldInputs(3, 7);
    const taken = [0, 1].map((j) => take(entries, edge({ kind: 'rebalance' }), j, 2));
    expect(taken.flat().sort((a, b) => a - b)).toHaveLength(42);
    expect(new Set(taken.flat()).size).toBe(42);
    expect(Math.abs(taken[0]!.length - taken[1]!.length)).toBeLessThanOrEqual(1);
  });

  it('broadcast edges at another parallelism: new subtask j continues old subtask j mod p', () => {
    const entries = oldInputs(2, 4);
    const b = edge({ kind: 'broadcast' });
    const own = (i: number) => take(entries, b, i, 2);
    expect(take(entries, b, 2, 3)).toEqual(own(0));
    expect(take(entries, b, 1, 3)).toEqual(own(1));
    expect(take(entries, b, 0, 1)).toEqual(own(0));
  });

  it('names the checkpoint and the edge when a key selector fails on a recorded record', () => {
    const entries = oldInputs(1, 1);
    const bad = edge({ kind: 'hash', key: (() => undefined) as never });
    expect(() => take(entries, bad, 0, 2)).toThrow(
      /restoring in-flight data of edge 3 from chk-1: key selector/,
    );
  });
});

describe('restoredOutputEntries', () => {
  it('every old sender’s entries are sent again by exactly one new subtask (its own when the parallelism is kept)', () => {
    const entry = (i: number): OldChannelState<OutputChannelStateSnapshot> => ({
      oldSubtask: i,
      oldParallelism: 3,
      state: {
        edgeId: 1,
        sourceOperatorId: 'a',
        targetOperatorId: 'b',
        channelIndex: 0,
        targetParallelism: 2,
        buffers: [],
      },
    });
    const entries = [0, 1, 2].map(entry);
    expect([0, 1, 2].map((j) => restoredOutputEntries(entries, j, 3).map((e) => e.oldSubtask))).toEqual([
      [0],
      [1],
      [2],
    ]);
    const two = [0, 1].map((j) => restoredOutputEntries(entries, j, 2).map((e) => e.oldSubtask));
    expect(two.flat().sort()).toEqual([0, 1, 2]);
  });
});
