// Nexmark q1, currency conversion: every bid with its price in euros.
import type { DataStream, NexmarkEvent } from '../../../src/index.ts';
import type { BidProjection } from '../reference-queries.ts';
import { bidsOf } from './nexmark-streams.ts';

/**
 * `SELECT auction, bidder, 0.908 * price AS price, dateTime, extra FROM bid`. The price is the
 * double nearest the exact decimal product: `price * 908` is an exact integer, divided once.
 *
 * @example
 * q1(events).print();
 */
export function q1(events: DataStream<NexmarkEvent>): DataStream<BidProjection> {
  return bidsOf(events)
    .map(
      (b): BidProjection => ({
        auction: b.auction,
        bidder: b.bidder,
        price: (b.price * 908) / 1000,
        dateTime: b.dateTime,
        extra: b.extra,
      }),
    )
    .name('q1: to euro');
}
