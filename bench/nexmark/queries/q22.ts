// Nexmark q22, get URL directories: the first three path segments of each bid's URL.
import type { DataStream, NexmarkEvent } from '../../../src/index.ts';
import type { Q22Row } from '../reference-queries.ts';
import { bidsOf } from './nexmark-streams.ts';

/**
 * `SPLIT_INDEX(url, '/', 3 | 4 | 5)` for each bid (`null` past the last part, and for an empty URL).
 *
 * @example
 * q22(events).print();
 */
export function q22(events: DataStream<NexmarkEvent>): DataStream<Q22Row> {
  return bidsOf(events)
    .map((b): Q22Row => {
      const parts = b.url === '' ? [] : b.url.split('/', 6);
      return {
        auction: b.auction,
        bidder: b.bidder,
        price: b.price,
        channel: b.channel,
        dir1: parts[3] ?? null,
        dir2: parts[4] ?? null,
        dir3: parts[5] ?? null,
      };
    })
    .name('q22: url directories');
}
