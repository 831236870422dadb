// The three Nexmark record types and the event union a Nexmark source emits. Field names follow
// the Nexmark SQL schema (nexmark/nexmark's DDL), so SQL and DataStream queries agree on names.

/**
 * A new person registering with the auction site.
 *
 * @example
 * ```ts
 * import type { Person } from './nexmark-event.ts';
 * const isLocal = (p: Person): boolean => p.state === 'OR' || p.state === 'ID' || p.state === 'CA';
 * ```
 */
export interface Person {
  /** Person id; the first person is 1000, then one more per person. */
  readonly id: number;
  /** First and last name from the spec's lists, e.g. `"Peter Shultz"`. */
  readonly name: string;
  readonly emailAddress: string;
  /** Four space-separated 4-digit groups. */
  readonly creditCard: string;
  readonly city: string;
  /** One of AZ, CA, ID, OR, WA, WY. */
  readonly state: string;
  /** Event time, epoch milliseconds. */
  readonly dateTime: number;
  /** Padding towards `avgPersonByteSize`. */
  readonly extra: string;
}

/**
 * A new auction opening.
 *
 * @example
 * ```ts
 * import type { Auction } from './nexmark-event.ts';
 * const isOpenAt = (a: Auction, t: number): boolean => a.dateTime <= t && t <= a.expires;
 * ```
 */
export interface Auction {
  /** Auction id; the first auction is 1000, then one more per auction. */
  readonly id: number;
  readonly itemName: string;
  readonly description: string;
  /** In cents. */
  readonly initialBid: number;
  /** In cents; always greater than or equal to `initialBid`. */
  readonly reserve: number;
  /** Event time (opening), epoch milliseconds. */
  readonly dateTime: number;
  /** Closing time, epoch milliseconds; after `dateTime`. */
  readonly expires: number;
  /** Person id of the seller. */
  readonly seller: number;
  /** Category id in `[10, 15)`. */
  readonly category: number;
  /** Padding towards `avgAuctionByteSize`. */
  readonly extra: string;
}

/**
 * A bid on an auction.
 *
 * @example
 * ```ts
 * import type { Bid } from './nexmark-event.ts';
 * const euros = (b: Bid): number => (b.price * 908) / 1000;
 * ```
 */
export interface Bid {
  /** Auction id bid on. */
  readonly auction: number;
  /** Person id of the bidder. */
  readonly bidder: number;
  /** In cents. */
  readonly price: number;
  /** `"Google"`, `"Facebook"`, `"Baidu"`, `"Apple"`, or `"channel-<n>"` with n in `[0, 10000)`. */
  readonly channel: string;
  /** A `https://www.nexmark.com/...` URL; non-hot channels mostly carry `&channel_id=<n>`. */
  readonly url: string;
  /** Event time, epoch milliseconds. */
  readonly dateTime: number;
  /** Padding towards `avgBidByteSize`. */
  readonly extra: string;
}

/**
 * One generated event: exactly one of a person, an auction or a bid, tagged by `type`.
 *
 * @example
 * ```ts
 * import type { NexmarkEvent } from './nexmark-event.ts';
 * const prices = (events: NexmarkEvent[]): number[] =>
 *   events.flatMap((e) => (e.type === 'bid' ? [e.bid.price] : []));
 * ```
 */
export type NexmarkEvent =
  | { readonly type: 'person'; readonly person: Person }
  | { readonly type: 'auction'; readonly auction: Auction }
  | { readonly type: 'bid'; readonly bid: Bid };

/** The tag of a {@link NexmarkEvent}. */
export type NexmarkEventType = NexmarkEvent['type'];

/**
 * The event time of any Nexmark event (its record's `dateTime`), for timestamp assigners.
 *
 * @example
 * ```ts
 * import { nexmarkEventTime } from './nexmark-event.ts';
 * nexmarkEventTime({ type: 'bid', bid: { auction: 1000, bidder: 1001, price: 5, channel: 'Apple',
 *   url: 'https://www.nexmark.com/a/b/c/item.htm?query=1', dateTime: 42, extra: '' } }); // 42
 * ```
 */
export function nexmarkEventTime(event: NexmarkEvent): number {
  switch (event.type) {
    case 'person':
      return event.person.dateTime;
    case 'auction':
      return event.auction.dateTime;
    case 'bid':
      return event.bid.dateTime;
    default: {
      const unreachable: never = event;
      throw new TypeError(`nexmarkEventTime(): not a Nexmark event: ${JSON.stringify(unreachable)}`);
    }
  }
}
