// Nexmark q5, hot items: bids counted per auction in sliding windows of 10 s every 2 s, then per
// window the auctions with the most bids (ties all kept).
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
  type ValueState,
  ValueStateDescriptor,
} from '../../../src/index.ts';
import type { Q5Row } from '../reference-queries.ts';
import { bidsOf, WINDOW_MS, windowStart } from './nexmark-streams.ts';

const SLIDE_MS = 2_000;

/**
 * Per auction: a count per window start. A bid at `t` is in the windows `[s, s + 10 s)` with `s`
 * a multiple of 2 s and `s <= t < s + 10 s`; each window fires at its last millisecond.
 */
class SlidingBidCount extends KeyedProcessFunction<number, Bid, Q5Row> {
  #counts!: MapState<number, number>;

  override open(): void {
    this.#counts = this.getRuntimeContext().getMapState(new MapStateDescriptor<number, number>('counts'));
  }

  processElement(bid: Bid, ctx: ProcessContext<number>): void {
    const t = bid.dateTime;
    for (let start = windowStart(t, SLIDE_MS); start > t - WINDOW_MS; start -= SLIDE_MS) {
      const n = this.#counts.get(start);
      if (n === undefined) {
        this.#counts.put(start, 1);
        ctx.timerService().registerEventTimeTimer(start + WINDOW_MS - 1);
      } else {
        this.#counts.put(start, n + 1);
      }
    }
  }

  override onTimer(timestamp: number, ctx: OnTimerContext<number>, out: Collector<Q5Row>): void {
    const start = timestamp + 1 - WINDOW_MS;
    const num = this.#counts.get(start);
    if (num === undefined) return;
    this.#counts.remove(start);
    out.collect({ auction: ctx.getCurrentKey(), num, starttime: start, endtime: start + WINDOW_MS });
  }
}

interface Leaders {
  readonly num: number;
  readonly rows: Q5Row[];
}

/** Per window: the counts with the window's maximum, emitted when the window's counts are all in. */
class MaxCount extends KeyedProcessFunction<number, Q5Row, Q5Row> {
  #leaders!: ValueState<Leaders>;

  override open(): void {
    this.#leaders = this.getRuntimeContext().getState(new ValueStateDescriptor<Leaders>('leaders'));
  }

  processElement(row: Q5Row, ctx: ProcessContext<number>): void {
    const leaders = this.#leaders.value();
    if (leaders === undefined) {
      this.#leaders.update({ num: row.num, rows: [row] });
      ctx.timerService().registerEventTimeTimer(row.endtime - 1);
    } else if (row.num > leaders.num) {
      this.#leaders.update({ num: row.num, rows: [row] });
    } else if (row.num === leaders.num) {
      leaders.rows.push(row);
      this.#leaders.update(leaders);
    }
  }

  override onTimer(_timestamp: number, _ctx: OnTimerContext<number>, out: Collector<Q5Row>): void {
    for (const row of this.#leaders.value()?.rows ?? []) out.collect(row);
    this.#leaders.clear();
  }
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
    .process(new SlidingBidCount())
    .name('q5: bids per auction and window')
    .keyBy((r) => r.starttime)
    .process(new MaxCount())
    .name('q5: hottest auctions per window');
}
