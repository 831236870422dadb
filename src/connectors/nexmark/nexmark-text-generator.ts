// Random text for Nexmark records (item names, descriptions, e-mail parts, `extra` padding), drawn
// as the spec's StringsGenerator draws it, plus a cheap pooled variant for the `extra` padding.
import { JavaRandom } from './java-random.ts';

/** Shortest string `nextString` produces before trimming. */
const MIN_STRING_LENGTH = 3;
const CODE_A = 97;
const CODE_SPACE = 32;
/** Smallest pool of padding text; larger records get a proportionally larger pool. */
const MIN_POOL_LENGTH = 1 << 16;

/**
 * Draws the spec's strings from a {@link JavaRandom}. One instance per generator: it owns a scratch
 * buffer and the pooled padding text, so it is not shared between threads.
 */
export class NexmarkTextGenerator {
  #codes: number[] = new Array<number>(128).fill(0);
  readonly #exactExtra: boolean;
  readonly #pool: string;

  /**
   * @param exactExtra - draw `extra` characters one by one as the spec does instead of slicing the pool
   * @param maxExtraLength - the longest `extra` that will be requested (sizes the pool)
   * @param poolSeed - seed of the random text the pool is cut from
   */
  constructor(exactExtra: boolean, maxExtraLength: number, poolSeed: number) {
    this.#exactExtra = exactExtra;
    const poolLength = Math.max(MIN_POOL_LENGTH, 4 * maxExtraLength);
    this.#pool = exactExtra ? '' : this.nextExactString(new JavaRandom(poolSeed), poolLength);
  }

  /**
   * The spec's `nextString`: `3 + nextInt(maxLength - 3)` characters, each a space with probability
   * 1/13 (or `space`) and otherwise a lowercase letter; then trimmed of leading/trailing spaces.
   */
  nextString(random: JavaRandom, maxLength: number, space = CODE_SPACE): string {
    const codes = this.#scratch(maxLength);
    const len = MIN_STRING_LENGTH + random.nextInt(maxLength - MIN_STRING_LENGTH);
    for (let i = 0; i < len; i++) {
      codes[i] = random.nextInt(13) === 0 ? space : CODE_A + random.nextInt(26);
    }
    // Java's String.trim() drops characters <= ' ': only the plain space can occur here.
    let start = 0;
    let end = len;
    while (start < end && codes[start] === CODE_SPACE) start++;
    while (end > start && codes[end - 1] === CODE_SPACE) end--;
    // Slicing a fixed-size array beats resizing one (measured); apply turns codes into a flat string.
    return String.fromCharCode.apply(null, codes.slice(start, end));
  }

  /** A scratch array of at least `length` slots, allocated once per size class. */
  #scratch(length: number): number[] {
    if (this.#codes.length < length) this.#codes = new Array<number>(Math.max(length, 128)).fill(0);
    return this.#codes;
  }

  /**
   * The spec's `nextExactString`: `length` characters, six per `nextInt()`, each `'a' + rnd % 26`
   * with Java's signed remainder (so characters from `'H'` to `'z'` occur).
   */
  nextExactString(random: JavaRandom, length: number): string {
    const parts: string[] = [];
    const codes: number[] = [];
    let rnd = 0;
    let left = 0;
    for (let i = 0; i < length; i++) {
      if (left === 0) {
        rnd = random.nextInt();
        left = 6;
      }
      codes.push(CODE_A + (rnd % 26));
      rnd = (rnd / 26) | 0;
      left--;
      if (codes.length === 4096) {
        // fromCharCode.apply has an argument-count limit; flush in chunks.
        parts.push(String.fromCharCode.apply(null, codes));
        codes.length = 0;
      }
    }
    parts.push(String.fromCharCode.apply(null, codes));
    return parts.length === 1 ? (parts[0] as string) : parts.join('');
  }

  /**
   * The spec's `nextExtra`: padding such that `currentSize + extra.length` averages `averageSize`
   * (uniform in ±20%). The length is drawn exactly as the spec draws it; the characters are then
   * either drawn as the spec does (`exactExtra`) or cut from the pool at a random offset.
   */
  nextExtra(random: JavaRandom, currentSize: number, averageSize: number): string {
    if (currentSize > averageSize) return '';
    const desired = averageSize - currentSize;
    const delta = Math.round(desired * 0.2);
    const size = desired - delta + (delta === 0 ? 0 : random.nextInt(2 * delta));
    if (this.#exactExtra) return this.nextExactString(random, size);
    const offset = random.nextInt(this.#pool.length - size + 1);
    return this.#pool.slice(offset, offset + size);
  }
}

/** The longest `extra` {@link NexmarkTextGenerator.nextExtra} can return for this average size. */
export function maxExtraLength(averageSize: number): number {
  return averageSize + Math.round(averageSize * 0.2);
}
