// Nexmark q13, bounded side input join: bids joined with a static lookup table.
import type { Bid, Collector, DataStream, NexmarkEvent } from '../../../src/index.ts';
import { nexmarkSideInput, type Q13Row } from '../reference-queries.ts';
import { bidsOf } from './nexmark-streams.ts';

/** Looks bids up in the side input, which each subtask loads when it opens. */
class SideInputJoin {
  #side: ReadonlyMap<number, string> = new Map();
  open(): void {
    this.#side = nexmarkSideInput();
  }
  flatMap(b: Bid, out: Collector<Q13Row>): void {
    const value = this.#side.get(b.auction % 10_000);
    if (value !== undefined) {
      out.collect({ auction: b.auction, bidder: b.bidder, price: b.price, dateTime: b.dateTime, value });
    }
  }
}

/**
 * `SELECT B.auction, B.bidder, B.price, B.dateTime, S.value FROM bid B JOIN side_input FOR
 * SYSTEM_TIME AS OF B.p_time S ON mod(B.auction, 10000) = S.key` with nexmark/nexmark's side input
 * (keys 0..9999, values their decimal strings), loaded by each subtask when it opens.
 *
 * @example
 * q13(events).print();
 */
export function q13(events: DataStream<NexmarkEvent>): DataStream<Q13Row> {
  return bidsOf(events).flatMap(new SideInputJoin()).name('q13: side input join');
}
