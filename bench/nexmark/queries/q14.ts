// Nexmark q14, calculation: a filter on the euro price, a time-of-day class and a character count.
import type { DataStream, NexmarkEvent } from '../../../src/index.ts';
import type { Q14Row } from '../reference-queries.ts';
import { bidsOf } from './nexmark-streams.ts';

const C = 'c'.charCodeAt(0);

function countC(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) === C) n++;
  return n;
}

/**
 * Bids with `1_000_000 < 0.908 * price < 50_000_000` (compared exactly), with the euro price,
 * `bidTimeType` from the UTC hour and the number of `c` in `extra`.
 *
 * @example
 * q14(events).print();
 */
export function q14(events: DataStream<NexmarkEvent>): DataStream<Q14Row> {
  return bidsOf(events)
    .filter((b) => b.price * 908 > 1_000_000_000 && b.price * 908 < 50_000_000_000)
    .name('q14: price range')
    .map((b): Q14Row => {
      const hour = new Date(b.dateTime).getUTCHours();
      return {
        auction: b.auction,
        bidder: b.bidder,
        price: (b.price * 908) / 1000,
        bidTimeType:
          hour >= 8 && hour <= 18 ? 'dayTime' : hour <= 6 || hour >= 20 ? 'nightTime' : 'otherTime',
        dateTime: b.dateTime,
        extra: b.extra,
        cCounts: countC(b.extra),
      };
    })
    .name('q14: calculate');
}
