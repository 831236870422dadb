// The winning bid of each auction (q4, q9): auctions joined with their bids by auction id, the
// best valid bid kept, and the result emitted once the watermark passes the auction's expiry.
import {
  type Auction,
  type Bid,
  type Collector,
  type DataStream,
  KeyedCoProcessFunction,
  type ListState,
  ListStateDescriptor,
  type OnTimerContext,
  type ProcessContext,
  type ValueState,
  ValueStateDescriptor,
} from '../../../src/index.ts';

/** An auction with its winning bid. */
export interface WinningBid {
  readonly auction: Auction;
  readonly bid: Bid;
}

/** Which bids count and which of two wins. */
export interface WinningBidRule {
  /** Bids below the auction's reserve do not count (Beam's rule for q4). */
  readonly checkReserve: boolean;
  /** True when bid `a` beats the current best `b`. */
  readonly beats: (a: Bid, b: Bid) => boolean;
}

/**
 * Keyed by auction id. A bid may arrive before its auction (another source subtask): it waits in
 * `pending`. The auction registers an event-time timer at its expiry; once the watermark passes
 * it, no valid bid (`dateTime <= expires`) can still come, so the winner is final and emitted,
 * and the auction is marked closed so that later bids are dropped instead of kept forever.
 */
class WinningBidFunction extends KeyedCoProcessFunction<number, Auction, Bid, WinningBid> {
  readonly #rule: WinningBidRule;
  #auction!: ValueState<Auction>;
  #best!: ValueState<Bid>;
  #pending!: ListState<Bid>;
  #closed!: ValueState<boolean>;

  constructor(rule: WinningBidRule) {
    super();
    this.#rule = rule;
  }

  override open(): void {
    const ctx = this.getRuntimeContext();
    this.#auction = ctx.getState(new ValueStateDescriptor<Auction>('auction'));
    this.#best = ctx.getState(new ValueStateDescriptor<Bid>('best-bid'));
    this.#pending = ctx.getListState(new ListStateDescriptor<Bid>('early-bids'));
    this.#closed = ctx.getState(new ValueStateDescriptor<boolean>('closed'));
  }

  #offer(auction: Auction, bid: Bid, best: Bid | undefined): Bid | undefined {
    if (bid.dateTime < auction.dateTime || bid.dateTime > auction.expires) return best;
    if (this.#rule.checkReserve && bid.price < auction.reserve) return best;
    return best === undefined || this.#rule.beats(bid, best) ? bid : best;
  }

  processElement1(auction: Auction, ctx: ProcessContext<number>): void {
    this.#auction.update(auction);
    let best = this.#best.value();
    const early = this.#pending.get();
    if (early.length > 0) {
      for (const b of early) best = this.#offer(auction, b, best);
      this.#pending.clear();
      this.#best.update(best);
    }
    ctx.timerService().registerEventTimeTimer(auction.expires);
  }

  processElement2(bid: Bid): void {
    const auction = this.#auction.value();
    if (auction === undefined) {
      if (this.#closed.value() !== true) this.#pending.add(bid);
      return;
    }
    const best = this.#best.value();
    const next = this.#offer(auction, bid, best);
    if (next !== best) this.#best.update(next);
  }

  override onTimer(_timestamp: number, _ctx: OnTimerContext<number>, out: Collector<WinningBid>): void {
    const auction = this.#auction.value();
    const best = this.#best.value();
    if (auction !== undefined && best !== undefined) out.collect({ auction, bid: best });
    this.#auction.clear();
    this.#best.clear();
    this.#closed.update(true);
  }
}

/**
 * The winning bid of every auction that has a valid one, emitted when the auction closes in event
 * time.
 *
 * @example
 * winningBids(auctions, bids, { checkReserve: true, beats: (a, b) => a.price > b.price });
 */
export function winningBids(
  auctions: DataStream<Auction>,
  bids: DataStream<Bid>,
  rule: WinningBidRule,
): DataStream<WinningBid> {
  return auctions
    .keyBy((a) => a.id)
    .connect(bids.keyBy((b) => b.auction))
    .process(new WinningBidFunction(rule))
    .name('winning bids');
}
