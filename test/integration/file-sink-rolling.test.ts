// FileSink rolling on processing time, as Flink's DefaultRollingPolicy: a part file rolls once it
// has been open for rolloverInterval or idle for inactivityInterval, also when no further record
// arrives (it used to wait for the next record, so the last records before a pause stayed hidden).
import { existsSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  DataGeneratorSource,
  FileSink,
  StreamExecutionEnvironment,
  WatermarkStrategy,
} from '../../src/index.ts';
import { readCommittedLines, tempDir, waitFor } from './support.ts';

/** An unbounded job whose sink gets records 0..4 and then nothing (the source keeps running). */
async function startPausingJob(policy: { rolloverInterval?: number; inactivityInterval?: number }) {
  const out = tempDir('sluice-rolling-');
  const env = StreamExecutionEnvironment.getExecutionEnvironment({ 'execution.local.mode': 'inline' });
  env
    .fromSource(
      new DataGeneratorSource((i) => i, Number.POSITIVE_INFINITY, { recordsPerSecond: 500 }),
      WatermarkStrategy.noWatermarks(),
      'numbers',
    )
    .filter((i) => i < 5)
    .map(String)
    .sinkTo(FileSink.forRowFormat<string>(out).withRollingPolicy(policy).build());
  return { out, client: await env.executeAsync('pausing') };
}

const hidden = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.startsWith('.')) : []);

describe('FileSink rolling on processing time (calling thread, no checkpointing)', () => {
  it('an idle part file rolls after inactivityInterval: the records before the pause become visible', async () => {
    const { out, client } = await startPausingJob({ inactivityInterval: 100 });
    await waitFor(() => readCommittedLines(out).length === 5, 'the 5 records in a committed part file');
    expect(await client.getJobStatus()).toBe('RUNNING');
    expect(readCommittedLines(out)).toEqual(['0', '1', '2', '3', '4']);
    expect(hidden(out)).toEqual([]);
    await client.cancel();
  });

  it('a part file open for rolloverInterval rolls without another record', async () => {
    const { out, client } = await startPausingJob({ rolloverInterval: 150 });
    await waitFor(() => readCommittedLines(out).length === 5, 'the 5 records in a committed part file');
    expect(await client.getJobStatus()).toBe('RUNNING');
    expect(hidden(out)).toEqual([]);
    await client.cancel();
  });

  it('rejects a non-positive inactivityInterval', () => {
    expect(() => FileSink.forRowFormat('/tmp/x').withRollingPolicy({ inactivityInterval: 0 })).toThrow(
      /sizes and intervals must be positive/,
    );
  });
});
