// Bit-exact port of java.util.Random, so the Nexmark generator draws the same numbers as the
// Java reference implementations (Apache Beam, nexmark/nexmark) for the same seed.

/** 2^24: the 48-bit LCG state is kept as two 24-bit halves so every product is exact in a double. */
const TWO_24 = 16_777_216;
const MASK_24 = 0xff_ffff;
/** The multiplier 0x5DEECE66D split into its high (bits 24..47) and low (bits 0..23) halves. */
const MULT_HI = 0x5de;
const MULT_LO = 0xec_e66d;
const ADDEND = 0xb;
const TWO_31 = 2_147_483_648;
const DOUBLE_UNIT = 1 / 9_007_199_254_740_992; // 2^-53

/**
 * A pseudo-random generator that produces exactly the sequence `java.util.Random` produces for the
 * same seed: a 48-bit linear congruential generator (Knuth, TAOCP 3.2.1).
 *
 * The hot path ({@link JavaRandom.nextInt}, {@link JavaRandom.nextDouble}, {@link JavaRandom.setSeed})
 * uses only doubles and 32-bit integer operations; only {@link JavaRandom.nextLong}, whose result
 * does not fit a double, returns a `bigint`.
 *
 * @example
 * ```ts
 * const random = new JavaRandom(42);
 * random.nextInt(); // -1170105035, as `new java.util.Random(42).nextInt()`
 * random.setSeed(42);
 * random.nextInt(10); // 0
 * ```
 */
export class JavaRandom {
  /** Bits 24..47 of the state. */
  #hi = 0;
  /** Bits 0..23 of the state. */
  #lo = 0;

  /**
   * @param seed - any safe integer (negative seeds use their two's-complement low 48 bits, as in Java)
   */
  constructor(seed: number) {
    this.setSeed(seed);
  }

  /**
   * Resets the generator as `new Random(seed)` would; reusing one instance avoids an allocation
   * per event.
   *
   * @param seed - a safe integer; only its low 48 bits matter, as in Java
   */
  setSeed(seed: number): void {
    if (!Number.isSafeInteger(seed)) {
      throw new RangeError(`JavaRandom.setSeed(): seed must be a safe integer, got ${seed}`);
    }
    // `& MASK_24` applies ToInt32 (exact two's complement for safe integers) before masking, and
    // Math.floor keeps the arithmetic-shift meaning for negative seeds.
    this.#lo = (seed & MASK_24) ^ MULT_LO;
    this.#hi = (Math.floor(seed / TWO_24) & MASK_24) ^ MULT_HI;
  }

  /** Advances the state: `state = (state * 0x5DEECE66D + 0xB) mod 2^48`. */
  #step(): void {
    const lo = this.#lo;
    const hi = this.#hi;
    const loProduct = lo * MULT_LO + ADDEND; // < 2^48: exact
    const newLo = loProduct & MASK_24; // ToInt32 is exact modulo 2^32 for safe integers
    const carry = (loProduct - newLo) / TWO_24;
    this.#lo = newLo;
    // hi * MULT_LO < 2^48 and lo * MULT_HI < 2^35, so the sum stays exact; hi * MULT_HI only
    // contributes to bits >= 48 and is dropped. (Masking beats `%`, which is fmod on doubles.)
    this.#hi = (hi * MULT_LO + lo * MULT_HI + carry) & MASK_24;
  }

  /**
   * Java's protected `next(bits)`: the top `bits` bits of the new state as a signed 32-bit int.
   *
   * @param bits - 1 to 32
   */
  next(bits: number): number {
    this.#step();
    if (bits <= 24) return this.#hi >>> (24 - bits);
    return (this.#hi << (bits - 24)) | (this.#lo >>> (48 - bits)) | 0;
  }

  /** `next(31)`, the non-negative draw behind `nextInt(bound)`. */
  #next31(): number {
    this.#step();
    return (this.#hi << 7) | (this.#lo >>> 17);
  }

  /**
   * With no argument, a uniformly distributed signed 32-bit integer (`Random.nextInt()`); with a
   * bound, a uniformly distributed integer in `[0, bound)` drawn exactly as `Random.nextInt(bound)`.
   *
   * @param bound - a positive 32-bit integer
   */
  nextInt(bound?: number): number {
    if (bound === undefined) {
      this.#step();
      return (this.#hi << 8) | (this.#lo >>> 16);
    }
    if (!((bound | 0) === bound && bound > 0)) {
      throw new RangeError(`JavaRandom.nextInt(): bound must be a positive 32-bit integer, got ${bound}`);
    }
    let u = this.#next31();
    const m = bound - 1;
    if ((bound & m) === 0) {
      // Power of two: the high bits, (bound * u) >> 31; a power-of-two product is exact.
      return Math.floor((bound * u) / TWO_31);
    }
    // Reject draws from the incomplete last bucket; Java detects them through int overflow.
    let r = u % bound;
    while (((u - r + m) | 0) < 0) {
      u = this.#next31();
      r = u % bound;
    }
    return r;
  }

  /** A uniformly distributed signed 64-bit integer, as `Random.nextLong()`. */
  nextLong(): bigint {
    const high = BigInt(this.next(32));
    const low = BigInt(this.next(32));
    return BigInt.asIntN(64, (high << 32n) + low);
  }

  /** A uniformly distributed double in `[0, 1)` with 53 random bits, as `Random.nextDouble()`. */
  nextDouble(): number {
    const high = this.next(26);
    const low = this.next(27);
    return (high * 134_217_728 + low) * DOUBLE_UNIT; // (high << 27) + low, exact below 2^53
  }

  /** A uniformly distributed boolean, as `Random.nextBoolean()`. */
  nextBoolean(): boolean {
    return this.next(1) !== 0;
  }
}
