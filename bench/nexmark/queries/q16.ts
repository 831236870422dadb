// Nexmark q16, channel statistics report: q15's statistics per channel and UTC day, with the
// latest minute of the group's bids; a tumbling one-day window per channel.
import {
  type Collector,
  type DataStream,
  type NexmarkEvent,
  type TimeWindow,
  TumblingEventTimeWindows,
} from '../../../src/index.ts';
import type { Q16Row } from '../reference-queries.ts';
import { type BidStatisticsAccumulator, bidStatistics, statisticsOf, utcDay } from './bid-statistics.ts';
import { bidsOf } from './nexmark-streams.ts';

const DAY_MS = 86_400_000;

/**
 * `SELECT channel, DATE_FORMAT(dateTime, 'yyyy-MM-dd') as day, max(DATE_FORMAT(dateTime, 'HH:mm'))
 * as minute, count(*) ..., count(distinct bidder) ..., count(distinct auction) ... FROM bid
 * GROUP BY channel, DATE_FORMAT(dateTime, 'yyyy-MM-dd')`.
 *
 * @example
 * q16(events).print();
 */
export function q16(events: DataStream<NexmarkEvent>): DataStream<Q16Row> {
  return bidsOf(events)
    .keyBy((b) => b.channel)
    .window(TumblingEventTimeWindows.of(DAY_MS))
    .aggregate(
      bidStatistics,
      (
        channel: string,
        window: TimeWindow,
        results: readonly BidStatisticsAccumulator[],
        out: Collector<Q16Row>,
      ) => {
        for (const acc of results) {
          const minute = new Date(acc.latest).toISOString().slice(11, 16);
          out.collect({ channel, day: utcDay(window.start), minute, ...statisticsOf(acc) });
        }
      },
    )
    .name('q16: channel statistics per day');
}
