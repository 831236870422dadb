// Nexmark q7, highest bid: per tumbling 10 s window, the bids with the highest price. Two steps,
// as a user spreads a global aggregate: the top bids per auction and window, then per window.
import {
  type Bid,
  type Collector,
  type DataStream,
  KeyedProcessFunction,
  type MapState,
  MapStateDescriptor,
  type NexmarkEvent,
  type OnTimerContext,
  type ProcessContext,
} from '../../../src/index.ts';
import type { BidProjection } from '../reference-queries.ts';
import { bidsOf, WINDOW_MS, windowStart } from './nexmark-streams.ts';

/** The bids sharing the highest price seen so far. */
interface TopBids {
  readonly price: number;
  readonly bids: Bid[];
}

function offer(top: TopBids | undefined, bid: Bid): TopBids | undefined {
  if (top === undefined || bid.price > top.price) return { price: bid.price, bids: [bid] };
  if (bid.price === top.price) {
    top.bids.push(bid);
    return top;
  }
  return undefined;
}

/** Per key: the top bids of each window, emitted (as bids) when the window ends. */
class TopBidsPerWindow extends KeyedProcessFunction<number, Bid, Bid> {
  #top!: MapState<number, TopBids>;

  override open(): void {
    this.#top = this.getRuntimeContext().getMapState(new MapStateDescriptor<number, TopBids>('top-bids'));
  }

  processElement(bid: Bid, ctx: ProcessContext<number>): void {
    const start = windowStart(bid.dateTime, WINDOW_MS);
    const top = this.#top.get(start);
    const next = offer(top, bid);
    if (next === undefined) return;
    this.#top.put(start, next);
    if (top === undefined) ctx.timerService().registerEventTimeTimer(start + WINDOW_MS - 1);
  }

  override onTimer(timestamp: number, _ctx: OnTimerContext<number>, out: Collector<Bid>): void {
    const start = timestamp + 1 - WINDOW_MS;
    const top = this.#top.get(start);
    if (top === undefined) return;
    this.#top.remove(start);
    for (const b of top.bids) out.collect(b);
  }
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
    .process(new TopBidsPerWindow())
    .name('q7: top bids per auction and window')
    .keyBy((b) => windowStart(b.dateTime, WINDOW_MS))
    .process(new TopBidsPerWindow())
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
