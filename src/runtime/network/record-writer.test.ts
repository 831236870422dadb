// Channel selection of every partitioner, with recording channels in place of the network.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type StreamEvent, StreamRecord } from '../../core/index.ts';
import type { PartitionerSpec } from '../../plan/index.ts';
import { assignToKeyGroup, computeOperatorIndexForKeyGroup } from '../../state/index.ts';
import type { OutputChannel } from './output-channel.ts';
import { RecordWriter } from './record-writer.ts';

interface Recorded {
  values: unknown[][];
  events: StreamEvent[][];
  channels: OutputChannel[];
}

function recordingChannels(n: number): Recorded {
  const values: unknown[][] = Array.from({ length: n }, () => []);
  const events: StreamEvent[][] = Array.from({ length: n }, () => []);
  const channels = Array.from(
    { length: n },
    (_, i) =>
      ({
        add: (r: StreamRecord) => values[i]!.push(r.value),
        addEvent: (e: StreamEvent) => events[i]!.push(e),
        flush: () => {},
      }) as unknown as OutputChannel,
  );
  return { values, events, channels };
}

function emitAll(spec: PartitionerSpec, n: number, records: unknown[], subtask = 0, maxParallelism = 128) {
  const rec = recordingChannels(n);
  const writer = new RecordWriter(rec.channels, spec, maxParallelism, subtask, '"Target" (uid: t1)');
  const envelope = new StreamRecord<unknown>(undefined);
  for (const v of records) writer.emit(envelope.replace(v));
  return rec;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('RecordWriter', () => {
  it('forward and global send everything to their single channel', () => {
    expect(emitAll({ kind: 'forward' }, 1, [1, 2, 3]).values).toEqual([[1, 2, 3]]);
    expect(emitAll({ kind: 'global' }, 1, [1, 2, 3]).values).toEqual([[1, 2, 3]]);
  });

  it('rebalance and rescale go round-robin, starting at the subtask index', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 0, max: 7 }),
        fc.nat(100),
        (n, subtask, count) => {
          for (const kind of ['rebalance', 'rescale'] as const) {
            const { values } = emitAll({ kind }, n, range(count), subtask);
            const start = subtask % n;
            range(count).forEach((v) => {
              expect(values[(start + v) % n]).toContain(v);
            });
            const sizes = values.map((c) => c.length);
            expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
          }
        },
      ),
    );
  });

  it('shuffle spreads records over every channel', () => {
    const { values } = emitAll({ kind: 'shuffle' }, 4, range(2000));
    expect(values.flat().sort((a, b) => (a as number) - (b as number))).toEqual(range(2000));
    for (const c of values) expect(c.length).toBeGreaterThan(300);
  });

  it('broadcast sends every record to every channel', () => {
    expect(emitAll({ kind: 'broadcast' }, 3, ['a', 'b']).values).toEqual([
      ['a', 'b'],
      ['a', 'b'],
      ['a', 'b'],
    ]);
  });

  it('hash sends a key to the subtask owning its key group', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.string(), fc.integer()), { maxLength: 50 }),
        fc.integer({ min: 1, max: 16 }),
        fc.integer({ min: 16, max: 512 }),
        (keys, n, maxParallelism) => {
          const { values } = emitAll(
            { kind: 'hash', key: ((v: { k: unknown }) => v.k) as never },
            n,
            keys.map((k) => ({ k })),
            0,
            maxParallelism,
          );
          values.forEach((channel, i) => {
            for (const v of channel as { k: unknown }[]) {
              expect(
                computeOperatorIndexForKeyGroup(maxParallelism, n, assignToKeyGroup(v.k, maxParallelism)),
              ).toBe(i);
            }
          });
          expect(values.flat()).toHaveLength(keys.length);
        },
      ),
    );
  });

  it.each([undefined, null])(
    'hash: a key selector returning %s fails naming the operator and the record',
    (bad) => {
      expect(() => emitAll({ kind: 'hash', key: (() => bad) as never }, 2, [{ id: 7 }])).toThrow(
        `keyBy(): key selector returned ${bad} for record {"id":7} in operator "Target" (uid: t1)`,
      );
    },
  );

  it('custom uses the partitioner on the key, and rejects a partition out of range', () => {
    const spec: PartitionerSpec = {
      kind: 'custom',
      key: ((v: number) => v) as never,
      partition: ((k: number, n: number) => k % n) as never,
    };
    expect(emitAll(spec, 3, range(7)).values).toEqual([
      [0, 3, 6],
      [1, 4],
      [2, 5],
    ]);
    const bad: PartitionerSpec = { ...spec, partition: (() => 3) as never };
    expect(() => emitAll(bad, 3, [1])).toThrow(
      /partitioner returned 3 for key 1; expected an integer in \[0, 3\)/,
    );
  });

  it('broadcasts events to every channel', () => {
    const rec = recordingChannels(3);
    const writer = new RecordWriter(rec.channels, { kind: 'rebalance' }, 128, 0, 'x');
    writer.broadcastEvent({ kind: 'watermark', timestamp: 5 });
    expect(rec.events).toEqual([
      [{ kind: 'watermark', timestamp: 5 }],
      [{ kind: 'watermark', timestamp: 5 }],
      [{ kind: 'watermark', timestamp: 5 }],
    ]);
  });
});

describe('RecordWriter.emitRestored (output channel state of an unaligned checkpoint)', () => {
  const writerOf = (spec: PartitionerSpec, n: number) => {
    const rec = recordingChannels(n);
    return { rec, writer: new RecordWriter(rec.channels, spec, 128, 0, '"Target"') };
  };

  it('same shape: back to the channel it was recorded on, whatever the partitioner', () => {
    const { rec, writer } = writerOf({ kind: 'rebalance' }, 3);
    for (const v of [1, 2, 3]) writer.emitRestored(new StreamRecord(v), 2, 3, true);
    expect(rec.values).toEqual([[], [], [1, 2, 3]]);
  });

  it('broadcast at another parallelism: to every new channel continuing the old one (j mod old)', () => {
    const { rec, writer } = writerOf({ kind: 'broadcast' }, 5);
    writer.emitRestored(new StreamRecord('x'), 1, 2, false);
    expect(rec.values).toEqual([[], ['x'], [], ['x'], []]);
  });

  it('keyed at another parallelism: routed by key group as a new record would be', () => {
    const key = (v: number) => v % 10;
    const { rec, writer } = writerOf({ kind: 'hash', key: key as never }, 3);
    for (const v of range(30)) writer.emitRestored(new StreamRecord(v), 0, 2, false);
    rec.values.forEach((values, i) => {
      for (const v of values as number[])
        expect(computeOperatorIndexForKeyGroup(128, 3, assignToKeyGroup(key(v), 128))).toBe(i);
    });
    expect(rec.values.flat()).toHaveLength(30);
  });
});
