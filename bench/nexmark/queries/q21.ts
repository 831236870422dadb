// Nexmark q21, add channel id: a channel id from the hot-channel name or the URL's parameter.
import type { DataStream, NexmarkEvent } from '../../../src/index.ts';
import type { Q21Row } from '../reference-queries.ts';
import { bidsOf } from './nexmark-streams.ts';

const HOT: Readonly<Record<string, string>> = { apple: '0', google: '1', facebook: '2', baidu: '3' };
const CHANNEL_ID = /(&|^)channel_id=([^&]*)/;

/**
 * Bids with `channel_id`: `'0'`..`'3'` for apple, google, facebook, baidu (case-insensitive),
 * else `REGEXP_EXTRACT(url, '(&|^)channel_id=([^&]*)', 2)`; bids with neither are dropped.
 *
 * @example
 * q21(events).print();
 */
export function q21(events: DataStream<NexmarkEvent>): DataStream<Q21Row> {
  return bidsOf(events)
    .flatMap((b): Q21Row[] => {
      const lower = b.channel.toLowerCase();
      const channelId = Object.hasOwn(HOT, lower) ? HOT[lower] : CHANNEL_ID.exec(b.url)?.[2];
      return channelId === undefined
        ? []
        : [{ auction: b.auction, bidder: b.bidder, price: b.price, channel: b.channel, channelId }];
    })
    .name('q21: channel id');
}
