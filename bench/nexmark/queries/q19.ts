// Nexmark q19, auction top-10 price: per auction its 10 highest bids with their rank, as an
// updating result (a changelog: rows whose rank changes are retracted and inserted again).
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
import { compareBids, type Q19Row } from '../reference-queries.ts';
import type { ChangelogRow } from './nexmark-streams.ts';
import { bidsOf } from './nexmark-streams.ts';

const TOP = 10;

/** Higher price first; equal prices: the bid smaller under compareBids first. */
function ranksBefore(a: Bid, b: Bid): boolean {
  return a.price > b.price || (a.price === b.price && compareBids(a, b) < 0);
}

/** A ranked row: the bid's columns, then its rank (as `{ ...bid, rankNumber }`, built directly). */
function ranked(b: Bid, rankNumber: number): Q19Row {
  return {
    auction: b.auction,
    bidder: b.bidder,
    price: b.price,
    channel: b.channel,
    url: b.url,
    dateTime: b.dateTime,
    extra: b.extra,
    rankNumber,
  };
}

/** Keeps the auction's top 10; a bid that enters it shifts the ranks below it. */
class TopTen extends KeyedProcessFunction<number, Bid, ChangelogRow<Q19Row>> {
  #top!: ValueState<Bid[]>;

  override open(): void {
    this.#top = this.getRuntimeContext().getState(new ValueStateDescriptor<Bid[]>('top-10'));
  }

  processElement(bid: Bid, _ctx: ProcessContext<number>, out: Collector<ChangelogRow<Q19Row>>): void {
    const top = this.#top.value();
    if (top === undefined) {
      out.collect({ kind: '+I', row: ranked(bid, 1) });
      this.#top.update([bid]);
      return;
    }
    let at = top.length;
    while (at > 0 && ranksBefore(bid, top[at - 1]!)) at--;
    if (at >= TOP) return;
    // Ranks at..end change: retract them (the 10th falls out), then insert the new ranking.
    const before = top.length;
    for (let i = at; i < before; i++) out.collect({ kind: '-U', row: ranked(top[i]!, i + 1) });
    top.splice(at, 0, bid);
    if (top.length > TOP) top.length = TOP;
    for (let i = at; i < top.length; i++) {
      out.collect({ kind: i < before ? '+U' : '+I', row: ranked(top[i]!, i + 1) });
    }
    this.#top.update(top);
  }
}

/**
 * `SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY auction ORDER BY price DESC) AS
 * rank_number FROM bid) WHERE rank_number <= 10`.
 *
 * @example
 * q19(events).print();
 */
export function q19(events: DataStream<NexmarkEvent>): DataStream<ChangelogRow<Q19Row>> {
  return bidsOf(events)
    .keyBy((b) => b.auction)
    .process(new TopTen())
    .name('q19: top 10 bids per auction');
}
