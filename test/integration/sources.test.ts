// Every built-in source at parallelism 1 and 3 across worker threads; fromCollection's laziness in
// the calling thread, where the test can watch how far a generator was pulled.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DataGeneratorSource, StreamExecutionEnvironment } from '../../src/index.ts';
import { runJobModule } from '../../src/testing/index.ts';
import type { Tagged } from '../jobs/support.ts';
import { byCheck, job, tempDir, waitFor } from './support.ts';

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** A file whose lines cross the reader's 64 KiB chunks, with multi-byte characters on the edges. */
function bigLines(): string[] {
  return Array.from({ length: 3000 }, (_, i) => `${i}:${'é🙂x'.repeat(i % 17)}${'-'.repeat(30)}`);
}

describe.each([1, 3])('sources at parallelism %i (worker threads)', (p) => {
  let checks: Map<string, Array<[unknown, number]>>;
  let folderLines: string[];
  const fileLines = ['first line', '', 'third: ünïcødé 🙂', 'last line without newline'];

  beforeAll(async () => {
    const dir = tempDir();
    const file = join(dir, 'single.txt');
    writeFileSync(file, fileLines.join('\n'));
    const folder = join(dir, 'folder');
    mkdirSync(join(folder, 'nested'), { recursive: true });
    writeFileSync(join(folder, 'a.txt'), 'a1\r\na2\r\n');
    writeFileSync(join(folder, 'nested', 'b.txt'), 'b1\n');
    writeFileSync(join(folder, 'big.txt'), `${bigLines().join('\n')}\n`);
    writeFileSync(join(folder, '.hidden'), 'never read\n');
    writeFileSync(join(folder, '_SUCCESS'), 'never read\n');
    writeFileSync(join(folder, 'empty.txt'), '');
    folderLines = ['a1', 'a2', 'b1', ...bigLines()];
    const rows = await runJobModule<Tagged[]>(job('sources'), [
      '--parallelism',
      String(p),
      '--file',
      file,
      '--folder',
      folder,
    ]);
    checks = byCheck(rows) as Map<string, Array<[unknown, number]>>;
  });

  const values = (check: string) => (checks.get(check) ?? []).map(([v]) => v);
  const subtasks = (check: string) => new Set((checks.get(check) ?? []).map(([, s]) => s));
  const sortedNumbers = (check: string) => (values(check) as number[]).sort((a, b) => a - b);

  // The collecting sink runs at the job's parallelism, so records arrive in no particular order.
  it('fromElements and fromCollection: every element once', () => {
    expect((values('fromElements') as string[]).sort()).toEqual(['a', 'b', 'c']);
    expect(sortedNumbers('fromCollection-generator')).toEqual(range(0, 49).map((i) => i * i));
    expect((values('fromCollection-set') as string[]).sort()).toEqual(['s1', 's2']);
  });

  it('fromSequence: every number exactly once, read in parallel subtasks', () => {
    expect(sortedNumbers('fromSequence')).toEqual(range(1, 1000));
    // Splits are pulled: which subtask reads how many depends on timing, but never outside [0, p).
    for (const s of subtasks('fromSequence')) expect(s >= 0 && s < p).toBe(true);
  });

  it('readTextFile: the lines of a file, and of every visible file under a folder', () => {
    expect((values('readTextFile-file') as string[]).sort()).toEqual([...fileLines].sort());
    expect((values('readTextFile-folder') as string[]).sort()).toEqual([...folderLines].sort());
  });

  it('DataGeneratorSource: every index once, with and without a rate limit, in parallel', () => {
    expect(sortedNumbers('datagen-count')).toEqual(range(0, 299));
    for (const s of subtasks('datagen-count')) expect(s >= 0 && s < p).toBe(true);
    expect(sortedNumbers('datagen-rate')).toEqual(range(0, 59));
  });

  it('FileSource: lines of files and folders, one split per file', () => {
    expect((values('fileSource') as string[]).sort()).toEqual([...folderLines, ...fileLines].sort());
  });
});

describe('fromCollection is lazy (calling thread)', () => {
  it('pulls a generator as the job runs, never materializing it', async () => {
    let pulled = 0;
    function* endless(): Generator<number> {
      for (let i = 0; ; i++) {
        pulled = i + 1;
        yield i;
      }
    }
    let received = 0;
    const env = StreamExecutionEnvironment.getExecutionEnvironment({
      'execution.local.mode': 'inline',
      'taskmanager.network.credits-per-channel': 1,
      'taskmanager.memory.segment-size': 1024,
    });
    env.setParallelism(1);
    env
      .fromCollection(endless())
      .map((x) => x)
      .disableChaining()
      .sinkTo({
        createWriter: () => ({
          write: () => {
            received++;
          },
          flush: () => {},
          close: () => {},
        }),
      });
    const client = await env.executeAsync('endless');
    await waitFor(() => received >= 20_000, '20 000 records at the sink');
    // Pulled only as far as the records in flight: bounded by the network buffers, not the input.
    expect(pulled - received).toBeLessThan(20_000);
    await client.cancel();
    expect(await client.getJobStatus()).toBe('CANCELED');
    const stoppedAt = pulled;
    await new Promise((r) => setImmediate(r));
    expect(pulled).toBe(stoppedAt);
  });
});

describe('DataGeneratorSource options', () => {
  it('rejects options that are not an object, unknown options and bad rates, naming them', () => {
    const gen = (i: number) => i;
    expect(() => new DataGeneratorSource(gen, 10, 2000 as never)).toThrow(
      /options must be an object such as \{ recordsPerSecond: 100 \}, got 2000/,
    );
    expect(() => new DataGeneratorSource(gen, 10, { rate: 5 } as never)).toThrow(
      /unknown option "rate"; the options are: recordsPerSecond/,
    );
    expect(() => new DataGeneratorSource(gen, 10, { recordsPerSecond: 0 })).toThrow(
      /recordsPerSecond must be a positive number, got 0/,
    );
    expect(new DataGeneratorSource(gen, 10, { recordsPerSecond: 5 }).getBoundedness()).toBe('BOUNDED');
  });
});
