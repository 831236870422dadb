// Nexmark q12, processing-time windows: bids per bidder in 10 s tumbling windows of the wall clock;
// and the invariants its rows are verified by, since which window a bid lands in depends on timing.
import {
  type Collector,
  type DataStream,
  type NexmarkEvent,
  type TimeWindow,
  TumblingProcessingTimeWindows,
} from '../../../src/index.ts';
import type { Q12Row, Q12Total } from '../reference-queries.ts';
import type { ResultFold, ResultFoldAccumulator } from '../result-fold.ts';
import { bidsOf, COUNT, WINDOW_MS, windowStart } from './nexmark-streams.ts';
import { ProcessingTimeOrEndOfInputTrigger } from './processing-time-or-end-of-input-trigger.ts';

/**
 * ```sql
 * CREATE VIEW B AS SELECT *, PROCTIME() as p_time FROM bid;
 * SELECT bidder, count(*) as bid_count, window_start AS starttime, window_end AS endtime
 * FROM TABLE(TUMBLE(TABLE B, DESCRIPTOR(p_time), INTERVAL '10' SECOND))
 * GROUP BY bidder, window_start, window_end
 * ```
 * on the engine's processing-time tumbling windows; the windows still open when the bounded input
 * ends are fired then (see {@link ProcessingTimeOrEndOfInputTrigger}), so every bid is counted.
 *
 * @example
 * q12(events).print(); // { bidder: 1001, bidCount: 37, starttime: 1732406410000, endtime: 1732406420000 }
 */
export function q12(events: DataStream<NexmarkEvent>): DataStream<Q12Row> {
  return bidsOf(events)
    .keyBy((b) => b.bidder)
    .window(TumblingProcessingTimeWindows.of(WINDOW_MS))
    .trigger(ProcessingTimeOrEndOfInputTrigger.create())
    .aggregate(
      COUNT,
      (bidder: number, window: TimeWindow, counts: readonly number[], out: Collector<Q12Row>) => {
        for (const bidCount of counts)
          out.collect({ bidder, bidCount, starttime: window.start, endtime: window.end });
      },
    )
    .name('q12: bids per bidder and processing-time window');
}

class Q12Accumulator implements ResultFoldAccumulator {
  /** Earliest possible window start: the window of the clock when the fold began (before the job). */
  readonly #earliestStart = windowStart(Date.now(), WINDOW_MS);
  readonly #totals = new Map<number, number>();
  /** `bidder` → window starts seen. */
  readonly #windows = new Map<number, Set<number>>();

  add(row: object): string | undefined {
    const { bidder, bidCount, starttime, endtime } = row as Q12Row;
    const problem =
      !Number.isSafeInteger(bidCount) || bidCount < 1
        ? 'bidCount is not a positive integer'
        : starttime % WINDOW_MS !== 0 || endtime - starttime !== WINDOW_MS
          ? `the window is not [k * ${WINDOW_MS}, (k + 1) * ${WINDOW_MS})`
          : starttime < this.#earliestStart || starttime > Date.now()
            ? 'the window starts outside the run’s wall-clock time'
            : undefined;
    if (problem !== undefined) return `q12: ${problem}: ${JSON.stringify(row)}`;
    let starts = this.#windows.get(bidder);
    if (starts === undefined) {
      starts = new Set();
      this.#windows.set(bidder, starts);
    }
    if (starts.has(starttime)) return `q12: bidder ${bidder} and window ${starttime} emitted twice`;
    starts.add(starttime);
    this.#totals.set(bidder, (this.#totals.get(bidder) ?? 0) + bidCount);
    return undefined;
  }

  *result(): Iterable<Q12Total> {
    for (const [bidder, bidCount] of this.#totals) yield { bidder, bidCount };
  }
}

/**
 * q12's verification: each row must be a positive count in a 10 s window aligned to the epoch that
 * starts between the fold's creation (just before the run) and now, and no `(bidder, window)` may
 * come twice; the rows then sum to one `{ bidder, bidCount }` per bidder, which must equal the
 * reference's bids per bidder (every bid counted in exactly one window). A fold combines one
 * bidder's rows, which one window subtask emits, so sink subtasks fold independently.
 *
 * @example
 * const acc = q12Fold.create();
 * for (const row of rows) expect(acc.add(row)).toBeUndefined();
 * expect([...acc.result()]).toEqual(expect.arrayContaining(referenceQueries.q12(events)));
 */
export const q12Fold: ResultFold = { create: () => new Q12Accumulator() };
