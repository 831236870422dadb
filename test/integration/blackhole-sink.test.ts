import { describe, expect, it } from 'vitest';
import { BlackholeSink, StreamExecutionEnvironment } from '../../src/index.ts';

describe('BlackholeSink', () => {
  it('consumes a bounded stream to the end, running the upstream operators on every record', async () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ 'execution.local.mode': 'inline' });
    env.setParallelism(2);
    const seen: number[] = [];
    env
      .fromSequence(1, 1000)
      .map((x) => {
        seen.push(x);
        return x * 2;
      })
      .sinkTo(new BlackholeSink<number>());
    await env.execute('blackhole');
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
  });
});
