// `npm run bench -- nexmark ...` as a user runs it (a child process of bench/run.ts): bad options are
// one line naming the option and value with exit status 2, and a small run prints one JSON line
// per query with the documented fields and a result equal to the reference's (no timing asserted).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const RUN = fileURLToPath(new URL('../run.ts', import.meta.url));

function bench(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', RUN, 'nexmark', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('npm run bench -- nexmark', () => {
  it.concurrent.each([
    [['--events', '0'], '--events: expected a positive integer, got "0"'],
    [['--rate', 'fast'], '--rate: expected a positive number of events per second, got "fast"'],
    [['--seed', '1.5'], '--seed: expected an integer, got "1.5"'],
    [['--latency'], '--latency needs --rate'],
  ])('rejects %j with a usage error and exit status 2', async (args, message) => {
    const r = await bench(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')[0]).toContain(message);
  });

  it('prints a JSON line verified against the reference, for a seeded odd-sized stream', async () => {
    const r = await bench([
      ...['--query', 'q5', '--events', '997', '--parallelism', '2'],
      ...['--rate', '20000', '--seed=-3', '--split-size', '101'],
    ]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(1);
    const line = lines[0]!;
    expect(line).toMatchObject({ query: 'q5', events: 997, parallelism: 2, rate: 20_000, seed: -3 });
    expect(line.resultsMatchReference).toBe(true);
    expect(line.resultRows).toBeGreaterThan(0);
    for (const field of ['seconds', 'eventsPerSecond', 'cpuSeconds', 'peakRssMb'])
      expect(Number.isFinite(line[field]), field).toBe(true);
  });
});
