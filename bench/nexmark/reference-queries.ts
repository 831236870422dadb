// Single-threaded, engine-free reference answers for the Nexmark queries. The engine's DataStream
// and SQL versions are checked against these for exact equality (as multisets), so each function
// states its semantics precisely, including where the SQL leaves ties or ordering undefined.
//
// Common rules, unless a query says otherwise:
// - Input: every event of a finite stream, in any order. Results do not depend on input order
//   (every join is over the whole input; windows close at the end of input), so out-of-order and
//   parallel executions must produce the same multiset.
// - Event time is the record's `dateTime` (epoch ms). Windows are aligned to the epoch and
//   half-open, [start, end). Only windows containing at least one input record produce output.
// - Output order is unspecified (the arrays come out in a convenient deterministic order); compare
//   as multisets.
// - Dates and times (`DATE_FORMAT`, `HOUR`) are taken in UTC.
// - BIGINT `AVG` truncates toward zero, as Flink's AVG over BIGINT does.
// - Where the SQL's `ROW_NUMBER()` leaves ties to arrival order, ties are broken by
//   {@link compareBids}, a total order on bids, so the answer is deterministic.
import type { Auction, Bid, NexmarkEvent, Person } from '../../src/connectors/nexmark/index.ts';

/** Window length of q7, q8 (tumbling), q5 (sliding size) and the q11 session gap: 10 s. */
export const WINDOW_SIZE_MS = 10_000;
/** Slide of q5's sliding windows: 2 s. */
export const Q5_SLIDE_MS = 2_000;
/**
 * q6's frame, `ROWS BETWEEN 10 PRECEDING AND CURRENT ROW`: an average covers the closed auction and
 * up to 10 before it, 11 in all (Beam's Query6 averages the last 10).
 */
export const Q6_PRECEDING = 10;

/** q0, q1, q7: the bid columns Nexmark's SQL keeps (`auction, bidder, price, dateTime, extra`). */
export interface BidProjection {
  readonly auction: number;
  readonly bidder: number;
  /** In cents for q0/q7; in q1 the converted price (see {@link q1}). */
  readonly price: number;
  readonly dateTime: number;
  readonly extra: string;
}

/** q2 row. */
export interface Q2Row {
  readonly auction: number;
  readonly price: number;
}

/** q3 row: a local seller's name and place, and the id of their category-10 auction. */
export interface Q3Row {
  readonly name: string;
  readonly city: string;
  readonly state: string;
  /** Auction id. */
  readonly id: number;
}

/** q4 row. */
export interface Q4Row {
  readonly category: number;
  /** Average winning price of the category's auctions, truncated toward zero. */
  readonly avgPrice: number;
}

/** q5 row. */
export interface Q5Row {
  readonly auction: number;
  /** Bids on the auction in the window. */
  readonly num: number;
  readonly starttime: number;
  readonly endtime: number;
}

/** q6 row: emitted for every closed auction that has a winning bid. */
export interface Q6Row {
  readonly seller: number;
  /**
   * Average final price of the seller's auction that just closed and of the (up to)
   * {@link Q6_PRECEDING} auctions of the seller that closed before it, truncated toward zero.
   */
  readonly avgPrice: number;
}

/** q8 row. */
export interface Q8Row {
  /** Person id. */
  readonly id: number;
  readonly name: string;
  /** Start of the tumbling window in which the person registered and opened an auction. */
  readonly starttime: number;
}

/** q9 row: the auction's columns followed by its winning bid's. */
export interface Q9Row extends Auction {
  readonly auction: number;
  readonly bidder: number;
  readonly price: number;
  readonly bidDateTime: number;
  readonly bidExtra: string;
}

/** q10 row: a bid with its partition columns. */
export interface Q10Row extends BidProjection {
  /** `yyyy-MM-dd`. */
  readonly dt: string;
  /** `HH:mm`. */
  readonly hm: string;
}

/** q11 row. */
export interface Q11Row {
  readonly bidder: number;
  readonly bidCount: number;
  /** Time of the session's first bid. */
  readonly starttime: number;
  /** Time of the session's last bid plus the 10 s gap. */
  readonly endtime: number;
}

/**
 * q12 row on the engine: a bidder's bids in one 10 s processing-time window `[starttime, endtime)`
 * (epoch ms of the wall clock, aligned to 10 s).
 */
export interface Q12Row {
  readonly bidder: number;
  readonly bidCount: number;
  readonly starttime: number;
  readonly endtime: number;
}

/** What q12's windows of one bidder add up to: the bidder's bids over the whole stream. */
export interface Q12Total {
  readonly bidder: number;
  readonly bidCount: number;
}

/** q13 row. */
export interface Q13Row {
  readonly auction: number;
  readonly bidder: number;
  readonly price: number;
  readonly dateTime: number;
  readonly value: string;
}

/** q14 row. */
export interface Q14Row {
  readonly auction: number;
  readonly bidder: number;
  /** `price * 0.908`, see {@link q1}. */
  readonly price: number;
  readonly bidTimeType: 'dayTime' | 'nightTime' | 'otherTime';
  readonly dateTime: number;
  readonly extra: string;
  /** Occurrences of `'c'` in `extra`. */
  readonly cCounts: number;
}

/**
 * q15/q16 statistics. Price ranks: rank1 `price < 10_000`, rank2 `10_000 <= price < 1_000_000`,
 * rank3 `price >= 1_000_000`.
 */
export interface BidStatistics {
  readonly totalBids: number;
  readonly rank1Bids: number;
  readonly rank2Bids: number;
  readonly rank3Bids: number;
  readonly totalBidders: number;
  readonly rank1Bidders: number;
  readonly rank2Bidders: number;
  readonly rank3Bidders: number;
  readonly totalAuctions: number;
  readonly rank1Auctions: number;
  readonly rank2Auctions: number;
  readonly rank3Auctions: number;
}

/** q15 row. */
export interface Q15Row extends BidStatistics {
  /** `yyyy-MM-dd`. */
  readonly day: string;
}

/** q16 row. */
export interface Q16Row extends BidStatistics {
  readonly channel: string;
  /** `yyyy-MM-dd`. */
  readonly day: string;
  /** Latest `HH:mm` of the group's bids. */
  readonly minute: string;
}

/** q17 row. */
export interface Q17Row {
  readonly auction: number;
  /** `yyyy-MM-dd`. */
  readonly day: string;
  readonly totalBids: number;
  readonly rank1Bids: number;
  readonly rank2Bids: number;
  readonly rank3Bids: number;
  readonly minPrice: number;
  readonly maxPrice: number;
  /** Truncated toward zero. */
  readonly avgPrice: number;
  readonly sumPrice: number;
}

/** q19 row. */
export interface Q19Row extends Bid {
  /** 1 for the auction's highest bid, up to 10. */
  readonly rankNumber: number;
}

/** q20 row: a bid and its category-10 auction. */
export interface Q20Row {
  readonly auction: number;
  readonly bidder: number;
  readonly price: number;
  readonly channel: string;
  readonly url: string;
  readonly bidDateTime: number;
  readonly bidExtra: string;
  readonly itemName: string;
  readonly description: string;
  readonly initialBid: number;
  readonly reserve: number;
  readonly auctionDateTime: number;
  readonly expires: number;
  readonly seller: number;
  readonly category: number;
  readonly auctionExtra: string;
}

/** q21 row. */
export interface Q21Row {
  readonly auction: number;
  readonly bidder: number;
  readonly price: number;
  readonly channel: string;
  readonly channelId: string;
}

/** q22 row; a directory is `null` when the URL has too few `/`-separated parts. */
export interface Q22Row {
  readonly auction: number;
  readonly bidder: number;
  readonly price: number;
  readonly channel: string;
  readonly dir1: string | null;
  readonly dir2: string | null;
  readonly dir3: string | null;
}

// ------------------------------------------------------------------------------------------------
// Shared helpers
// ------------------------------------------------------------------------------------------------

/**
 * A total order on bids, used wherever the SQL leaves ties to arrival order: by `dateTime`, then
 * `price`, `auction`, `bidder`, `channel`, `url`, `extra` (numbers ascending, strings by UTF-16
 * code units). Bids equal under it are identical records, so any choice among them gives the same
 * output.
 *
 * @example
 * ```ts
 * const latestFirst = [...bids].sort((a, b) => compareBids(b, a));
 * ```
 */
export function compareBids(a: Bid, b: Bid): number {
  return (
    a.dateTime - b.dateTime ||
    a.price - b.price ||
    a.auction - b.auction ||
    a.bidder - b.bidder ||
    compareStrings(a.channel, b.channel) ||
    compareStrings(a.url, b.url) ||
    compareStrings(a.extra, b.extra)
  );
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Start of the epoch-aligned window of length `size` containing `t` (floor semantics). */
function windowStart(t: number, size: number): number {
  return t - (((t % size) + size) % size);
}

/** BIGINT division as Flink's AVG does it: truncated toward zero. */
function truncatedAverage(sum: number, count: number): number {
  return Math.trunc(sum / count);
}

/**
 * `0.908 * price` as the double nearest to the exact DECIMAL product (Flink SQL computes it in
 * DECIMAL(23, 3)): `price * 908` is an exact integer, and one division rounds correctly.
 */
function toEuro(price: number): number {
  return (price * 908) / 1000;
}

const MS_PER_DAY = 86_400_000;
const dayCache = new Map<number, string>();

/** `DATE_FORMAT(t, 'yyyy-MM-dd')` in UTC. */
function formatDay(t: number): string {
  const day = Math.floor(t / MS_PER_DAY);
  let text = dayCache.get(day);
  if (text === undefined) {
    text = new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
    dayCache.set(day, text);
  }
  return text;
}

/** `HOUR(t)` in UTC. */
function hourOf(t: number): number {
  return Math.floor((((t % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY) / 3_600_000);
}

/** `DATE_FORMAT(t, 'HH:mm')` in UTC. */
function formatHourMinute(t: number): string {
  const minuteOfDay = Math.floor((((t % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY) / 60_000);
  const h = Math.floor(minuteOfDay / 60);
  const m = minuteOfDay % 60;
  return `${h < 10 ? '0' : ''}${h}:${m < 10 ? '0' : ''}${m}`;
}

function* bidsOf(events: Iterable<NexmarkEvent>): Generator<Bid> {
  for (const e of events) if (e.type === 'bid') yield e.bid;
}

/** Splits the input into its three record types (in input order). */
function partition(events: Iterable<NexmarkEvent>): { persons: Person[]; auctions: Auction[]; bids: Bid[] } {
  const persons: Person[] = [];
  const auctions: Auction[] = [];
  const bids: Bid[] = [];
  for (const e of events) {
    switch (e.type) {
      case 'person':
        persons.push(e.person);
        break;
      case 'auction':
        auctions.push(e.auction);
        break;
      case 'bid':
        bids.push(e.bid);
        break;
      default: {
        const unreachable: never = e;
        throw new TypeError(`not a Nexmark event: ${JSON.stringify(unreachable)}`);
      }
    }
  }
  return { persons, auctions, bids };
}

function groupBy<T, K>(items: Iterable<T>, key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group === undefined) groups.set(k, [item]);
    else group.push(item);
  }
  return groups;
}

function project(b: Bid): BidProjection {
  return { auction: b.auction, bidder: b.bidder, price: b.price, dateTime: b.dateTime, extra: b.extra };
}

// ------------------------------------------------------------------------------------------------
// The queries
// ------------------------------------------------------------------------------------------------

/**
 * q0, pass-through: every bid, projected to `auction, bidder, price, dateTime, extra`
 * (`SELECT auction, bidder, price, dateTime, extra FROM bid`). Persons and auctions are dropped.
 *
 * @example
 * ```ts
 * const rows = q0(generateEvents({}, 0, 1000)); // 920 rows
 * ```
 */
export function q0(events: Iterable<NexmarkEvent>): BidProjection[] {
  return Array.from(bidsOf(events), project);
}

/**
 * q1, currency conversion: every bid with its price converted to euros,
 * `SELECT auction, bidder, 0.908 * price AS price, dateTime, extra FROM bid`.
 *
 * Rounding: the SQL result is the exact DECIMAL(23, 3) `0.908 * price`; as a JS number we return
 * the double nearest to it, computed as `(price * 908) / 1000` (exact integer product, one
 * correctly rounded division). This is what parsing Flink's printed decimal gives, and it differs
 * from the naive `0.908 * price` for about a fifth of prices (e.g. 15 → 13.62 here, 13.620000000000001 naively).
 *
 * @example
 * ```ts
 * q1([{ type: 'bid', bid }])[0]?.price; // bid.price * 0.908, as described
 * ```
 */
export function q1(events: Iterable<NexmarkEvent>): BidProjection[] {
  return Array.from(bidsOf(events), (b) => ({ ...project(b), price: toEuro(b.price) }));
}

/**
 * q2, selection: `SELECT auction, price FROM bid WHERE MOD(auction, 123) = 0`.
 *
 * @example
 * ```ts
 * q2(events).every((r) => r.auction % 123 === 0); // true
 * ```
 */
export function q2(events: Iterable<NexmarkEvent>): Q2Row[] {
  const rows: Q2Row[] = [];
  for (const b of bidsOf(events))
    if (b.auction % 123 === 0) rows.push({ auction: b.auction, price: b.price });
  return rows;
}

/**
 * q3, local item suggestion: an unbounded inner join of auctions and persons on
 * `auction.seller = person.id`, keeping auctions of category 10 sold by persons in OR, ID or CA;
 * one row `{ name, city, state, id: auction.id }` per matching (auction, person) pair, regardless
 * of which of the two arrived first.
 *
 * @example
 * ```ts
 * const rows = q3(events); // [{ name: 'Peter Jones', city: 'Boise', state: 'ID', id: 1007 }, ...]
 * ```
 */
export function q3(events: Iterable<NexmarkEvent>): Q3Row[] {
  const { persons, auctions } = partition(events);
  const local = groupBy(
    persons.filter((p) => p.state === 'OR' || p.state === 'ID' || p.state === 'CA'),
    (p) => p.id,
  );
  const rows: Q3Row[] = [];
  for (const a of auctions) {
    if (a.category !== 10) continue;
    for (const p of local.get(a.seller) ?? [])
      rows.push({ name: p.name, city: p.city, state: p.state, id: a.id });
  }
  return rows;
}

/**
 * The final price of each auction: the highest price among its valid bids, bids on it with
 * `auction.dateTime <= bid.dateTime <= auction.expires` (SQL BETWEEN, both ends inclusive) and, when
 * `checkReserve` (q4), `bid.price >= auction.reserve`. Auctions with no valid bid are absent.
 */
function winningPrices(auctions: Auction[], bids: Bid[], checkReserve: boolean): Map<Auction, number> {
  const byAuction = groupBy(bids, (b) => b.auction);
  const winners = new Map<Auction, number>();
  for (const a of auctions) {
    let best = -1;
    for (const b of byAuction.get(a.id) ?? []) {
      if (
        b.dateTime >= a.dateTime &&
        b.dateTime <= a.expires &&
        (!checkReserve || b.price >= a.reserve) &&
        b.price > best
      ) {
        best = b.price;
      }
    }
    if (best >= 0) winners.set(a, best);
  }
  return winners;
}

/**
 * q4, average closing price per category. An auction's final price is the maximum price among its
 * bids with `auction.dateTime <= bid.dateTime <= auction.expires` (inclusive) and
 * `bid.price >= auction.reserve` (the reserve rule of Beam's WinningBids; nexmark/nexmark's SQL
 * omits it). Auctions without such a bid have no final price and do not count. Per category, the
 * result is the final value of the updating aggregate `AVG(final)`: the mean of the final prices,
 * truncated toward zero (BIGINT AVG).
 *
 * The join is unbounded: a bid counts whether it arrives before or after its auction.
 *
 * @example
 * ```ts
 * q4(events); // [{ category: 10, avgPrice: 8_123_456 }, ...]
 * ```
 */
export function q4(events: Iterable<NexmarkEvent>): Q4Row[] {
  const { auctions, bids } = partition(events);
  const sums = new Map<number, { sum: number; count: number }>();
  for (const [a, price] of winningPrices(auctions, bids, true)) {
    const s = sums.get(a.category);
    if (s === undefined) sums.set(a.category, { sum: price, count: 1 });
    else {
      s.sum += price;
      s.count++;
    }
  }
  return [...sums]
    .sort(([x], [y]) => x - y)
    .map(([category, { sum, count }]) => ({ category, avgPrice: truncatedAverage(sum, count) }));
}

/**
 * q5, hot items: sliding (HOP) windows of 10 s every 2 s over bid event time; a bid at `t` is in
 * the five windows `[s, s + 10 s)` with `s` a multiple of 2 s and `s <= t < s + 10 s`. Per window,
 * bids are counted per auction, and every auction whose count equals the window's maximum is
 * output (ties all included) as `{ auction, num, starttime, endtime }`.
 *
 * @example
 * ```ts
 * q5(events); // [{ auction: 1000, num: 2301, starttime: ..., endtime: starttime + 10_000 }, ...]
 * ```
 */
export function q5(events: Iterable<NexmarkEvent>): Q5Row[] {
  const counts = new Map<number, Map<number, number>>(); // window start → auction → count
  for (const b of bidsOf(events)) {
    const last = windowStart(b.dateTime, Q5_SLIDE_MS);
    for (let start = last; start > b.dateTime - WINDOW_SIZE_MS; start -= Q5_SLIDE_MS) {
      let perAuction = counts.get(start);
      if (perAuction === undefined) {
        perAuction = new Map();
        counts.set(start, perAuction);
      }
      perAuction.set(b.auction, (perAuction.get(b.auction) ?? 0) + 1);
    }
  }
  const rows: Q5Row[] = [];
  for (const start of [...counts.keys()].sort((x, y) => x - y)) {
    const perAuction = counts.get(start) as Map<number, number>;
    const max = Math.max(...perAuction.values());
    for (const [auction, num] of [...perAuction].sort(([x], [y]) => x - y)) {
      if (num === max) rows.push({ auction, num, starttime: start, endtime: start + WINDOW_SIZE_MS });
    }
  }
  return rows;
}

/**
 * q6, average selling price by seller. Follows nexmark/nexmark's q6.sql (which Flink cannot run:
 * FLINK-19059, an OVER window cannot consume the retractions of the ROW_NUMBER before it):
 * `AVG(final) OVER (PARTITION BY seller ORDER BY ... ROWS BETWEEN 10 PRECEDING AND CURRENT ROW)`
 * over the winning bid of every auction.
 *
 * - An auction's final price is the highest price among its bids with
 *   `auction.dateTime <= bid.dateTime <= auction.expires` (inclusive; no reserve rule, as the SQL).
 *   Auctions without such a bid have no final price and no row.
 * - Order: the auctions of a seller are taken in the order they close, `expires` ascending, and
 *   among auctions of the same seller closing at the same `expires`, by auction id ascending (the
 *   SQL leaves that tie open). The SQL's `ORDER BY` names the winning bid's time, which a stream
 *   cannot follow: a winning bid is known only when its auction closes, after later-closing auctions
 *   may already have earlier bids. Closing order is when each row exists in event time, and what
 *   Beam's "last 10 closed auctions" means.
 * - One row `{ seller, avgPrice }` per closed auction with a final price: the truncated average of
 *   its final price and those of up to {@link Q6_PRECEDING} auctions of the seller before it in that
 *   order (11 rows in all, as the SQL's frame; Beam averages 10).
 *
 * Every auction in the input closes (a bounded stream ends with the maximum watermark).
 *
 * @example
 * ```ts
 * q6(events); // [{ seller: 1000, avgPrice: 4_563_210 }, ...] — one row per closed auction
 * ```
 */
export function q6(events: Iterable<NexmarkEvent>): Q6Row[] {
  const { auctions, bids } = partition(events);
  const bySeller = groupBy(winningPrices(auctions, bids, false), ([a]) => a.seller);
  const rows: Q6Row[] = [];
  for (const seller of [...bySeller.keys()].sort((x, y) => x - y)) {
    const closed = (bySeller.get(seller) as [Auction, number][]).sort(
      ([a], [b]) => a.expires - b.expires || a.id - b.id,
    );
    let sum = 0;
    for (let i = 0; i < closed.length; i++) {
      sum += (closed[i] as [Auction, number])[1];
      if (i > Q6_PRECEDING) sum -= (closed[i - Q6_PRECEDING - 1] as [Auction, number])[1];
      rows.push({ seller, avgPrice: truncatedAverage(sum, Math.min(i + 1, Q6_PRECEDING + 1)) });
    }
  }
  return rows;
}

/**
 * q7, highest bid: tumbling 10 s windows over bid event time; per window, every bid whose price
 * equals the window's maximum price (ties all included), projected to
 * `auction, bidder, price, dateTime, extra`.
 *
 * Windows are [start, end): a bid at exactly `end` belongs to the next window only. (The
 * nexmark/nexmark SQL joins on `dateTime BETWEEN end - 10 s AND end`, which would also pair a bid
 * at exactly `end` with the previous window when their prices tie; that corner is not followed.)
 *
 * @example
 * ```ts
 * q7(events); // one or more top bids per 10 s window
 * ```
 */
export function q7(events: Iterable<NexmarkEvent>): BidProjection[] {
  const windows = groupBy(bidsOf(events), (b) => windowStart(b.dateTime, WINDOW_SIZE_MS));
  const rows: BidProjection[] = [];
  for (const start of [...windows.keys()].sort((x, y) => x - y)) {
    const bids = windows.get(start) as Bid[];
    let max = Number.NEGATIVE_INFINITY;
    for (const b of bids) if (b.price > max) max = b.price;
    for (const b of bids) if (b.price === max) rows.push(project(b));
  }
  return rows;
}

/**
 * q8, monitor new users: tumbling 10 s windows over event time. Per window, the distinct
 * `(person.id, person.name)` of persons registered in it are joined with the distinct sellers of
 * auctions opened in the same window (`person.id = auction.seller`); one row
 * `{ id, name, starttime }` per distinct (person id, name, window), however many auctions matched.
 *
 * @example
 * ```ts
 * q8(events); // [{ id: 1000, name: 'Peter Jones', starttime: 1577836800000 }, ...]
 * ```
 */
export function q8(events: Iterable<NexmarkEvent>): Q8Row[] {
  const { persons, auctions } = partition(events);
  const sellers = new Set<string>();
  for (const a of auctions) sellers.add(`${windowStart(a.dateTime, WINDOW_SIZE_MS)}/${a.seller}`);
  const seen = new Set<string>();
  const rows: Q8Row[] = [];
  for (const p of persons) {
    const starttime = windowStart(p.dateTime, WINDOW_SIZE_MS);
    const key = `${starttime}/${p.id}`;
    const distinct = `${key}/${p.name}`;
    if (!sellers.has(key) || seen.has(distinct)) continue;
    seen.add(distinct);
    rows.push({ id: p.id, name: p.name, starttime });
  }
  return rows;
}

/**
 * q9, winning bids: for every auction with at least one bid on it with
 * `auction.dateTime <= bid.dateTime <= auction.expires` (inclusive), the auction's columns followed
 * by its top bid's `auction, bidder, price, bidDateTime, bidExtra`. The top bid is the highest
 * price, then the earliest `dateTime` (`ROW_NUMBER() ... ORDER BY price DESC, dateTime ASC`); any
 * remaining tie goes to the smallest bid under {@link compareBids}. As in nexmark/nexmark's SQL the
 * reserve is not checked (unlike {@link q4}).
 *
 * @example
 * ```ts
 * q9(events); // [{ id: 1000, itemName: '...', ..., auction: 1000, bidder: 1001, price: 98_7654, ... }]
 * ```
 */
export function q9(events: Iterable<NexmarkEvent>): Q9Row[] {
  const { auctions, bids } = partition(events);
  const byAuction = groupBy(bids, (b) => b.auction);
  const rows: Q9Row[] = [];
  for (const a of auctions) {
    let best: Bid | undefined;
    for (const b of byAuction.get(a.id) ?? []) {
      if (b.dateTime < a.dateTime || b.dateTime > a.expires) continue;
      if (
        best === undefined ||
        b.price > best.price ||
        (b.price === best.price && compareBids(b, best) < 0)
      ) {
        best = b;
      }
    }
    if (best !== undefined) {
      rows.push({
        ...a,
        auction: best.auction,
        bidder: best.bidder,
        price: best.price,
        bidDateTime: best.dateTime,
        bidExtra: best.extra,
      });
    }
  }
  return rows;
}

/**
 * q10, log to file system: every bid, projected as q0, with partition columns
 * `dt = DATE_FORMAT(dateTime, 'yyyy-MM-dd')` and `hm = DATE_FORMAT(dateTime, 'HH:mm')` (UTC).
 *
 * @example
 * ```ts
 * q10(events)[0]; // { ..., dt: '2020-01-01', hm: '00:00' }
 * ```
 */
export function q10(events: Iterable<NexmarkEvent>): Q10Row[] {
  return Array.from(bidsOf(events), (b) => ({
    ...project(b),
    dt: formatDay(b.dateTime),
    hm: formatHourMinute(b.dateTime),
  }));
}

/**
 * q11, user sessions: session windows with a 10 s gap per bidder; one row
 * `{ bidder, bidCount, starttime, endtime }` per session, where `starttime` is the first bid's time
 * and `endtime` the last bid's time + 10 s. As in Flink (whose `TimeWindow.intersects` includes
 * the end), consecutive bids of a bidder at most 10 s apart (10 s exactly included) are in the
 * same session.
 *
 * @example
 * ```ts
 * q11(events); // [{ bidder: 1001, bidCount: 4600, starttime: ..., endtime: ... }, ...]
 * ```
 */
export function q11(events: Iterable<NexmarkEvent>): Q11Row[] {
  const rows: Q11Row[] = [];
  const byBidder = groupBy(bidsOf(events), (b) => b.bidder);
  for (const bidder of [...byBidder.keys()].sort((x, y) => x - y)) {
    const times = (byBidder.get(bidder) as Bid[]).map((b) => b.dateTime).sort((x, y) => x - y);
    let start = times[0] as number;
    let last = start;
    let count = 0;
    for (const t of times) {
      if (t - last > WINDOW_SIZE_MS) {
        rows.push({ bidder, bidCount: count, starttime: start, endtime: last + WINDOW_SIZE_MS });
        start = t;
        count = 0;
      }
      last = t;
      count++;
    }
    rows.push({ bidder, bidCount: count, starttime: start, endtime: last + WINDOW_SIZE_MS });
  }
  return rows;
}

/**
 * q12, processing-time windows: per bidder, its bids over the whole stream, `{ bidder, bidCount }`.
 *
 * The query itself (`COUNT(*) ... GROUP BY bidder, TUMBLE(PROCTIME(), INTERVAL '10' SECOND)`)
 * has no deterministic answer: which 10 s window of the wall clock a bid falls in depends on when it
 * is processed. What every correct answer satisfies is checked instead: each bid is counted in
 * exactly one window, so a bidder's {@link Q12Row} counts sum to this total; no `(bidder, window)`
 * appears twice; windows are `[start, start + 10 s)` with `start` a multiple of 10 s, within the
 * run's wall-clock time (see `queries/q12.ts`, which folds the engine's rows into these totals).
 *
 * @example
 * ```ts
 * q12(events); // [{ bidder: 1001, bidCount: 4_600 }, ...]
 * ```
 */
export function q12(events: Iterable<NexmarkEvent>): Q12Total[] {
  const counts = new Map<number, number>();
  for (const b of bidsOf(events)) counts.set(b.bidder, (counts.get(b.bidder) ?? 0) + 1);
  return [...counts].sort(([x], [y]) => x - y).map(([bidder, bidCount]) => ({ bidder, bidCount }));
}

/**
 * The side input nexmark/nexmark's SideInputGenerator writes for q13: keys `0 .. rowCount - 1`,
 * each mapped to its decimal string.
 *
 * @example
 * ```ts
 * nexmarkSideInput(3); // Map { 0 => '0', 1 => '1', 2 => '2' }
 * ```
 */
export function nexmarkSideInput(rowCount = 10_000): ReadonlyMap<number, string> {
  return new Map(Array.from({ length: rowCount }, (_, i) => [i, String(i)]));
}

/**
 * q13, bounded side input join: every bid whose `auction % 10_000` is a key of the side input,
 * with that key's value: `{ auction, bidder, price, dateTime, value }` (an inner lookup join; bids
 * without a matching key are dropped).
 *
 * @param sideInput - the lookup table; default {@link nexmarkSideInput}()
 *
 * @example
 * ```ts
 * q13(events, new Map([[1000, 'one thousand']])); // the bids on auction 1000, 11000, 21000, ...
 * ```
 */
export function q13(
  events: Iterable<NexmarkEvent>,
  sideInput: ReadonlyMap<number, string> = nexmarkSideInput(),
): Q13Row[] {
  const rows: Q13Row[] = [];
  for (const b of bidsOf(events)) {
    const value = sideInput.get(b.auction % 10_000);
    if (value !== undefined) {
      rows.push({ auction: b.auction, bidder: b.bidder, price: b.price, dateTime: b.dateTime, value });
    }
  }
  return rows;
}

/**
 * q14, calculation: bids with `1_000_000 < 0.908 * price < 50_000_000` (compared exactly, as
 * DECIMAL), each with the converted price (see {@link q1}), `bidTimeType` from the UTC hour of
 * `dateTime` (8–18 `dayTime`, 0–6 and 20–23 `nightTime`, otherwise `otherTime`), and `cCounts`,
 * the number of `'c'` characters in `extra`.
 *
 * @example
 * ```ts
 * q14(events)[0]; // { auction, bidder, price: 1234567.8, bidTimeType: 'nightTime', dateTime, extra, cCounts: 2 }
 * ```
 */
export function q14(events: Iterable<NexmarkEvent>): Q14Row[] {
  const rows: Q14Row[] = [];
  for (const b of bidsOf(events)) {
    const scaled = b.price * 908; // 1000 * (0.908 * price), an exact integer
    if (!(scaled > 1_000_000_000 && scaled < 50_000_000_000)) continue;
    const hour = hourOf(b.dateTime);
    const bidTimeType =
      hour >= 8 && hour <= 18 ? 'dayTime' : hour <= 6 || hour >= 20 ? 'nightTime' : 'otherTime';
    let cCounts = 0;
    for (let i = 0; i < b.extra.length; i++) if (b.extra.charCodeAt(i) === 99) cCounts++;
    rows.push({
      auction: b.auction,
      bidder: b.bidder,
      price: toEuro(b.price),
      bidTimeType,
      dateTime: b.dateTime,
      extra: b.extra,
      cCounts,
    });
  }
  return rows;
}

/** Accumulates the q15/q16 statistics of one group. */
class BidStatisticsAccumulator {
  readonly bids = [0, 0, 0, 0];
  readonly bidders = [new Set<number>(), new Set<number>(), new Set<number>(), new Set<number>()];
  readonly auctions = [new Set<number>(), new Set<number>(), new Set<number>(), new Set<number>()];

  add(b: Bid): void {
    const rank = priceRank(b.price);
    for (const i of [0, rank]) {
      this.bids[i] = (this.bids[i] as number) + 1;
      this.bidders[i]?.add(b.bidder);
      this.auctions[i]?.add(b.auction);
    }
  }

  result(): BidStatistics {
    const n = (xs: number[], i: number): number => xs[i] as number;
    const d = (xs: Set<number>[], i: number): number => (xs[i] as Set<number>).size;
    return {
      totalBids: n(this.bids, 0),
      rank1Bids: n(this.bids, 1),
      rank2Bids: n(this.bids, 2),
      rank3Bids: n(this.bids, 3),
      totalBidders: d(this.bidders, 0),
      rank1Bidders: d(this.bidders, 1),
      rank2Bidders: d(this.bidders, 2),
      rank3Bidders: d(this.bidders, 3),
      totalAuctions: d(this.auctions, 0),
      rank1Auctions: d(this.auctions, 1),
      rank2Auctions: d(this.auctions, 2),
      rank3Auctions: d(this.auctions, 3),
    };
  }
}

/** 1: `price < 10_000`; 2: `10_000 <= price < 1_000_000`; 3: `price >= 1_000_000`. */
function priceRank(price: number): 1 | 2 | 3 {
  return price < 10_000 ? 1 : price < 1_000_000 ? 2 : 3;
}

/**
 * q15, bidding statistics report: per UTC day (`yyyy-MM-dd` of `dateTime`), the final values of
 * the unbounded aggregate: bid counts and distinct bidders and auctions, in total and per price rank
 * (see {@link BidStatistics}).
 *
 * @example
 * ```ts
 * q15(events); // [{ day: '2020-01-01', totalBids: 920, rank1Bids: 300, ... }]
 * ```
 */
export function q15(events: Iterable<NexmarkEvent>): Q15Row[] {
  const days = new Map<string, BidStatisticsAccumulator>();
  for (const b of bidsOf(events)) {
    const day = formatDay(b.dateTime);
    let acc = days.get(day);
    if (acc === undefined) {
      acc = new BidStatisticsAccumulator();
      days.set(day, acc);
    }
    acc.add(b);
  }
  return [...days].sort(([x], [y]) => compareStrings(x, y)).map(([day, acc]) => ({ day, ...acc.result() }));
}

/**
 * q16, channel statistics report: as {@link q15} but grouped by `(channel, day)`, plus `minute`,
 * the greatest `HH:mm` (UTC) among the group's bids.
 *
 * @example
 * ```ts
 * q16(events); // [{ channel: 'Apple', day: '2020-01-01', minute: '00:01', totalBids: 115, ... }, ...]
 * ```
 */
export function q16(events: Iterable<NexmarkEvent>): Q16Row[] {
  const groups = new Map<
    string,
    { channel: string; day: string; minute: string; acc: BidStatisticsAccumulator }
  >();
  for (const b of bidsOf(events)) {
    const day = formatDay(b.dateTime);
    const minute = formatHourMinute(b.dateTime);
    const key = `${day}\u0000${b.channel}`;
    let group = groups.get(key);
    if (group === undefined) {
      group = { channel: b.channel, day, minute, acc: new BidStatisticsAccumulator() };
      groups.set(key, group);
    }
    if (minute > group.minute) group.minute = minute;
    group.acc.add(b);
  }
  return [...groups]
    .sort(([x], [y]) => compareStrings(x, y))
    .map(([, g]) => ({ channel: g.channel, day: g.day, minute: g.minute, ...g.acc.result() }));
}

/**
 * q17, auction statistics report: per `(auction, day)` (UTC), the final values of the unbounded
 * aggregate: bid count in total and per price rank, min, max, truncated average and sum of prices.
 *
 * @example
 * ```ts
 * q17(events); // [{ auction: 1000, day: '2020-01-01', totalBids: 460, ..., avgPrice: 31_415, sumPrice: ... }]
 * ```
 */
export function q17(events: Iterable<NexmarkEvent>): Q17Row[] {
  const groups = new Map<string, { auction: number; day: string; bids: Bid[] }>();
  for (const b of bidsOf(events)) {
    const day = formatDay(b.dateTime);
    const key = `${b.auction}/${day}`;
    const group = groups.get(key);
    if (group === undefined) groups.set(key, { auction: b.auction, day, bids: [b] });
    else group.bids.push(b);
  }
  const rows: Q17Row[] = [];
  for (const { auction, day, bids } of groups.values()) {
    const ranks = [0, 0, 0, 0];
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    let sum = 0;
    for (const b of bids) {
      const rank = priceRank(b.price);
      ranks[rank] = (ranks[rank] as number) + 1;
      min = Math.min(min, b.price);
      max = Math.max(max, b.price);
      sum += b.price;
    }
    rows.push({
      auction,
      day,
      totalBids: bids.length,
      rank1Bids: ranks[1] as number,
      rank2Bids: ranks[2] as number,
      rank3Bids: ranks[3] as number,
      minPrice: min,
      maxPrice: max,
      avgPrice: truncatedAverage(sum, bids.length),
      sumPrice: sum,
    });
  }
  return rows.sort((x, y) => x.auction - y.auction || compareStrings(x.day, y.day));
}

/**
 * q18, find last bid: per `(bidder, auction)`, the bid with the latest `dateTime`
 * (`ROW_NUMBER() OVER (PARTITION BY bidder, auction ORDER BY dateTime DESC) = 1`); among bids with
 * the same latest `dateTime` (arrival order in Flink) the greatest under {@link compareBids}.
 * Full bid records.
 *
 * @example
 * ```ts
 * q18(events); // one bid per (bidder, auction) pair
 * ```
 */
export function q18(events: Iterable<NexmarkEvent>): Bid[] {
  const last = new Map<string, Bid>();
  for (const b of bidsOf(events)) {
    const key = `${b.bidder}/${b.auction}`;
    const current = last.get(key);
    if (current === undefined || compareBids(b, current) > 0) last.set(key, b);
  }
  return [...last.values()];
}

/**
 * q19, auction top-10 price: per auction, its (up to) 10 highest bids with their rank 1..10
 * (`ROW_NUMBER() OVER (PARTITION BY auction ORDER BY price DESC) <= 10`): the final state of the
 * updating top-N. Among equal prices, the bid smaller under {@link compareBids} (hence the earlier
 * one) ranks higher.
 *
 * @example
 * ```ts
 * q19(events).filter((r) => r.rankNumber === 1); // each auction's highest bid
 * ```
 */
export function q19(events: Iterable<NexmarkEvent>): Q19Row[] {
  const rows: Q19Row[] = [];
  const byAuction = groupBy(bidsOf(events), (b) => b.auction);
  for (const auction of [...byAuction.keys()].sort((x, y) => x - y)) {
    const top = (byAuction.get(auction) as Bid[])
      .slice()
      .sort((a, b) => b.price - a.price || compareBids(a, b))
      .slice(0, 10);
    top.forEach((b, i) => {
      rows.push({ ...b, rankNumber: i + 1 });
    });
  }
  return rows;
}

/**
 * q20, expand bid with auction: an unbounded inner join of bids and auctions on
 * `bid.auction = auction.id`, keeping auctions of category 10; one row per matching pair with the
 * bid's columns then the auction's (see {@link Q20Row}).
 *
 * @example
 * ```ts
 * q20(events).every((r) => r.category === 10); // true
 * ```
 */
export function q20(events: Iterable<NexmarkEvent>): Q20Row[] {
  const { auctions, bids } = partition(events);
  const category10 = groupBy(
    auctions.filter((a) => a.category === 10),
    (a) => a.id,
  );
  const rows: Q20Row[] = [];
  for (const b of bids) {
    for (const a of category10.get(b.auction) ?? []) {
      rows.push({
        auction: b.auction,
        bidder: b.bidder,
        price: b.price,
        channel: b.channel,
        url: b.url,
        bidDateTime: b.dateTime,
        bidExtra: b.extra,
        itemName: a.itemName,
        description: a.description,
        initialBid: a.initialBid,
        reserve: a.reserve,
        auctionDateTime: a.dateTime,
        expires: a.expires,
        seller: a.seller,
        category: a.category,
        auctionExtra: a.extra,
      });
    }
  }
  return rows;
}

const HOT_CHANNEL_IDS: ReadonlyMap<string, string> = new Map([
  ['apple', '0'],
  ['google', '1'],
  ['facebook', '2'],
  ['baidu', '3'],
]);
const CHANNEL_ID_PATTERN = /(&|^)channel_id=([^&]*)/;

/**
 * q21, add channel id: bids whose lower-cased channel is apple, google, facebook or baidu (ids
 * `'0'`..`'3'` in that order) or whose URL matches `(&|^)channel_id=([^&]*)` (id = the second
 * group, the first match's, possibly empty); the hot-channel id wins when both apply.
 * `{ auction, bidder, price, channel, channelId }`.
 *
 * @example
 * ```ts
 * q21(events); // [{ auction: 1000, bidder: 1001, price: 3253, channel: 'Google', channelId: '1' }, ...]
 * ```
 */
export function q21(events: Iterable<NexmarkEvent>): Q21Row[] {
  const rows: Q21Row[] = [];
  for (const b of bidsOf(events)) {
    const channelId = HOT_CHANNEL_IDS.get(b.channel.toLowerCase()) ?? CHANNEL_ID_PATTERN.exec(b.url)?.[2];
    if (channelId === undefined) continue;
    rows.push({ auction: b.auction, bidder: b.bidder, price: b.price, channel: b.channel, channelId });
  }
  return rows;
}

/**
 * q22, URL directories: every bid with `dir1`, `dir2`, `dir3` = `SPLIT_INDEX(url, '/', 3 | 4 | 5)`:
 * the URL split at every `/` (empty parts kept), 0-based, `null` past the last part. For generated
 * URLs (`https://www.nexmark.com/a/b/c/item.htm?query=1`) that is `a`, `b`, `c`.
 *
 * @example
 * ```ts
 * q22(events)[0]; // { auction, bidder, price, channel, dir1: 'jol', dir2: 'liu', dir3: 'fmf' }
 * ```
 */
export function q22(events: Iterable<NexmarkEvent>): Q22Row[] {
  return Array.from(bidsOf(events), (b) => {
    // Flink's SPLIT_INDEX yields null for an empty string; splitting '' otherwise gives [''].
    const parts = b.url === '' ? [] : b.url.split('/');
    return {
      auction: b.auction,
      bidder: b.bidder,
      price: b.price,
      channel: b.channel,
      dir1: parts[3] ?? null,
      dir2: parts[4] ?? null,
      dir3: parts[5] ?? null,
    };
  });
}

/**
 * Every reference query by name, for harnesses that run them all (q13 with its default side input).
 *
 * @example
 * ```ts
 * for (const [name, query] of Object.entries(REFERENCE_QUERIES)) console.log(name, query(events).length);
 * ```
 */
export const REFERENCE_QUERIES: Readonly<
  Record<string, (events: Iterable<NexmarkEvent>) => readonly unknown[]>
> = Object.freeze({
  q0,
  q1,
  q2,
  q3,
  q4,
  q5,
  q6,
  q7,
  q8,
  q9,
  q10,
  q11,
  q12,
  q13: (events: Iterable<NexmarkEvent>) => q13(events),
  q14,
  q15,
  q16,
  q17,
  q18,
  q19,
  q20,
  q21,
  q22,
});
