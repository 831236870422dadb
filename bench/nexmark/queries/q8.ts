// Nexmark q8, monitor new users: persons who registered and opened an auction in the same
// tumbling 10 s window (a windowed co-group keyed by person id).
import {
  type Auction,
  type Collector,
  type DataStream,
  type NexmarkEvent,
  type Person,
  TumblingEventTimeWindows,
} from '../../../src/index.ts';
import type { Q8Row } from '../reference-queries.ts';
import { auctionsOf, personsOf, WINDOW_MS, windowStart } from './nexmark-streams.ts';

/** One row per distinct name of a person id that also opened an auction in the window. */
function newUsers(persons: readonly Person[], auctions: readonly Auction[], out: Collector<Q8Row>): void {
  if (auctions.length === 0) return;
  const seen = new Set<string>();
  for (const p of persons) {
    if (seen.has(p.name)) continue;
    seen.add(p.name);
    out.collect({ id: p.id, name: p.name, starttime: windowStart(p.dateTime, WINDOW_MS) });
  }
}

/**
 * ```sql
 * SELECT P.id, P.name, P.starttime FROM (
 *   SELECT id, name, window_start AS starttime, window_end AS endtime
 *   FROM TABLE(TUMBLE(TABLE person, DESCRIPTOR(dateTime), INTERVAL '10' SECOND))
 *   GROUP BY id, name, window_start, window_end) P
 * JOIN (SELECT seller, window_start AS starttime, window_end AS endtime
 *   FROM TABLE(TUMBLE(TABLE auction, DESCRIPTOR(dateTime), INTERVAL '10' SECOND))
 *   GROUP BY seller, window_start, window_end) A
 * ON P.id = A.seller AND P.starttime = A.starttime AND P.endtime = A.endtime
 * ```
 *
 * @example
 * q8(events).print();
 */
export function q8(events: DataStream<NexmarkEvent>): DataStream<Q8Row> {
  return personsOf(events)
    .coGroup(auctionsOf(events))
    .where((p) => p.id)
    .equalTo((a) => a.seller)
    .window(TumblingEventTimeWindows.of(WINDOW_MS))
    .apply(newUsers)
    .name('q8: new users');
}
