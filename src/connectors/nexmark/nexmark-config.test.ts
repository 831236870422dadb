// Config resolution: the spec's defaults, and errors that name the bad option and value.
import { describe, expect, it } from 'vitest';
import { DEFAULT_NEXMARK_CONFIG, type NexmarkOptions, resolveNexmarkConfig } from './nexmark-config.ts';

describe('resolveNexmarkConfig', () => {
  it('uses the spec defaults', () => {
    expect(resolveNexmarkConfig()).toEqual({
      numEvents: 0,
      firstEventRate: 10_000,
      baseTime: 1_577_836_800_000,
      seed: 0,
      personProportion: 1,
      auctionProportion: 3,
      bidProportion: 46,
      numActivePeople: 1000,
      numInFlightAuctions: 100,
      hotAuctionRatio: 2,
      hotSellersRatio: 4,
      hotBiddersRatio: 4,
      avgPersonByteSize: 200,
      avgAuctionByteSize: 500,
      avgBidByteSize: 100,
      outOfOrderGroupSize: 1,
      exactExtra: false,
    });
    expect(Object.isFrozen(DEFAULT_NEXMARK_CONFIG)).toBe(true);
  });

  it('overrides only what is given (undefined keeps the default) and freezes the result', () => {
    const config = resolveNexmarkConfig({
      numEvents: 5,
      seed: -3,
      firstEventRate: 2.5,
      hotBiddersRatio: undefined,
    });
    expect(config).toMatchObject({ numEvents: 5, seed: -3, firstEventRate: 2.5, hotBiddersRatio: 4 });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('rejects unknown options, listing the known ones', () => {
    expect(() => resolveNexmarkConfig({ numEvent: 5 } as unknown as NexmarkOptions)).toThrow(
      /unknown option "numEvent" \(known options: numEvents, firstEventRate, /,
    );
  });

  const bad: [NexmarkOptions, RegExp][] = [
    [{ firstEventRate: 0 }, /option "firstEventRate" must be a positive finite number, got 0/],
    [{ firstEventRate: Number.POSITIVE_INFINITY }, /"firstEventRate" .* got Infinity/],
    [{ numEvents: -1 }, /option "numEvents" must be an integer in \[0, 9007199254740991\], got -1/],
    [{ numEvents: 1.5 }, /"numEvents" .* got 1.5/],
    [{ personProportion: 0 }, /option "personProportion" must be an integer in \[1, 1000000\], got 0/],
    [{ auctionProportion: 0 }, /"auctionProportion" .* got 0/],
    [{ hotAuctionRatio: 0 }, /option "hotAuctionRatio" must be an integer in \[1, 2147483647\], got 0/],
    [{ numActivePeople: 2 ** 31 }, /"numActivePeople" .* got 2147483648/],
    [{ avgBidByteSize: -5 }, /"avgBidByteSize" .* got -5/],
    [{ outOfOrderGroupSize: 0 }, /"outOfOrderGroupSize" .* got 0/],
    [{ seed: 2 ** 53 }, /"seed" .* got 9007199254740992/],
    [{ exactExtra: 'yes' as unknown as boolean }, /option "exactExtra" must be a boolean, got "yes"/],
    [{ baseTime: Number.NaN }, /"baseTime" .* got NaN/],
  ];
  for (const [options, message] of bad) {
    it(`rejects ${JSON.stringify(options)}`, () => {
      expect(() => resolveNexmarkConfig(options)).toThrow(message);
    });
  }

  it('accepts zero bids and zero padding', () => {
    expect(() => resolveNexmarkConfig({ bidProportion: 0, avgPersonByteSize: 0 })).not.toThrow();
  });
});
