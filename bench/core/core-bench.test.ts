// Smoke test of the core benchmarks: each runs on a few records and must compute the right
// result (never a timing assertion; the numbers are measured with `npm run bench -- core`).
import { describe, expect, it } from 'vitest';
import {
  chainedEngine,
  chainedLoop,
  keyByExchange,
  keyByExpectedChecksum,
  slowSink,
} from './core-benchmarks.ts';

describe('core benchmarks (smoke)', () => {
  it.each(['numbers', 'events', 'json'] as const)(
    'chained %s pipeline matches the hand-written loop',
    async (shape) => {
      const loop = await chainedLoop(shape, 5000);
      const engine = await chainedEngine(shape, 5000);
      expect(loop.sinkRecords).toBe({ numbers: 2500, events: 4000, json: 4448 }[shape]);
      expect(engine.sinkRecords).toBe(loop.sinkRecords);
      expect(engine.checksum).toBe(loop.checksum);
    },
  );

  it('keyBy exchange delivers every record to keyed subtask 1 in another thread', async () => {
    const run = await keyByExchange(5000, 50);
    const [idle, busy] = run.sinks;
    expect(idle!.records).toBe(0);
    expect(busy!.records).toBe(5000);
    expect(run.checksum).toBe(keyByExpectedChecksum(5000, 50));
    expect(run.threads.get('source')).toBeDefined();
    expect(run.threads.get('source')).not.toBe(busy!.threadId);
  });

  it('slow sink receives every record', async () => {
    const run = await slowSink({ records: 3000, sleepEvery: 1000, sleepMillis: 1, payloadChars: 10 });
    expect(run.sinkRecords).toBe(3000);
    expect(run.sinks[1]!.records).toBe(3000);
  });
});
