import { describe, expect, it } from 'vitest';
import { StreamExecutionEnvironment } from '../../src/index.ts';

interface Click {
  user: string;
  page: string;
  clicks: number;
}

function env(): StreamExecutionEnvironment {
  const e = StreamExecutionEnvironment.getExecutionEnvironment({ 'execution.local.mode': 'inline' });
  e.setParallelism(2);
  return e;
}

const input: Click[] = [
  { user: 'a', page: 'p1', clicks: 2 },
  { user: 'b', page: 'p2', clicks: 5 },
  { user: 'a', page: 'p3', clicks: 3 },
  { user: 'a', page: 'p4', clicks: 1 },
];

describe('keyed rolling aggregations on object fields', () => {
  it('sum() replaces the field with the running sum and keeps the other fields of the first record', async () => {
    const out = await env()
      .fromCollection(input)
      .keyBy((c) => c.user)
      .sum('clicks')
      .executeAndCollect();
    const a = out.filter((c) => c.user === 'a');
    expect(a).toEqual([
      { user: 'a', page: 'p1', clicks: 2 },
      { user: 'a', page: 'p1', clicks: 5 },
      { user: 'a', page: 'p1', clicks: 6 },
    ]);
    expect(Object.keys(a[2]!)).toEqual(['user', 'page', 'clicks']);
    expect(out.filter((c) => c.user === 'b')).toEqual([{ user: 'b', page: 'p2', clicks: 5 }]);
  });

  it('min() and max() keep the running extreme and the field order', async () => {
    const rows = [
      { k: 1, v: 3 },
      { k: 1, v: 1 },
      { k: 1, v: 2 },
    ];
    const e = env();
    const min = await e
      .fromCollection(rows)
      .keyBy((r) => r.k)
      .min('v')
      .executeAndCollect();
    expect(min.map((r) => r.v)).toEqual([3, 1, 1]);
    const max = await env()
      .fromCollection(rows)
      .keyBy((r) => r.k)
      .max('v')
      .executeAndCollect();
    expect(max.map((r) => r.v)).toEqual([3, 3, 3]);
    expect(Object.keys(max[2]!)).toEqual(['k', 'v']);
  });
});
