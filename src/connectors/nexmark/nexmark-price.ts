// The spec's PriceGenerator (log-uniform prices in cents), with a fast path that avoids Math.pow
// yet provably returns the same integer as Java's `Math.round(Math.pow(10, u * 6) * 100)`.
import type { JavaRandom } from './java-random.ts';

/**
 * `Math.round(10 ** (u * 6) * 100)`: a price between 1 and 10^6 dollars, in cents, from a uniform
 * `u` in `[0, 1)`.
 *
 * `Math.exp(x * LN10)` is about four times cheaper than `10 ** x` but not bit-identical. Its
 * relative error is below 1e-14 (the rounding of `x * LN10`, at most ~6e-15 absolute in an
 * exponent below 14, plus one ulp of `exp`), i.e. below 1e-6 cents for prices up to 1e8 cents, and
 * the exact power is within an ulp of the truth. Rounding can therefore only differ when the
 * fraction is within ~1e-6 of one half; there (about 1 in 5000 draws, with a wide margin) the
 * exact power decides.
 *
 * @example
 * ```ts
 * import { priceFromUniform } from './nexmark-price.ts';
 * priceFromUniform(0); // 100 (one dollar)
 * priceFromUniform(0.5); // 100000 (a thousand dollars)
 * ```
 */
export function priceFromUniform(u: number): number {
  const x = u * 6;
  const approx = Math.exp(x * Math.LN10) * 100;
  const fraction = approx - Math.floor(approx);
  if (fraction > 0.4999 && fraction < 0.5001) return Math.round(10 ** x * 100);
  return Math.round(approx);
}

/** The spec's `nextPrice(random)`: one `nextDouble()` draw turned into a price in cents. */
export function nextPrice(random: JavaRandom): number {
  return priceFromUniform(random.nextDouble());
}
