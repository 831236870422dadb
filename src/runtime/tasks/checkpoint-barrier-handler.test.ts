// Barrier alignment, simulated: channels carry records and barriers in order and are consumed in
// any interleaving. Exactly-once: the snapshot of checkpoint n holds exactly the records before
// barrier n on every channel. At-least-once: nothing is blocked, nothing before a barrier is missed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputChannel, InputGate } from '../network/input-gate.ts';
import { type Barrier, CheckpointBarrierHandler } from './checkpoint-barrier-handler.ts';

const barrier = (checkpointId: number): Barrier => ({
  kind: 'barrier',
  checkpointId,
  timestamp: checkpointId,
  savepoint: false,
  targetDir: '/tmp/x',
});

type Item = { record: string } | { barrier: number } | { end: true };

/** Channel contents: records `c<i>-<j>`, with barriers 1..checkpoints in order, then the end. */
function channelItems(channel: number, gaps: number[]): Item[] {
  const items: Item[] = [];
  let j = 0;
  gaps.forEach((gap, k) => {
    for (let r = 0; r < gap; r++) items.push({ record: `c${channel}-${j++}` });
    if (k < gaps.length - 1) items.push({ barrier: k + 1 });
  });
  items.push({ end: true });
  return items;
}

function simulate(exactlyOnce: boolean, layout: number[][], picks: number[]) {
  const channels = layout.map((_, i) => new InputChannel(i, i % 2 === 0 ? 1 : 2, 0));
  const gate = new InputGate(channels, { send: () => {} });
  const queues = layout.map((gaps, i) => channelItems(i, gaps));
  const processed: string[] = [];
  const snapshots = new Map<number, Set<string>>();
  const aborted: number[] = [];
  const handler = new CheckpointBarrierHandler(
    gate,
    exactlyOnce,
    (b) => snapshots.set(b.checkpointId, new Set(processed)),
    (id) => aborted.push(id),
  );
  let pick = 0;
  for (let steps = 0; steps < 100_000; steps++) {
    const ready = channels.filter((c, i) => !c.blocked && !c.finished && queues[i]!.length > 0);
    if (ready.length === 0) break;
    const c = ready[(picks[pick++ % picks.length] ?? 0) % ready.length]!;
    const item = queues[c.id]!.shift()!;
    if ('record' in item) {
      // A blocked channel is never consumed.
      expect(c.blocked).toBe(false);
      processed.push(item.record);
    } else if ('barrier' in item) handler.onBarrier(c, barrier(item.barrier));
    else {
      gate.finishChannel(c);
      handler.onChannelFinished();
    }
  }
  return { processed, snapshots, aborted, queues, handler };
}

/** Records before barrier `n` on every channel. */
function recordsBefore(layout: number[][], n: number): Set<string> {
  const out = new Set<string>();
  layout.forEach((gaps, i) => {
    const count = gaps.slice(0, n).reduce((a, b) => a + b, 0);
    for (let j = 0; j < count; j++) out.add(`c${i}-${j}`);
  });
  return out;
}

const arbLayout = fc
  .tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }))
  .chain(([channels, checkpoints]) =>
    fc.array(fc.array(fc.nat(5), { minLength: checkpoints + 1, maxLength: checkpoints + 1 }), {
      minLength: channels,
      maxLength: channels,
    }),
  );

describe('CheckpointBarrierHandler', () => {
  it('exactly-once: each snapshot holds exactly the records before its barrier on every channel', () => {
    fc.assert(
      fc.property(arbLayout, fc.array(fc.nat(), { minLength: 1, maxLength: 50 }), (layout, picks) => {
        const { processed, snapshots, aborted, queues } = simulate(true, layout, picks);
        const checkpoints = layout[0]!.length - 1;
        expect(aborted).toEqual([]);
        expect([...snapshots.keys()]).toEqual(Array.from({ length: checkpoints }, (_, k) => k + 1));
        for (const [id, snapshot] of snapshots) expect(snapshot).toEqual(recordsBefore(layout, id));
        // Nothing is left behind: every channel was consumed to its end.
        expect(queues.every((q) => q.length === 0)).toBe(true);
        expect(processed).toHaveLength(layout.flat().reduce((a, b) => a + b, 0));
      }),
    );
  });

  it('at-least-once: nothing is blocked, and each snapshot holds at least the records before its barrier', () => {
    fc.assert(
      fc.property(arbLayout, fc.array(fc.nat(), { minLength: 1, maxLength: 50 }), (layout, picks) => {
        const { snapshots } = simulate(false, layout, picks);
        const checkpoints = layout[0]!.length - 1;
        expect(snapshots.size).toBe(checkpoints);
        for (const [id, snapshot] of snapshots) {
          for (const r of recordsBefore(layout, id)) expect(snapshot.has(r)).toBe(true);
        }
      }),
    );
  });

  it('at-least-once may snapshot records after a barrier (it does not align)', () => {
    // Channel 0: barrier at once, then a record; channel 1: a record before its barrier.
    const { snapshots } = simulate(
      false,
      [
        [0, 1],
        [1, 0],
      ],
      [0, 0, 1, 1],
    );
    expect(snapshots.get(1)).toEqual(new Set(['c0-0', 'c1-0']));
  });

  it('a newer barrier before the alignment completes aborts the older checkpoint', () => {
    const channels = [new InputChannel(0, 1, 0), new InputChannel(1, 1, 0)];
    const gate = new InputGate(channels, { send: () => {} });
    const aligned: number[] = [];
    const aborted: Array<[number, string]> = [];
    const h = new CheckpointBarrierHandler(
      gate,
      true,
      (b) => aligned.push(b.checkpointId),
      (id, why) => aborted.push([id, why]),
    );
    expect(h.onBarrier(channels[0]!, barrier(1))).toBe(true);
    expect(channels[0]!.blocked).toBe(true);
    expect(h.aligning).toBe(true);
    // Checkpoint 1 was given up (e.g. declined elsewhere); checkpoint 2's barrier arrives.
    h.onBarrier(channels[1]!, barrier(2));
    expect(aborted).toEqual([
      [1, 'barrier of checkpoint 2 arrived before alignment of checkpoint 1 completed'],
    ]);
    expect(channels[0]!.blocked).toBe(false);
    expect(channels[1]!.blocked).toBe(true);
    // The late barrier of checkpoint 1 is ignored; checkpoint 2 completes.
    expect(h.onBarrier(channels[1]!, barrier(1))).toBe(false);
    h.onBarrier(channels[0]!, barrier(2));
    expect(aligned).toEqual([2]);
    expect(channels.every((c) => !c.blocked)).toBe(true);
  });

  it('abort() releases blocked channels; a finished channel does not hold back the alignment', () => {
    const channels = [new InputChannel(0, 1, 0), new InputChannel(1, 2, 0), new InputChannel(2, 2, 0)];
    const gate = new InputGate(channels, { send: () => {} });
    const aligned: number[] = [];
    const h = new CheckpointBarrierHandler(
      gate,
      true,
      (b) => aligned.push(b.checkpointId),
      () => {},
    );
    h.onBarrier(channels[0]!, barrier(3));
    h.abort(3);
    expect(channels[0]!.blocked).toBe(false);
    expect(h.aligning).toBe(false);
    // Barriers of the aborted checkpoint that arrive later are ignored.
    expect(h.onBarrier(channels[1]!, barrier(3))).toBe(false);

    h.onBarrier(channels[0]!, barrier(4));
    h.onBarrier(channels[1]!, barrier(4));
    expect(aligned).toEqual([]);
    gate.finishChannel(channels[2]!);
    h.onChannelFinished();
    expect(aligned).toEqual([4]);
  });
});
