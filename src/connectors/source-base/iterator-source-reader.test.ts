// The readers built on IteratorSourceReader, through both cursor kinds (iterator and batch):
// every record exactly once, in order, across split boundaries, and the split position in
// snapshots matches what was emitted.
import { describe, expect, it } from 'vitest';
import type { ReaderOutput, SourceReader, SourceSplit } from '../../functions/index.ts';
import { IterableSource } from '../collection/iterable-source.ts';
import { DataGeneratorSource } from '../datagen/data-generator-source.ts';
import { NumberSequenceSource } from '../sequence/number-sequence-source.ts';

function collecting<T>(into: T[]): ReaderOutput<T> {
  const out: ReaderOutput<T> = {
    collect: (v) => void into.push(v),
    createOutputForSplit: () => out,
    releaseOutputForSplit: () => {},
  };
  return out;
}

function readerCtx() {
  return { getIndexOfSubtask: () => 0, currentParallelism: () => 1, sendSplitRequest: () => {} };
}

function drain<T, S extends SourceSplit>(reader: SourceReader<T, S>, splits: S[]): T[] {
  const got: T[] = [];
  const out = collecting(got);
  reader.addSplits(splits);
  reader.notifyNoMoreSplits();
  for (let i = 0; i < 1_000_000; i++) if (reader.pollNext(out) === 'END_OF_INPUT') return got;
  throw new Error('reader did not end');
}

describe('IteratorSourceReader', () => {
  it('reads sequence splits (batch cursor) completely and in order', () => {
    const reader = new NumberSequenceSource(0, 0).createReader(readerCtx());
    const got = drain(reader, [
      { splitId: 'a', next: 5, to: 1000 },
      { splitId: 'b', next: 2000, to: 2000 },
      { splitId: 'c', next: 3000, to: 3512 },
    ]);
    const expected = [
      ...Array.from({ length: 996 }, (_, i) => 5 + i),
      2000,
      ...Array.from({ length: 513 }, (_, i) => 3000 + i),
    ];
    expect(got).toEqual(expected);
  });

  it('snapshots the position of the split being read', () => {
    const reader = new NumberSequenceSource(0, 0).createReader(readerCtx());
    const got: number[] = [];
    reader.addSplits([{ splitId: 'a', next: 0, to: 9999 }]);
    reader.pollNext(collecting(got));
    expect(reader.snapshotState(1)).toEqual([{ splitId: 'a', next: got.length, to: 9999 }]);
  });

  it('generates records by index (batch cursor) across batch boundaries', () => {
    const reader = new DataGeneratorSource((i) => `r${i}`, 0).createReader(readerCtx());
    const got = drain(reader, [
      { splitId: '0', next: 0, end: 700 },
      { splitId: '1', next: 700, end: 701 },
    ]);
    expect(got).toEqual(Array.from({ length: 701 }, (_, i) => `r${i}`));
  });

  it('reads an iterable (iterator cursor) lazily', () => {
    function* gen(): Generator<number> {
      for (let i = 0; i < 600; i++) yield i * 2;
    }
    const reader = new IterableSource(gen()).createReader(readerCtx());
    expect(drain(reader, [{ splitId: 'collection', position: 0 }])).toEqual(
      Array.from({ length: 600 }, (_, i) => i * 2),
    );
  });
});
