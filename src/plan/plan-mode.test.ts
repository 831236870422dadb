// Plan mode re-runs a job program to rebuild its plan; a program that fails before its execute()
// call must fail the plan at once, naming the program and the error. Each capture runs the program
// again (new function instances per task attempt), also a top-level program already evaluated.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { capturePlan, isPlanMode } from './plan-mode.ts';

describe('capturePlan', () => {
  it('fails at once when the program throws before reaching its execute() call', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-plan-'));
    const file = join(dir, 'broken-job.mjs');
    writeFileSync(file, 'export default async function main() { throw new Error("no input file"); }\n');
    const url = pathToFileURL(file).href;
    await expect(
      capturePlan({ moduleUrl: url, args: [], executeIndex: 0, configuration: {} }, 30_000),
    ).rejects.toThrow(/failed before execute\(\) #1: no input file/); // not the timeout's message
    expect(isPlanMode()).toBe(false);
  });

  it('runs a top-level program again for every capture (its module is evaluated anew)', async () => {
    const trace = join(mkdtempSync(join(tmpdir(), 'sluice-plan-')), 'trace.txt');
    const program = {
      moduleUrl: new URL('../../test/jobs/cli-top-level.ts', import.meta.url).href,
      args: [trace, 'ok', 'alpha'],
      executeIndex: 0,
      configuration: {},
    };
    const first = await capturePlan(program, 30_000);
    const second = await capturePlan(program, 30_000);
    expect(readFileSync(trace, 'utf8')).toBe('before execute in worker\nbefore execute in worker\n');
    expect(second.fingerprint).toBe(first.fingerprint);
    // Operator factories (and the functions they close over) come from the second run.
    expect(second.nodes.map((n) => n.factory)).not.toContain(first.nodes[1]!.factory);
  });
});
