// Windows across worker threads at parallelism > 1 (test/jobs/windows.ts): tumbling, pane-shared
// sliding and session windows with lateness and late data must equal the reference model firing by
// firing; window joins, interval joins and count windows must equal their definitions.
import { beforeAll, describe, expect, it } from 'vitest';
import { runJobModule } from '../../src/testing/index.ts';
import type { Tagged } from '../jobs/support.ts';
import { joinInputs, WINDOW_CHECKS, type WindowEvent, windowJobInput } from '../jobs/windows.ts';
import { byCheck, job } from './support.ts';
import { runWindowModel } from './window-reference-model.ts';

type Result = [key: string, start: number, end: number, values: number[], timestamp: number];

describe.each([3])('windows at parallelism %i (worker threads)', (p) => {
  let checks: Map<string, unknown[]>;
  beforeAll(async () => {
    checks = byCheck(await runJobModule<Tagged[]>(job('windows'), ['--parallelism', String(p)]));
  });
  const input = windowJobInput();
  const firings = (check: string) =>
    ((checks.get(check) ?? []) as Array<[number, Result]>)
      .map(([wm, r]) => JSON.stringify([wm, ...r]))
      .sort();
  const model = (assigner: Parameters<typeof runWindowModel>[1], lateness: number) =>
    runWindowModel(input, assigner, lateness, true);

  it('tumbling windows fire exactly as the model says', () => {
    const expected = model(WINDOW_CHECKS.tumbling, 0)
      .firings.map((f) => JSON.stringify(f))
      .sort();
    expect(expected.length).toBeGreaterThan(50);
    expect(firings('tumbling')).toEqual(expected);
  });

  it('sliding windows (shared pane aggregates) with lateness fire and re-fire exactly as the model says', () => {
    const m = model(WINDOW_CHECKS.sliding, WINDOW_CHECKS.lateness);
    expect(m.firings.some(([wm, , , , , ts]) => wm >= ts)).toBe(true); // late firings happen
    const expected = m.firings.map((f) => JSON.stringify(f)).sort();
    expect(firings('sliding')).toEqual(expected);
  });

  it('session windows with lateness fire, re-fire and send late data exactly as the model says', () => {
    const m = model(WINDOW_CHECKS.session, WINDOW_CHECKS.lateness);
    expect(firings('session')).toEqual(m.firings.map((f) => JSON.stringify(f)).sort());
    const late = ((checks.get('session-late') ?? []) as Array<[number, WindowEvent]>).map(([wm, e]) =>
      JSON.stringify([wm, e.key, e.ts, e.v]),
    );
    expect(m.late.length).toBeGreaterThan(0);
    expect(m.firings.some(([wm, , , , , ts]) => wm >= ts)).toBe(true);
    expect(late.sort()).toEqual(m.late.map((l) => JSON.stringify(l)).sort());
  });

  it('the window join emits every pair of a key in the same tumbling window', () => {
    const { left, right } = joinInputs();
    const expected: string[] = [];
    for (const a of left)
      for (const b of right)
        if (a[0] === b[0] && Math.floor(a[1] / 20) === Math.floor(b[1] / 20))
          expected.push(JSON.stringify([a[1], b[1]]));
    const actual = ((checks.get('join') ?? []) as Array<[number, [number, number]]>).map(([, v]) =>
      JSON.stringify(v),
    );
    expect(expected.length).toBeGreaterThan(10);
    expect(actual.sort()).toEqual(expected.sort());
  });

  it('the interval join emits every pair with left.ts - 4 <= right.ts < left.ts + 6', () => {
    const { left, right } = joinInputs();
    const expected: string[] = [];
    for (const a of left)
      for (const b of right)
        if (a[0] === b[0] && a[1] - 4 <= b[1] && b[1] < a[1] + 6)
          expected.push(JSON.stringify([a[1], b[1], Math.max(a[1], b[1])]));
    const actual = ((checks.get('interval') ?? []) as Array<[number, number[]]>).map(([, v]) =>
      JSON.stringify(v),
    );
    expect(expected.length).toBeGreaterThan(10);
    expect(actual.sort()).toEqual(expected.sort());
  });

  it('count windows sum every 10 elements of a key, in arrival order', () => {
    const perKey = new Map<string, number[]>();
    for (const e of input) perKey.set(e.key, [...(perKey.get(e.key) ?? []), e.v]);
    const expected: number[] = [];
    for (const vs of perKey.values())
      for (let i = 0; i + 10 <= vs.length; i += 10)
        expected.push(vs.slice(i, i + 10).reduce((a, b) => a + b, 0));
    const actual = ((checks.get('count') ?? []) as Array<[number, WindowEvent]>).map(([, e]) => e.v);
    expect(actual.sort((a, b) => a - b)).toEqual(expected.sort((a, b) => a - b));
  });
});
