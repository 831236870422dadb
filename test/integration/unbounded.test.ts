// Unbounded jobs, watched through their output while they run, then cancelled through the
// JobClient: processing-time timers and idleness, at parallelism 1 and 2 across worker threads.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { JobClient } from '../../src/index.ts';
import { runJobModule } from '../../src/testing/index.ts';
import { job, readJsonLines, tempDir, waitFor } from './support.ts';

async function start(mode: string, p: number): Promise<{ client: JobClient; out: string }> {
  const out = join(tempDir(), 'out.jsonl');
  const client = await runJobModule<JobClient>(job('unbounded'), [
    '--mode',
    mode,
    '--out',
    out,
    '--parallelism',
    String(p),
  ]);
  return { client, out };
}

async function cancel(client: JobClient): Promise<void> {
  await client.cancel();
  expect(await client.getJobStatus()).toBe('CANCELED');
  await expect(client.getJobExecutionResult()).rejects.toMatchObject({ code: 'JOB_CANCELLED' });
}

describe.each([1, 2])('unbounded jobs at parallelism %i (worker threads)', (p) => {
  it('processing-time timers fire with their key, once per registration; deleted ones never', async () => {
    const { client, out } = await start('processing-time', p);
    expect(client.jobId).toMatch(/^[0-9a-f]{32}$/);
    interface Row {
      kind: string;
      key: number;
      at: number;
      deleted?: number;
      domain?: string;
      timestamp?: null;
      seen?: boolean;
    }
    const fired = () => readJsonLines<Row>(out).filter((r) => r.kind === 'fired');
    await waitFor(() => fired().length >= 4, 'a timer for each of the 4 keys');
    expect(await client.getJobStatus()).toBe('RUNNING');
    await cancel(client);
    const rows = readJsonLines<Row>(out);
    const registered = rows.filter((r) => r.kind === 'registered');
    expect(registered.map((r) => r.key).sort()).toEqual([0, 1, 2, 3]);
    // Exactly one firing per key (registered twice: deduplicated), at the registered time; the
    // timer at now + 1 was deleted, or it would have fired before the one at now + 20.
    expect(
      fired()
        .map((r) => r.key)
        .sort(),
    ).toEqual([0, 1, 2, 3]);
    for (const f of fired()) {
      const r = registered.find((x) => x.key === f.key)!;
      expect(f).toEqual({
        kind: 'fired',
        key: f.key,
        at: r.at,
        domain: 'PROCESSING_TIME',
        timestamp: null,
        seen: true,
      });
    }
  });

  it('withIdleness: an idle input does not hold back the watermark of the operator it feeds', async () => {
    const { client, out } = await start('idleness', p);
    const fired = () => readJsonLines<{ at: number; watermark: number; end: boolean }>(out);
    await waitFor(
      () => fired().some((r) => !r.end && r.at >= 100),
      'event-time timers fired by the active input',
    );
    await cancel(client);
    for (const r of fired()) {
      expect(r.end).toBe(false); // the job never ended: these fired on the active input's watermark
      expect(r.watermark).toBeGreaterThanOrEqual(r.at);
    }
  });
});
