// q6 on the engine (inline, parallelism 2) with auctions of one seller closing at the same time on
// different subtasks: the rows follow the documented closing order (auction id on ties), as the
// reference does.
import { describe, expect, it } from 'vitest';
import {
  type Auction,
  type Bid,
  type NexmarkEvent,
  StreamExecutionEnvironment,
  WatermarkStrategy,
} from '../../../src/index.ts';
import { q6 as reference } from '../reference-queries.ts';
import { q6 } from './q6.ts';

const T0 = Date.UTC(2020, 0, 1);

function auction(id: number, seller: number, expires: number): NexmarkEvent {
  const a: Auction = {
    id,
    itemName: `item ${id}`,
    description: '',
    initialBid: 1,
    reserve: 1,
    dateTime: T0,
    expires,
    seller,
    category: 10,
    extra: '',
  };
  return { type: 'auction', auction: a };
}

function bid(auctionId: number, price: number, dateTime: number): NexmarkEvent {
  const b: Bid = { auction: auctionId, bidder: 1, price, channel: 'Google', url: '', dateTime, extra: '' };
  return { type: 'bid', bid: b };
}

function timeOf(e: NexmarkEvent): number {
  return e.type === 'bid' ? e.bid.dateTime : e.type === 'auction' ? e.auction.dateTime : e.person.dateTime;
}

describe('q6 on the engine', () => {
  it('applies one seller’s auctions closing at the same time in auction id order, at parallelism 2', async () => {
    const closeAt = T0 + 5_000;
    const events: NexmarkEvent[] = [
      auction(104, 7, closeAt),
      auction(102, 7, closeAt),
      auction(101, 7, closeAt),
      auction(103, 7, closeAt),
      auction(105, 7, T0 + 6_000),
      auction(201, 8, T0 + 3_000),
      auction(202, 8, T0 + 8_000),
      bid(104, 800, T0 + 1_000),
      bid(101, 100, T0 + 1_100),
      bid(103, 200, T0 + 1_200),
      bid(102, 900, T0 + 1_300),
      bid(102, 10, T0 + 1_400), // lower: not the winner
      bid(201, 50, T0 + 2_000),
      bid(105, 300, T0 + 5_500),
      bid(202, 70, T0 + 7_000),
      bid(101, 999_999, T0 + 5_001), // after auction 101 closed
    ];
    events.sort((a, b) => timeOf(a) - timeOf(b));
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ 'execution.local.mode': 'inline' });
    env.setParallelism(2);
    const stream = env
      .fromCollection(events)
      .assignTimestampsAndWatermarks(
        WatermarkStrategy.forMonotonousTimestamps<NexmarkEvent>().withTimestampAssigner(timeOf),
      )
      .setParallelism(1);
    const rows = await q6(stream).executeAndCollect('q6 ties');
    const sorted = (xs: readonly { seller: number; avgPrice: number }[]) =>
      [...xs].sort((a, b) => a.seller - b.seller || a.avgPrice - b.avgPrice);
    // Seller 7 in closing order 101, 102, 103, 104 (tie on expires, by id), then 105:
    // 100, (100 + 900) / 2, (100 + 900 + 200) / 3, (... + 800) / 4, (... + 300) / 5.
    // In id order descending the first rows would be 800, 500, 633.
    const expected = [
      { seller: 7, avgPrice: 100 },
      { seller: 7, avgPrice: 500 },
      { seller: 7, avgPrice: 400 },
      { seller: 7, avgPrice: 500 },
      { seller: 7, avgPrice: 460 },
      { seller: 8, avgPrice: 50 },
      { seller: 8, avgPrice: 60 },
    ];
    expect(reference(events)).toEqual(expected);
    expect(sorted(rows)).toEqual(sorted(expected));
  });
});
