// Nexmark q5, hot items: bids counted per auction in sliding windows of 10 s every 2 s, then per
// window the auctions with the most bids (ties all kept).
import {
  type Collector,
  type DataStream,
  type NexmarkEvent,
  SlidingEventTimeWindows,
  type TimeWindow,
  TumblingEventTimeWindows,
} from '../../../src/index.ts';
import type { Q5Row } from '../reference-queries.ts';
import { bidsOf, COUNT, WINDOW_MS } from './nexmark-streams.ts';

const SLIDE_MS = 2_000;

/**
 * The auctions with the window's highest count. Every count of one sliding window carries the
 * window's last millisecond as its timestamp, so a tumbling 2 s window holds exactly one sliding
 * window's counts.
 */
function hottest(_end: number, _window: TimeWindow, rows: readonly Q5Row[], out: Collector<Q5Row>): void {
  let max = 0;
  for (const r of rows) if (r.num > max) max = r.num;
  for (const r of rows) if (r.num === max) out.collect(r);
}

/**
 * ```sql
 * SELECT AuctionBids.auction, AuctionBids.num FROM (
 *   SELECT auction, count(*) AS num, window_start AS starttime, window_end AS endtime
 *   FROM TABLE(HOP(TABLE bid, DESCRIPTOR(dateTime), INTERVAL '2' SECOND, INTERVAL '10' SECOND))
 *   GROUP BY auction, window_start, window_end) AuctionBids
 * JOIN (SELECT max(num) AS maxn, starttime, endtime FROM (...) GROUP BY starttime, endtime) MaxBids
 * ON AuctionBids.starttime = MaxBids.starttime AND AuctionBids.endtime = MaxBids.endtime
 *   AND AuctionBids.num >= MaxBids.maxn
 * ```
 *
 * @example
 * q5(events).print(); // { auction: 1000, num: 2301, starttime, endtime }, ...
 */
export function q5(events: DataStream<NexmarkEvent>): DataStream<Q5Row> {
  return bidsOf(events)
    .keyBy((b) => b.auction)
    .window(SlidingEventTimeWindows.of(WINDOW_MS, SLIDE_MS))
    .aggregate(
      COUNT,
      (auction: number, window: TimeWindow, counts: readonly number[], out: Collector<Q5Row>) => {
        for (const num of counts) out.collect({ auction, num, starttime: window.start, endtime: window.end });
      },
    )
    .name('q5: bids per auction and window')
    .keyBy((r) => r.endtime)
    .window(TumblingEventTimeWindows.of(SLIDE_MS))
    .apply(hottest)
    .name('q5: hottest auctions per window');
}
