// CI smoke test of the Nexmark benchmark: every query implemented on the engine runs on a small
// stream at parallelism 1 and 2 on worker threads, and its result must equal the reference's as a
// multiset (changelogs applied). Correctness only: no timing is asserted here (see RESULTS.md).
import { describe, expect, it } from 'vitest';
import { generateEvents, type NexmarkEvent } from '../../src/index.ts';
import { runJobModule } from '../../src/testing/index.ts';
import type { NexmarkJobSpec } from './nexmark-job.ts';
import { ENGINE_QUERIES, type EngineQuery } from './nexmark-queries.ts';
import type { ChangelogRow } from './queries/nexmark-streams.ts';
import { ResultDigest } from './result-digest.ts';

const EVENTS = 20_000;
/**
 * 500 events per second of event time: the stream spans 40 s (4 tumbling windows, 20 sliding ones,
 * auctions that close). Small splits, so that both readers at parallelism 2 read several.
 */
const GENERATOR = { numEvents: EVENTS, firstEventRate: 500 };
const SOURCE = { ...GENERATOR, splitSize: 3_000 };
const JOB = new URL('./nexmark-job.ts', import.meta.url);
// Jobs run concurrently (vitest's maxConcurrency, 5): most of a small job is starting its worker
// threads. runJobModule is safe to call concurrently (the program is taken synchronously).

function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonical(obj[k])}`)
    .join(',')}}`;
}

/** The final rows of a result: a changelog applied, as sorted canonical strings. */
function materialize(rows: readonly object[], changelog: boolean): string[] {
  if (!changelog) return rows.map(canonical).sort();
  const counts = new Map<string, number>();
  for (const change of rows as ChangelogRow<object>[]) {
    const key = canonical(change.row);
    const n = (counts.get(key) ?? 0) + (change.kind === '-U' || change.kind === '-D' ? -1 : 1);
    if (n === 0) counts.delete(key);
    else counts.set(key, n);
  }
  const out: string[] = [];
  for (const [key, n] of counts) {
    expect(n, `a retraction without an earlier insert of ${key}`).toBeGreaterThan(0);
    for (let i = 0; i < n; i++) out.push(key);
  }
  return out.sort();
}

async function runOnEngine(q: EngineQuery, parallelism: number): Promise<object[]> {
  const spec: NexmarkJobSpec = {
    query: q.name,
    parallelism,
    source: SOURCE,
    mode: 'collect',
    channel: `nexmark-test-${process.pid}-${q.name}-${parallelism}`,
    latency: false,
  };
  return (await runJobModule<object[]>(JOB, [JSON.stringify(spec)])) ?? [];
}

describe('Nexmark on the engine', () => {
  const events: NexmarkEvent[] = [...generateEvents(GENERATOR, 0, EVENTS)];
  const expected = new Map(
    [...ENGINE_QUERIES.values()].map((q) => [q.name, q.reference(events).map(canonical).sort()]),
  );

  it('has non-trivial reference answers on the test stream', () => {
    for (const [name, rows] of expected) expect(rows.length, name).toBeGreaterThan(0);
    // Windowed queries see several windows.
    expect(new Set(expected.get('q7')?.map((r) => Math.floor(JSON.parse(r).dateTime / 10_000))).size).toBe(4);
    expect(expected.get('q5')?.length).toBeGreaterThanOrEqual(20);
  });

  for (const q of ENGINE_QUERIES.values()) {
    it.concurrent.each([1, 2])(
      `${q.name} at parallelism %i across worker threads equals the reference`,
      async (p) => {
        // A fold (q12) is created before the run: its windows must start after this.
        const fold = q.fold?.create();
        const rows = await runOnEngine(q, p);
        if (fold === undefined) {
          expect(materialize(rows, q.changelog)).toEqual(expected.get(q.name));
          return;
        }
        for (const row of rows) expect(fold.add(row)).toBeUndefined();
        expect([...fold.result()].map(canonical).sort()).toEqual(expected.get(q.name));
      },
    );
  }

  it('digests multisets independently of row order and field order', () => {
    const a = new ResultDigest();
    const b = new ResultDigest();
    a.add({ auction: 1, price: 2.5, extra: 'x' });
    a.add({ auction: 2, price: 3, extra: null as unknown as string });
    b.add({ extra: null, price: 3, auction: 2 });
    b.add({ price: 2.5, extra: 'x', auction: 1 });
    expect(a.value()).toEqual(b.value());
    // Values swapped between rows change the digest.
    const c = new ResultDigest();
    c.add({ auction: 1, price: 3, extra: 'x' });
    c.add({ auction: 2, price: 2.5, extra: null as unknown as string });
    expect(c.value()).not.toEqual(a.value());
    c.add({ auction: 1, price: 3, extra: 'x' }, -1);
    expect(c.value().rows).toBe(1);
  });
});
