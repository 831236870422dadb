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

/**
 * Differences between two multisets of lines, for a readable failure: the first 20 missing and
 * extra lines (with how many times) and both sizes. Equal multisets give
 * `{ missing: [], extra: [], counts: [n, n] }`.
 */
export function multisetDifference(actual: readonly string[], expected: readonly string[]) {
  const a = multiset(actual);
  const e = multiset(expected);
  const missing: string[] = [];
  const extra: string[] = [];
  for (const [k, n] of e) if ((a.get(k) ?? 0) < n) missing.push(`${k} ×${n - (a.get(k) ?? 0)}`);
  for (const [k, n] of a) if ((e.get(k) ?? 0) < n) extra.push(`${k} ×${n - (e.get(k) ?? 0)}`);
  return {
    missing: missing.slice(0, 20),
    extra: extra.slice(0, 20),
    counts: [actual.length, expected.length],
  };
}

/**
 * Stops a job with a savepoint into a fresh directory, asking again while some subtask is still
 * being deployed (as a user would).
 */
export async function stopWithSavepointWhenRunning(
  client: { stopWithSavepoint(dir?: string): Promise<string> },
  prefix = 'sluice-sp-',
): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await client.stopWithSavepoint(tempDir(prefix));
    } catch (e) {
      if (attempt >= 50 || !String(e).includes('not all tasks are running')) throw e;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}
