// Barrier alignment, simulated: channels carry records and barriers in order and are consumed in
// any interleaving. Exactly-once: the snapshot of checkpoint n holds exactly the records before
// barrier n on every channel. At-least-once: nothing is blocked, nothing before a barrier is missed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BufferCodec, type DecodedBuffer } from '../network/buffer-codec.ts';
import { recordsOf } from '../network/channel-state-restore.ts';
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

/**
 * Unaligned checkpoints, simulated: each channel delivers buffers of records with checkpoint 1's
 * barrier somewhere among them (or no barrier: its upstream ended first). The barrier is a
 * priority event: it arrives after the buffers sent before it, but overtakes them in the queue.
 * Arrivals and consumption (any number of records of the current buffer) interleave at will.
 */
function simulateUnaligned(layout: UnalignedLayout, picks: number[]) {
  const codec = new BufferCodec();
  const channels = layout.map((_, i) => new InputChannel(i, 1, 0));
  const gate = new InputGate(channels, { send: () => {} });
  const processed: string[] = [];
  let atSnapshot: string[] | undefined;
  let recorded: Map<number, string[]> | undefined;
  const aborted: number[] = [];
  const handler = new CheckpointBarrierHandler(
    gate,
    true,
    () => {},
    (id) => aborted.push(id),
    {
      codec,
      snapshot: () => {
        // Exactly one snapshot, at the first barrier.
        expect(atSnapshot).toBeUndefined();
        atSnapshot = [...processed];
        return true;
      },
      complete: (_b, inputs) => {
        recorded = new Map(
          inputs.map((r) => [r.channel.id, recordsOf(r.buffers, codec).map((x) => x.value as string)]),
        );
      },
    },
  );
  // What each channel still has to deliver: buffers (records), its barrier, its end.
  const deliveries = layout.map(({ buffers, barrierAt }, c) => {
    let j = 0;
    const items: Array<{ buffer: string[] } | 'barrier' | 'end'> = buffers.map((n) => ({
      buffer: Array.from({ length: n }, () => `c${c}-${j++}`),
    }));
    if (barrierAt !== undefined) items.splice(barrierAt, 0, 'barrier');
    items.push('end');
    return items;
  });
  let pick = 0;
  for (let steps = 0; steps < 10_000; steps++) {
    const choice = picks[pick++ % picks.length] ?? 0;
    const deliverable = channels.filter((c) => deliveries[c.id]!.length > 0);
    const consumable = channels.filter((c) => c.hasData);
    if (deliverable.length === 0 && consumable.length === 0) break;
    if (consumable.length === 0 || (deliverable.length > 0 && choice % 2 === 0)) {
      const c = deliverable[(choice >> 1) % deliverable.length]!;
      const item = deliveries[c.id]!.shift()!;
      if (item === 'barrier') handler.onPriorityBarrier(c, barrier(1));
      else if (item === 'end')
        gate.onBuffer(c.id, codec.encode([], null, null, [0, { kind: 'end-of-partition' }]));
      // Odd channels deliver as a receiver in the same thread would (unserialized batches).
      else
        gate.onBuffer(
          c.id,
          c.id % 2 === 1
            ? codec.wrap(item.buffer, null, null, null)
            : codec.encode(item.buffer, null, null, null),
        );
      continue;
    }
    // Consume 1..3 records (or the end) of a channel's current buffer, never blocked.
    const c = consumable[(choice >> 1) % consumable.length]!;
    expect(c.blocked).toBe(false);
    const done = consumeSome(c, codec, 1 + (choice % 3), processed);
    if (done === undefined) continue;
    if ((done.events ?? []).length > 0) {
      gate.finishChannel(c);
      handler.onChannelFinished();
    }
  }
  return { processed, atSnapshot, recorded, aborted };
}

type UnalignedLayout = Array<{ buffers: number[]; barrierAt: number | undefined }>;

/**
 * Consumes up to `take` records of the channel's current buffer (its next one if none) into
 * `processed`; returns the buffer once it is used up (its events are then due), else undefined.
 */
function consumeSome(
  c: InputChannel,
  codec: BufferCodec,
  take: number,
  processed: string[],
): DecodedBuffer | undefined {
  c.cursor ??= { decoded: codec.decode(c.queue.shift()!), record: 0, event: 0 };
  const cursor = c.cursor;
  for (let k = 0; k < take && cursor.record < cursor.decoded.values.length; k++)
    processed.push(cursor.decoded.values[cursor.record++] as string);
  if (cursor.record < cursor.decoded.values.length) return undefined;
  c.cursor = undefined;
  return cursor.decoded;
}

/**
 * Per channel, the records in the snapshot plus the recorded channel state are exactly the
 * records of the buffers sent before its barrier (all of them if it ended without one); and every
 * record was consumed once (recording does not divert data).
 */
function expectExactChannelState(
  layout: UnalignedLayout,
  processed: readonly string[],
  atSnapshot: readonly string[],
  recorded: ReadonlyMap<number, string[]>,
): void {
  layout.forEach(({ buffers, barrierAt }, c) => {
    const before = buffers.slice(0, barrierAt ?? buffers.length).reduce((a, n) => a + n, 0);
    const expected = Array.from({ length: before }, (_, j) => `c${c}-${j}`);
    const inSnapshot = atSnapshot.filter((r) => r.startsWith(`c${c}-`));
    expect([...inSnapshot, ...(recorded.get(c) ?? [])], `channel ${c}`).toEqual(expected);
  });
  expect(processed).toHaveLength(layout.flatMap((c) => c.buffers).reduce((a, n) => a + n, 0));
}

const arbUnalignedLayout: fc.Arbitrary<UnalignedLayout> = fc
  .array(fc.array(fc.nat(4), { maxLength: 5 }), { minLength: 1, maxLength: 4 })
  .chain((channels) =>
    fc.tuple(
      ...channels.map((buffers) =>
        fc.record({
          buffers: fc.constant(buffers),
          barrierAt: fc.option(fc.nat(buffers.length), { nil: undefined }),
        }),
      ),
    ),
  )
  // At least one channel carries the barrier (else there is no checkpoint at this task).
  .filter((layout) => layout.some((c) => c.barrierAt !== undefined));

describe('CheckpointBarrierHandler, unaligned', () => {
  it('snapshot + recorded input channel state = exactly the records before each channel’s barrier, nothing blocked', () => {
    fc.assert(
      fc.property(
        arbUnalignedLayout,
        fc.array(fc.nat(), { minLength: 1, maxLength: 60 }),
        (layout, picks) => {
          const { processed, atSnapshot, recorded, aborted } = simulateUnaligned(layout, picks);
          expect(aborted).toEqual([]);
          expect(atSnapshot).toBeDefined();
          expect(recorded).toBeDefined();
          expectExactChannelState(layout, processed, atSnapshot!, recorded!);
        },
      ),
    );
  });

  it('a newer checkpoint’s barrier gives up an unfinished one: its recording stops and it is declined', () => {
    const codec = new BufferCodec();
    const channels = [new InputChannel(0, 1, 0), new InputChannel(1, 1, 0)];
    const gate = new InputGate(channels, { send: () => {} });
    const snapshots: number[] = [];
    const completed: Array<[number, number]> = [];
    const aborted: number[] = [];
    const handler = new CheckpointBarrierHandler(
      gate,
      true,
      () => {},
      (id) => aborted.push(id),
      {
        codec,
        snapshot: (b) => snapshots.push(b.checkpointId) > 0,
        complete: (b, inputs) =>
          completed.push([b.checkpointId, inputs.reduce((n, r) => n + r.buffers.length, 0)]),
      },
    );
    handler.onPriorityBarrier(channels[0]!, barrier(1));
    expect(handler.aligning).toBe(true);
    gate.onBuffer(1, codec.encode(['x'], null, null, null));
    expect(channels[1]!.recording).toBeDefined();
    handler.onPriorityBarrier(channels[0]!, barrier(2));
    expect(aborted).toEqual([1]);
    // Checkpoint 2 recorded the buffer already queued on channel 1; then 1's old barrier is stale.
    handler.onPriorityBarrier(channels[1]!, barrier(1));
    expect(completed).toEqual([]);
    handler.onPriorityBarrier(channels[1]!, barrier(2));
    expect(snapshots).toEqual([1, 2]);
    expect(completed).toEqual([[2, 1]]);
    expect(channels.every((c) => c.recording === undefined)).toBe(true);
    // The coordinator aborting a checkpoint stops its recording too.
    handler.onPriorityBarrier(channels[0]!, barrier(3));
    handler.abort(3);
    expect(handler.aligning).toBe(false);
    expect(channels[1]!.recording).toBeUndefined();
  });
});

/**
 * Aligned checkpoints with an alignment timeout, simulated: barriers travel in-band; the timeout
 * fires at any step (or the barrier arrives already late). Whether the checkpoint stays aligned
 * or switches to unaligned, the snapshot plus the recorded channel state is exactly the records
 * before each channel's barrier.
 */
function simulateTimeout(layout: UnalignedLayout, picks: number[], fireAt: number, late: boolean) {
  const codec = new BufferCodec();
  const channels = layout.map((_, i) => new InputChannel(i, 1, 0));
  const gate = new InputGate(channels, { send: () => {} });
  const processed: string[] = [];
  let atSnapshot: string[] | undefined;
  let recorded: Map<number, string[]> | undefined;
  let switched = false;
  let pendingTimeout: (() => void) | undefined;
  const aborted: number[] = [];
  const snapshotOnce = (): void => {
    expect(atSnapshot).toBeUndefined();
    atSnapshot = [...processed];
  };
  const handler = new CheckpointBarrierHandler(
    gate,
    true,
    () => {
      snapshotOnce();
      recorded = new Map();
    },
    (id) => aborted.push(id),
    {
      codec,
      snapshot: () => {
        snapshotOnce();
        switched = true;
        return true;
      },
      complete: (_b, inputs) => {
        recorded = new Map(
          inputs.map((r) => [r.channel.id, recordsOf(r.buffers, codec).map((x) => x.value as string)]),
        );
      },
      alignmentTimeout: {
        ms: 1_000,
        after: (_ms, action) => {
          pendingTimeout = action;
          return () => {
            pendingTimeout = undefined;
          };
        },
      },
    },
  );
  // Late: the checkpoint started long ago (its timeout passed before its first barrier arrived).
  const b: Barrier = { ...barrier(1), timestamp: late ? 0 : Date.now() + 1e9 };
  const deliveries = layout.map(({ buffers, barrierAt }, c) => {
    let j = 0;
    const items: Uint8Array[] = buffers.map((n) =>
      codec.encode(
        Array.from({ length: n }, () => `c${c}-${j++}`),
        null,
        null,
        null,
      ),
    );
    if (barrierAt !== undefined) items.splice(barrierAt, 0, codec.encode([], null, null, [0, b]));
    items.push(codec.encode([], null, null, [0, { kind: 'end-of-partition' }]));
    return items;
  });
  let pick = 0;
  for (let steps = 0; steps < 10_000; steps++) {
    if (steps === fireAt && pendingTimeout !== undefined) pendingTimeout();
    const choice = picks[pick++ % picks.length] ?? 0;
    const deliverable = channels.filter((c) => deliveries[c.id]!.length > 0);
    const consumable = channels.filter((c) => c.hasData && !c.blocked);
    if (deliverable.length === 0 && consumable.length === 0) {
      // Everything left is blocked: only the timeout can release it.
      if (pendingTimeout === undefined) break;
      pendingTimeout();
      continue;
    }
    if (consumable.length === 0 || (deliverable.length > 0 && choice % 2 === 0)) {
      const c = deliverable[(choice >> 1) % deliverable.length]!;
      gate.onBuffer(c.id, deliveries[c.id]!.shift()!);
      continue;
    }
    const c = consumable[(choice >> 1) % consumable.length]!;
    const done = consumeSome(c, codec, 1 + (choice % 3), processed);
    if (done === undefined) continue;
    const event = done.events?.[1];
    if (typeof event !== 'object') continue;
    if (event.kind === 'barrier') handler.onBarrier(c, event);
    else {
      gate.finishChannel(c);
      handler.onChannelFinished();
    }
  }
  return { processed, atSnapshot, recorded, aborted, switched };
}

describe('CheckpointBarrierHandler, aligned with a timeout', () => {
  it('aligned or switched to unaligned at any point: snapshot + recorded state = the records before each barrier', () => {
    let switches = 0;
    let aligned = 0;
    fc.assert(
      fc.property(
        arbUnalignedLayout,
        fc.array(fc.nat(), { minLength: 1, maxLength: 60 }),
        fc.nat(40),
        fc.boolean(),
        (layout, picks, fireAt, late) => {
          const { processed, atSnapshot, recorded, aborted, switched } = simulateTimeout(
            layout,
            picks,
            fireAt,
            late,
          );
          expect(aborted).toEqual([]);
          expect(atSnapshot).toBeDefined();
          expect(recorded).toBeDefined();
          if (switched) switches++;
          else aligned++;
          expectExactChannelState(layout, processed, atSnapshot!, recorded!);
        },
      ),
      { numRuns: 300 },
    );
    // Both outcomes were exercised.
    expect(switches).toBeGreaterThan(0);
    expect(aligned).toBeGreaterThan(0);
  });

  it('an unaligned barrier from upstream switches an aligned checkpoint in progress', () => {
    const codec = new BufferCodec();
    const channels = [new InputChannel(0, 1, 0), new InputChannel(1, 1, 0)];
    const gate = new InputGate(channels, { send: () => {} });
    const events: string[] = [];
    const handler = new CheckpointBarrierHandler(
      gate,
      true,
      () => events.push('aligned'),
      () => events.push('aborted'),
      {
        codec,
        snapshot: () => events.push('unaligned snapshot') > 0,
        complete: (_b, inputs) =>
          events.push(`complete ${inputs.map((r) => recordsOf(r.buffers, codec).length).join(',')}`),
        alignmentTimeout: { ms: 60_000, after: () => () => {} },
      },
    );
    const b: Barrier = { ...barrier(1), timestamp: Date.now() };
    expect(handler.onBarrier(channels[0]!, b)).toBe(true);
    expect(channels[0]!.blocked).toBe(true);
    gate.onBuffer(1, codec.encode(['x', 'y'], null, null, null));
    handler.onPriorityBarrier(channels[1]!, b, 1);
    // Channel 0 is released; channel 1's buffer queued before its barrier is the channel state.
    expect(channels[0]!.blocked).toBe(false);
    expect(events).toEqual(['unaligned snapshot', 'complete 2']);
  });
});
