// The watermark valve of an input: the minimum over non-idle, unfinished channels, never going back.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MIN_WATERMARK } from '../../core/index.ts';
import { InputChannel, InputGate, WatermarkValve } from './input-gate.ts';
import type { NetworkMessage } from './network-message.ts';

type Action =
  | { kind: 'advance'; channel: number; by: number }
  | { kind: 'idle'; channel: number; idle: boolean }
  | { kind: 'finish'; channel: number };

function actions(channels: number): fc.Arbitrary<Action[]> {
  const channel = fc.integer({ min: 0, max: channels - 1 });
  return fc.array(
    fc.oneof(
      { weight: 6, arbitrary: fc.record({ kind: fc.constant('advance' as const), channel, by: fc.nat(50) }) },
      {
        weight: 2,
        arbitrary: fc.record({ kind: fc.constant('idle' as const), channel, idle: fc.boolean() }),
      },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('finish' as const), channel }) },
    ),
    { maxLength: 60 },
  );
}

describe('WatermarkValve', () => {
  it('emits the minimum over active channels whenever it rises, and never goes back', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }).chain((n) => fc.tuple(fc.constant(n), actions(n))),
        ([n, steps]) => {
          const channels = Array.from({ length: n }, (_, i) => new InputChannel(i, 1, 0));
          const valve = new WatermarkValve(channels);
          let last = MIN_WATERMARK;
          for (const step of steps) {
            const c = channels[step.channel]!;
            if (c.finished) continue;
            if (step.kind === 'advance') c.watermark = Math.max(c.watermark, 0) + step.by;
            else if (step.kind === 'idle') c.idle = step.idle;
            else c.finished = true;
            const active = channels.filter((x) => !x.idle && !x.finished);
            const min = active.length === 0 ? undefined : Math.min(...active.map((x) => x.watermark));
            const out = valve.combined();
            if (min !== undefined && min > last) {
              expect(out).toBe(min);
              last = min;
            } else {
              expect(out).toBeUndefined();
            }
          }
        },
      ),
    );
  });

  it('holds back at the slowest channel and ignores idle and finished ones', () => {
    const [a, b, c] = [0, 1, 2].map((i) => new InputChannel(i, 1, 0)) as [
      InputChannel,
      InputChannel,
      InputChannel,
    ];
    const valve = new WatermarkValve([a, b, c]);
    a.watermark = 10;
    b.watermark = 20;
    expect(valve.combined()).toBeUndefined(); // c is still at the minimum
    c.watermark = 15;
    expect(valve.combined()).toBe(10);
    a.idle = true;
    expect(valve.combined()).toBe(15);
    a.idle = false; // back, behind the others: the valve does not regress
    expect(valve.combined()).toBeUndefined();
    a.watermark = 30;
    c.finished = true;
    expect(valve.combined()).toBe(20);
  });

  it('reports idleness when every unfinished channel is idle, once per change', () => {
    const [a, b] = [0, 1].map((i) => new InputChannel(i, 1, 0)) as [InputChannel, InputChannel];
    const valve = new WatermarkValve([a, b]);
    a.idle = true;
    expect(valve.idleChange()).toBeUndefined();
    b.idle = true;
    expect(valve.idleChange()).toBe(true);
    expect(valve.idleChange()).toBeUndefined();
    b.finished = true;
    expect(valve.idleChange()).toBeUndefined(); // a, the only open channel, is idle
    a.idle = false;
    expect(valve.idleChange()).toBe(false);
  });
});

describe('InputGate', () => {
  const take = (gate: InputGate): Array<[number, number]> => {
    // Consumes one whole buffer per turn, the way a task does, and returns [channel, byte].
    const order: Array<[number, number]> = [];
    for (let c = gate.nextChannel(); c !== undefined; c = gate.nextChannel()) {
      order.push([c.id, c.queue.shift()![0]!]);
      gate.release(c);
      gate.announceCredits();
      gate.done(c);
    }
    return order;
  };

  it('serves channels with data round-robin, returns credit, and tracks finished channels', () => {
    const sent: Array<[number, NetworkMessage]> = [];
    const gate = new InputGate([new InputChannel(7, 1, 0), new InputChannel(8, 2, 1)], {
      send: (slot, m) => sent.push([slot, m]),
    });
    const buf = (x: number) => new Uint8Array([x]);
    gate.onBuffer(8, buf(1));
    gate.onBuffer(7, buf(2));
    gate.onBuffer(8, buf(3));
    gate.onBuffer(99, buf(4)); // unknown channel: ignored
    expect(take(gate)).toEqual([
      [8, 1],
      [7, 2],
      [8, 3],
    ]);
    expect(sent).toEqual([
      [1, { t: 'credit', ch: 8, n: 1 }],
      [0, { t: 'credit', ch: 7, n: 1 }],
      [1, { t: 'credit', ch: 8, n: 1 }],
    ]);
    expect(gate.finishChannel(gate.byId.get(7)!)).toBe(false);
    gate.release(gate.byId.get(7)!); // no credit for a finished channel
    gate.announceCredits();
    expect(sent).toHaveLength(3);
    expect(gate.finishChannel(gate.byId.get(8)!)).toBe(true);
    expect(gate.allFinished).toBe(true);
    expect(gate.valves[0]).not.toBe(gate.valves[1]);
  });

  it('announces the credits of consumed buffers once per call, summed per channel', () => {
    const sent: Array<[number, NetworkMessage]> = [];
    const gate = new InputGate([new InputChannel(7, 1, 0), new InputChannel(8, 1, 1)], {
      send: (slot, m) => sent.push([slot, m]),
    });
    const [c7, c8] = [gate.byId.get(7)!, gate.byId.get(8)!];
    gate.release(c8);
    gate.release(c7);
    gate.release(c8);
    expect(sent).toEqual([]);
    gate.announceCredits();
    expect(sent).toEqual([
      [1, { t: 'credit', ch: 8, n: 2 }],
      [0, { t: 'credit', ch: 7, n: 1 }],
    ]);
    gate.announceCredits();
    expect(sent).toHaveLength(2);
    gate.release(c7);
    gate.finishChannel(c7); // finished before the announcement: its credit is dropped
    gate.release(c8);
    gate.announceCredits();
    expect(sent.slice(2)).toEqual([[1, { t: 'credit', ch: 8, n: 1 }]]);
  });

  it('holds back a blocked channel until every channel is unblocked (barrier alignment)', () => {
    const gate = new InputGate([new InputChannel(1, 1, 0), new InputChannel(2, 1, 0)], { send: () => {} });
    const buf = (x: number) => new Uint8Array([x]);
    gate.onBuffer(1, buf(10));
    gate.onBuffer(2, buf(20));
    gate.block(gate.byId.get(1)!);
    gate.onBuffer(1, buf(11));
    expect(take(gate)).toEqual([[2, 20]]);
    expect(gate.hasData).toBe(false);
    gate.unblockAll();
    expect(take(gate)).toEqual([
      [1, 10],
      [1, 11],
    ]);
  });
});
