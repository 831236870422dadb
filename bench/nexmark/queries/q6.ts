// Nexmark q6, average selling price by seller: the winning price of each auction as it closes, then
// per seller a running average over its closed auctions in closing order (this one and 10 before).
import {
  type Collector,
  type DataStream,
  KeyedProcessFunction,
  type ListState,
  ListStateDescriptor,
  type NexmarkEvent,
  type OnTimerContext,
  type ProcessContext,
  type ValueState,
  ValueStateDescriptor,
} from '../../../src/index.ts';
import { Q6_PRECEDING, type Q6Row } from '../reference-queries.ts';
import { auctionsOf, bidsOf } from './nexmark-streams.ts';
import { type WinningBid, winningBids } from './winning-bids.ts';

/** A closed auction of the seller, waiting for the watermark to pass its close time. */
interface ClosedAuction {
  readonly expires: number;
  readonly auction: number;
  readonly price: number;
}

/** Closing order: `expires`, then auction id (the tie-break the SQL leaves open). */
function closingOrder(a: ClosedAuction, b: ClosedAuction): number {
  return a.expires - b.expires || a.auction - b.auction;
}

/**
 * `AVG(final) OVER (PARTITION BY seller ORDER BY close ROWS BETWEEN 10 PRECEDING AND CURRENT ROW)`,
 * keyed by seller. Closed auctions reach this operator in no particular order (the winning-bid
 * subtasks' timers fire as their own watermarks pass, and same-time closes in any order), so each
 * waits in `closing` until this operator's watermark passes its `expires`: by then every auction
 * of the seller closing at or before it has arrived (it was emitted before its subtask's watermark
 * moved past `expires`), and the due ones are applied in closing order.
 */
class SellerAverage extends KeyedProcessFunction<number, WinningBid, Q6Row> {
  #closing!: ListState<ClosedAuction>;
  /** Final prices of the seller's last `Q6_PRECEDING + 1` applied auctions, oldest first. */
  #recent!: ValueState<readonly number[]>;

  override open(): void {
    const ctx = this.getRuntimeContext();
    this.#closing = ctx.getListState(new ListStateDescriptor<ClosedAuction>('q6-closing'));
    this.#recent = ctx.getState(new ValueStateDescriptor<readonly number[]>('q6-recent-prices'));
  }

  processElement(w: WinningBid, ctx: ProcessContext<number>): void {
    const expires = w.auction.expires;
    this.#closing.add({ expires, auction: w.auction.id, price: w.bid.price });
    ctx.timerService().registerEventTimeTimer(expires);
  }

  override onTimer(timestamp: number, ctx: OnTimerContext<number>, out: Collector<Q6Row>): void {
    const due: ClosedAuction[] = [];
    const later: ClosedAuction[] = [];
    for (const c of this.#closing.get()) (c.expires <= timestamp ? due : later).push(c);
    if (due.length === 0) return;
    due.sort(closingOrder);
    const recent = [...(this.#recent.value() ?? [])];
    const seller = ctx.getCurrentKey();
    for (const c of due) {
      recent.push(c.price);
      if (recent.length > Q6_PRECEDING + 1) recent.shift();
      let sum = 0;
      for (const p of recent) sum += p;
      out.collect({ seller, avgPrice: Math.trunc(sum / recent.length) });
    }
    this.#recent.update(recent);
    if (later.length === 0) this.#closing.clear();
    else this.#closing.update(later);
  }
}

/**
 * ```sql
 * SELECT Q.seller, AVG(Q.price) OVER
 *   (PARTITION BY Q.seller ORDER BY Q.customTime ROWS BETWEEN 10 PRECEDING AND CURRENT ROW)
 * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY A.id, A.seller ORDER BY B.price DESC) AS rownum
 *       FROM (SELECT A.id, A.seller, B.price, B.customTime FROM auction AS A, bid AS B
 *             WHERE A.id = B.auction AND B.customTime BETWEEN A.customTime AND A.expires)
 *       WHERE rownum <= 1) AS Q
 * ```
 * ordered by the auctions' close (`expires`, then auction id), as the reference states: a winning
 * bid (no reserve rule) per auction when the watermark passes its expiry, then one row per closed
 * auction with the average of the seller's last 11 final prices.
 *
 * @example
 * q6(events).print(); // { seller: 1000, avgPrice: ... } as each auction of seller 1000 closes
 */
export function q6(events: DataStream<NexmarkEvent>): DataStream<Q6Row> {
  return winningBids(auctionsOf(events), bidsOf(events), {
    checkReserve: false,
    beats: (a, b) => a.price > b.price,
  })
    .keyBy((w) => w.auction.seller)
    .process(new SellerAverage())
    .name('q6: average of the last closed auctions per seller');
}
