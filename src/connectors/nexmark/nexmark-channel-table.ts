// The bid channels and their URLs (nexmark/nexmark's extension of the Beam spec), made
// deterministic: each channel's URL comes from its own seeded java.util.Random, not from the clock.
import { JavaRandom } from './java-random.ts';
import type { NexmarkTextGenerator } from './nexmark-text-generator.ts';

/** The four hot channels, in the spec's order. */
export const HOT_CHANNELS: readonly string[] = Object.freeze(['Google', 'Facebook', 'Baidu', 'Apple']);
/** Number of non-hot channels: `channel-0` .. `channel-9999`. */
export const CHANNELS_NUMBER = 10_000;

/** Seed of hot channel k's URL is `seed - 1 - k`; of channel i's is `seed - CHANNEL_SEED_OFFSET - i`. */
const CHANNEL_SEED_OFFSET = 1 + HOT_CHANNELS.length;
/** The padding pool's seed; below every channel seed. Event seeds are `>= seed`, so none collide. */
export const EXTRA_POOL_SEED_OFFSET = CHANNEL_SEED_OFFSET + CHANNELS_NUMBER;

const UNDERSCORE = 95;

/** Lazily built channel names and URLs for one generator (names/URLs are shared strings, not per-bid copies). */
export class NexmarkChannelTable {
  readonly #seed: number;
  readonly #text: NexmarkTextGenerator;
  readonly #hotUrls: string[];
  readonly #names: (string | undefined)[] = new Array(CHANNELS_NUMBER);
  readonly #urls: (string | undefined)[] = new Array(CHANNELS_NUMBER);

  constructor(seed: number, text: NexmarkTextGenerator) {
    this.#seed = seed;
    this.#text = text;
    this.#hotUrls = HOT_CHANNELS.map((_, k) => this.#baseUrl(new JavaRandom(seed - 1 - k)));
  }

  /** URL of hot channel `k` (index into {@link HOT_CHANNELS}). */
  hotUrl(k: number): string {
    return this.#hotUrls[k] as string;
  }

  /** `"channel-<i>"`. */
  name(i: number): string {
    return this.#names[i] ?? this.#build(i, 'name');
  }

  /** A base URL; 9 in 10 channels (decided by the channel's own random) append `&channel_id=<id>`. */
  url(i: number): string {
    return this.#urls[i] ?? this.#build(i, 'url');
  }

  #build(i: number, which: 'name' | 'url'): string {
    const random = new JavaRandom(this.#seed - CHANNEL_SEED_OFFSET - i);
    let url = this.#baseUrl(random);
    if (random.nextInt(10) > 0) url += `&channel_id=${javaAbs(reverseBits32(i))}`;
    const name = `channel-${i}`;
    this.#names[i] = name;
    this.#urls[i] = url;
    return which === 'name' ? name : url;
  }

  #baseUrl(random: JavaRandom): string {
    const t = this.#text;
    const a = t.nextString(random, 5, UNDERSCORE);
    const b = t.nextString(random, 5, UNDERSCORE);
    const c = t.nextString(random, 5, UNDERSCORE);
    return `https://www.nexmark.com/${a}/${b}/${c}/item.htm?query=1`;
  }
}

/** Java's `Integer.reverse`: the 32 bits in reverse order, as a signed int. */
function reverseBits32(x: number): number {
  let v = x | 0;
  v = ((v >>> 1) & 0x5555_5555) | ((v & 0x5555_5555) << 1);
  v = ((v >>> 2) & 0x3333_3333) | ((v & 0x3333_3333) << 2);
  v = ((v >>> 4) & 0x0f0f_0f0f) | ((v & 0x0f0f_0f0f) << 4);
  v = ((v >>> 8) & 0x00ff_00ff) | ((v & 0x00ff_00ff) << 8);
  return (v >>> 16) | (v << 16) | 0;
}

/** Java's `Math.abs(int)`, which leaves `Integer.MIN_VALUE` negative. */
function javaAbs(x: number): number {
  return (x < 0 ? -x : x) | 0;
}
