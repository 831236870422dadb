// The fast price path must round exactly like Java's Math.round(Math.pow(10, u * 6) * 100).
import { describe, expect, it } from 'vitest';
import { JavaRandom } from './java-random.ts';
import { priceFromUniform } from './nexmark-price.ts';

const exactPrice = (u: number): number => Math.round(10 ** (u * 6) * 100);

describe('priceFromUniform', () => {
  it('spans one dollar to a million dollars, in cents', () => {
    expect(priceFromUniform(0)).toBe(100);
    expect(priceFromUniform(0.5)).toBe(100_000);
    expect(priceFromUniform(1 - 2 ** -53)).toBe(100_000_000);
  });

  it('agrees with the exact power on a million uniform draws', () => {
    const random = new JavaRandom(2024);
    for (let i = 0; i < 1_000_000; i++) {
      const u = random.nextDouble();
      if (priceFromUniform(u) !== exactPrice(u)) throw new Error(`price differs for u = ${u}`);
    }
  });

  it('agrees exactly next to rounding boundaries, where the fast path defers to the power', () => {
    // u such that 10^(6u) * 100 = k + 0.5 for various k: the hardest cases for an approximation.
    for (const k of [100, 101, 12_345, 99_999, 1_000_000, 31_622_776, 99_999_999]) {
      const center = Math.log10((k + 0.5) / 100) / 6;
      for (let ulps = -32; ulps <= 32; ulps++) {
        const u = center + ulps * 2 ** -53;
        expect(priceFromUniform(u)).toBe(exactPrice(u));
      }
    }
  });
});
