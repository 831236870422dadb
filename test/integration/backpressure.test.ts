// Credit-based flow control: a fast unbounded source into a slow sink stays bounded. What the
// source generated minus what the sink received can never exceed what the channel can hold:
// the receiver's credits plus the sender's unsent buffers, each of at most SEGMENT_SIZE records
// (a record takes at least one byte), plus one batch the source emits before it checks for
// credit. Without flow control the source runs hundreds of thousands of records ahead.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { JobClient } from '../../src/index.ts';
import { runJobModule } from '../../src/testing/index.ts';
import { CREDITS, SEGMENT_SIZE } from '../jobs/backpressure.ts';
import { job, readJsonLines, tempDir, waitFor } from './support.ts';

const SOURCE_BATCH = 256;
/** Buffers in flight (credits), being decoded (1) and waiting for credit at the sender (≤ 4). */
const BOUND = (CREDITS + 5) * SEGMENT_SIZE + 2 * SOURCE_BATCH;

describe.each(['inline', 'threads'])('backpressure (%s)', (local) => {
  it('keeps the source within a bound of the slow sink while the job runs', async () => {
    const out = join(tempDir(), 'progress.jsonl');
    const client = await runJobModule<JobClient>(job('backpressure'), ['--local', local, '--out', out]);
    interface Progress {
      received: number;
      maxLag: number;
      generated: number;
    }
    const progress = () => readJsonLines<Progress>(out);
    await waitFor(() => (progress().at(-1)?.received ?? 0) >= 30_000, '30 000 records at the slow sink');
    await client.cancel();
    const last = progress().at(-1)!;
    expect(last.generated).toBeGreaterThan(30_000);
    expect(last.maxLag).toBeGreaterThan(0);
    expect(last.maxLag).toBeLessThanOrEqual(BOUND);
  });
});
