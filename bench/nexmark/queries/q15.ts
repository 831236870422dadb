// Nexmark q15, bidding statistics report: per UTC day, bid counts and distinct bidders and
// auctions in total and per price rank. The SQL's updating aggregate per day is final when the day
// ends: a tumbling one-day window over all bids.
import {
  type Collector,
  type DataStream,
  type NexmarkEvent,
  type TimeWindow,
  TumblingEventTimeWindows,
} from '../../../src/index.ts';
import type { Q15Row } from '../reference-queries.ts';
import { type BidStatisticsAccumulator, bidStatistics, statisticsOf, utcDay } from './bid-statistics.ts';
import { bidsOf } from './nexmark-streams.ts';

const DAY_MS = 86_400_000;

/**
 * `SELECT DATE_FORMAT(dateTime, 'yyyy-MM-dd') as day, count(*) AS total_bids, count(*) filter
 * (where price < 10000) AS rank1_bids, ..., count(distinct bidder) ..., count(distinct auction) ...
 * FROM bid GROUP BY DATE_FORMAT(dateTime, 'yyyy-MM-dd')`.
 *
 * @example
 * q15(events).print();
 */
export function q15(events: DataStream<NexmarkEvent>): DataStream<Q15Row> {
  return bidsOf(events)
    .windowAll(TumblingEventTimeWindows.of(DAY_MS))
    .aggregate(
      bidStatistics,
      (window: TimeWindow, results: readonly BidStatisticsAccumulator[], out: Collector<Q15Row>) => {
        for (const acc of results) out.collect({ day: utcDay(window.start), ...statisticsOf(acc) });
      },
    )
    .name('q15: bidding statistics per day');
}
