// How jobs run: operator settings seen from inside tasks, FileSink output, print() output, and
// programs with several execute() calls, at parallelism 1 and 2 across worker threads.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runJobModule } from '../../src/testing/index.ts';
import type { Tagged } from '../jobs/support.ts';
import { byCheck, job, tempDir } from './support.ts';

const run = <R>(mode: string, p: number, ...rest: string[]) =>
  runJobModule<R>(job('execution'), ['--mode', mode, '--parallelism', String(p), ...rest]);

describe.each([1, 2])('execution at parallelism %i (worker threads)', (p) => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('name, uid, setParallelism, disableChaining and startNewChain shape the tasks', async () => {
    const checks = byCheck(await run<Tagged[]>('chaining', p));
    const names = (check: string) => new Set(checks.get(check) as string[]);
    const subtasks = (name: string, n: number) =>
      new Set(Array.from({ length: n }, (_, i) => `${name} (${i + 1}/${n})`));
    expect(names('chained')).toEqual(subtasks('Source: numbers -> plus-one -> report-a', p));
    expect(names('after-isolated')).toEqual(subtasks('report-b', p)); // "isolated" chains with nothing
    expect(names('new-chain')).toEqual(subtasks('head -> report-c', p));
    expect(names('narrow')).toEqual(subtasks('report-d', 1));
    for (const check of ['chained', 'after-isolated', 'new-chain', 'narrow'])
      expect(checks.get(check)).toHaveLength(8);
  });

  it('FileSink: committed part files (not hidden), one line per record: strings as they are, others JSON', async () => {
    const dir = tempDir();
    const result = await run<{ jobId: string; netRuntime: number }>('file-sink', p, '--dir', dir);
    expect(result.jobId).toMatch(/^[0-9a-f]{32}$/);
    expect(result.netRuntime).toBeGreaterThanOrEqual(0);
    const files = readdirSync(dir);
    expect(files.length).toBeGreaterThan(p); // parts rolled at 1 KiB
    for (const f of files) expect(f.startsWith('.')).toBe(false);
    const lines = files.flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').slice(0, -1));
    const expected = Array.from({ length: 300 }, (_, k) => {
      const i = k + 1;
      return i % 3 === 0
        ? `line ${i}`
        : i % 3 === 1
          ? JSON.stringify({ i, tag: 'object' })
          : JSON.stringify([i, 'array']);
    });
    expect(lines.sort()).toEqual(expected.sort());
  });

  it('print(): one line per record, prefixed with the subtask when parallel', async () => {
    const written: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    await run('print', p);
    vi.restoreAllMocks();
    const lines = written
      .join('')
      .split('\n')
      .filter((l) => l.length > 0);
    // Strings print as they are, other values as JSON; the tagged sink prints JSON strings.
    const originals: unknown[] = [{ n: 1 }, 's2', { n: 3 }, 's4', { n: 5 }, 's6'];
    const plainValues = originals.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).sort();
    const taggedValues = originals.map((v) => JSON.stringify(v)).sort();
    const plain = lines.filter((l) => !l.startsWith('tagged'));
    const tagged = lines.filter((l) => l.startsWith('tagged'));
    if (p === 1) {
      expect(plain.sort()).toEqual(plainValues);
      expect(tagged.sort()).toEqual(taggedValues.map((v) => `tagged> ${v}`).sort());
    } else {
      for (const l of plain) expect(l).toMatch(/^[12]> /);
      expect(plain.map((l) => l.slice('1> '.length)).sort()).toEqual(plainValues);
      for (const l of tagged) expect(l).toMatch(/^tagged:[12]> /);
      expect(tagged.map((l) => l.slice('tagged:1> '.length)).sort()).toEqual(taggedValues);
    }
  });
});

describe('programs with several jobs (worker threads)', () => {
  const p = 2;

  it('a program may run several jobs one after another; each is rebuilt in the workers', async () => {
    const result = await run<{ first: number[]; second: string[]; third: number[] }>('two-jobs', p);
    expect(result.first.sort((a, b) => a - b)).toEqual([2, 4, 6, 8, 10]);
    expect(result.second.sort()).toEqual(['A', 'B']);
    expect(result.third).toEqual([6]);
  });
});
