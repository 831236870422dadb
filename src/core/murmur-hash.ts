// A 32-bit MurmurHash3 over strings and integers. Its values are persisted (key groups in
// snapshots), so this function must never change between releases.

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function mixK(k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  return Math.imul(k, 0x1b873593);
}

function mixH(h: number, k: number): number {
  h ^= mixK(k);
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/**
 * MurmurHash3 (x86, 32-bit) of one 32-bit integer (its 4 little-endian bytes), unsigned. Flink's
 * `MathUtils.murmurHash` mixes the same way but returns the absolute value of the signed result.
 */
export function murmurHashInt(value: number, seed = 0): number {
  return fmix(mixH(seed, value | 0) ^ 4);
}

/**
 * MurmurHash3 (x86, 32-bit) of a string's UTF-16 code units, two per 32-bit block. Stable across
 * processes and platforms (no dependency on an encoder).
 */
export function murmurHashString(text: string, seed = 0): number {
  let h = seed | 0;
  const n = text.length;
  let i = 0;
  for (; i + 1 < n; i += 2) h = mixH(h, text.charCodeAt(i) | (text.charCodeAt(i + 1) << 16));
  if (i < n) h ^= mixK(text.charCodeAt(i));
  return fmix(h ^ (n * 2));
}
