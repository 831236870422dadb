// q12's verification fold: the invariants that make a wall-clock-dependent answer checkable, each
// shown to reject the row that breaks it.
import { describe, expect, it } from 'vitest';
import { q12Fold } from './q12.ts';

/** The current 10 s window's start; after a fold's creation, a window it accepts. */
const currentWindow = (): number => Math.floor(Date.now() / 10_000) * 10_000;

describe('q12Fold', () => {
  it('sums the windows of each bidder into its total', () => {
    const acc = q12Fold.create();
    const start = currentWindow();
    expect(acc.add({ bidder: 1, bidCount: 3, starttime: start, endtime: start + 10_000 })).toBeUndefined();
    expect(acc.add({ bidder: 2, bidCount: 1, starttime: start, endtime: start + 10_000 })).toBeUndefined();
    expect(acc.add({ bidder: 1, bidCount: 4, starttime: start - 10_000, endtime: start })).toMatch(
      /outside the run/,
    ); // before the fold was created
    expect(acc.add({ bidder: 1, bidCount: 2, starttime: start, endtime: start + 10_000 })).toMatch(
      /bidder 1 and window \d+ emitted twice/,
    );
    expect([...acc.result()]).toEqual([
      { bidder: 1, bidCount: 3 },
      { bidder: 2, bidCount: 1 },
    ]);
  });

  it('rejects windows that are not aligned 10 s windows, start in the future, or hold no bid', () => {
    const acc = q12Fold.create();
    const start = currentWindow();
    const bad = [
      { bidder: 1, bidCount: 1, starttime: start + 1, endtime: start + 10_001 },
      { bidder: 1, bidCount: 1, starttime: start, endtime: start + 5_000 },
      { bidder: 1, bidCount: 1, starttime: start + 60_000, endtime: start + 70_000 },
      { bidder: 1, bidCount: 0, starttime: start, endtime: start + 10_000 },
      { bidder: 1, bidCount: 1.5, starttime: start, endtime: start + 10_000 },
    ];
    for (const row of bad) expect(acc.add(row), JSON.stringify(row)).toMatch(/^q12: /);
    expect([...acc.result()]).toEqual([]);
  });
});
