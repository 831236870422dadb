// The `nexmark` source in a user job, through the package entry: after a failure the job restores
// the readers' split positions from the latest checkpoint, so the events after the restore are
// exactly those an uninterrupted run reads next (worker threads; a keyed counter per event type
// shows any event lost or read twice).

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createNexmarkGenerator, type NexmarkEvent } from '../../src/index.ts';
import { runJobModule } from '../../src/testing/index.ts';
import { type NumberedEvent, type RescaleResult, signature } from '../jobs/nexmark-restore.ts';
import { job, multiset, tempDir } from './support.ts';

const EVENTS = 12_000;

/** The uninterrupted stream, per event type in event-number order, as signatures. */
function expectedByType(seed: number): Map<NexmarkEvent['type'], string[]> {
  const out = new Map<NexmarkEvent['type'], string[]>();
  for (const e of createNexmarkGenerator({ numEvents: EVENTS, seed }).events()) {
    const list = out.get(e.type) ?? [];
    list.push(signature(e));
    out.set(e.type, list);
  }
  return out;
}

function byType(rows: readonly NumberedEvent[]): Map<NexmarkEvent['type'], NumberedEvent[]> {
  const out = new Map<NexmarkEvent['type'], NumberedEvent[]>();
  for (const row of rows) out.set(row[0], [...(out.get(row[0]) ?? []), row]);
  for (const list of out.values()) list.sort((a, b) => a[1] - b[1]);
  return out;
}

describe('NexmarkSource: checkpoint, failure and restore in a user job (worker threads)', () => {
  it.each([
    [1, 0],
    [3, 17],
  ])(
    'parallelism %i, seed %i: every event exactly once, resumed at the checkpointed positions',
    async (p, seed) => {
      const rows = await runJobModule<NumberedEvent[]>(job('nexmark-restore'), [
        ...['--parallelism', String(p), '--events', String(EVENTS), '--rate', '6000'],
        ...['--seed', String(seed), '--fail-after', String(Math.floor(EVENTS / p / 4))],
        ...['--checkpoints', tempDir()],
      ]);
      const expected = expectedByType(seed);
      const actual = byType(rows);
      expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
      for (const [type, list] of actual) {
        const want = expected.get(type)!;
        // The keyed counter went 1, 2, 3, ... without a gap or a repetition across the restore.
        expect(
          list.map((r) => r[1]),
          type,
        ).toEqual(want.map((_, i) => i + 1));
        // With one reader the order is the stream's own; with several the same events in some interleaving.
        if (p === 1)
          expect(
            list.map((r) => r[2]),
            type,
          ).toEqual(want);
        else expect(multiset(list.map((r) => r[2])), type).toEqual(multiset(want));
      }
      // The failure happened after a completed checkpoint, and the restored attempt went on from it.
      // No reader went back in event time, before or after the restore.
      expect(rows.filter((r) => r[4])).toEqual([]);
      const restored = rows.filter((r) => r[3] === 1);
      expect(restored.length).toBeGreaterThan(0);
      expect(restored.length).toBeLessThan(rows.length);
    },
  );

  it.each([
    [2, 3],
    [3, 1],
  ])(
    'stopped with a savepoint at parallelism %i, resumed at %i: the rest of the stream, exactly once',
    async (p, q) => {
      const r = await runJobModule<RescaleResult>(job('nexmark-restore'), [
        ...['--mode', 'rescale', '--parallelism', String(p), '--restore-parallelism', String(q)],
        ...['--events', String(EVENTS), '--rate', '2000', '--stop-after', '2000', '--seed', '5'],
        ...['--checkpoints', tempDir(), '--savepoints', tempDir(), '--progress', join(tempDir(), 'p.jsonl')],
      ]);
      const expected = expectedByType(5);
      const before = byType(r.before);
      const after = byType(r.after);
      expect(r.before.length).toBeGreaterThanOrEqual(2_000);
      expect(r.before.length).toBeLessThan(EVENTS);
      for (const [type, want] of expected) {
        const b = before.get(type) ?? [];
        const a = after.get(type) ?? [];
        // The second job's counter goes on from the savepoint's, and together they number every event once.
        expect(
          [...b, ...a].map((row) => row[1]),
          type,
        ).toEqual(want.map((_, i) => i + 1));
        expect(multiset([...b, ...a].map((row) => row[2])), type).toEqual(multiset(want));
      }
      // Each reader reads its splits in ascending order, also after the rescale: event time never goes back.
      expect(r.after.filter((row) => row[4])).toEqual([]);
    },
  );
});
