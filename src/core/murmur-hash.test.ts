// The key-group hash is persisted in snapshots: these tests pin its outputs and check it against an
// independent byte-wise MurmurHash3 (x86, 32-bit) so an accidental change cannot go unnoticed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { murmurHashInt, murmurHashString } from './murmur-hash.ts';

/** Reference MurmurHash3_x86_32 over bytes, written from the published algorithm. */
function referenceMurmur3(bytes: Uint8Array, seed = 0): number {
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  let h = seed >>> 0;
  const blocks = Math.floor(bytes.length / 4);
  for (let b = 0; b < blocks; b++) {
    const i = b * 4;
    let k = (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24)) >>> 0;
    k = Math.imul(k, c1);
    k = ((k << 15) | (k >>> 17)) >>> 0;
    k = Math.imul(k, c2);
    h ^= k;
    h = ((h << 13) | (h >>> 19)) >>> 0;
    h = (Math.imul(h, 5) + 0xe6546b64) >>> 0;
  }
  const tail = blocks * 4;
  const rest = bytes.length & 3;
  if (rest > 0) {
    let k = 0;
    if (rest === 3) k ^= bytes[tail + 2]! << 16;
    if (rest >= 2) k ^= bytes[tail + 1]! << 8;
    k ^= bytes[tail]!;
    k = Math.imul(k, c1);
    k = ((k << 15) | (k >>> 17)) >>> 0;
    k = Math.imul(k, c2);
    h ^= k;
  }
  h ^= bytes.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const ascii = (s: string) => new TextEncoder().encode(s);
const int32le = (v: number) => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, v, true);
  return b;
};

describe('referenceMurmur3 (the yardstick)', () => {
  it('matches the published MurmurHash3_x86_32 test vectors', () => {
    expect(referenceMurmur3(ascii(''), 0)).toBe(0);
    expect(referenceMurmur3(ascii(''), 1)).toBe(0x514e28b7);
    expect(referenceMurmur3(new Uint8Array(4), 0)).toBe(0x2362f9de);
    expect(referenceMurmur3(ascii('aaaa'), 0x9747b28c)).toBe(0x5a97808a);
    expect(referenceMurmur3(ascii('abc'), 0)).toBe(0xb3dd93fa);
    expect(referenceMurmur3(ascii('Hello, world!'), 0x9747b28c)).toBe(0x24884cba);
  });
});

describe('murmurHashString', () => {
  it('is MurmurHash3_x86_32 of the UTF-16LE code units', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), fc.integer(), (s, seed) => {
        expect(murmurHashString(s, seed)).toBe(referenceMurmur3(Buffer.from(s, 'utf16le'), seed));
      }),
    );
  });

  it('is an unsigned 32-bit integer', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        const h = murmurHashString(s);
        expect(Number.isInteger(h) && h >= 0 && h <= 0xffffffff).toBe(true);
      }),
    );
  });

  it('keeps its pinned values (part of the snapshot format)', () => {
    expect(
      ['', 'a', 'ab', 'user-1', 'über', '🙂', 'the quick brown fox'].map((s) => murmurHashString(s)),
    ).toEqual([0, 1867108634, 374890698, 2429978192, 958805825, 443350068, 3935848211]);
  });
});

describe('murmurHashInt', () => {
  it('is MurmurHash3_x86_32 of the 4 little-endian bytes of the int32', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (v) => {
        expect(murmurHashInt(v)).toBe(referenceMurmur3(int32le(v)));
      }),
    );
  });

  it('keeps its pinned values (part of the snapshot format)', () => {
    expect([0, 1, -1, 42, 2 ** 31 - 1, -(2 ** 31)].map((v) => murmurHashInt(v))).toEqual([
      593689054, 4226891818, 1982413648, 3160117731, 2641277762, 2576668564,
    ]);
  });
});
