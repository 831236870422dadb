// End to end: unaligned checkpoints on a standalone cluster (a JobManager and two TaskManagers as
// real processes). Under backpressure the barriers overtake the buffers waiting on the TCP data
// links between the TaskManagers (priority frames); the REST API reports the checkpoints as
// unaligned with the in-flight data they persisted, and savepoints as aligned.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  eventually,
  killAll,
  type RestJson,
  rest,
  sluice,
  startJobManager,
  startTaskManager,
  submit,
} from './cluster-harness.ts';

describe('standalone cluster: unaligned checkpoints', () => {
  let base = '';
  let port = 0;

  beforeAll(async () => {
    const started = await startJobManager({ SLUICE_SLOT_REQUEST_TIMEOUT: '20000' });
    base = started.base;
    port = started.port;
    await Promise.all([startTaskManager(port, 2), startTaskManager(port, 2)]);
    await eventually(async () =>
      (await rest(base, 'GET', '/overview')).json.taskmanagers === 2 ? true : undefined,
    );
  }, 60_000);

  afterAll(async () => {
    await killAll();
  });

  it('completes unaligned checkpoints with in-flight data across TaskManagers; savepoints stay aligned', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-e2e-unaligned-'));
    try {
      const { jobId } = await submit(`127.0.0.1:${port}`, [
        '-d',
        'test/jobs/cluster-unaligned.ts',
        '4',
        '200',
      ]);
      const completedWithData = await eventually(
        async () => {
          const history = (await rest(base, 'GET', `/jobs/${jobId}/checkpoints`)).json.history as RestJson[];
          return history.find((h) => h.status === 'COMPLETED' && h.persisted_data > 0);
        },
        60_000,
        'an unaligned checkpoint holding in-flight data',
      );
      expect(completedWithData).toMatchObject({
        unaligned: true,
        is_savepoint: false,
        checkpoint_type: 'UNALIGNED_CHECKPOINT',
      });
      const savepoint = sluice(['savepoint', '-m', `127.0.0.1:${port}`, jobId!, join(dir, 'sp')]);
      expect(await savepoint.exited).toBe(0);
      const cps = (await rest(base, 'GET', `/jobs/${jobId}/checkpoints`)).json;
      expect(cps.latest.savepoint).toMatchObject({ is_savepoint: true, unaligned: false, persisted_data: 0 });
      const cancel = sluice(['cancel', '-m', `127.0.0.1:${port}`, jobId!]);
      expect(await cancel.exited).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 150_000);
});
