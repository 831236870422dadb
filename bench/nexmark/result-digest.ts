// An order-independent digest of a multiset of result rows, computed incrementally: the engine's
// sinks and the reference feed rows one at a time and only the digests are compared, so a large
// run never holds both results. Rows are flat objects; their field order does not matter.

const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);

/** Lanes of the last hash computed (two independent 32-bit hashes, to keep collisions negligible). */
let lane1 = 0;
let lane2 = 0;

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

function hashString(s: string, tag: number): void {
  let a = 0x811c9dc5 ^ tag;
  let b = 0x3c6ef372 ^ s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  lane1 = fmix(a);
  lane2 = fmix(b ^ 0x27d4eb2d);
}

function hashValue(v: unknown): void {
  switch (typeof v) {
    case 'number':
      if ((v | 0) === v) {
        lane1 = fmix(v ^ 0x1b873593);
        lane2 = fmix(Math.imul(v, 0x9e3779b1) ^ 0x68e31da4);
      } else {
        F64[0] = v;
        lane1 = fmix((U32[0] as number) ^ fmix(U32[1] as number));
        lane2 = fmix((U32[1] as number) ^ fmix((U32[0] as number) + 0x2545f491));
      }
      return;
    case 'string':
      hashString(v, 0x51);
      return;
    case 'boolean':
      lane1 = v ? 0x2f1c2b3d : 0x4a7c15e9;
      lane2 = v ? 0x61c88647 : 0x1f83d9ab;
      return;
    case 'object':
      if (v === null) {
        lane1 = 0x6a09e667;
        lane2 = 0x3c6ef372;
        return;
      }
      hashRow(v as object);
      return;
    default:
      throw new TypeError(`result digest: cannot hash a ${typeof v} (${String(v)})`);
  }
}

/** Sets the lanes to the hash of a flat (or nested) record, independent of its field order. */
function hashRow(row: object): void {
  let a = 0;
  let b = 0;
  const r = row as Record<string, unknown>;
  for (const k in r) {
    hashValue(r[k]);
    const v1 = lane1;
    const v2 = lane2;
    hashString(k, 0x4b);
    // Field hashes are summed (field order does not matter) after a non-linear mix of name and
    // value, so values swapped between fields or rows change the digest.
    a = (a + fmix(lane1 ^ Math.imul(v1, 0x9e3779b1))) | 0;
    b = (b + fmix(lane2 ^ Math.imul(v2, 0x7feb352d))) | 0;
  }
  lane1 = fmix(a ^ 0x3243f6a8);
  lane2 = fmix(b ^ 0x13198a2e);
}

/** The digest of a multiset of rows: the row count and two sums of row hashes (mod 2^32). */
export interface DigestValue {
  readonly rows: number;
  readonly sum1: number;
  readonly sum2: number;
}

/**
 * Accumulates rows (or removes them: changelog retractions) into a multiset digest. Equal
 * multisets give equal digests whatever the order; different ones differ with probability
 * about 1 - 2^-64.
 *
 * @example
 * const d = new ResultDigest(); d.add({ auction: 1, price: 2 }); d.add({ price: 2, auction: 1 }, -1);
 * d.value(); // { rows: 0, sum1: 0, sum2: 0 }
 */
export class ResultDigest {
  #rows = 0;
  #sum1 = 0;
  #sum2 = 0;

  /** Adds a row (`sign` 1) or removes one (`sign` -1). */
  add(row: object, sign: 1 | -1 = 1): void {
    hashRow(row);
    this.#rows += sign;
    if (sign === 1) {
      this.#sum1 = (this.#sum1 + lane1) | 0;
      this.#sum2 = (this.#sum2 + lane2) | 0;
    } else {
      this.#sum1 = (this.#sum1 - lane1) | 0;
      this.#sum2 = (this.#sum2 - lane2) | 0;
    }
  }

  /** Adds another digest's rows. */
  merge(other: DigestValue): void {
    this.#rows += other.rows;
    this.#sum1 = (this.#sum1 + other.sum1) | 0;
    this.#sum2 = (this.#sum2 + other.sum2) | 0;
  }

  value(): DigestValue {
    return { rows: this.#rows, sum1: this.#sum1, sum2: this.#sum2 };
  }
}

/** True when two digests describe the same multiset. */
export function sameDigest(a: DigestValue, b: DigestValue): boolean {
  return a.rows === b.rows && a.sum1 === b.sum1 && a.sum2 === b.sum2;
}
