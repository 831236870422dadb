// Plan mode re-runs a job program to rebuild its plan; a program that fails before its execute()
// call must fail the plan at once, naming the program and the error.
import { mkdtempSync, writeFileSync } from 'node:fs';
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
});
