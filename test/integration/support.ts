// Test-side helpers: waiting on conditions (never on time), temporary folders, reading outputs.
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Resolves once `condition` holds; rejects with `what` after `timeoutMs` (a safety net, not a timing assert). */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A fresh temporary directory. */
export function tempDir(prefix = 'sluice-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** The records a JsonLinesSink wrote so far. */
export function readJsonLines<T = unknown>(path: string): T[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as T);
}

/** Groups tagged records by check. */
export function byCheck(rows: ReadonlyArray<readonly [string, unknown]>): Map<string, unknown[]> {
  const out = new Map<string, unknown[]>();
  for (const [check, payload] of rows) {
    const list = out.get(check) ?? [];
    list.push(payload);
    out.set(check, list);
  }
  return out;
}

/** Job module URL under test/jobs. */
export function job(name: string): URL {
  return new URL(`../jobs/${name}.ts`, import.meta.url);
}

/** The lines of a FileSink's committed part files (hidden in-progress and pending files excluded). */
export function readCommittedLines(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => !name.startsWith('.'))
    .sort()
    .flatMap((name) => readFileSync(join(dir, name), 'utf8').split('\n'))
    .filter((l) => l.length > 0);
}

/** Counts of each distinct value (multiset). */
export function multiset<T>(values: Iterable<T>): Map<T, number> {
  const out = new Map<T, number>();
  for (const v of values) out.set(v, (out.get(v) ?? 0) + 1);
  return out;
}
