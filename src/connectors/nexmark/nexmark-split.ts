// How a bounded Nexmark stream is divided among parallel source readers: contiguous ranges of
// event numbers, which (events being a function of their number) unite to the same stream.

/**
 * A contiguous range of event numbers `[from, to)` read by one source reader, with its position:
 * `next` is the first event not yet emitted (`from <= next <= to`). Plain data (JSON-safe), so it
 * can be checkpointed as is and reassigned to another reader on restore.
 *
 * @example
 * ```ts
 * import type { NexmarkSplit } from './nexmark-split.ts';
 * const split: NexmarkSplit = { id: 'nexmark-0-of-1', from: 0, to: 1000, next: 250 };
 * ```
 */
export interface NexmarkSplit {
  /** Stable id, unique among the splits of one stream. */
  readonly id: string;
  /** First event number of the range. */
  readonly from: number;
  /** One past the last event number of the range. */
  readonly to: number;
  /** First event number not yet emitted; the reader advances it (or replaces the split). */
  next: number;
}

/**
 * Divides event numbers `[0, total)` into `n` contiguous splits whose sizes differ by at most one
 * (the first `total % n` splits get the extra event), each positioned at its start.
 *
 * @param total - number of events, a non-negative safe integer
 * @param n - number of splits, a positive integer
 * @throws RangeError for a bad `total` or `n`, naming the value
 *
 * @example
 * ```ts
 * import { splitEventRange } from './nexmark-split.ts';
 * splitEventRange(10, 3);
 * // [{ id: 'nexmark-0-of-3', from: 0, to: 4, next: 0 },
 * //  { id: 'nexmark-1-of-3', from: 4, to: 7, next: 4 },
 * //  { id: 'nexmark-2-of-3', from: 7, to: 10, next: 7 }]
 * ```
 */
export function splitEventRange(total: number, n: number): NexmarkSplit[] {
  if (!Number.isSafeInteger(total) || total < 0) {
    throw new RangeError(`splitEventRange(): total must be a non-negative safe integer, got ${total}`);
  }
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new RangeError(`splitEventRange(): n must be a positive integer, got ${n}`);
  }
  return Array.from({ length: n }, (_, i) => eventRangeOfSplit(total, n, i));
}

/**
 * Split `i` of {@link splitEventRange}`(total, n)` alone (arguments already checked), so a source
 * can cut its splits one at a time instead of listing them all.
 *
 * @example
 * ```ts
 * import { eventRangeOfSplit } from './nexmark-split.ts';
 * eventRangeOfSplit(10, 3, 1); // { id: 'nexmark-1-of-3', from: 4, to: 7, next: 4 }
 * ```
 */
export function eventRangeOfSplit(total: number, n: number, i: number): NexmarkSplit {
  const base = Math.floor(total / n);
  const extra = total % n;
  const from = i * base + Math.min(i, extra);
  const to = from + base + (i < extra ? 1 : 0);
  return { id: `nexmark-${i}-of-${n}`, from, to, next: from };
}
