// Nexmark q11, user sessions: bids per bidder in event-time session windows with a 10 s gap.
import {
  type Collector,
  type DataStream,
  EventTimeSessionWindows,
  type NexmarkEvent,
  type TimeWindow,
} from '../../../src/index.ts';
import type { Q11Row } from '../reference-queries.ts';
import { bidsOf, COUNT, WINDOW_MS } from './nexmark-streams.ts';

/**
 * `SELECT B.bidder, count(*) as bid_count, SESSION_START(B.dateTime, INTERVAL '10' SECOND),
 * SESSION_END(B.dateTime, INTERVAL '10' SECOND) FROM bid B GROUP BY B.bidder,
 * SESSION(B.dateTime, INTERVAL '10' SECOND)`: a session's window is `[first bid, last bid + 10 s)`,
 * and bids exactly 10 s apart share a session (windows that touch merge, as in Flink).
 *
 * @example
 * q11(events).print();
 */
export function q11(events: DataStream<NexmarkEvent>): DataStream<Q11Row> {
  return bidsOf(events)
    .keyBy((b) => b.bidder)
    .window(EventTimeSessionWindows.withGap(WINDOW_MS))
    .aggregate(
      COUNT,
      (bidder: number, window: TimeWindow, counts: readonly number[], out: Collector<Q11Row>) => {
        for (const bidCount of counts)
          out.collect({ bidder, bidCount, starttime: window.start, endtime: window.end });
      },
    )
    .name('q11: sessions per bidder');
}
