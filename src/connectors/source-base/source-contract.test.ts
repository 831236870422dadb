// The contract every bounded built-in source keeps, driven without a runtime: an enumerator hands
// out splits on request to readers at some parallelism; every record is read exactly once, also
// when the readers and the enumerator are snapshotted midway and the rest is read by new readers
// (at another parallelism) from the restored state, as a restore from a checkpoint does.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type {
  InputStatus,
  ReaderOutput,
  Source,
  SourceReader,
  SourceSplit,
  SplitEnumerator,
} from '../../functions/index.ts';
import { IterableSource } from '../collection/iterable-source.ts';
import { DataGeneratorSource } from '../datagen/data-generator-source.ts';
import { FileSource } from '../file/file-source.ts';
import { generateEvents } from '../nexmark/nexmark-generator.ts';
import { NexmarkSource } from '../nexmark/nexmark-source.ts';
import { NumberSequenceSource } from '../sequence/number-sequence-source.ts';

type AnySource = Source<unknown, SourceSplit, unknown>;

/** Readers and an enumerator wired by queued messages (as across threads: splits are cloned). */
class Harness {
  readonly readers: SourceReader<unknown, SourceSplit>[] = [];
  readonly ended: boolean[] = [];
  readonly enumerator: SplitEnumerator<SourceSplit, unknown>;
  readonly #queue: Array<() => void> = [];
  readonly emitted: unknown[] = [];
  readonly #output: ReaderOutput<unknown>;

  constructor(
    source: AnySource,
    parallelism: number,
    restore?: { enumerator: unknown; splits: SourceSplit[][] },
  ) {
    const ctx = {
      currentParallelism: () => parallelism,
      registeredReaders: () => Array.from({ length: parallelism }, (_, i) => i),
      assignSplit: (split: SourceSplit, subtask: number) =>
        this.#queue.push(() => this.readers[subtask]!.addSplits([structuredClone(split)])),
      signalNoMoreSplits: (subtask: number) =>
        this.#queue.push(() => this.readers[subtask]!.notifyNoMoreSplits()),
    };
    this.enumerator =
      restore === undefined
        ? source.createEnumerator(ctx)
        : source.restoreEnumerator(ctx, restore.enumerator);
    this.#output = {
      collect: (v) => void this.emitted.push(v),
      createOutputForSplit: () => this.#output,
      releaseOutputForSplit: () => {},
    };
    for (let i = 0; i < parallelism; i++) {
      const reader = source.createReader({
        getIndexOfSubtask: () => i,
        currentParallelism: () => parallelism,
        sendSplitRequest: () => this.#queue.push(() => this.enumerator.handleSplitRequest(i)),
      });
      reader.start();
      this.readers.push(reader);
      this.ended.push(false);
      this.enumerator.addReader(i);
    }
    // Restored reader splits go back to the readers (round-robin over the new parallelism).
    for (const [k, split] of (restore?.splits.flat() ?? []).entries()) {
      this.readers[k % parallelism]!.addSplits([structuredClone(split)]);
    }
    void Promise.resolve(this.enumerator.start());
  }

  /** Delivers queued messages. */
  settle(): void {
    while (this.#queue.length > 0) this.#queue.shift()!();
  }

  /** Polls one reader once; returns whether every reader has ended. */
  poll(subtask: number): boolean {
    if (!this.ended[subtask]) {
      const status: InputStatus = this.readers[subtask]!.pollNext(this.#output);
      if (status === 'END_OF_INPUT') this.ended[subtask] = true;
    }
    this.settle();
    return this.ended.every(Boolean);
  }

  /** Polls in the given order first, then round-robin until every reader has ended. */
  runToEnd(order: readonly number[]): void {
    for (const subtask of order) if (this.poll(subtask % this.readers.length)) return;
    for (let i = 0; i < 1_000_000; i++) if (this.poll(i % this.readers.length)) return;
    throw new Error('the readers did not end');
  }
}

const sorted = (xs: unknown[]) => [...xs].map((x) => JSON.stringify(x)).sort();

function runSourceContract(
  name: string,
  make: () => AnySource,
  expected: unknown[],
  options: { parallel: boolean },
): void {
  const parallelism = options.parallel ? fc.integer({ min: 1, max: 5 }) : fc.constant(1);
  describe(`source contract: ${name}`, () => {
    it('reads every record exactly once at any parallelism and poll order', () => {
      fc.assert(
        fc.property(parallelism, fc.array(fc.nat(10), { minLength: 1, maxLength: 20 }), (p, order) => {
          const h = new Harness(make(), p);
          h.runToEnd(order);
          expect(sorted(h.emitted)).toEqual(sorted(expected));
        }),
        { numRuns: 30 },
      );
    });

    it('reads every record exactly once when restored midway from snapshots (at another parallelism)', () => {
      fc.assert(
        fc.property(
          parallelism,
          parallelism,
          fc.array(fc.nat(10), { minLength: 1, maxLength: 20 }),
          fc.nat(60),
          (p, p2, order, pollsBefore) => {
            const first = new Harness(make(), p);
            let done = false;
            for (let i = 0; i < pollsBefore && !done; i++) done = first.poll(order[i % order.length]! % p);
            first.settle();
            const snapshot = structuredClone({
              enumerator: first.enumerator.snapshotState(1),
              splits: first.readers.map((r) => r.snapshotState(1)),
            });
            const before = [...first.emitted];
            // Records the first readers emit after the snapshot are lost with them (a failure).
            const second = new Harness(make(), p2, snapshot);
            second.runToEnd(order);
            expect(sorted([...before, ...second.emitted])).toEqual(sorted(expected));
          },
        ),
        { numRuns: 30 },
      );
    });
  });
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

runSourceContract('IterableSource', () => new IterableSource(range(1, 700)), range(1, 700), {
  parallel: false,
});
runSourceContract(
  'IterableSource over a generator (restarted on restore)',
  () =>
    new IterableSource({
      *[Symbol.iterator]() {
        for (let i = 0; i < 600; i++) yield `g${i}`;
      },
    }),
  range(0, 599).map((i) => `g${i}`),
  { parallel: false },
);
runSourceContract('NumberSequenceSource', () => new NumberSequenceSource(-50, 1200), range(-50, 1200), {
  parallel: true,
});
runSourceContract(
  'DataGeneratorSource',
  () => new DataGeneratorSource((i) => ({ i }), 1000),
  range(0, 999).map((i) => ({ i })),
  { parallel: true },
);
runSourceContract(
  'NexmarkSource',
  () => new NexmarkSource({ numEvents: 1_500, splitSize: 97 }),
  [...generateEvents({ numEvents: 1_500 }, 0, 1_500)],
  { parallel: true },
);

const dir = mkdtempSync(join(tmpdir(), 'sluice-source-contract-'));
mkdirSync(join(dir, 'sub'));
const fileLines = (prefix: string, n: number) =>
  range(1, n).map((i) => `${prefix}-${i} ${'ü'.repeat(i % 50)}`);
writeFileSync(join(dir, 'a.txt'), `${fileLines('a', 900).join('\n')}\n`);
writeFileSync(join(dir, 'sub', 'b.txt'), fileLines('b', 400).join('\r\n'));
writeFileSync(join(dir, 'c.txt'), '');
runSourceContract(
  'FileSource',
  () => FileSource.forTextLines(dir),
  [...fileLines('a', 900), ...fileLines('b', 400)],
  {
    parallel: true,
  },
);
