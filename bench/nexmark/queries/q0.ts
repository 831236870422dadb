// Nexmark q0, pass-through: every bid, projected. Measures the source, the chain and the sink.
import type { DataStream, NexmarkEvent } from '../../../src/index.ts';
import type { BidProjection } from '../reference-queries.ts';
import { bidsOf } from './nexmark-streams.ts';

/**
 * `SELECT auction, bidder, price, dateTime, extra FROM bid`.
 *
 * @example
 * q0(env.fromSource(new NexmarkSource({ numEvents: 1000 }), WatermarkStrategy.forMonotonousTimestamps(), 'nexmark')).print();
 */
export function q0(events: DataStream<NexmarkEvent>): DataStream<BidProjection> {
  return bidsOf(events)
    .map(
      (b): BidProjection => ({
        auction: b.auction,
        bidder: b.bidder,
        price: b.price,
        dateTime: b.dateTime,
        extra: b.extra,
      }),
    )
    .name('q0: project');
}
