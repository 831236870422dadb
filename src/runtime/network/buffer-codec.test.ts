// A network buffer must carry records, their timestamps and row kinds, and in-band events at
// their positions, unchanged from one thread to another.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_WATERMARK, MIN_WATERMARK, type StreamEvent } from '../../core/index.ts';
import { BufferCodec } from './buffer-codec.ts';

// Strings are well-formed Unicode (msgpack carries UTF-8; a lone surrogate cannot survive it).
const text = fc.string({ unit: 'grapheme', maxLength: 20 });
const jsonLike = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    text,
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Object.is(d, -0)),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(text, tie('value'), { maxKeys: 5 }),
  ),
})).value;

const timestamp = fc.oneof(
  fc.constant(undefined),
  fc.constant(MIN_WATERMARK),
  fc.constant(MAX_WATERMARK),
  fc.integer({ min: 0, max: 4_102_444_800_000 }),
  fc.integer({ min: MIN_WATERMARK, max: MAX_WATERMARK }),
);
const event: fc.Arbitrary<StreamEvent> = fc.oneof(
  fc.record({
    kind: fc.constant('watermark' as const),
    timestamp: fc.integer({ min: MIN_WATERMARK, max: MAX_WATERMARK }),
  }),
  fc.record({ kind: fc.constant('watermark-status' as const), idle: fc.boolean() }),
  fc.constant({ kind: 'end-of-partition' as const }),
);

/** A buffer as a task builds it: records, optional timestamps/kinds, events at ascending positions. */
const buffer = fc
  .array(fc.record({ value: jsonLike, timestamp, kind: fc.integer({ min: 0, max: 3 }) }), { maxLength: 30 })
  .chain((records) =>
    fc.record({
      records: fc.constant(records),
      withTimestamps: fc.boolean(),
      withKinds: fc.boolean(),
      events: fc
        .array(fc.tuple(fc.integer({ min: 0, max: records.length }), event), { maxLength: 6 })
        .map((es) => es.sort((a, b) => a[0] - b[0])),
    }),
  );

describe('BufferCodec', () => {
  it('round-trips values, timestamps, row kinds and events at their positions', () => {
    const codec = new BufferCodec();
    fc.assert(
      fc.property(buffer, ({ records, withTimestamps, withKinds, events }) => {
        const values = records.map((r) => r.value);
        const timestamps = withTimestamps ? records.map((r) => r.timestamp) : null;
        const kinds = withKinds ? records.map((r) => r.kind) : null;
        const flatEvents = events.length === 0 ? null : events.flat();
        const bytes = codec.encode(values, timestamps, kinds, flatEvents);
        expect(bytes).toBeInstanceOf(Uint8Array);
        const decoded = codec.decode(bytes);
        expect(decoded.values).toEqual(values);
        expect(decoded.timestamps).toEqual(timestamps);
        expect(decoded.kinds).toEqual(kinds);
        expect(decoded.events).toEqual(flatEvents);
      }),
    );
  });

  it('keeps key order, undefined entries, bigints, dates and maps', () => {
    const codec = new BufferCodec();
    const values = [
      { b: 1, a: 2 },
      { a: 2, b: 1 },
      [1, undefined, 3],
      { x: undefined },
      12345678901234567890n,
      new Date(1_700_000_000_000),
      new Map([['k', 1]]),
      new Set([1, 2]),
      Number.MAX_SAFE_INTEGER,
      -(2 ** 40),
      0.1,
    ];
    const decoded = codec.decode(codec.encode(values, null, null, null));
    expect(decoded.values).toEqual(values);
    expect(Object.keys(decoded.values[0] as object)).toEqual(['b', 'a']);
  });

  it('gives every buffer its own memory, so it can be transferred while the codec is reused', () => {
    const codec = new BufferCodec();
    const a = codec.encode(['first'], null, null, null);
    const b = codec.encode(['second'], null, null, null);
    expect(a.buffer).not.toBe(b.buffer);
    expect(a.byteOffset).toBe(0);
    expect(a.buffer.byteLength).toBe(a.byteLength);
    structuredClone(a, { transfer: [a.buffer as ArrayBuffer] });
    expect(codec.decode(b).values).toEqual(['second']);
  });
});
