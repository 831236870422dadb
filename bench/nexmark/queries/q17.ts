// Nexmark q17, auction statistics report: per auction and UTC day, bid counts by price rank and
// price statistics. The SQL's updating aggregate per (auction, day) has its final value when the
// day ends, so it is written as a tumbling one-day window per auction.
import {
  type AggregateFunction,
  type Bid,
  type Collector,
  type DataStream,
  type NexmarkEvent,
  type TimeWindow,
  TumblingEventTimeWindows,
} from '../../../src/index.ts';
import type { Q17Row } from '../reference-queries.ts';
import { bidsOf } from './nexmark-streams.ts';

const DAY_MS = 86_400_000;

interface AuctionDayStats {
  total: number;
  rank1: number;
  rank2: number;
  rank3: number;
  min: number;
  max: number;
  sum: number;
}

const stats: AggregateFunction<Bid, AuctionDayStats, AuctionDayStats> = {
  createAccumulator: () => ({
    total: 0,
    rank1: 0,
    rank2: 0,
    rank3: 0,
    min: Infinity,
    max: -Infinity,
    sum: 0,
  }),
  add(b, s) {
    s.total++;
    if (b.price < 10_000) s.rank1++;
    else if (b.price < 1_000_000) s.rank2++;
    else s.rank3++;
    if (b.price < s.min) s.min = b.price;
    if (b.price > s.max) s.max = b.price;
    s.sum += b.price;
    return s;
  },
  getResult: (s) => s,
};

/**
 * `SELECT auction, DATE_FORMAT(dateTime, 'yyyy-MM-dd') as day, count(*) AS total_bids, count(*)
 * filter (where price < 10000) AS rank1_bids, ... min(price), max(price), avg(price), sum(price)
 * FROM bid GROUP BY auction, DATE_FORMAT(dateTime, 'yyyy-MM-dd')` (UTC days; AVG truncates).
 *
 * @example
 * q17(events).print();
 */
export function q17(events: DataStream<NexmarkEvent>): DataStream<Q17Row> {
  return bidsOf(events)
    .keyBy((b) => b.auction)
    .window(TumblingEventTimeWindows.of(DAY_MS))
    .aggregate(
      stats,
      (auction: number, window: TimeWindow, results: readonly AuctionDayStats[], out: Collector<Q17Row>) => {
        const day = new Date(window.start).toISOString().slice(0, 10);
        for (const s of results) {
          out.collect({
            auction,
            day,
            totalBids: s.total,
            rank1Bids: s.rank1,
            rank2Bids: s.rank2,
            rank3Bids: s.rank3,
            minPrice: s.min,
            maxPrice: s.max,
            avgPrice: Math.trunc(s.sum / s.total),
            sumPrice: s.sum,
          });
        }
      },
    )
    .name('q17: auction statistics per day');
}
