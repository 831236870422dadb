// An output channel must deliver exactly what was added — records with their timestamps and row
// kinds, events at their positions — across however many buffers it cuts, and must hold buffers
// back without credit (backpressure).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type StreamEvent, StreamRecord } from '../../core/index.ts';
import { BufferCodec } from './buffer-codec.ts';
import type { NetworkMessage } from './network-message.ts';
import { OutputChannel, type OutputChannelSettings } from './output-channel.ts';

type Item =
  | { readonly record: { value: number; timestamp: number | undefined; kind: number } }
  | { readonly event: StreamEvent };

function channel(credit: number, bufferSize = 64) {
  const sent: NetworkMessage[] = [];
  let available = 0;
  const settings: OutputChannelSettings = {
    codec: new BufferCodec(),
    sender: { send: (_slot, m) => void sent.push(m) },
    bufferSize,
    initialCredit: credit,
    bufferTimeout: 100,
    onPending: () => {},
    onAvailable: () => void available++,
  };
  return { ch: new OutputChannel(7, 1, settings), sent, availableCalls: () => available };
}

/** Decodes every sent buffer back into the items that produced it. */
function received(sent: NetworkMessage[]): Item[] {
  const codec = new BufferCodec();
  const out: Item[] = [];
  for (const m of sent) {
    if (m.t !== 'data') continue;
    const { values, timestamps, kinds, events } = codec.decode(m.buf);
    let ev = 0;
    const eventsAt = (i: number): void => {
      while (events !== null && ev < events.length && events[ev] === i) {
        out.push({ event: events[ev + 1] as StreamEvent });
        ev += 2;
      }
    };
    for (let i = 0; i < values.length; i++) {
      eventsAt(i);
      out.push({
        record: {
          value: values[i] as number,
          timestamp: timestamps?.[i] ?? undefined,
          kind: kinds?.[i] ?? 0,
        },
      });
    }
    eventsAt(values.length);
  }
  return out;
}

const item: fc.Arbitrary<Item> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      record: fc.record({
        value: fc.integer(),
        timestamp: fc.option(fc.integer({ min: 0, max: 2 ** 40 }), { nil: undefined }),
        kind: fc.constantFrom(0, 0, 0, 1, 2, 3),
      }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      event: fc.oneof(
        fc.record({
          kind: fc.constant('watermark' as const),
          timestamp: fc.integer({ min: 0, max: 2 ** 40 }),
        }),
        fc.record({ kind: fc.constant('watermark-status' as const), idle: fc.boolean() }),
      ),
    }),
  },
);

describe('OutputChannel', () => {
  it('delivers records, timestamps, kinds and events in order across buffers', () => {
    fc.assert(
      fc.property(fc.array(item, { maxLength: 700 }), (items) => {
        const { ch, sent } = channel(1_000_000);
        const envelope = new StreamRecord<unknown>(undefined);
        for (const it of items) {
          if ('record' in it) {
            envelope.value = it.record.value;
            envelope.timestamp = it.record.timestamp;
            envelope.kind = it.record.kind;
            ch.add(envelope);
          } else ch.addEvent(it.event);
        }
        ch.flush();
        expect(received(sent)).toEqual(items);
      }),
    );
  });

  it('holds buffers back without credit and sends them when credit arrives', () => {
    const { ch, sent, availableCalls } = channel(1);
    const envelope = new StreamRecord<unknown>(undefined);
    ch.add(envelope.replace(1));
    ch.flush();
    ch.add(envelope.replace(2));
    ch.flush();
    expect(sent).toHaveLength(1);
    expect(ch.available).toBe(false);
    ch.onCredit(1);
    expect(sent).toHaveLength(2);
    expect(ch.available).toBe(true);
    expect(availableCalls()).toBe(1);
    expect(received(sent).map((i) => ('record' in i ? i.record.value : null))).toEqual([1, 2]);
  });
});
