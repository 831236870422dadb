// The encoder must write exactly msgpackr's bytes (receivers and checkpoints decode them with
// msgpackr) and leave every value it does not handle to msgpackr.
import fc from 'fast-check';
import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { BufferCodec } from './buffer-codec.ts';
import { RecordBufferEncoder } from './record-buffer-encoder.ts';

/** The Packr BufferCodec falls back to, configured the same. */
const packr = new Packr({ useRecords: true, moreTypes: true });
const packed = (value: unknown): Uint8Array => Uint8Array.from(packr.pack(value));

// Well-formed strings of every UTF-8 length class, short and long (the two write paths).
const text = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: 'grapheme', minLength: 16, maxLength: 90 }),
  fc.string({ unit: 'binary', maxLength: 40 }).filter((s) => !/\p{Cs}/u.test(s)),
);
const number = fc.oneof(
  fc.integer(),
  fc.integer({ min: -0x100, max: 0x100 }),
  fc.maxSafeInteger(),
  fc.double({ noNaN: true }),
);
const value = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    text,
    number,
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined),
    fc.array(tie('value'), { maxLength: 20 }),
    fc.dictionary(fc.constantFrom('a', 'b', 'price', 'url', 'é', '0', '__proto__'), tie('value'), {
      maxKeys: 4,
      noNullPrototype: true,
    }),
  ),
})).value;

describe('RecordBufferEncoder', () => {
  it("writes msgpackr's bytes for plain objects, arrays, strings, numbers, booleans, null and undefined", () => {
    const encoder = new RecordBufferEncoder();
    fc.assert(
      fc.property(fc.array(value, { maxLength: 40 }), (values) => {
        const buffer = [values, null, null, null];
        const bytes = encoder.encode(buffer);
        expect(bytes).toBeDefined();
        expect(Buffer.from(bytes!).equals(Buffer.from(packed(buffer)))).toBe(true);
        expect(packr.unpack(bytes!)).toEqual(packr.unpack(packr.pack(buffer)));
      }),
      { numRuns: 300 },
    );
  });

  it('moves the string header when UTF-8 needs a longer one than the character count suggested', () => {
    const encoder = new RecordBufferEncoder();
    for (const s of [
      'é'.repeat(31),
      'é'.repeat(200),
      '€'.repeat(30_000),
      '😀'.repeat(20),
      'x'.repeat(70_000),
    ]) {
      const bytes = encoder.encode([s])!;
      expect(Buffer.from(bytes).equals(Buffer.from(packed([s])))).toBe(true);
      expect(packr.unpack(bytes)).toEqual([s]);
    }
  });

  it('grows past its first allocation and then writes small buffers again', () => {
    const encoder = new RecordBufferEncoder();
    const big = Array.from({ length: 2000 }, (_, i) => ({ id: i, text: `${'y'.repeat(500)}${i}` }));
    expect(packr.unpack(encoder.encode([big])!)).toEqual([big]);
    expect(packr.unpack(encoder.encode([[{ id: 1 }]])!)).toEqual([[{ id: 1 }]]);
  });

  it('returns memory of its own that can be transferred to another thread', () => {
    const encoder = new RecordBufferEncoder();
    const first = encoder.encode([[{ a: 1, b: 'x' }], null, null, null])!;
    const second = encoder.encode([[{ a: 2, b: 'y' }], null, null, null])!;
    expect(first.buffer).not.toBe(second.buffer);
    expect(first.buffer.byteLength).toBe(first.byteLength);
    const moved = structuredClone(first, { transfer: [first.buffer as ArrayBuffer] });
    expect(packr.unpack(moved)).toEqual([[{ a: 1, b: 'x' }], null, null, null]);
    expect(packr.unpack(second)).toEqual([[{ a: 2, b: 'y' }], null, null, null]);
  });

  it.each([
    ['a Date', new Date(0)],
    ['a Map', new Map([[1, 2]])],
    ['a Set', new Set([1])],
    ['a bigint', 10n],
    ['bytes', new Uint8Array([1, 2])],
    [
      'a class instance',
      new (class Point {
        x = 1;
      })(),
    ],
    ['an object without prototype', Object.create(null) as object],
  ])('leaves %s to msgpackr, and the codec still carries it', (_name, v) => {
    expect(new RecordBufferEncoder().encode([[{ ok: 1 }, v]])).toBeUndefined();
    const codec = new BufferCodec();
    const decoded = codec.decode(codec.encode([{ ok: 1 }, v], null, null, null));
    expect(decoded.values).toEqual(packr.unpack(packr.pack([{ ok: 1 }, v])));
  });

  it('leaves a buffer with more object shapes than msgpackr has record ids to msgpackr', () => {
    const values = Array.from({ length: 65 }, (_, i) => ({ [`k${i}`]: i }));
    expect(new RecordBufferEncoder().encode([values])).toBeUndefined();
    const codec = new BufferCodec();
    expect(codec.decode(codec.encode(values, null, null, null)).values).toEqual(values);
    const sixtyFour = values.slice(0, 64);
    const bytes = new RecordBufferEncoder().encode([sixtyFour])!;
    expect(Buffer.from(bytes).equals(Buffer.from(packed([sixtyFour])))).toBe(true);
  });

  it('starts the record ids over in every buffer, as msgpackr does', () => {
    const encoder = new RecordBufferEncoder();
    const a = [[{ x: 1 }, { y: 2 }, { x: 3 }]];
    const b = [[{ y: 4 }, { x: 5 }]];
    for (const v of [a, b, a])
      expect(Buffer.from(encoder.encode(v)!).equals(Buffer.from(packed(v)))).toBe(true);
  });
});
