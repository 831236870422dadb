// Channel URLs against java.util.Random-based output recorded from the Java port (OpenJDK 17).
import { describe, expect, it } from 'vitest';
import { HOT_CHANNELS, NexmarkChannelTable } from './nexmark-channel-table.ts';
import { NexmarkTextGenerator } from './nexmark-text-generator.ts';

const table = (seed: number): NexmarkChannelTable =>
  new NexmarkChannelTable(seed, new NexmarkTextGenerator(true, 0, 0));

describe('NexmarkChannelTable', () => {
  it('names channels and derives each URL from the channel number and the seed', () => {
    const t = table(0);
    expect(HOT_CHANNELS).toEqual(['Google', 'Facebook', 'Baidu', 'Apple']);
    expect(t.hotUrl(0)).toBe('https://www.nexmark.com/jol/liu/fmf/item.htm?query=1');
    expect(t.name(2)).toBe('channel-2');
    expect(t.url(0)).toBe('https://www.nexmark.com/rwn/mkn/abt/item.htm?query=1&channel_id=0');
    expect(t.url(2)).toBe('https://www.nexmark.com/msl/yjp/c_b/item.htm?query=1&channel_id=1073741824');
  });

  it('keeps Java int overflow: Math.abs(Integer.reverse(1)) is Integer.MIN_VALUE', () => {
    expect(table(0).url(1)).toBe(
      'https://www.nexmark.com/gx_/kcbt/prke/item.htm?query=1&channel_id=-2147483648',
    );
  });

  it('returns the same string instances on repeated lookups and differs by seed', () => {
    const t = table(0);
    expect(t.url(42)).toBe(t.url(42));
    expect(table(0).hotUrl(1)).not.toBe(table(2).hotUrl(1));
    expect(table(2).url(0)).toBe('https://www.nexmark.com/ek_/ypdf/vpzn/item.htm?query=1&channel_id=0');
  });
});
