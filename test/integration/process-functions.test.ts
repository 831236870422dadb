// Process functions, timers, side outputs, connected streams and broadcast state, at parallelism 1
// and 3 across worker threads (one job run per parallelism covers every check).
import { beforeAll, describe, expect, it } from 'vitest';
import { runJobModule } from '../../src/testing/index.ts';
import type { Tagged } from '../jobs/support.ts';
import { byCheck, job } from './support.ts';

const sortRows = (rows: unknown[]) =>
  [...rows].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));

describe.each([1, 3])('process functions at parallelism %i (worker threads)', (p) => {
  let checks: Map<string, unknown[]>;
  beforeAll(async () => {
    checks = byCheck(await runJobModule<Tagged[]>(job('process-functions'), ['--parallelism', String(p)]));
  });
  const get = (check: string) => sortRows(checks.get(check) ?? []);

  it('ProcessFunction: ctx.timestamp() and side outputs through OutputTag/getSideOutput', () => {
    expect(get('process-main')).toEqual(
      sortRows([
        ['a', 100, 100],
        ['a', 150, 150],
        ['b', 200, 200],
        ['b', 250, 250],
      ]),
    );
    expect(get('process-side')).toEqual(
      sortRows([
        ['b', 255, 255],
        ['c', 301, 301],
      ]),
    );
  });

  it('KeyedProcessFunction: getCurrentKey, ctx.timestamp(), watermark never ahead of an element', () => {
    const elements = get('element') as Array<[string, number, number, number]>;
    expect(elements.map(([k, t, ts]) => [k, t, ts])).toEqual(
      sortRows([
        ['a', 100, 100],
        ['a', 150, 150],
        ['b', 200, 200],
        ['b', 250, 250],
        ['b', 255, 255],
        ['c', 301, 301],
      ]),
    );
    for (const [, t, , watermark] of elements) expect(watermark).toBeLessThan(t);
  });

  it('event-time timers: deduplicated, deletable, all fired at the end of the bounded input', () => {
    expect(get('timer')).toEqual(
      sortRows([
        ['a', 110, 110, 'EVENT_TIME'],
        ['a', 160, 160, 'EVENT_TIME'],
        ['b', 210, 210, 'EVENT_TIME'],
        ['b', 260, 260, 'EVENT_TIME'],
        ['b', 265, 265, 'EVENT_TIME'],
        ['c', 311, 311, 'EVENT_TIME'],
        ['c', 1301, 1301, 'EVENT_TIME'], // c's timeout was not deleted; a's and b's were
      ]),
    );
    expect(get('timer-side')).toEqual(
      sortRows((get('timer') as Array<[string, number]>).map(([k, t]) => [k, t])),
    );
  });

  it('connect: co-map and co-flatMap see both inputs', () => {
    expect(get('comap')).toEqual(sortRows([10, 20, 30, 'x', 'y']));
    expect(get('coflatmap')).toEqual(sortRows([1, 2, 2, 3, 3, 3, 'X', 'Y']));
  });

  it('connect: CoProcessFunction gets each input on its own method, with timestamps', () => {
    expect(get('coprocess')).toEqual(
      sortRows([
        ['1', 100, 100],
        ['1', 150, 150],
        ['1', 200, 200],
        ['1', 250, 250],
        ['1', 255, 255],
        ['1', 301, 301],
        ['2', 'x', null],
        ['2', 'y', null],
      ]),
    );
  });

  it('connect + keyBy: KeyedCoProcessFunction joins both inputs through keyed state', () => {
    expect(get('join')).toEqual(
      sortRows([
        [1, 'book', 10],
        [2, 'pen', 20],
        [3, 'ink', 30],
      ]),
    );
  });

  it('BroadcastProcessFunction: every subtask receives every broadcast element and applies the state', () => {
    expect(get('broadcast')).toEqual(
      sortRows([
        ['odd', 100],
        ['even', 20],
        ['odd', 300],
        ['even', 40],
        ['odd', 500],
        ['even', 60],
      ]),
    );
    const seen = get('broadcast-seen') as Array<[string, number]>;
    expect(seen).toHaveLength(2 * p);
    for (let s = 0; s < p; s++) {
      expect(
        seen
          .filter(([, sub]) => sub === s)
          .map(([r]) => r)
          .sort(),
      ).toEqual(['even', 'odd']);
    }
  });

  it('KeyedBroadcastProcessFunction: applyToKeyedState releases what keys buffered before their rule', () => {
    expect(get('keyed-broadcast')).toEqual(get('broadcast'));
  });
});
