// The per-record work of the chained-pipeline benchmark, shared by the engine job and the
// hand-written loop so that both do exactly the same thing: generate, map, filter, map, and fold
// a checksum in the sink.

/** A bid-like event (the shape of Nexmark's bids, the usual stream-processor workload). */
export interface BenchBid {
  readonly auction: number;
  readonly bidder: number;
  readonly price: number;
  readonly dateTime: number;
}

/** A projected result row. */
export interface BenchRow {
  readonly auction: number;
  readonly price: number;
}

/** The functions of one pipeline shape. */
export interface ChainedWork<S, A, B> {
  /** Record `i` (0-based) of the source. */
  readonly generate: (i: number) => S;
  readonly map1: (value: S) => A;
  readonly keep: (value: A) => boolean;
  readonly map2: (value: A) => B;
  /** What the sink adds to its checksum per record. */
  readonly checksum: (value: B) => number;
}

/**
 * Numbers: the minimum work per record, so the engine's per-record overhead dominates.
 * generate(i) = i; map x*3; keep even; map +1.
 */
export const NUMBERS: ChainedWork<number, number, number> = {
  generate: (i) => i,
  map1: (x) => x * 3,
  keep: (x) => (x & 1) === 0,
  map2: (x) => x + 1,
  checksum: (x) => x,
};

/**
 * Events: a bid object per record, currency conversion (Nexmark q1), a selection keeping 80%
 * (q2-like), and a projection. Allocation of the records is part of the work, as in real jobs.
 */
export const EVENTS: ChainedWork<BenchBid, BenchBid, BenchRow> = {
  generate: (i) => ({
    auction: 1000 + (i % 1000),
    bidder: i % 10_007,
    price: (i * 7919) % 100_000,
    dateTime: 1_700_000_000_000 + i,
  }),
  map1: (b) => ({
    auction: b.auction,
    bidder: b.bidder,
    price: Math.round(b.price * 0.908),
    dateTime: b.dateTime,
  }),
  keep: (b) => b.auction % 5 !== 0,
  map2: (b) => ({ auction: b.auction, price: b.price }),
  checksum: (r) => r.price,
};

/** 1024 distinct JSON events, handed out round-robin by the json shape's source. */
const JSON_LINES: readonly string[] = Array.from({ length: 1024 }, (_, i) =>
  JSON.stringify({
    auction: 1000 + (i % 1000),
    bidder: i % 10_007,
    price: (i * 7919) % 100_000,
    channel: `channel-${i % 10}`,
    url: `https://www.nexmark.com/item.htm?query=${i}&channel_id=${(i * 31) % 1000}`,
    dateTime: 1_700_000_000_000 + i,
    extra: '',
  }),
);

/**
 * JSON: the usual stateless ETL job — lines of JSON in (as a file or Kafka source hands them
 * out: existing strings), parse, select, project and serialize. Here the per-record work is
 * what real jobs spend, so the ratio shows what the engine costs on such a job.
 */
export const JSON_ETL: ChainedWork<string, BenchBid & { channel: string }, string> = {
  generate: (i) => JSON_LINES[i & 1023]!,
  map1: (line) => JSON.parse(line) as BenchBid & { channel: string },
  keep: (b) => b.channel !== 'channel-3' && b.price > 1000,
  map2: (b) => JSON.stringify({ auction: b.auction, price: Math.round(b.price * 0.908), channel: b.channel }),
  checksum: (line) => line.length,
};

/** Pipeline shapes by name. */
export const SHAPES = { numbers: NUMBERS, events: EVENTS, json: JSON_ETL } as const;

/** A shape name. */
export type ShapeName = keyof typeof SHAPES;

/** Result of the hand-written loop. */
export interface LoopResult {
  readonly records: number;
  readonly checksum: number;
}

/** The hand-written single-threaded loop: the same work with no engine. */
export function runLoop<S, A, B>(work: ChainedWork<S, A, B>, count: number): LoopResult {
  const { generate, map1, keep, map2, checksum } = work;
  let records = 0;
  let sum = 0;
  for (let i = 0; i < count; i++) {
    const a = map1(generate(i));
    if (keep(a)) {
      sum += checksum(map2(a));
      records++;
    }
  }
  return { records, checksum: sum };
}
