// The Nexmark generator's knobs (named as in Beam's NexmarkConfiguration), their defaults, and the
// validation that turns user options into a frozen config before any event is generated.

/**
 * Everything that determines the generated event stream. Two generators with equal configs produce
 * identical events for every event number.
 *
 * @example
 * ```ts
 * import { resolveNexmarkConfig } from './nexmark-config.ts';
 * const config = resolveNexmarkConfig({ numEvents: 1_000_000, firstEventRate: 50_000 });
 * config.hotAuctionRatio; // 2 (the default)
 * ```
 */
export interface NexmarkConfig {
  /** Number of events in the stream, numbered `0 .. numEvents - 1`; `0` means unbounded. Default `0`. */
  readonly numEvents: number;
  /**
   * Event-time rate in events per second: event `n` is stamped `baseTime + floor(n * 1e6 / rate / 1000)`
   * ms (nexmark/nexmark's formula with one generator). Does not limit how fast events are produced.
   * Default `10_000`.
   */
  readonly firstEventRate: number;
  /** Event time of event 0, in epoch milliseconds. Default {@link DEFAULT_NEXMARK_BASE_TIME}. */
  readonly baseTime: number;
  /**
   * Mixed into every random draw: event `n` draws from `java.util.Random(n + seed)`. Default `0`,
   * which reproduces the numbers of Beam's generator.
   */
  readonly seed: number;
  /** People per `personProportion + auctionProportion + bidProportion` events. Default `1`. */
  readonly personProportion: number;
  /** Auctions per proportion cycle. Default `3`. */
  readonly auctionProportion: number;
  /** Bids per proportion cycle. Default `46`. */
  readonly bidProportion: number;
  /** How many of the most recent people may place bids or sell (plus a lead of 10). Default `1000`. */
  readonly numActivePeople: number;
  /** How many of the most recent auctions may receive bids (plus a lead of 10). Default `100`. */
  readonly numInFlightAuctions: number;
  /** `1 - 1/hotAuctionRatio` of bids go to the current hot auction. Default `2`. */
  readonly hotAuctionRatio: number;
  /** `1 - 1/hotSellersRatio` of auctions are sold by the current hot seller. Default `4`. */
  readonly hotSellersRatio: number;
  /** `1 - 1/hotBiddersRatio` of bids come from the current hot bidder. Default `4`. */
  readonly hotBiddersRatio: number;
  /** Average idealized byte size of a person; `extra` pads towards it. Default `200`. */
  readonly avgPersonByteSize: number;
  /** Average idealized byte size of an auction. Default `500`. */
  readonly avgAuctionByteSize: number;
  /** Average idealized byte size of a bid. Default `100`. */
  readonly avgBidByteSize: number;
  /**
   * Events are shuffled (deterministically) within groups of this many consecutive event numbers,
   * giving out-of-order event times; `1` means in order. Default `1`.
   */
  readonly outOfOrderGroupSize: number;
  /**
   * `false` (default): `extra` fields are slices of one precomputed random text (same length and
   * alphabet as the spec, far cheaper). `true`: characters drawn one by one exactly as Beam does,
   * so every field equals Beam's output; several times slower.
   */
  readonly exactExtra: boolean;
}

/**
 * User-facing options: any subset of {@link NexmarkConfig} (`undefined` means the default); unknown
 * keys are rejected.
 */
export type NexmarkOptions = { readonly [K in keyof NexmarkConfig]?: NexmarkConfig[K] | undefined };

/** Default {@link NexmarkConfig.baseTime}: 2020-01-01T00:00:00Z, fixed so runs are reproducible. */
export const DEFAULT_NEXMARK_BASE_TIME = 1_577_836_800_000;

/**
 * The spec's defaults (Beam's and nexmark/nexmark's NexmarkConfiguration).
 *
 * @example
 * ```ts
 * import { DEFAULT_NEXMARK_CONFIG } from './nexmark-config.ts';
 * DEFAULT_NEXMARK_CONFIG.bidProportion; // 46
 * ```
 */
export const DEFAULT_NEXMARK_CONFIG: NexmarkConfig = Object.freeze({
  numEvents: 0,
  firstEventRate: 10_000,
  baseTime: DEFAULT_NEXMARK_BASE_TIME,
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

const JAVA_INT_MAX = 0x7fff_ffff;
/** Byte sizes beyond this would need absurd padding text; 1 MiB per record is plenty. */
const MAX_BYTE_SIZE = 1 << 20;
/** Seeds stay this far inside the safe range so derived seeds (see nexmark-generator.ts) stay exact. */
const MAX_ABS_SEED = 2 ** 52;

type Check = (value: unknown) => string | undefined;

const intIn =
  (min: number, max: number): Check =>
  (v) =>
    typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max
      ? undefined
      : `an integer in [${min}, ${max}]`;

const CHECKS: { readonly [K in keyof NexmarkConfig]: Check } = {
  numEvents: intIn(0, Number.MAX_SAFE_INTEGER),
  firstEventRate: (v) =>
    typeof v === 'number' && Number.isFinite(v) && v > 0 ? undefined : 'a positive finite number',
  baseTime: intIn(0, 8.64e15),
  seed: intIn(-MAX_ABS_SEED, MAX_ABS_SEED),
  personProportion: intIn(1, 1_000_000),
  auctionProportion: intIn(1, 1_000_000),
  bidProportion: intIn(0, 1_000_000),
  numActivePeople: intIn(1, JAVA_INT_MAX),
  numInFlightAuctions: intIn(1, JAVA_INT_MAX),
  hotAuctionRatio: intIn(1, JAVA_INT_MAX),
  hotSellersRatio: intIn(1, JAVA_INT_MAX),
  hotBiddersRatio: intIn(1, JAVA_INT_MAX),
  avgPersonByteSize: intIn(0, MAX_BYTE_SIZE),
  avgAuctionByteSize: intIn(0, MAX_BYTE_SIZE),
  avgBidByteSize: intIn(0, MAX_BYTE_SIZE),
  outOfOrderGroupSize: intIn(1, JAVA_INT_MAX),
  exactExtra: (v) => (typeof v === 'boolean' ? undefined : 'a boolean'),
};

/**
 * Fills in defaults and validates: an unknown key or a bad value throws an error naming the option
 * and the value. The result is frozen.
 *
 * @param options - any subset of the knobs; omitted or `undefined` ones take their defaults
 * @throws RangeError for an unknown option or an out-of-range value
 *
 * @example
 * ```ts
 * import { resolveNexmarkConfig } from './nexmark-config.ts';
 * resolveNexmarkConfig({ seed: 7 }).seed; // 7
 * // resolveNexmarkConfig({ firstEventRate: 0 }) throws:
 * //   Nexmark config: option "firstEventRate" must be a positive finite number, got 0
 * ```
 */
export function resolveNexmarkConfig(options: NexmarkOptions = {}): NexmarkConfig {
  const known = Object.keys(DEFAULT_NEXMARK_CONFIG);
  const input: Record<string, unknown> = { ...options };
  for (const key of Object.keys(input)) {
    if (!Object.hasOwn(CHECKS, key)) {
      throw new RangeError(`Nexmark config: unknown option "${key}" (known options: ${known.join(', ')})`);
    }
  }
  const resolved: Record<string, unknown> = {};
  for (const key of known as (keyof NexmarkConfig)[]) {
    const value = input[key] === undefined ? DEFAULT_NEXMARK_CONFIG[key] : input[key];
    const problem = CHECKS[key](value);
    if (problem !== undefined) {
      throw new RangeError(`Nexmark config: option "${key}" must be ${problem}, got ${describe(value)}`);
    }
    resolved[key] = value;
  }
  return Object.freeze(resolved as unknown as NexmarkConfig);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  return String(value);
}
