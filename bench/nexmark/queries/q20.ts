// Nexmark q20, expand bid with auction: every bid joined with its auction when the auction is of
// category 10 (an unbounded join keyed by auction id; bids may arrive before their auction).
import {
  type Auction,
  type Bid,
  type Collector,
  type DataStream,
  KeyedCoProcessFunction,
  type ListState,
  ListStateDescriptor,
  type NexmarkEvent,
  type ProcessContext,
  type ValueState,
  ValueStateDescriptor,
} from '../../../src/index.ts';
import type { Q20Row } from '../reference-queries.ts';
import { auctionsOf, bidsOf } from './nexmark-streams.ts';

function row(b: Bid, a: Auction): Q20Row {
  return {
    auction: b.auction,
    bidder: b.bidder,
    price: b.price,
    channel: b.channel,
    url: b.url,
    bidDateTime: b.dateTime,
    bidExtra: b.extra,
    itemName: a.itemName,
    description: a.description,
    initialBid: a.initialBid,
    reserve: a.reserve,
    auctionDateTime: a.dateTime,
    expires: a.expires,
    seller: a.seller,
    category: a.category,
    auctionExtra: a.extra,
  };
}

/**
 * Keyed by auction id: the auctions seen (only category 10 is kept, other ids are remembered so
 * their bids are dropped at once) and the bids that came before their auction.
 */
class ExpandBid extends KeyedCoProcessFunction<number, Bid, Auction, Q20Row> {
  #auctions!: ListState<Auction>;
  #otherCategory!: ValueState<boolean>;
  #early!: ListState<Bid>;

  override open(): void {
    const ctx = this.getRuntimeContext();
    this.#auctions = ctx.getListState(new ListStateDescriptor<Auction>('category-10-auctions'));
    this.#otherCategory = ctx.getState(new ValueStateDescriptor<boolean>('other-category'));
    this.#early = ctx.getListState(new ListStateDescriptor<Bid>('early-bids'));
  }

  processElement1(bid: Bid, _ctx: ProcessContext<number>, out: Collector<Q20Row>): void {
    const auctions = this.#auctions.get();
    for (const a of auctions) out.collect(row(bid, a));
    if (auctions.length === 0 && this.#otherCategory.value() !== true) this.#early.add(bid);
  }

  processElement2(auction: Auction, _ctx: ProcessContext<number>, out: Collector<Q20Row>): void {
    const early = this.#early.get();
    if (auction.category !== 10) {
      this.#otherCategory.update(true);
      this.#early.clear();
      return;
    }
    for (const b of early) out.collect(row(b, auction));
    this.#auctions.add(auction);
  }
}

/**
 * `SELECT auction, bidder, price, channel, url, B.dateTime, B.extra, itemName, description,
 * initialBid, reserve, A.dateTime, expires, seller, category, A.extra FROM bid AS B INNER JOIN
 * auction AS A on B.auction = A.id WHERE A.category = 10`.
 *
 * @example
 * q20(events).print();
 */
export function q20(events: DataStream<NexmarkEvent>): DataStream<Q20Row> {
  return bidsOf(events)
    .keyBy((b) => b.auction)
    .connect(auctionsOf(events).keyBy((a) => a.id))
    .process(new ExpandBid())
    .name('q20: expand bids');
}
