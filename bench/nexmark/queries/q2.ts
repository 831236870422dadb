// Nexmark q2, selection: the bids on every 123rd auction.
import type { DataStream, NexmarkEvent } from '../../../src/index.ts';
import type { Q2Row } from '../reference-queries.ts';
import { bidsOf } from './nexmark-streams.ts';

/**
 * `SELECT auction, price FROM bid WHERE MOD(auction, 123) = 0`.
 *
 * @example
 * q2(events).print();
 */
export function q2(events: DataStream<NexmarkEvent>): DataStream<Q2Row> {
  return bidsOf(events)
    .filter((b) => b.auction % 123 === 0)
    .name('q2: every 123rd auction')
    .map((b): Q2Row => ({ auction: b.auction, price: b.price }))
    .name('q2: project');
}
