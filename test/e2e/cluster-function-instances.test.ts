// End to end: on a standalone cluster (a JobManager and a TaskManager as processes) a restarted
// job's functions are new instances too: the TaskManager's slots re-run the job's bundle for the
// new attempt, so a BufferingSink-style function emits every element exactly once after a failure.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../integration/support.ts';
import { BUFFERED_RECORDS, type BufferedRecord } from '../jobs/function-instances.ts';
import { FAST_HEARTBEATS, killAll, sluice, startJobManager, startTaskManager } from './cluster-harness.ts';

describe('function instances on a standalone cluster', () => {
  afterAll(async () => {
    await killAll();
  });

  it('a restarted job runs on new function instances (BufferingSink pattern, exactly once)', async () => {
    const { port } = await startJobManager(FAST_HEARTBEATS);
    await startTaskManager(port, 2, FAST_HEARTBEATS);
    const out = join(tempDir(), 'rows.json');
    const run = sluice([
      'run',
      '-m',
      `127.0.0.1:${port}`,
      'test/jobs/function-instances.ts',
      ...['--check', 'buffering', '--checkpoints', tempDir(), '--out', out],
    ]);
    expect(await run.exited, run.output.stderr).toBe(0);
    const rows = JSON.parse(readFileSync(out, 'utf8')) as BufferedRecord[];
    expect(rows.some(([, attempt]) => attempt === 1)).toBe(true);
    expect(rows.map(([v]) => v).sort((a, b) => a - b)).toEqual(
      Array.from({ length: BUFFERED_RECORDS }, (_, i) => i),
    );
  }, 120_000);
});
