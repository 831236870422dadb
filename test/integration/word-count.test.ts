import { describe, expect, it } from 'vitest';
import { StreamExecutionEnvironment } from '../../src/index.ts';
import { runJobModule } from '../../src/testing/index.ts';

const lines = ['to be or not to be', 'that is the question'];

function finalCounts(rows: Array<[string, number]>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [w, n] of rows) out[w] = Math.max(out[w] ?? 0, n);
  return out;
}

describe('word count', () => {
  it('runs inline in the calling thread', async () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ 'execution.local.mode': 'inline' });
    env.setParallelism(2);
    const rows = await env
      .fromCollection(lines)
      .flatMap((l) => l.split(' '))
      .map((w): [string, number] => [w, 1])
      .keyBy((t) => t[0])
      .sum(1)
      .executeAndCollect();
    expect(finalCounts(rows)).toEqual({ to: 2, be: 2, or: 1, not: 1, that: 1, is: 1, the: 1, question: 1 });
    expect(rows).toHaveLength(10);
  });

  it.each([1, 3])('runs across worker threads at parallelism %i', async (p) => {
    const rows = await runJobModule<Array<[string, number]>>(
      new URL('../jobs/word-count.ts', import.meta.url),
      [String(p), ...lines],
    );
    expect(finalCounts(rows)).toEqual({ to: 2, be: 2, or: 1, not: 1, that: 1, is: 1, the: 1, question: 1 });
    expect(rows).toHaveLength(10);
  });
});
