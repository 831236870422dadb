// Nexmark q10, log to file system: every bid with its partition columns (day, hour:minute, UTC).
import type { Bid, DataStream, NexmarkEvent } from '../../../src/index.ts';
import type { Q10Row } from '../reference-queries.ts';
import { bidsOf } from './nexmark-streams.ts';

/** Adds the partition columns, formatting by the minute (bids come in order: one format per minute). */
class PartitionColumns {
  #minute = Number.NaN;
  #day = '';
  #hm = '';
  map(b: Bid): Q10Row {
    this.#format(b.dateTime);
    return {
      auction: b.auction,
      bidder: b.bidder,
      price: b.price,
      dateTime: b.dateTime,
      extra: b.extra,
      dt: this.#day,
      hm: this.#hm,
    };
  }
  #format(t: number): void {
    const minute = Math.floor(t / 60_000);
    if (minute === this.#minute) return;
    this.#minute = minute;
    const iso = new Date(minute * 60_000).toISOString();
    this.#day = iso.slice(0, 10);
    this.#hm = iso.slice(11, 16);
  }
}

/**
 * `SELECT auction, bidder, price, dateTime, extra, DATE_FORMAT(dateTime, 'yyyy-MM-dd'),
 * DATE_FORMAT(dateTime, 'HH:mm') FROM bid` (UTC).
 *
 * @example
 * q10(events).print();
 */
export function q10(events: DataStream<NexmarkEvent>): DataStream<Q10Row> {
  return bidsOf(events).map(new PartitionColumns()).name('q10: partition columns');
}
