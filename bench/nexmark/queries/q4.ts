// Nexmark q4, average closing price per category: winning bids (with the reserve rule), then an
// updating average per category, emitted as a changelog.
import {
  type Collector,
  type DataStream,
  KeyedProcessFunction,
  type NexmarkEvent,
  type ProcessContext,
  type ValueState,
  ValueStateDescriptor,
} from '../../../src/index.ts';
import type { Q4Row } from '../reference-queries.ts';
import { auctionsOf, bidsOf, type ChangelogRow } from './nexmark-streams.ts';
import { type WinningBid, winningBids } from './winning-bids.ts';

interface SumCount {
  readonly sum: number;
  readonly count: number;
}

/** `AVG(final) GROUP BY category` as an updating aggregate: retracts the old average, adds the new. */
class CategoryAverage extends KeyedProcessFunction<number, WinningBid, ChangelogRow<Q4Row>> {
  #acc!: ValueState<SumCount>;

  override open(): void {
    this.#acc = this.getRuntimeContext().getState(new ValueStateDescriptor<SumCount>('sum-count'));
  }

  processElement(w: WinningBid, _ctx: ProcessContext<number>, out: Collector<ChangelogRow<Q4Row>>): void {
    const category = w.auction.category;
    const old = this.#acc.value();
    const acc = { sum: (old?.sum ?? 0) + w.bid.price, count: (old?.count ?? 0) + 1 };
    this.#acc.update(acc);
    if (old !== undefined)
      out.collect({ kind: '-U', row: { category, avgPrice: Math.trunc(old.sum / old.count) } });
    out.collect({
      kind: old === undefined ? '+I' : '+U',
      row: { category, avgPrice: Math.trunc(acc.sum / acc.count) },
    });
  }
}

/**
 * ```sql
 * SELECT Q.category, AVG(Q.final) FROM (
 *   SELECT MAX(B.price) AS final, A.category FROM auction A, bid B
 *   WHERE A.id = B.auction AND B.dateTime BETWEEN A.dateTime AND A.expires AND B.price >= A.reserve
 *   GROUP BY A.id, A.category) Q
 * GROUP BY Q.category
 * ```
 *
 * @example
 * q4(events).print(); // { kind: '+I', row: { category: 10, avgPrice: ... } }, ...
 */
export function q4(events: DataStream<NexmarkEvent>): DataStream<ChangelogRow<Q4Row>> {
  return winningBids(auctionsOf(events), bidsOf(events), {
    checkReserve: true,
    beats: (a, b) => a.price > b.price,
  })
    .keyBy((w) => w.auction.category)
    .process(new CategoryAverage())
    .name('q4: average per category');
}
