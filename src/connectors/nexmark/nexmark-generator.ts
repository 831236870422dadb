// The Nexmark event generator: event number n → person, auction or bid, computed from (config, n)
// alone, so any split of the event numbers across parallel sources yields the same events.
import { JavaRandom } from './java-random.ts';
import {
  CHANNELS_NUMBER,
  EXTRA_POOL_SEED_OFFSET,
  HOT_CHANNELS,
  NexmarkChannelTable,
} from './nexmark-channel-table.ts';
import { type NexmarkConfig, type NexmarkOptions, resolveNexmarkConfig } from './nexmark-config.ts';
import type { Auction, Bid, NexmarkEvent, Person } from './nexmark-event.ts';
import { nextPrice } from './nexmark-price.ts';
import { maxExtraLength, NexmarkTextGenerator } from './nexmark-text-generator.ts';

/** Ids start here so that queries find matches even on small inputs (spec constants). */
export const FIRST_PERSON_ID = 1000;
export const FIRST_AUCTION_ID = 1000;
export const FIRST_CATEGORY_ID = 10;
export const NUM_CATEGORIES = 5;

/** Spec constants: ids allowed ahead of the newest one, and the "batch" hot ids are chosen from. */
const PERSON_ID_LEAD = 10;
const AUCTION_ID_LEAD = 10;
const HOT_SELLER_BATCH = 100;
const HOT_AUCTION_BATCH = 100;
const HOT_BIDDER_BATCH = 100;
/** 1 in HOT_CHANNELS_RATIO bids come from a non-hot channel. */
const HOT_CHANNELS_RATIO = 2;
const JAVA_INT_MAX = 0x7fff_ffff;

const US_STATES = ['AZ', 'CA', 'ID', 'OR', 'WA', 'WY'];
const US_CITIES = [
  'Phoenix',
  'Los Angeles',
  'San Francisco',
  'Boise',
  'Portland',
  'Bend',
  'Redmond',
  'Seattle',
  'Kent',
  'Cheyenne',
];
const FIRST_NAMES = [
  'Peter',
  'Paul',
  'Luke',
  'John',
  'Saul',
  'Vicky',
  'Kate',
  'Julie',
  'Sarah',
  'Deiter',
  'Walter',
];
const LAST_NAMES = ['Shultz', 'Abrams', 'Spencer', 'White', 'Bartels', 'Walton', 'Smith', 'Jones', 'Noris'];

/**
 * Generates Nexmark events by number. Event `n` depends only on the config and `n`: its random
 * draws come from `java.util.Random(a(n) + seed)`, where `a(n)` is `n` shuffled within its
 * out-of-order group (`a(n) = n` by default), exactly as Beam seeds each event.
 *
 * @example
 * ```ts
 * import { createNexmarkGenerator } from './nexmark-generator.ts';
 * const generator = createNexmarkGenerator({ numEvents: 100 });
 * const first = generator.event(0); // { type: 'person', person: { id: 1000, ... } }
 * for (const event of generator.events(50, 100)) {
 *   // events 50 .. 99
 * }
 * ```
 */
export interface NexmarkGenerator {
  /** The resolved, frozen config. */
  readonly config: NexmarkConfig;
  /**
   * The event with number `eventNumber`.
   *
   * @throws RangeError if the number is negative, not an integer, or beyond a bounded `numEvents`
   */
  event(eventNumber: number): NexmarkEvent;
  /** The event time (`dateTime`) of event `eventNumber`, without generating the event. */
  timestamp(eventNumber: number): number;
  /**
   * A watermark valid after emitting events `0 .. eventNumber - 1` in order: no event numbered
   * `eventNumber` or later has an earlier event time. Equals `timestamp(eventNumber)` when
   * `outOfOrderGroupSize` is 1.
   */
  watermark(eventNumber: number): number;
  /**
   * The events numbered `from` (inclusive) to `to` (exclusive), in event-number order.
   *
   * @param from - default 0
   * @param to - default `numEvents` (unbounded if `numEvents` is 0)
   */
  events(from?: number, to?: number): IterableIterator<NexmarkEvent>;
}

/**
 * Creates a generator; building it validates the config and precomputes the padding text (a few
 * hundred microseconds), so create one per source subtask and reuse it.
 *
 * @param options - knobs to override (see {@link NexmarkConfig}); a resolved config is accepted too
 * @throws RangeError for an unknown option or a bad value, naming both
 *
 * @example
 * ```ts
 * import { createNexmarkGenerator } from './nexmark-generator.ts';
 * const generator = createNexmarkGenerator({ seed: 1, firstEventRate: 1_000_000 });
 * generator.timestamp(1_000_000) - generator.timestamp(0); // 1000 (ms)
 * ```
 */
export function createNexmarkGenerator(options: NexmarkOptions = {}): NexmarkGenerator {
  return new NexmarkEventGenerator(resolveNexmarkConfig(options));
}

/**
 * The events numbered `[from, to)` of the stream described by `options`. For many ranges of one
 * stream, prefer one {@link createNexmarkGenerator} and its `events(from, to)`.
 *
 * @example
 * ```ts
 * import { generateEvents } from './nexmark-generator.ts';
 * const bids = [...generateEvents({ numEvents: 1000 }, 0, 1000)].filter((e) => e.type === 'bid');
 * bids.length; // 920
 * ```
 */
export function generateEvents(
  options: NexmarkOptions,
  from: number,
  to: number,
): IterableIterator<NexmarkEvent> {
  return createNexmarkGenerator(options).events(from, to);
}

class NexmarkEventGenerator implements NexmarkGenerator {
  readonly config: NexmarkConfig;
  readonly #random = new JavaRandom(0);
  readonly #text: NexmarkTextGenerator;
  readonly #channels: NexmarkChannelTable;
  readonly #seed: number;
  readonly #baseTime: number;
  readonly #delayUs: number;
  readonly #group: number;
  readonly #personProportion: number;
  readonly #auctionProportion: number;
  readonly #totalProportion: number;
  /** Events until `numInFlightAuctions` more auctions exist: the horizon for auction lengths. */
  readonly #eventsForAuctions: number;
  /** Largest event number + 1 that keeps `a(n) + seed` a safe integer. */
  readonly #limit: number;

  constructor(config: NexmarkConfig) {
    this.config = config;
    this.#seed = config.seed;
    this.#baseTime = config.baseTime;
    this.#delayUs = 1_000_000 / config.firstEventRate;
    this.#group = config.outOfOrderGroupSize;
    this.#personProportion = config.personProportion;
    this.#auctionProportion = config.auctionProportion;
    this.#totalProportion = config.personProportion + config.auctionProportion + config.bidProportion;
    this.#eventsForAuctions = Math.floor(
      (config.numInFlightAuctions * this.#totalProportion) / config.auctionProportion,
    );
    const maxAverage = Math.max(config.avgPersonByteSize, config.avgAuctionByteSize, config.avgBidByteSize);
    this.#text = new NexmarkTextGenerator(
      config.exactExtra,
      maxExtraLength(maxAverage),
      config.seed - EXTRA_POOL_SEED_OFFSET,
    );
    this.#channels = new NexmarkChannelTable(config.seed, this.#text);
    const safeLimit = Number.MAX_SAFE_INTEGER - Math.max(config.seed, 0) - this.#group;
    this.#limit = config.numEvents > 0 ? Math.min(config.numEvents, safeLimit) : safeLimit;
  }

  event(eventNumber: number): NexmarkEvent {
    this.#checkNumber('event', eventNumber, this.#limit - 1);
    return this.generate(eventNumber);
  }

  timestamp(eventNumber: number): number {
    this.#checkNumber('timestamp', eventNumber, this.#limit - 1);
    return this.#timeOf(this.#adjusted(eventNumber));
  }

  watermark(eventNumber: number): number {
    this.#checkNumber('watermark', eventNumber, this.#limit);
    const g = this.#group;
    return this.#timeOf(Math.floor(eventNumber / g) * g);
  }

  events(from = 0, to?: number): IterableIterator<NexmarkEvent> {
    const end = to ?? this.#limit;
    this.#checkNumber('events', from, this.#limit);
    this.#checkNumber('events', end, this.#limit);
    if (from > end) throw new RangeError(`NexmarkGenerator.events(): from (${from}) is after to (${end})`);
    return new NexmarkEventIterator(this, from, end);
  }

  /** `event` without the argument check, for the iterator's hot loop. */
  generate(eventNumber: number): NexmarkEvent {
    const id = this.#adjusted(eventNumber);
    const time = this.#timeOf(id);
    const random = this.#random;
    random.setSeed(id + this.#seed);
    const rem = id % this.#totalProportion;
    if (rem < this.#personProportion) return { type: 'person', person: this.#person(id, random, time) };
    if (rem < this.#personProportion + this.#auctionProportion) {
      return { type: 'auction', auction: this.#auction(id, random, time) };
    }
    return { type: 'bid', bid: this.#bid(id, random, time) };
  }

  #checkNumber(method: string, n: number, max: number): void {
    if (!Number.isInteger(n) || n < 0 || n > max) {
      throw new RangeError(
        `NexmarkGenerator.${method}(): event number must be an integer in [0, ${max}], got ${n}`,
      );
    }
  }

  /** The event number whose content event `n` carries: `n` shuffled within its group of `outOfOrderGroupSize`. */
  #adjusted(n: number): number {
    const g = this.#group;
    if (g === 1) return n;
    const inGroup = n % g;
    // (n * 953) mod g, computed without forming n * 953, which could exceed 2^53.
    return n - inGroup + ((inGroup * 953) % g);
  }

  /** `baseTime + floor(trunc(n * interEventDelayUs) / 1000)`, as Java's long arithmetic computes it. */
  #timeOf(n: number): number {
    const us = Math.trunc(n * this.#delayUs);
    return this.#baseTime + (us - (us % 1000)) / 1000;
  }

  /** Newest person id (base 0) at event `id`; the person's own id if `id` is a person event. */
  #lastPersonId(id: number): number {
    const total = this.#totalProportion;
    const epoch = Math.floor(id / total);
    const offset = Math.min(id % total, this.#personProportion - 1);
    return epoch * this.#personProportion + offset;
  }

  /** Newest auction id (base 0) at event `id`; the auction's own id if `id` is an auction event. */
  #lastAuctionId(id: number): number {
    const total = this.#totalProportion;
    const pp = this.#personProportion;
    const ap = this.#auctionProportion;
    let epoch = Math.floor(id / total);
    let offset = id % total;
    if (offset < pp) {
      epoch--;
      offset = ap - 1;
    } else if (offset >= pp + ap) {
      offset = ap - 1;
    } else {
      offset -= pp;
    }
    return epoch * ap + offset;
  }

  /** A random person id (base 0) among the active people, plus a few not yet created ("leads"). */
  #randomPersonId(id: number, random: JavaRandom): number {
    const numPeople = this.#lastPersonId(id) + 1;
    const active = Math.min(numPeople, this.config.numActivePeople);
    return numPeople - active + nextLong(random, active + PERSON_ID_LEAD);
  }

  /** A random auction id (base 0) among those likely still open, plus a few leads. */
  #randomAuctionId(id: number, random: JavaRandom): number {
    const max = this.#lastAuctionId(id);
    const min = Math.max(max - this.config.numInFlightAuctions, 0);
    return min + nextLong(random, max - min + 1 + AUCTION_ID_LEAD);
  }

  #person(id: number, random: JavaRandom, time: number): Person {
    const text = this.#text;
    const name = `${FIRST_NAMES[random.nextInt(FIRST_NAMES.length)]} ${LAST_NAMES[random.nextInt(LAST_NAMES.length)]}`;
    const emailAddress = `${text.nextString(random, 7)}@${text.nextString(random, 5)}.com`;
    const creditCard = `${card(random)} ${card(random)} ${card(random)} ${card(random)}`;
    const city = US_CITIES[random.nextInt(US_CITIES.length)] as string;
    const state = US_STATES[random.nextInt(US_STATES.length)] as string;
    const size = 8 + name.length + emailAddress.length + creditCard.length + city.length + state.length;
    return {
      id: this.#lastPersonId(id) + FIRST_PERSON_ID,
      name,
      emailAddress,
      creditCard,
      city,
      state,
      dateTime: time,
      extra: text.nextExtra(random, size, this.config.avgPersonByteSize),
    };
  }

  #auction(id: number, random: JavaRandom, time: number): Auction {
    const text = this.#text;
    let seller: number;
    if (random.nextInt(this.config.hotSellersRatio) > 0) {
      seller = Math.floor(this.#lastPersonId(id) / HOT_SELLER_BATCH) * HOT_SELLER_BATCH;
    } else {
      seller = this.#randomPersonId(id, random);
    }
    const category = FIRST_CATEGORY_ID + random.nextInt(NUM_CATEGORIES);
    const initialBid = nextPrice(random);
    // Auction length: uniform with mean equal to the time until numInFlightAuctions more auctions.
    const horizonMs = this.#timeOf(id + this.#eventsForAuctions) - time;
    const expires = time + 1 + nextLong(random, Math.max(horizonMs * 2, 1));
    const itemName = text.nextString(random, 20);
    const description = text.nextString(random, 100);
    const reserve = initialBid + nextPrice(random);
    const size = 8 + itemName.length + description.length + 40;
    return {
      id: this.#lastAuctionId(id) + FIRST_AUCTION_ID,
      itemName,
      description,
      initialBid,
      reserve,
      dateTime: time,
      expires,
      seller: seller + FIRST_PERSON_ID,
      category,
      extra: text.nextExtra(random, size, this.config.avgAuctionByteSize),
    };
  }

  #bid(id: number, random: JavaRandom, time: number): Bid {
    let auction: number;
    if (random.nextInt(this.config.hotAuctionRatio) > 0) {
      auction = Math.floor(this.#lastAuctionId(id) / HOT_AUCTION_BATCH) * HOT_AUCTION_BATCH;
    } else {
      auction = this.#randomAuctionId(id, random);
    }
    let bidder: number;
    if (random.nextInt(this.config.hotBiddersRatio) > 0) {
      // The second person of the batch, so hot bidders and hot sellers differ.
      bidder = Math.floor(this.#lastPersonId(id) / HOT_BIDDER_BATCH) * HOT_BIDDER_BATCH + 1;
    } else {
      bidder = this.#randomPersonId(id, random);
    }
    const price = nextPrice(random);
    let channel: string;
    let url: string;
    if (random.nextInt(HOT_CHANNELS_RATIO) > 0) {
      const k = random.nextInt(HOT_CHANNELS.length);
      channel = HOT_CHANNELS[k] as string;
      url = this.#channels.hotUrl(k);
    } else {
      const i = random.nextInt(CHANNELS_NUMBER);
      channel = this.#channels.name(i);
      url = this.#channels.url(i);
    }
    return {
      auction: auction + FIRST_AUCTION_ID,
      bidder: bidder + FIRST_PERSON_ID,
      price,
      channel,
      url,
      dateTime: time,
      extra: this.#text.nextExtra(random, 32, this.config.avgBidByteSize),
    };
  }
}

class NexmarkEventIterator implements IterableIterator<NexmarkEvent> {
  readonly #generator: NexmarkEventGenerator;
  #next: number;
  readonly #to: number;

  constructor(generator: NexmarkEventGenerator, from: number, to: number) {
    this.#generator = generator;
    this.#next = from;
    this.#to = to;
  }

  next(): IteratorResult<NexmarkEvent, undefined> {
    if (this.#next >= this.#to) return { done: true, value: undefined };
    return { done: false, value: this.#generator.generate(this.#next++) };
  }

  [Symbol.iterator](): this {
    return this;
  }
}

/** The spec's `LongGenerator.nextLong(random, n)`: `nextInt(n)` when n fits an int, else a skewed long modulo. */
function nextLong(random: JavaRandom, n: number): number {
  if (n < JAVA_INT_MAX) return random.nextInt(n);
  const r = random.nextLong() % BigInt(n);
  return Number(r < 0n ? -r : r);
}

/** A zero-padded 4-digit credit card group. */
function card(random: JavaRandom): string {
  const n = random.nextInt(10_000);
  return n >= 1000 ? String(n) : n >= 100 ? `0${n}` : n >= 10 ? `00${n}` : `000${n}`;
}
