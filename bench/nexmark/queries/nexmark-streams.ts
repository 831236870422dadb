// What every Nexmark query starts from: the event stream split into its three record types, and
// the event-time helpers the queries share (epoch-aligned windows, Flink's changelog rows).
import type {
  AggregateFunction,
  Auction,
  Bid,
  DataStream,
  NexmarkEvent,
  Person,
  RowKind,
} from '../../../src/index.ts';

/**
 * COUNT(*) as an incremental aggregate; with merge(), so that sliding windows share the counts of
 * their panes and session windows merge theirs.
 */
export const COUNT: AggregateFunction<unknown, number, number> = {
  createAccumulator: () => 0,
  add: (_value, n) => n + 1,
  getResult: (n) => n,
  merge: (a, b) => a + b,
};

/** Tumbling window size of q7 and q8, sliding window size of q5: 10 s. */
export const WINDOW_MS = 10_000;

/** The bids of the event stream. */
export function bidsOf(events: DataStream<NexmarkEvent>): DataStream<Bid> {
  return events
    .filter((e) => e.type === 'bid')
    .name('bids')
    .map((e) => (e as { readonly bid: Bid }).bid)
    .name('bid');
}

/** The auctions of the event stream. */
export function auctionsOf(events: DataStream<NexmarkEvent>): DataStream<Auction> {
  return events
    .filter((e) => e.type === 'auction')
    .name('auctions')
    .map((e) => (e as { readonly auction: Auction }).auction)
    .name('auction');
}

/** The persons of the event stream. */
export function personsOf(events: DataStream<NexmarkEvent>): DataStream<Person> {
  return events
    .filter((e) => e.type === 'person')
    .name('persons')
    .map((e) => (e as { readonly person: Person }).person)
    .name('person');
}

/** Start of the epoch-aligned window of `size` ms that contains `t`. */
export function windowStart(t: number, size: number): number {
  return t - (((t % size) + size) % size);
}

/**
 * One row of an updating result, as Flink's changelog: `+I` insert, `-U`/`+U` the old and new
 * value of an update, `-D` delete. The final result is what remains after applying them in order.
 */
export interface ChangelogRow<T> {
  readonly kind: RowKind;
  readonly row: T;
}
