// Nexmark q9, winning bids: every auction with its winning bid (highest price, then earliest).
import type { DataStream, NexmarkEvent } from '../../../src/index.ts';
import { compareBids, type Q9Row } from '../reference-queries.ts';
import { auctionsOf, bidsOf } from './nexmark-streams.ts';
import { winningBids } from './winning-bids.ts';

/**
 * The auction's columns and its top bid's, for auctions with a bid within
 * `[dateTime, expires]` (`ROW_NUMBER() ... ORDER BY price DESC, dateTime ASC = 1`); remaining ties
 * go to the bid smaller under `compareBids`.
 *
 * @example
 * q9(events).print();
 */
export function q9(events: DataStream<NexmarkEvent>): DataStream<Q9Row> {
  return winningBids(auctionsOf(events), bidsOf(events), {
    checkReserve: false,
    beats: (a, b) => a.price > b.price || (a.price === b.price && compareBids(a, b) < 0),
  })
    .map(
      ({ auction: a, bid: b }): Q9Row => ({
        ...a,
        auction: b.auction,
        bidder: b.bidder,
        price: b.price,
        bidDateTime: b.dateTime,
        bidExtra: b.extra,
      }),
    )
    .name('q9: auction with winner');
}
