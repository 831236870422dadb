import { describe, expect, it } from 'vitest';
import type { ReaderOutput, SourceReaderContext, SplitEnumeratorContext } from '../../functions/index.ts';
import type { NexmarkEvent } from './nexmark-event.ts';
import { generateEvents } from './nexmark-generator.ts';
import { NexmarkSource, type NexmarkSourceSplit } from './nexmark-source.ts';

/** An enumerator context that records assignments. */
function enumeratorContext(parallelism: number): {
  ctx: SplitEnumeratorContext<NexmarkSourceSplit>;
  assigned: Array<[number, NexmarkSourceSplit]>;
  finished: number[];
} {
  const assigned: Array<[number, NexmarkSourceSplit]> = [];
  const finished: number[] = [];
  return {
    ctx: {
      currentParallelism: () => parallelism,
      registeredReaders: () => [],
      assignSplit: (split, subtask) => assigned.push([subtask, split]),
      signalNoMoreSplits: (subtask) => finished.push(subtask),
    },
    assigned,
    finished,
  };
}

function collectingOutput(into: Array<[NexmarkEvent, number | undefined]>): ReaderOutput<NexmarkEvent> {
  const output: ReaderOutput<NexmarkEvent> = {
    collect: (value, timestamp) => into.push([value, timestamp]),
    createOutputForSplit: () => output,
    releaseOutputForSplit: () => {},
  };
  return output;
}

/** Drives one reader to the end with a synchronous enumerator. */
function readAll(source: NexmarkSource, parallelism: number): Array<[NexmarkEvent, number | undefined]> {
  const { ctx, assigned, finished } = enumeratorContext(parallelism);
  const enumerator = source.createEnumerator(ctx);
  const out: Array<[NexmarkEvent, number | undefined]> = [];
  let pending = 0;
  const readerCtx: SourceReaderContext = {
    getIndexOfSubtask: () => 0,
    currentParallelism: () => parallelism,
    sendSplitRequest: () => pending++,
  };
  const reader = source.createReader(readerCtx);
  reader.start();
  const output = collectingOutput(out);
  for (let guard = 0; guard < 100_000; guard++) {
    while (pending > 0) {
      pending--;
      enumerator.handleSplitRequest(0);
    }
    while (assigned.length > 0) reader.addSplits([assigned.shift()![1]]);
    if (finished.length > 0) {
      finished.length = 0;
      reader.notifyNoMoreSplits();
    }
    if (reader.pollNext(output) === 'END_OF_INPUT') return out;
  }
  throw new Error('reader did not finish');
}

describe('NexmarkSource', () => {
  it('emits every event once, in order, with its dateTime as timestamp', () => {
    const source = new NexmarkSource({ numEvents: 5_000, splitSize: 700 });
    const out = readAll(source, 3);
    const expected = [...generateEvents({ numEvents: 5_000 }, 0, 5_000)];
    expect(out.map(([e]) => e)).toEqual(expected);
    for (const [e, ts] of out) {
      expect(ts).toBe(
        e.type === 'bid' ? e.bid.dateTime : e.type === 'auction' ? e.auction.dateTime : e.person.dateTime,
      );
    }
  });

  it('cuts at least one split per reader, and ranges on demand when unbounded', () => {
    const bounded = enumeratorContext(4);
    const e1 = new NexmarkSource({ numEvents: 10, splitSize: 1_000 }).createEnumerator(bounded.ctx);
    for (let i = 0; i < 5; i++) e1.handleSplitRequest(i % 4);
    expect(bounded.assigned.map(([, s]) => [s.from, s.to])).toEqual([
      [0, 3],
      [3, 6],
      [6, 8],
      [8, 10],
    ]);
    expect(bounded.finished).toEqual([0]);

    const unbounded = enumeratorContext(2);
    const source = new NexmarkSource({ splitSize: 100 });
    expect(source.getBoundedness()).toBe('CONTINUOUS_UNBOUNDED');
    const e2 = source.createEnumerator(unbounded.ctx);
    e2.handleSplitRequest(0);
    e2.handleSplitRequest(1);
    expect(unbounded.assigned.map(([t, s]) => [t, s.from, s.to])).toEqual([
      [0, 0, 100],
      [1, 100, 200],
    ]);
    expect(e2.snapshotState(1).nextIndex).toBe(2);
  });

  it('cuts splits on request, so a long paced stream has a small enumerator checkpoint', () => {
    // 10^8 events at 1000/s: 10 ms splits of 100 events, a million of them. Listing them all made
    // every enumerator checkpoint ~100 MB (and took seconds to build).
    const source = new NexmarkSource({ numEvents: 100_000_000, eventsPerSecond: 1_000, startTime: 5 });
    const first = enumeratorContext(2);
    const enumerator = source.createEnumerator(first.ctx);
    for (let i = 0; i < 3; i++) enumerator.handleSplitRequest(i % 2);
    const state = enumerator.snapshotState(1);
    expect(JSON.stringify(state).length).toBeLessThan(200);
    const asSplit = (i: number) => {
      const from = 100 * i;
      return { splitId: `nexmark-${i}-of-1000000`, from, to: from + 100, next: from, startTime: 5 };
    };
    expect(first.assigned.map(([, s]) => s)).toEqual([asSplit(0), asSplit(1), asSplit(2)]);
    // A restored enumerator goes on with the next range; a split handed back comes first.
    const second = enumeratorContext(3);
    const restored = source.restoreEnumerator(second.ctx, state);
    restored.addSplitsBack([{ ...asSplit(1), next: 150 }], 1);
    restored.handleSplitRequest(0);
    restored.handleSplitRequest(2);
    expect(second.assigned.map(([, s]) => s)).toEqual([{ ...asSplit(1), next: 150 }, asSplit(3)]);
  });

  it('hands out the listed splits of a checkpoint taken before splits were cut on request', () => {
    const source = new NexmarkSource({ numEvents: 1_000 });
    const { ctx, assigned, finished } = enumeratorContext(1);
    const listed = { splitId: 'nexmark-1-of-2', from: 500, to: 1_000, next: 600 };
    const enumerator = source.restoreEnumerator(ctx, {
      remaining: [listed],
      nextIndex: 0,
      startTime: undefined,
    });
    enumerator.handleSplitRequest(0);
    enumerator.handleSplitRequest(0);
    expect(assigned.map(([, s]) => s)).toEqual([listed]);
    expect(finished).toEqual([0]);
  });

  it('resumes a checkpointed split exactly where it stopped', () => {
    const source = new NexmarkSource({ numEvents: 3_000, splitSize: 3_000 });
    const { ctx, assigned } = enumeratorContext(1);
    source.createEnumerator(ctx).handleSplitRequest(0);
    const reader = source.createReader({
      getIndexOfSubtask: () => 0,
      currentParallelism: () => 1,
      sendSplitRequest: () => {},
    });
    reader.addSplits([assigned[0]![1]]);
    const first: Array<[NexmarkEvent, number | undefined]> = [];
    reader.pollNext(collectingOutput(first));
    reader.pollNext(collectingOutput(first));
    const snapshot = reader.snapshotState(1);
    expect(snapshot).toEqual([{ splitId: 'nexmark-0-of-1', from: 0, to: 3_000, next: first.length }]);

    const restored = source.createReader({
      getIndexOfSubtask: () => 0,
      currentParallelism: () => 1,
      sendSplitRequest: () => {},
    });
    restored.addSplits(snapshot);
    restored.notifyNoMoreSplits();
    const rest: Array<[NexmarkEvent, number | undefined]> = [];
    while (restored.pollNext(collectingOutput(rest)) !== 'END_OF_INPUT');
    expect([...first, ...rest].map(([e]) => e)).toEqual([...generateEvents({ numEvents: 3_000 }, 0, 3_000)]);
  });

  it('reads restored splits in ascending order whatever order they come in (rescaled restore)', () => {
    // After a restore at a lower parallelism a reader may get a later split of one old reader
    // before an earlier split of another; reading them as given made event time go backwards.
    const source = new NexmarkSource({ numEvents: 3_000 });
    const reader = source.createReader({
      getIndexOfSubtask: () => 0,
      currentParallelism: () => 1,
      sendSplitRequest: () => {},
    });
    reader.addSplits([
      { splitId: 'b', from: 1_400, to: 2_100, next: 1_500 },
      { splitId: 'a', from: 0, to: 700, next: 300 },
    ]);
    reader.addSplits([{ splitId: 'c', from: 700, to: 1_400, next: 1_000 }]);
    reader.notifyNoMoreSplits();
    const out: Array<[NexmarkEvent, number | undefined]> = [];
    while (reader.pollNext(collectingOutput(out)) !== 'END_OF_INPUT');
    const all = [...generateEvents({ numEvents: 3_000 }, 0, 3_000)];
    expect(out.map(([e]) => e)).toEqual([
      ...all.slice(300, 700),
      ...all.slice(1_000, 1_400),
      ...all.slice(1_500, 2_100),
    ]);
  });

  it('holds events back until they are due under a rate limit', async () => {
    const startTime = Date.now() + 60_000;
    const source = new NexmarkSource({ numEvents: 100, eventsPerSecond: 1_000, startTime });
    const { ctx, assigned } = enumeratorContext(1);
    source.createEnumerator(ctx).handleSplitRequest(0);
    expect(assigned[0]![1].startTime).toBe(startTime);
    const reader = source.createReader({
      getIndexOfSubtask: () => 0,
      currentParallelism: () => 1,
      sendSplitRequest: () => {},
    });
    reader.addSplits([assigned[0]![1]]);
    const out: Array<[NexmarkEvent, number | undefined]> = [];
    expect(reader.pollNext(collectingOutput(out))).toBe('NOTHING_AVAILABLE');
    expect(out).toHaveLength(0);

    const start = Date.now() - 10;
    const now = new NexmarkSource({ numEvents: 10_000, eventsPerSecond: 1_000, startTime: start });
    const c2 = enumeratorContext(1);
    now.createEnumerator(c2.ctx).handleSplitRequest(0);
    const r2 = now.createReader({
      getIndexOfSubtask: () => 0,
      currentParallelism: () => 1,
      sendSplitRequest: () => {},
    });
    r2.addSplits([c2.assigned[0]![1]]);
    r2.pollNext(collectingOutput(out));
    // Event n is due at start + n ms: at most the events due by now (about 11), not a whole batch
    // of 512 (bounded by the clock after the poll, so a slow machine does not fail the test).
    expect(out.length).toBeGreaterThan(0);
    expect(out.length).toBeLessThanOrEqual(Math.floor(Date.now() - start) + 1);
  });

  it('rejects bad options at construction, naming them', () => {
    expect(() => new NexmarkSource({ numEvents: -1 })).toThrow(/numEvents/);
    expect(() => new NexmarkSource({ eventsPerSecond: 0 })).toThrow(
      /eventsPerSecond must be a positive number, got 0/,
    );
    expect(() => new NexmarkSource({ splitSize: 1.5 })).toThrow(/splitSize/);
    expect(() => new NexmarkSource({ bogus: 1 } as never)).toThrow(/unknown option "bogus"/);
  });
});
