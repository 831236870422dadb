// One subpartition: records batched into buffers with events at their positions, sent only with
// credit; unsent buffers make the channel unavailable until credit returns.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type StreamEvent, StreamRecord } from '../../core/index.ts';
import { BufferCodec, LocalBatch } from './buffer-codec.ts';
import type { NetworkMessage } from './network-message.ts';
import { OutputChannel, type OutputChannelSettings } from './output-channel.ts';

function setup(overrides: Partial<OutputChannelSettings> = {}) {
  const codec = new BufferCodec();
  const sent: NetworkMessage[] = [];
  let pending = 0;
  let available = 0;
  const channel = new OutputChannel(7, 3, {
    codec,
    sender: { send: (slot, m) => (slot === 3 ? sent.push(m) : undefined) },
    bufferSize: 1024,
    initialCredit: 2,
    bufferTimeout: 100,
    onPending: () => pending++,
    onAvailable: () => available++,
    ...overrides,
  });
  /** Everything sent so far, decoded back into one sequence of records and events. */
  const received = () => {
    const out: unknown[] = [];
    for (const m of sent) {
      if (m.t !== 'data') continue;
      const d = codec.decode(m.buf);
      const events = d.events ?? [];
      let e = 0;
      d.values.forEach((v, i) => {
        while (e < events.length && events[e] === i) {
          out.push(events[e + 1]);
          e += 2;
        }
        out.push({ v, ts: d.timestamps?.[i], kind: d.kinds?.[i] ?? 0 });
      });
      for (; e < events.length; e += 2) out.push(events[e + 1]);
    }
    return out;
  };
  return { channel, sent, received, counts: () => ({ pending, available }) };
}

const record = (v: unknown, ts?: number, kind = 0) => new StreamRecord(v, ts, kind);

describe('OutputChannel', () => {
  it('keeps records and events in order across buffers, with timestamps and row kinds', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({
              v: fc.integer(),
              ts: fc.option(fc.nat(), { nil: undefined }),
              kind: fc.integer({ min: 0, max: 3 }),
            }),
            fc.record({ wm: fc.nat() }),
          ),
          { maxLength: 100 },
        ),
        fc.integer({ min: 1, max: 40 }),
        (items, flushEvery) => {
          const { channel, received } = setup({ initialCredit: 1000 });
          const expected: unknown[] = [];
          items.forEach((item, i) => {
            if ('wm' in item) {
              const e: StreamEvent = { kind: 'watermark', timestamp: item.wm };
              channel.addEvent(e);
              expected.push(e);
            } else {
              channel.add(record(item.v, item.ts, item.kind));
              expected.push({ v: item.v, ts: item.ts, kind: item.kind });
            }
            if (i % flushEvery === 0) channel.flush();
          });
          channel.flush();
          expect(received()).toEqual(expected);
          expect(channel.recordsOut).toBe(items.filter((x) => !('wm' in x)).length);
        },
      ),
    );
  });

  it('sends only with credit, queues the rest, and is available again once credit returns', () => {
    const { channel, sent, counts } = setup({ initialCredit: 2 });
    for (let i = 0; i < 3; i++) {
      channel.add(record(i));
      channel.flush();
    }
    expect(sent).toHaveLength(2);
    expect(channel.available).toBe(false);
    channel.add(record(3));
    channel.flush();
    expect(sent).toHaveLength(2);
    channel.onCredit(1);
    expect(sent).toHaveLength(3);
    expect(channel.available).toBe(false);
    expect(counts().available).toBe(0);
    channel.onCredit(5);
    expect(sent).toHaveLength(4);
    expect(channel.available).toBe(true);
    expect(counts().available).toBe(1);
    expect(sent.every((m) => m.t === 'data' && m.ch === 7)).toBe(true);
    // Spare credit is kept: the next buffers go out at once.
    channel.add(record(4));
    channel.flush();
    expect(sent).toHaveLength(5);
  });

  it('reports pending records once per batch and flushes itself when the batch is full', () => {
    const { channel, sent, counts } = setup({ initialCredit: 100 });
    channel.add(record('a'));
    channel.add(record('b'));
    expect(counts().pending).toBe(1);
    expect(channel.hasPending).toBe(true);
    for (let i = 0; i < 300; i++) channel.add(record(i));
    expect(sent.length).toBeGreaterThan(0); // full batches left without an explicit flush
  });

  it('sends every record at once with a buffer timeout of 0, and end-of-partition at once', () => {
    const { channel, sent } = setup({ initialCredit: 100, bufferTimeout: 0 });
    channel.add(record(1));
    channel.add(record(2));
    expect(sent).toHaveLength(2);
    const other = setup({ initialCredit: 100 });
    other.channel.add(record(1));
    other.channel.addEvent({ kind: 'end-of-partition' });
    expect(other.sent).toHaveLength(1);
    expect(other.received()).toEqual([{ v: 1, ts: undefined, kind: 0 }, { kind: 'end-of-partition' }]);
  });

  it('hands batches to a receiver in the same thread by reference, without serializing', () => {
    const local = setup({
      sender: { isLocal: (slot) => slot === 3, send: (slot, m) => (slot === 3 ? local.sent.push(m) : 0) },
    });
    const value = { id: 1, when: new Date(0), tags: new Map([['a', 1]]) };
    local.channel.add(record(value, 5));
    local.channel.addEvent({ kind: 'watermark', timestamp: 5 });
    local.channel.add(record('second', undefined, 2));
    local.channel.flush();
    expect(local.sent).toHaveLength(1);
    const buf = (local.sent[0] as { buf: Uint8Array }).buf;
    expect(buf).toBeInstanceOf(LocalBatch);
    expect(buf.byteLength).toBe(0);
    const decoded = new BufferCodec().decode(buf);
    // The very object emitted, not a copy (records are not mutated once emitted).
    expect(decoded.values[0]).toBe(value);
    expect(local.received()).toEqual([
      { v: value, ts: 5, kind: 0 },
      { kind: 'watermark', timestamp: 5 },
      { v: 'second', ts: undefined, kind: 2 },
    ]);
    // Credit still bounds what is in flight.
    local.channel.add(record(3));
    local.channel.flush();
    local.channel.add(record(4));
    local.channel.flush();
    expect(local.sent).toHaveLength(2);
    expect(local.channel.available).toBe(false);
  });
});

describe('OutputChannel.overtake (unaligned checkpoints)', () => {
  const barrier: StreamEvent = {
    kind: 'barrier',
    checkpointId: 4,
    timestamp: 4,
    savepoint: false,
    targetDir: '/x',
  };
  const valuesOf = (codec: BufferCodec, buffers: Uint8Array[]) =>
    buffers.flatMap((b) => codec.decode(b).values);

  it('sends the barrier at once without credit, ahead of the backlog, and returns what it overtook', () => {
    const { channel, sent } = setup({ initialCredit: 1, bufferTimeout: 100 });
    const codec = new BufferCodec();
    channel.add(record('a', 1));
    channel.flush(); // sent with the only credit
    channel.add(record('b', 2, 3));
    channel.flush(); // waits for credit
    channel.add(record('c'));
    channel.addEvent({ kind: 'watermark', timestamp: 2 });
    channel.add(record('d')); // not flushed yet
    const overtaken = channel.overtake(barrier);
    // The data sent before (with credit) is not the channel's state: the receiver records it.
    expect(valuesOf(codec, overtaken)).toEqual(['b', 'c', 'd']);
    const first = codec.decode(overtaken[0]!);
    expect([first.timestamps?.[0], first.kinds?.[0]]).toEqual([2, 3]);
    expect(sent.map((m) => m.t)).toEqual(['data', 'priority']);
    const p = sent[1]!;
    expect(p.t === 'priority' && codec.decode(p.buf).events).toEqual([0, barrier]);
    expect(channel.available).toBe(false);
    // The overtaken buffers still go out, after the barrier, as credit returns.
    channel.onCredit(5);
    expect(sent.map((m) => m.t)).toEqual(['data', 'priority', 'data', 'data']);
    expect(sent.slice(2).flatMap((m) => (m.t === 'data' ? codec.decode(m.buf).values : []))).toEqual([
      'b',
      'c',
      'd',
    ]);
    expect(channel.available).toBe(true);
  });

  it('returns copies that survive the backlog buffers being transferred to another thread', () => {
    const { channel, sent } = setup({ initialCredit: 0 });
    const codec = new BufferCodec();
    channel.add(record('x'));
    channel.flush();
    const [state] = channel.overtake(barrier);
    channel.onCredit(1);
    const data = sent.find((m) => m.t === 'data')!;
    if (data.t === 'data') structuredClone(data.buf, { transfer: [data.buf.buffer as ArrayBuffer] });
    expect(codec.decode(state!).values).toEqual(['x']);
  });

  it('serializes batches of a receiver in the same thread (its state is written to a file)', () => {
    const { channel, sent } = setup({
      initialCredit: 0,
      sender: { send: (_s, m) => sent.push(m), isLocal: () => true },
    });
    const codec = new BufferCodec();
    channel.add(record('y', 5));
    channel.flush();
    const overtaken = channel.overtake(barrier);
    expect(overtaken[0]).not.toBeInstanceOf(LocalBatch);
    expect(overtaken[0]!.byteLength).toBeGreaterThan(0);
    expect(codec.decode(overtaken[0]!)).toMatchObject({ values: ['y'], timestamps: [5] });
    expect(sent.map((m) => m.t)).toEqual(['priority']);
  });

  it('overtakes nothing when nothing waits', () => {
    const { channel, sent } = setup();
    expect(channel.overtake(barrier)).toEqual([]);
    expect(sent.map((m) => m.t)).toEqual(['priority']);
  });
});
