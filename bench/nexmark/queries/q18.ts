// Nexmark q18, find last bid: per (bidder, auction), the latest bid, as an updating result (a
// changelog: the previous last bid is retracted when a later one arrives).
import {
  type Bid,
  type Collector,
  type DataStream,
  KeyedProcessFunction,
  type NexmarkEvent,
  type ProcessContext,
  type ValueState,
  ValueStateDescriptor,
} from '../../../src/index.ts';
import { compareBids } from '../reference-queries.ts';
import type { ChangelogRow } from './nexmark-streams.ts';
import { bidsOf } from './nexmark-streams.ts';

/** Bidder and auction ids as one number key (both stay far below 10^8 for any realistic stream). */
const AUCTION_SPACE = 100_000_000;

/** Keeps the last bid of the key; on a later one, retracts the old row and inserts the new. */
class LastBid extends KeyedProcessFunction<number, Bid, ChangelogRow<Bid>> {
  #last!: ValueState<Bid>;

  override open(): void {
    this.#last = this.getRuntimeContext().getState(new ValueStateDescriptor<Bid>('last-bid'));
  }

  processElement(bid: Bid, _ctx: ProcessContext<number>, out: Collector<ChangelogRow<Bid>>): void {
    const last = this.#last.value();
    // The latest dateTime; equal times (arrival order in Flink) resolved by compareBids.
    if (last !== undefined && compareBids(bid, last) <= 0) return;
    this.#last.update(bid);
    if (last !== undefined) out.collect({ kind: '-U', row: last });
    out.collect({ kind: last === undefined ? '+I' : '+U', row: bid });
  }
}

/**
 * `SELECT auction, bidder, price, channel, url, dateTime, extra FROM (SELECT *, ROW_NUMBER() OVER
 * (PARTITION BY bidder, auction ORDER BY dateTime DESC) AS rank_number FROM bid) WHERE
 * rank_number <= 1`.
 *
 * @example
 * q18(events).print(); // { kind: '+I', row: bid }, { kind: '-U', row: bid }, ...
 */
export function q18(events: DataStream<NexmarkEvent>): DataStream<ChangelogRow<Bid>> {
  return bidsOf(events)
    .keyBy((b) => b.bidder * AUCTION_SPACE + b.auction)
    .process(new LastBid())
    .name('q18: last bid per bidder and auction');
}
