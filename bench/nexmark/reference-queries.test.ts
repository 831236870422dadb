// Hand-computed answers for every reference query on tiny inputs, plus the promise the engine's
// checks rely on: answers do not depend on input order.
import { describe, expect, it } from 'vitest';
import {
  type Auction,
  type Bid,
  generateEvents,
  type NexmarkEvent,
  type Person,
} from '../../src/connectors/nexmark/index.ts';
import {
  compareBids,
  nexmarkSideInput,
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
  q13,
  q14,
  q15,
  q16,
  q17,
  q18,
  q19,
  q20,
  q21,
  q22,
  REFERENCE_QUERIES,
} from './reference-queries.ts';

/** 2020-01-01T00:00:00Z, a multiple of every window size used. */
const T0 = Date.UTC(2020, 0, 1);

function person(id: number, fields: Partial<Person> = {}): NexmarkEvent {
  return {
    type: 'person',
    person: {
      id,
      name: `Person ${id}`,
      emailAddress: `p${id}@example.com`,
      creditCard: '0000 0000 0000 0000',
      city: 'Boise',
      state: 'ID',
      dateTime: T0,
      extra: '',
      ...fields,
    },
  };
}

function auction(id: number, fields: Partial<Auction> = {}): NexmarkEvent {
  return {
    type: 'auction',
    auction: {
      id,
      itemName: `item ${id}`,
      description: 'desc',
      initialBid: 100,
      reserve: 100,
      dateTime: T0,
      expires: T0 + 60_000,
      seller: 1000,
      category: 10,
      extra: '',
      ...fields,
    },
  };
}

function bid(auctionId: number, fields: Partial<Bid> = {}): NexmarkEvent {
  return {
    type: 'bid',
    bid: {
      auction: auctionId,
      bidder: 1000,
      price: 100,
      channel: 'Google',
      url: 'https://www.nexmark.com/a/b/c/item.htm?query=1',
      dateTime: T0,
      extra: '',
      ...fields,
    },
  };
}

const bidOf = (e: NexmarkEvent): Bid => (e as { bid: Bid }).bid;

/** Canonical multiset form: rows as JSON with sorted keys, sorted. */
function multiset(rows: readonly unknown[]): string[] {
  return rows.map((r) => JSON.stringify(r, Object.keys(r as object).sort())).sort();
}

describe('q0 and q1: projections of bids', () => {
  const events = [
    person(1000),
    bid(1000, { price: 15, extra: 'x' }),
    auction(1000),
    bid(1001, { price: 100 }),
  ];

  it('q0 passes every bid through, projected, and drops other events', () => {
    expect(q0(events)).toEqual([
      { auction: 1000, bidder: 1000, price: 15, dateTime: T0, extra: 'x' },
      { auction: 1001, bidder: 1000, price: 100, dateTime: T0, extra: '' },
    ]);
  });

  it('q1 converts prices with the exact decimal product rounded once', () => {
    expect(q1(events).map((r) => r.price)).toEqual([13.62, 90.8]);
    expect(0.908 * 15).not.toBe(13.62); // the naive product is one ulp off
  });
});

describe('q2: selection', () => {
  it('keeps bids on auctions divisible by 123', () => {
    const events = [bid(123, { price: 1 }), bid(124, { price: 2 }), bid(246, { price: 3 }), auction(123)];
    expect(q2(events)).toEqual([
      { auction: 123, price: 1 },
      { auction: 246, price: 3 },
    ]);
  });
});

describe('q3: local item suggestion', () => {
  it('joins category-10 auctions with sellers in OR, ID or CA, whichever arrives first', () => {
    const events = [
      auction(2, { seller: 3, category: 10 }), // before its seller
      person(1, { name: 'Ann', city: 'Bend', state: 'OR' }),
      person(2, { name: 'Bob', state: 'WA' }),
      person(3, { name: 'Cat', city: 'Los Angeles', state: 'CA' }),
      auction(1, { seller: 1, category: 10 }),
      auction(3, { seller: 2, category: 10 }), // seller in WA
      auction(4, { seller: 3, category: 11 }), // wrong category
      auction(5, { seller: 99, category: 10 }), // unknown seller
    ];
    expect(multiset(q3(events))).toEqual(
      multiset([
        { name: 'Cat', city: 'Los Angeles', state: 'CA', id: 2 },
        { name: 'Ann', city: 'Bend', state: 'OR', id: 1 },
      ]),
    );
  });
});

describe('q4: average closing price per category', () => {
  it('averages each auction’s best valid bid per category, truncating', () => {
    const open = { dateTime: T0 + 1000, expires: T0 + 5000, reserve: 50 };
    const events = [
      bid(1, { price: 100, dateTime: T0 + 5000 }), // at expires (inclusive), before its auction arrives
      auction(1, { ...open, category: 10 }),
      bid(1, { price: 90, dateTime: T0 + 1000 }), // at opening (inclusive)
      bid(1, { price: 500, dateTime: T0 + 5001 }), // after expiry
      bid(1, { price: 400, dateTime: T0 + 999 }), // before opening
      auction(2, { ...open, category: 10 }),
      bid(2, { price: 101, dateTime: T0 + 2000 }),
      bid(2, { price: 1000, dateTime: T0 + 2000, bidder: 7 }), // winner
      auction(3, { ...open, category: 11, reserve: 300 }),
      bid(3, { price: 299, dateTime: T0 + 2000 }), // below reserve: auction 3 has no winner
      auction(4, { ...open, category: 12 }),
      bid(4, { price: 7, dateTime: T0 + 2000 }), // below reserve 50
      bid(4, { price: 77, dateTime: T0 + 2000 }),
      auction(5, { ...open, category: 12 }),
      bid(5, { price: 80, dateTime: T0 + 2000 }),
    ];
    expect(q4(events)).toEqual([
      { category: 10, avgPrice: 550 }, // (100 + 1000) / 2
      { category: 12, avgPrice: 78 }, // (77 + 80) / 2 = 78.5, truncated
    ]);
  });
});

describe('q5: hot items', () => {
  it('reports the most-bid auctions of each 10 s window sliding by 2 s, ties included', () => {
    const events = [
      bid(1, { dateTime: T0 + 1000 }),
      bid(2, { dateTime: T0 + 1500 }),
      bid(2, { dateTime: T0 + 3000 }),
      bid(1, { dateTime: T0 + 11_000 }),
      person(5, { dateTime: T0 + 50_000 }),
    ];
    const w = (start: number, auction: number, num: number) => ({
      auction,
      num,
      starttime: T0 + start,
      endtime: T0 + start + 10_000,
    });
    expect(q5(events)).toEqual([
      w(-8000, 1, 1),
      w(-8000, 2, 1),
      w(-6000, 2, 2),
      w(-4000, 2, 2),
      w(-2000, 2, 2),
      w(0, 2, 2),
      w(2000, 1, 1),
      w(2000, 2, 1),
      w(4000, 1, 1),
      w(6000, 1, 1),
      w(8000, 1, 1),
      w(10_000, 1, 1),
    ]);
  });
});

describe('q6: average selling price by seller', () => {
  it('averages each closed auction’s final price with the seller’s 10 closed before it, in closing order', () => {
    const events: NexmarkEvent[] = [];
    for (let i = 1; i <= 12; i++) {
      // Auctions 105 and 106 close at the same time: auction id decides (105 first), whatever the input order.
      const expires = T0 + 10_000 + (i === 6 ? 5 : i) * 1000;
      const id = 100 + i;
      events.push(bid(id, { price: i * 100, dateTime: expires - 500 }));
      events.push(bid(id, { price: i * 100 - 1, dateTime: expires - 400 }));
      // Reserve is not checked (auction 101's reserve is above its final price).
      events.push(auction(id, { seller: 7, dateTime: T0, expires, reserve: i === 1 ? 1_000_000 : 1 }));
    }
    events.reverse();
    // No valid bid (before opening, after expiry): no row.
    events.push(auction(113, { seller: 7, dateTime: T0 + 1000, expires: T0 + 30_000 }));
    events.push(
      bid(113, { price: 9_999, dateTime: T0 + 999 }),
      bid(113, { price: 9_999, dateTime: T0 + 30_001 }),
    );
    events.push(
      auction(201, { seller: 8, expires: T0 + 3000 }),
      bid(201, { price: 10, dateTime: T0 + 3000 }),
    );
    events.push(auction(202, { seller: 8, expires: T0 + 4000 }), bid(202, { price: 15, dateTime: T0 }));
    expect(q6(events)).toEqual([
      ...[100, 150, 200, 250, 300, 350, 400, 450, 500, 550].map((avgPrice) => ({ seller: 7, avgPrice })),
      { seller: 7, avgPrice: 600 }, // 11 rows: 100 .. 1100
      { seller: 7, avgPrice: 700 }, // 200 .. 1200 (the frame is the current row and 10 preceding)
      { seller: 8, avgPrice: 10 },
      { seller: 8, avgPrice: 12 }, // 12.5, truncated
    ]);
  });
});

describe('q7: highest bid', () => {
  it('returns the bids at each tumbling window’s maximum price, with [start, end) windows', () => {
    const events = [
      bid(1, { price: 5, dateTime: T0 + 1 }),
      bid(2, { price: 9, dateTime: T0 + 2 }),
      bid(3, { price: 9, dateTime: T0 + 9999 }),
      bid(4, { price: 9, dateTime: T0 + 10_000 }), // next window
      bid(5, { price: 3, dateTime: T0 + 19_999 }),
    ];
    expect(q7(events).map((r) => r.auction)).toEqual([2, 3, 4]);
    expect(q7(events)[0]).toEqual({ auction: 2, bidder: 1000, price: 9, dateTime: T0 + 2, extra: '' });
  });
});

describe('q8: monitor new users', () => {
  it('reports persons who opened an auction in the window they registered in, once per window', () => {
    const events = [
      auction(10, { seller: 3, dateTime: T0 + 4000 }), // before its seller
      person(1, { name: 'Ann', dateTime: T0 + 1000 }),
      auction(11, { seller: 1, dateTime: T0 + 2000 }),
      auction(12, { seller: 1, dateTime: T0 + 3000 }), // second auction: still one row
      person(2, { name: 'Bob', dateTime: T0 + 9000 }),
      auction(13, { seller: 2, dateTime: T0 + 10_000 }), // next window
      person(3, { name: 'Cat', dateTime: T0 + 5000 }),
    ];
    expect(multiset(q8(events))).toEqual(
      multiset([
        { id: 1, name: 'Ann', starttime: T0 },
        { id: 3, name: 'Cat', starttime: T0 },
      ]),
    );
  });
});

describe('q9: winning bids', () => {
  it('picks the highest in-window bid, the earliest on a price tie, ignoring the reserve', () => {
    const a = auction(1, { dateTime: T0 + 1000, expires: T0 + 5000, reserve: 1_000_000 });
    const events = [
      bid(1, { price: 900, dateTime: T0 + 6000 }), // after expiry
      bid(1, { price: 500, dateTime: T0 + 3000, bidder: 2 }),
      bid(1, { price: 500, dateTime: T0 + 2000, bidder: 3, extra: 'winner' }),
      bid(1, { price: 100, dateTime: T0 + 1000 }),
      a,
      auction(2), // no bids
    ];
    expect(q9(events)).toEqual([
      {
        ...(a as { auction: Auction }).auction,
        auction: 1,
        bidder: 3,
        price: 500,
        bidDateTime: T0 + 2000,
        bidExtra: 'winner',
      },
    ]);
  });
});

describe('q10: log to file system', () => {
  it('adds UTC day and hour:minute partition columns', () => {
    const events = [bid(1, { dateTime: T0 + (3 * 60 + 25) * 60_000 + 59_999 }), bid(2, { dateTime: T0 - 1 })];
    expect(q10(events).map((r) => [r.dt, r.hm])).toEqual([
      ['2020-01-01', '03:25'],
      ['2019-12-31', '23:59'],
    ]);
  });
});

describe('q11: user sessions', () => {
  it('groups each bidder’s bids into sessions closed by a gap of more than 10 s', () => {
    const events = [
      bid(1, { bidder: 1, dateTime: T0 + 15_000 }),
      bid(1, { bidder: 1, dateTime: T0 }),
      bid(1, { bidder: 1, dateTime: T0 + 5000 }),
      bid(1, { bidder: 1, dateTime: T0 + 25_001 }), // 10 001 ms after the previous bid
      bid(1, { bidder: 2, dateTime: T0 + 7000 }),
    ];
    // 5000 → 15000 is exactly 10 s: same session, as Flink's inclusive TimeWindow.intersects.
    expect(q11(events)).toEqual([
      { bidder: 1, bidCount: 3, starttime: T0, endtime: T0 + 25_000 },
      { bidder: 1, bidCount: 1, starttime: T0 + 25_001, endtime: T0 + 35_001 },
      { bidder: 2, bidCount: 1, starttime: T0 + 7000, endtime: T0 + 17_000 },
    ]);
  });
});

describe('q12: processing-time windows', () => {
  it('counts every bid of each bidder, whatever window it lands in', () => {
    const events = [
      bid(1, { bidder: 5 }),
      person(5),
      bid(2, { bidder: 3, dateTime: T0 + 60_000 }),
      bid(1, { bidder: 5, dateTime: T0 - 60_000 }),
      auction(1),
    ];
    expect(q12(events)).toEqual([
      { bidder: 3, bidCount: 1 },
      { bidder: 5, bidCount: 2 },
    ]);
  });
});

describe('q13: bounded side input join', () => {
  it('looks up auction mod 10 000 and drops bids without a key', () => {
    const events = [bid(1000, { price: 1 }), bid(12_345, { price: 2 }), bid(20_007, { price: 3 })];
    expect(q13(events).map((r) => [r.auction, r.value])).toEqual([
      [1000, '1000'],
      [12_345, '2345'],
      [20_007, '7'],
    ]);
    const custom = new Map([[2345, 'x']]);
    expect(q13(events, custom)).toEqual([
      { auction: 12_345, bidder: 1000, price: 2, dateTime: T0, value: 'x' },
    ]);
    expect(nexmarkSideInput(3)).toEqual(
      new Map([
        [0, '0'],
        [1, '1'],
        [2, '2'],
      ]),
    );
  });
});

describe('q14: calculation', () => {
  it('filters on the exact euro price and classifies the UTC hour', () => {
    const hour = (h: number): number => T0 + h * 3_600_000;
    const events = [
      bid(1, { price: 1_101_321, dateTime: hour(8) }), // 999 999.468 €: out
      bid(2, { price: 1_101_322, dateTime: hour(7), extra: 'abcc c' }), // 1 000 000.376 €
      bid(3, { price: 55_066_079, dateTime: hour(18) }), // 49 999 999.732 €
      bid(4, { price: 55_066_080, dateTime: hour(8) }), // 50 000 000.64 €: out
      bid(5, { price: 2_000_000, dateTime: hour(19) }),
      bid(6, { price: 2_000_000, dateTime: hour(20) }),
      bid(7, { price: 2_000_000, dateTime: hour(6) + 3_599_999 }),
    ];
    expect(q14(events).map((r) => [r.auction, r.price, r.bidTimeType, r.cCounts])).toEqual([
      [2, 1_000_000.376, 'otherTime', 3],
      [3, 49_999_999.732, 'dayTime', 0],
      [5, 1_816_000, 'otherTime', 0],
      [6, 1_816_000, 'nightTime', 0],
      [7, 1_816_000, 'nightTime', 0],
    ]);
  });
});

describe('q15 and q16: bidding statistics', () => {
  const day2 = T0 + 86_400_000;
  const events = [
    bid(1, { bidder: 1, price: 9_999, dateTime: T0 + 60_000, channel: 'Apple' }),
    bid(1, { bidder: 2, price: 10_000, dateTime: T0 + 120_000, channel: 'Apple' }),
    bid(2, { bidder: 1, price: 999_999, dateTime: T0, channel: 'channel-7' }),
    bid(2, { bidder: 1, price: 1_000_000, dateTime: T0, channel: 'Apple' }),
    bid(3, { bidder: 3, price: 5, dateTime: day2, channel: 'Apple' }),
  ];

  it('q15 counts bids and distinct bidders and auctions per day and price rank', () => {
    expect(q15(events)).toEqual([
      {
        day: '2020-01-01',
        totalBids: 4,
        rank1Bids: 1,
        rank2Bids: 2,
        rank3Bids: 1,
        totalBidders: 2,
        rank1Bidders: 1,
        rank2Bidders: 2,
        rank3Bidders: 1,
        totalAuctions: 2,
        rank1Auctions: 1,
        rank2Auctions: 2,
        rank3Auctions: 1,
      },
      {
        day: '2020-01-02',
        totalBids: 1,
        rank1Bids: 1,
        rank2Bids: 0,
        rank3Bids: 0,
        totalBidders: 1,
        rank1Bidders: 1,
        rank2Bidders: 0,
        rank3Bidders: 0,
        totalAuctions: 1,
        rank1Auctions: 1,
        rank2Auctions: 0,
        rank3Auctions: 0,
      },
    ]);
  });

  it('q16 does the same per channel and day, with the latest minute', () => {
    const rows = q16(events);
    expect(
      rows.map((r) => [r.channel, r.day, r.minute, r.totalBids, r.totalBidders, r.rank2Auctions]),
    ).toEqual([
      ['Apple', '2020-01-01', '00:02', 3, 2, 1],
      ['channel-7', '2020-01-01', '00:00', 1, 1, 1],
      ['Apple', '2020-01-02', '00:00', 1, 1, 0],
    ]);
  });
});

describe('q17: auction statistics', () => {
  it('aggregates prices per auction and day, truncating the average', () => {
    const events = [
      bid(1, { price: 10 }),
      bid(1, { price: 20_001 }),
      bid(1, { price: 2_000_000 }),
      bid(1, { price: 4, dateTime: T0 + 86_400_000 }),
      bid(2, { price: 3 }),
      bid(2, { price: 4 }),
    ];
    expect(q17(events)).toEqual([
      {
        auction: 1,
        day: '2020-01-01',
        totalBids: 3,
        rank1Bids: 1,
        rank2Bids: 1,
        rank3Bids: 1,
        minPrice: 10,
        maxPrice: 2_000_000,
        avgPrice: 673_337,
        sumPrice: 2_020_011,
      },
      {
        auction: 1,
        day: '2020-01-02',
        totalBids: 1,
        rank1Bids: 1,
        rank2Bids: 0,
        rank3Bids: 0,
        minPrice: 4,
        maxPrice: 4,
        avgPrice: 4,
        sumPrice: 4,
      },
      {
        auction: 2,
        day: '2020-01-01',
        totalBids: 2,
        rank1Bids: 2,
        rank2Bids: 0,
        rank3Bids: 0,
        minPrice: 3,
        maxPrice: 4,
        avgPrice: 3,
        sumPrice: 7,
      },
    ]);
  });
});

describe('q18: last bid per bidder and auction', () => {
  it('keeps the latest bid, breaking dateTime ties with compareBids', () => {
    const events = [
      bid(1, { bidder: 1, price: 5, dateTime: T0 + 3000 }),
      bid(1, { bidder: 1, price: 7, dateTime: T0 + 3000 }), // tie on time: greater price wins
      bid(1, { bidder: 1, price: 9, dateTime: T0 + 1000 }),
      bid(1, { bidder: 2, price: 1, dateTime: T0 }),
      bid(2, { bidder: 1, price: 2, dateTime: T0 }),
    ];
    expect(multiset(q18(events))).toEqual(multiset(events.filter((_, i) => i === 1 || i >= 3).map(bidOf)));
  });
});

describe('q19: top 10 bids per auction', () => {
  it('ranks the ten highest bids, earlier first among equal prices', () => {
    const events = Array.from({ length: 12 }, (_, i) =>
      bid(1, { price: i < 2 ? 1000 : i, dateTime: T0 + 100 - i }),
    );
    events.push(bid(2, { price: 5 }));
    const rows = q19(events);
    expect(rows.map((r) => [r.auction, r.rankNumber, r.price, r.dateTime - T0])).toEqual([
      [1, 1, 1000, 99],
      [1, 2, 1000, 100],
      [1, 3, 11, 89],
      [1, 4, 10, 90],
      [1, 5, 9, 91],
      [1, 6, 8, 92],
      [1, 7, 7, 93],
      [1, 8, 6, 94],
      [1, 9, 5, 95],
      [1, 10, 4, 96],
      [2, 1, 5, 0],
    ]);
  });
});

describe('q20: expand bid with auction', () => {
  it('joins bids with category-10 auctions in either arrival order', () => {
    const events = [
      bid(1, { price: 11, dateTime: T0 + 5 }),
      auction(1, { category: 10, itemName: 'lamp', seller: 9 }),
      auction(2, { category: 11 }),
      bid(2, { price: 22 }),
      bid(1, { price: 33 }),
    ];
    const rows = q20(events);
    expect(rows.map((r) => [r.auction, r.price, r.itemName, r.seller, r.bidDateTime - T0])).toEqual([
      [1, 11, 'lamp', 9, 5],
      [1, 33, 'lamp', 9, 0],
    ]);
    expect(Object.keys(rows[0] ?? {})).toEqual([
      'auction',
      'bidder',
      'price',
      'channel',
      'url',
      'bidDateTime',
      'bidExtra',
      'itemName',
      'description',
      'initialBid',
      'reserve',
      'auctionDateTime',
      'expires',
      'seller',
      'category',
      'auctionExtra',
    ]);
  });
});

describe('q21: add channel id', () => {
  it('maps hot channels case-insensitively and extracts channel_id from URLs', () => {
    const events = [
      bid(1, { channel: 'Apple', url: 'https://x/?a=1&channel_id=99' }), // hot channel wins
      bid(2, { channel: 'GOOGLE' }),
      bid(3, { channel: 'channel-5', url: 'https://x/item.htm?query=1&channel_id=123&z=1' }),
      bid(4, { channel: 'channel-6', url: 'https://x/item.htm?query=1' }), // no id: dropped
      bid(5, { channel: 'channel-7', url: 'channel_id=-2147483648' }),
      bid(6, { channel: 'channel-8', url: 'https://x/?xchannel_id=4' }), // not after & or start
    ];
    expect(q21(events).map((r) => [r.auction, r.channelId])).toEqual([
      [1, '0'],
      [2, '1'],
      [3, '123'],
      [5, '-2147483648'],
    ]);
  });
});

describe('q22: URL directories', () => {
  it('takes parts 3, 4 and 5 of the URL split at every slash, null past the end', () => {
    const events = [
      bid(1, { url: 'https://www.nexmark.com/jol/liu/fmf/item.htm?query=1' }),
      bid(2, { url: 'https://www.nexmark.com//b' }),
      bid(3, { url: '' }),
    ];
    expect(q22(events).map((r) => [r.dir1, r.dir2, r.dir3])).toEqual([
      ['jol', 'liu', 'fmf'],
      ['', 'b', null],
      [null, null, null],
    ]);
  });
});

describe('compareBids', () => {
  it('is a total order over all bid fields', () => {
    const a = bidOf(bid(1));
    expect(compareBids(a, { ...a })).toBe(0);
    expect(compareBids(a, { ...a, dateTime: a.dateTime + 1 })).toBeLessThan(0);
    expect(compareBids(a, { ...a, extra: 'z' })).toBeLessThan(0);
    expect(compareBids({ ...a, price: 2 }, { ...a, price: 1, dateTime: a.dateTime + 1 })).toBeLessThan(0);
  });
});

describe('every reference query on generated data', () => {
  const events = [...generateEvents({ firstEventRate: 1000 }, 0, 30_000)];
  // Reverse, then interleave halves: a different arrival order with the same multiset.
  const reversed = [...events].reverse();
  const shuffled = reversed.filter((_, i) => i % 2 === 0).concat(reversed.filter((_, i) => i % 2 === 1));

  for (const [name, query] of Object.entries(REFERENCE_QUERIES)) {
    it(`${name} gives the same multiset for any input order`, () => {
      const expected = query(events);
      expect(expected.length).toBeGreaterThan(0);
      expect(multiset(query(shuffled))).toEqual(multiset(expected));
    });
  }

  it('produces plausible sizes', () => {
    const bids = events.filter((e) => e.type === 'bid').length;
    expect(q0(events)).toHaveLength(bids);
    expect(q10(events)).toHaveLength(bids);
    expect(q22(events)).toHaveLength(bids);
    expect(q2(events).length).toBeLessThan(bids);
    expect(q4(events).every((r) => r.category >= 10 && r.category < 15)).toBe(true);
    expect(q4(events).map((r) => r.category)).toEqual([10, 11, 12, 13, 14]);
  });
});
