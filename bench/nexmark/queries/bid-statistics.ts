// The statistics q15 and q16 report per group of bids: bids, distinct bidders and distinct
// auctions, in total and per price rank, as a window AggregateFunction.
import type { AggregateFunction, Bid } from '../../../src/index.ts';
import type { BidStatistics } from '../reference-queries.ts';

/** Counts and distinct sets in total (index 0) and per price rank (1..3), and the latest minute. */
export interface BidStatisticsAccumulator {
  readonly bids: number[];
  readonly bidders: Set<number>[];
  readonly auctions: Set<number>[];
  /** Latest event time seen (for q16's `max(DATE_FORMAT(dateTime, 'HH:mm'))`). */
  latest: number;
}

function rankOf(price: number): 1 | 2 | 3 {
  return price < 10_000 ? 1 : price < 1_000_000 ? 2 : 3;
}

/**
 * `count(*)`, `count(distinct bidder)`, `count(distinct auction)`, each also `filter (where ...)`
 * for the three price ranks.
 *
 * @example
 * bids.windowAll(TumblingEventTimeWindows.of(86_400_000)).aggregate(bidStatistics);
 */
export const bidStatistics: AggregateFunction<Bid, BidStatisticsAccumulator, BidStatisticsAccumulator> = {
  createAccumulator: () => ({
    bids: [0, 0, 0, 0],
    bidders: [new Set(), new Set(), new Set(), new Set()],
    auctions: [new Set(), new Set(), new Set(), new Set()],
    latest: Number.NEGATIVE_INFINITY,
  }),
  add(b, acc) {
    const rank = rankOf(b.price);
    acc.bids[0]!++;
    acc.bids[rank]!++;
    acc.bidders[0]!.add(b.bidder);
    acc.bidders[rank]!.add(b.bidder);
    acc.auctions[0]!.add(b.auction);
    acc.auctions[rank]!.add(b.auction);
    if (b.dateTime > acc.latest) acc.latest = b.dateTime;
    return acc;
  },
  getResult: (acc) => acc,
};

/** The reported columns of an accumulator. */
export function statisticsOf(acc: BidStatisticsAccumulator): BidStatistics {
  return {
    totalBids: acc.bids[0]!,
    rank1Bids: acc.bids[1]!,
    rank2Bids: acc.bids[2]!,
    rank3Bids: acc.bids[3]!,
    totalBidders: acc.bidders[0]!.size,
    rank1Bidders: acc.bidders[1]!.size,
    rank2Bidders: acc.bidders[2]!.size,
    rank3Bidders: acc.bidders[3]!.size,
    totalAuctions: acc.auctions[0]!.size,
    rank1Auctions: acc.auctions[1]!.size,
    rank2Auctions: acc.auctions[2]!.size,
    rank3Auctions: acc.auctions[3]!.size,
  };
}

/** `yyyy-MM-dd` (UTC) of a day window's start. */
export function utcDay(t: number): string {
  return new Date(t).toISOString().slice(0, 10);
}
