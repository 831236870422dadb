// The generator against an independent Java port of Beam's generator (golden events and digests),
// plus the properties sources rely on: determinism, split independence, proportions, timestamps.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  type Auction,
  type Bid,
  createNexmarkGenerator,
  DEFAULT_NEXMARK_BASE_TIME,
  generateEvents,
  type NexmarkEvent,
  type NexmarkOptions,
  nexmarkEventTime,
  type Person,
  splitEventRange,
} from './index.ts';

/** SHA-256 of the events' JSON, one per line, as the Java port printed them. */
function digest(events: Iterable<NexmarkEvent>): string {
  const hash = createHash('sha256');
  for (const e of events) hash.update(`${JSON.stringify(e)}\n`);
  return hash.digest('hex');
}

const persons = (events: NexmarkEvent[]): Person[] =>
  events.flatMap((e) => (e.type === 'person' ? [e.person] : []));
const auctions = (events: NexmarkEvent[]): Auction[] =>
  events.flatMap((e) => (e.type === 'auction' ? [e.auction] : []));
const bids = (events: NexmarkEvent[]): Bid[] => events.flatMap((e) => (e.type === 'bid' ? [e.bid] : []));

describe('createNexmarkGenerator: agreement with the Java generator (exactExtra)', () => {
  // Recorded from a Java port of Beam's Generator/PersonGenerator/AuctionGenerator/BidGenerator using
  // java.util.Random(eventNumber), with nexmark/nexmark's channel draws and our seeded channel URLs.
  const exact = createNexmarkGenerator({ exactExtra: true });

  it('reproduces event 0 (the first person)', () => {
    expect(exact.event(0)).toEqual({
      type: 'person',
      person: {
        id: 1000,
        name: 'Peter Jones',
        emailAddress: 'nhd@xcat.com',
        creditCard: '7241 7320 9143 4888',
        city: 'Portland',
        state: 'WY',
        dateTime: 1577836800000,
        extra:
          'WN_HS_bnpkkiwhwana_L^`KZjdgsid`K]MLU[aaOH`ztxbulvlxtkn_ZZ^T\\mqgdjzvlkymsmfrhkfVYSXK_OY[aVYVKa\\X^]RO]OYguwiduWJNQLLaMLHOTaHY_J[YKWaUOSJN_VHWXZ]`SgbnjqeVVQ\\[[',
      },
    });
  });

  it('reproduces event 4 (the first bid) and event 12345 (a bid from a non-hot channel)', () => {
    expect(exact.event(4)).toEqual({
      type: 'bid',
      bid: {
        auction: 1000,
        bidder: 1001,
        price: 32530001,
        channel: 'Google',
        url: 'https://www.nexmark.com/jol/liu/fmf/item.htm?query=1',
        dateTime: 1577836800000,
        extra: 'sbolvyqwgticfdrwdyiyofziYMU\\Z`UaTQO][NX\\RM]WPYTOuwogvszlx',
      },
    });
    expect(exact.event(12345)).toEqual({
      type: 'bid',
      bid: {
        auction: 1710,
        bidder: 1201,
        price: 31819124,
        channel: 'channel-1375',
        url: 'https://www.nexmark.com/_xk/rmv/gdp/item.htm?query=1&channel_id=90177536',
        dateTime: 1577836801234,
        extra: 'fxwpdhubxcumcctffwU[HZY]qcsizf`ZJO^\\`HJKMayknkupkswmffS]\\ZWHZ]M^S\\fdloyq',
      },
    });
  });

  it('reproduces event 1 (the first auction) field by field', () => {
    const e = exact.event(1);
    expect(e.type).toBe('auction');
    const a = (e as { auction: Auction }).auction;
    expect({ ...a, extra: a.extra.length }).toEqual({
      id: 1000,
      itemName: 'wkx mgee',
      description: 'eszpqxtdxrvwmmywkmogoahf',
      initialBid: 28873,
      reserve: 29448,
      dateTime: 1577836800000,
      expires: 1577836800011,
      seller: 1000,
      category: 13,
      extra: 346,
    });
  });

  it('reproduces the first 10 000 events byte for byte', () => {
    expect(digest(exact.events(0, 10_000))).toBe(
      '305e8d91c4d9033b0503cb76f95daf0059093285cd119845fe300b7738b7903c',
    );
  });

  it('reproduces a seeded, out-of-order, differently paced stream', () => {
    const events = generateEvents(
      { exactExtra: true, seed: 7, outOfOrderGroupSize: 5, firstEventRate: 2500 },
      0,
      3000,
    );
    expect(digest(events)).toBe('1f1698adcbf45ffa5c22ca37022fe8c5dbb8f4e15327e17493a24bf1e0f4be6e');
  });
});

describe('createNexmarkGenerator: fast padding', () => {
  it('differs from the exact stream only in the characters of extra', () => {
    const fast = [...generateEvents({}, 0, 5000)];
    const exact = [...generateEvents({ exactExtra: true }, 0, 5000)];
    const strip = (e: NexmarkEvent): unknown => {
      const record = e.type === 'person' ? e.person : e.type === 'auction' ? e.auction : e.bid;
      return { type: e.type, ...record, extra: record.extra.length };
    };
    expect(fast.map(strip)).toEqual(exact.map(strip));
    expect(fast.some((e, i) => JSON.stringify(e) !== JSON.stringify(exact[i]))).toBe(true);
  });

  it('pads records to the configured average byte sizes', () => {
    const events = [...generateEvents({}, 0, 50_000)];
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    const personSize = mean(
      persons(events).map(
        (p) =>
          8 +
          p.name.length +
          p.emailAddress.length +
          p.creditCard.length +
          p.city.length +
          p.state.length +
          p.extra.length,
      ),
    );
    const auctionSize = mean(
      auctions(events).map((a) => 48 + a.itemName.length + a.description.length + a.extra.length),
    );
    const bidSize = mean(bids(events).map((b) => 32 + b.extra.length));
    expect(personSize).toBeGreaterThan(190);
    expect(personSize).toBeLessThan(210);
    expect(auctionSize).toBeGreaterThan(480);
    expect(auctionSize).toBeLessThan(520);
    expect(bidSize).toBeGreaterThan(95);
    expect(bidSize).toBeLessThan(105);
  });
});

describe('createNexmarkGenerator: the event model', () => {
  const generator = createNexmarkGenerator({ numEvents: 100_000 });
  const events = [...generator.events()];

  it('emits 1 person, 3 auctions and 46 bids in every 50 events, ids counting up from 1000', () => {
    for (let cycle = 0; cycle < 20; cycle++) {
      const types = events.slice(cycle * 50, cycle * 50 + 50).map((e) => e.type);
      expect(types).toEqual(['person', 'auction', 'auction', 'auction', ...new Array(46).fill('bid')]);
    }
    expect(persons(events).map((p) => p.id)).toEqual(Array.from({ length: 2000 }, (_, i) => 1000 + i));
    expect(auctions(events).map((a) => a.id)).toEqual(Array.from({ length: 6000 }, (_, i) => 1000 + i));
  });

  it('honours configured proportions', () => {
    const types = [
      ...generateEvents({ personProportion: 2, auctionProportion: 1, bidProportion: 2 }, 0, 10),
    ].map((e) => e.type);
    expect(types).toEqual([
      'person',
      'person',
      'auction',
      'bid',
      'bid',
      'person',
      'person',
      'auction',
      'bid',
      'bid',
    ]);
  });

  it('stamps event n at baseTime + floor(n / 10) ms at the default 10 000 events/s', () => {
    for (const n of [0, 9, 10, 11, 12_345, 99_999]) {
      const e = events[n] as NexmarkEvent;
      expect(nexmarkEventTime(e)).toBe(DEFAULT_NEXMARK_BASE_TIME + Math.floor(n / 10));
      expect(generator.timestamp(n)).toBe(nexmarkEventTime(e));
      expect(generator.watermark(n)).toBe(nexmarkEventTime(e));
    }
    const fast = createNexmarkGenerator({ firstEventRate: 3, baseTime: 0 });
    expect([0, 1, 2, 3, 4].map((n) => fast.timestamp(n))).toEqual([0, 333, 666, 1000, 1333]);
  });

  it('generates plausible auctions and bids', () => {
    const badAuctions = auctions(events).filter(
      (a) =>
        !(
          a.expires > a.dateTime &&
          a.reserve >= a.initialBid &&
          a.category >= 10 &&
          a.category < 15 &&
          a.seller >= 1000 &&
          a.seller < 1000 + 2000 + 10
        ),
    );
    expect(badAuctions).toEqual([]);
    const all = bids(events);
    const badBids = all.filter(
      (b) => !(b.price >= 100 && b.price <= 100_000_000 && b.url.startsWith('https://www.nexmark.com/')),
    );
    expect(badBids).toEqual([]);
    // Hot auction ratio 2: about half the bids go to the current hot auction (an id divisible by 100).
    const hot = all.filter((b) => (b.auction - 1000) % 100 === 0).length / all.length;
    expect(hot).toBeGreaterThan(0.45);
    expect(hot).toBeLessThan(0.6);
    // Hot channel ratio 2: about half the bids come from the four hot channels.
    const hotChannels = all.filter((b) => !b.channel.startsWith('channel-')).length / all.length;
    expect(hotChannels).toBeGreaterThan(0.45);
    expect(hotChannels).toBeLessThan(0.55);
  });

  it('mostly appends channel_id to non-hot channel URLs, with Java int semantics', () => {
    const channelBids = bids(events).filter((b) => b.channel.startsWith('channel-'));
    const withId =
      channelBids.filter((b) => /(&|^)channel_id=([^&]*)/.test(b.url)).length / channelBids.length;
    expect(withId).toBeGreaterThan(0.85);
    expect(withId).toBeLessThan(0.95);
    const wrongIds = channelBids.filter((b) => {
      const m = /channel_id=(-?\d+)$/.exec(b.url);
      if (m === null) return false;
      const n = Number(b.channel.slice('channel-'.length));
      // Integer.reverse(n), then Math.abs, which leaves Integer.MIN_VALUE negative (channel-1).
      let reversed = 0;
      for (let bit = 0; bit < 32; bit++) reversed = (reversed << 1) | ((n >>> bit) & 1);
      return Number(m[1]) !== (reversed < 0 ? -reversed | 0 : reversed);
    });
    expect(wrongIds).toEqual([]);
  });
});

describe('createNexmarkGenerator: determinism and splits', () => {
  it('depends only on the config and the event number', () => {
    const a = createNexmarkGenerator({ seed: 3 });
    const b = createNexmarkGenerator({ seed: 3 });
    const probe = [77, 5, 1_000_000_000, 49, 0];
    expect(probe.map((n) => a.event(n))).toEqual(probe.map((n) => b.event(n)));
    expect(a.event(12)).toEqual([...b.events(12, 13)][0]);
  });

  it('changes every event with the seed, keeping ids and timestamps', () => {
    const a = [...generateEvents({}, 0, 200)];
    const b = [...generateEvents({ seed: 1 }, 0, 200)];
    expect(a).not.toEqual(b);
    expect(a.map((e) => e.type)).toEqual(b.map((e) => e.type));
    expect(persons(a).map((p) => p.id)).toEqual(persons(b).map((p) => p.id));
    expect(a.map(nexmarkEventTime)).toEqual(b.map(nexmarkEventTime));
  });

  it('seed n shifts the random draws by n event numbers (Beam seeds event n with n)', () => {
    const shifted = createNexmarkGenerator({ seed: 50, exactExtra: true }).event(0);
    const plain = createNexmarkGenerator({ exactExtra: true }).event(50);
    expect(shifted.type).toBe('person');
    expect({ ...(shifted as { person: Person }).person, id: 0, dateTime: 0 }).toEqual({
      ...(plain as { person: Person }).person,
      id: 0,
      dateTime: 0,
    });
  });

  for (const options of [{}, { outOfOrderGroupSize: 7 }] as NexmarkOptions[]) {
    it(`yields the same events for any parallelism (${JSON.stringify(options)})`, () => {
      const total = 5003;
      const whole = [...generateEvents(options, 0, total)];
      for (const parallelism of [1, 2, 3, 8]) {
        const generators = Array.from({ length: parallelism }, () => createNexmarkGenerator(options));
        const union = splitEventRange(total, parallelism).flatMap((s, i) => [
          ...(generators[i] ?? createNexmarkGenerator(options)).events(s.from, s.to),
        ]);
        expect(union).toEqual(whole);
      }
    });
  }

  it('shuffles within out-of-order groups and keeps the watermark below later events', () => {
    const g = 10;
    const generator = createNexmarkGenerator({ outOfOrderGroupSize: g, firstEventRate: 1000 });
    const times = Array.from({ length: 200 }, (_, n) => generator.timestamp(n));
    expect(times).not.toEqual([...times].sort((x, y) => x - y));
    for (let group = 0; group < 20; group++) {
      const got = times.slice(group * g, group * g + g).sort((x, y) => x - y);
      const inOrder = createNexmarkGenerator({ firstEventRate: 1000 });
      expect(got).toEqual(Array.from({ length: g }, (_, i) => inOrder.timestamp(group * g + i)));
    }
    for (let n = 0; n < 200; n++) {
      const w = generator.watermark(n);
      expect(times.slice(n).every((t) => t >= w)).toBe(true);
    }
  });

  it('rejects event numbers outside the stream, naming the value', () => {
    const generator = createNexmarkGenerator({ numEvents: 10 });
    expect(() => generator.event(-1)).toThrow(/event number must be an integer in \[0, 9\], got -1/);
    expect(() => generator.event(10)).toThrow(/got 10/);
    expect(() => generator.event(1.5)).toThrow(/got 1.5/);
    expect(() => generator.events(0, 11)).toThrow(/got 11/);
    expect(() => generator.events(5, 4)).toThrow(/from \(5\) is after to \(4\)/);
    expect([...generator.events()].length).toBe(10);
    expect([...generator.events(10)].length).toBe(0);
  });
});
