// Nexmark q7, highest bid: per tumbling 10 s window, the bids with the highest price. Two steps,
// as a user spreads a global aggregate: the top bids per auction and window, then per window.
import {
  type AggregateFunction,
  type Bid,
  type Collector,
  type DataStream,
  type NexmarkEvent,
  type TimeWindow,
  TumblingEventTimeWindows,
} from '../../../src/index.ts';
import type { BidProjection } from '../reference-queries.ts';
import { bidsOf, WINDOW_MS, windowStart } from './nexmark-streams.ts';

/** The bids sharing the highest price (ties all kept). */
const topBids: AggregateFunction<Bid, Bid[], Bid[]> = {
  createAccumulator: () => [],
  add(bid, top) {
    const price = top[0]?.price ?? Number.NEGATIVE_INFINITY;
    if (bid.price > price) return [bid];
    if (bid.price === price) top.push(bid);
    return top;
  },
  getResult: (top) => top,
  merge(a, b) {
    const pa = a[0]?.price ?? Number.NEGATIVE_INFINITY;
    const pb = b[0]?.price ?? Number.NEGATIVE_INFINITY;
    return pa > pb ? a : pb > pa ? [...b] : [...a, ...b];
  },
};

/** Emits the bids of each window's result. */
function emitBids(_key: number, _window: TimeWindow, results: readonly Bid[][], out: Collector<Bid>): void {
  for (const top of results) for (const b of top) out.collect(b);
}

/**
 * ```sql
 * SELECT B.auction, B.price, B.bidder, B.dateTime, B.extra FROM bid B
 * JOIN (SELECT MAX(price) AS maxprice, window_end as dateTime
 *       FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(dateTime), INTERVAL '10' SECOND))
 *       GROUP BY window_start, window_end) B1
 * ON B.price = B1.maxprice WHERE B.dateTime BETWEEN B1.dateTime - INTERVAL '10' SECOND AND B1.dateTime
 * ```
 * with windows `[start, end)` (see the reference's note on the window end).
 *
 * @example
 * q7(events).print();
 */
export function q7(events: DataStream<NexmarkEvent>): DataStream<BidProjection> {
  return bidsOf(events)
    .keyBy((b) => b.auction)
    .window(TumblingEventTimeWindows.of(WINDOW_MS))
    .aggregate(topBids, emitBids)
    .name('q7: top bids per auction and window')
    .keyBy((b) => windowStart(b.dateTime, WINDOW_MS))
    .window(TumblingEventTimeWindows.of(WINDOW_MS))
    .aggregate(topBids, emitBids)
    .name('q7: top bids per window')
    .map(
      (b): BidProjection => ({
        auction: b.auction,
        bidder: b.bidder,
        price: b.price,
        dateTime: b.dateTime,
        extra: b.extra,
      }),
    )
    .name('q7: project');
}
