// The JobManager's record of its running jobs for high availability (`high-availability.type:
// file`): each submitted job's bundle and run request in a directory, written before the job
// starts and removed when it ends for good. A restarted JobManager reads them back and runs the
// jobs again from their latest completed checkpoints.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type CheckpointMetadata, readMetadata, writeFileAtomic } from '../checkpoint/index.ts';
import type { RunJarRequest } from './dispatcher.ts';

/** A job as the store keeps it. */
export interface StoredJob {
  readonly jobId: string;
  readonly code: Uint8Array;
  readonly request: RunJarRequest;
}

/**
 * Job records in a directory (a shared volume when the JobManager may move between hosts).
 *
 * @example
 * const store = new FileJobStore('/var/sluice/ha');
 * await store.put({ jobId, code, request });
 * for (const job of store.list()) resubmit(job);
 */
export class FileJobStore {
  readonly directory: string;

  constructor(directory: string) {
    this.directory = join(directory, 'jobs');
    mkdirSync(this.directory, { recursive: true });
  }

  /** Records a job (durably: written to a temporary name, synced, renamed). */
  async put(job: StoredJob): Promise<void> {
    const dir = join(this.directory, job.jobId);
    await writeFileAtomic(join(dir, 'bundle.mjs'), job.code);
    await writeFileAtomic(join(dir, 'request.json'), JSON.stringify(job.request));
  }

  /** Forgets a job. */
  remove(jobId: string): void {
    rmSync(join(this.directory, jobId), { recursive: true, force: true });
  }

  /** Every recorded job; incomplete records (a crash while writing) are skipped. */
  list(): StoredJob[] {
    const out: StoredJob[] = [];
    for (const jobId of readdirSync(this.directory)) {
      const dir = join(this.directory, jobId);
      if (!/^[0-9a-f]{32}$/.test(jobId) || !existsSync(join(dir, 'request.json'))) continue;
      try {
        const request = JSON.parse(readFileSync(join(dir, 'request.json'), 'utf8')) as RunJarRequest;
        out.push({ jobId, code: readFileSync(join(dir, 'bundle.mjs')), request });
      } catch {
        // An unreadable record cannot be recovered; it stays for an operator to inspect.
      }
    }
    return out;
  }
}

/**
 * The latest completed checkpoint of job `jobId` under a checkpoint base directory: in
 * `<base>/<jobId>/chk-<n>` or, for later runs of the job, `<base>/run-<g>/<jobId>/chk-<n>`.
 */
export function latestCheckpointOf(
  base: string,
  jobId: string,
): { dir: string; metadata: CheckpointMetadata } | undefined {
  const candidates: string[] = [];
  const collect = (jobDir: string): void => {
    if (!existsSync(jobDir)) return;
    for (const name of readdirSync(jobDir)) if (/^chk-\d+$/.test(name)) candidates.push(join(jobDir, name));
  };
  collect(join(base, jobId));
  if (existsSync(base)) {
    for (const name of readdirSync(base)) if (/^run-\d+$/.test(name)) collect(join(base, name, jobId));
  }
  let best: { dir: string; metadata: CheckpointMetadata } | undefined;
  for (const dir of candidates) {
    try {
      const found = readMetadata(dir);
      if (best === undefined || found.metadata.timestamp > best.metadata.timestamp) best = found;
    } catch {
      // Not completed (no metadata) or corrupt: not a restore point.
    }
  }
  return best;
}
