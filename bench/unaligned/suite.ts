// Suite "unaligned": aligned vs unaligned checkpoints of a job under constant backpressure (a slow
// keyed map behind few, small buffers): how many checkpoints complete, how long they take
// (trigger → durable `_metadata`), and how much in-flight data the unaligned ones persist.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { channelStateSize, decodeTaskState } from '../../src/checkpoint/index.ts';
import { runJobModule } from '../../src/testing/index.ts';
import { type BenchSuite, measure, positiveInt, round } from '../bench-suite.ts';

const usage = `
  --records N      records of the job (default 200000)
  --micros N       microseconds of work per record in the slow operator (default 50)
  --interval MS    checkpoint interval (default 200)
Cases: aligned, unaligned`;

interface Seen {
  readonly id: number;
  readonly durationMs: number;
  readonly bytes: number;
  readonly persisted: number;
}

/** Polls the checkpoint directory for completed checkpoints (with their in-flight bytes). */
function watch(base: string): { stop(): Seen[] } {
  const seen = new Map<string, Seen>();
  const scan = (): void => {
    if (!existsSync(base)) return;
    for (const job of readdirSync(base)) {
      for (const chk of readdirSync(join(base, job))) {
        const dir = join(base, job, chk);
        const file = join(dir, '_metadata');
        if (seen.has(dir) || !existsSync(file)) continue;
        try {
          const meta = JSON.parse(readFileSync(file, 'utf8')) as {
            checkpointId: number;
            timestamp: number;
            files: Array<{ file: string; bytes: number }>;
          };
          let persisted = 0;
          for (const f of meta.files) {
            const path = join(dir, f.file);
            const state = decodeTaskState(readFileSync(path), path).channelState;
            if (state !== undefined) persisted += channelStateSize(state);
          }
          seen.set(dir, {
            id: meta.checkpointId,
            durationMs: statSync(file).mtimeMs - meta.timestamp,
            bytes: meta.files.reduce((n, f) => n + f.bytes, 0),
            persisted,
          });
        } catch {
          // Discarded while being read: skip it.
        }
      }
    }
  };
  const timer = setInterval(scan, 50);
  return {
    stop: () => {
      clearInterval(timer);
      scan();
      return [...seen.values()].sort((a, b) => a.id - b.id);
    },
  };
}

async function run(mode: 'aligned' | 'unaligned', records: number, micros: number, interval: number) {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-unaligned-'));
  const watcher = watch(dir);
  try {
    const m = await measure(() =>
      runJobModule(new URL('./backpressure-job.ts', import.meta.url), [
        String(records),
        String(micros),
        String(interval),
        dir,
        mode,
      ]),
    );
    const seen = watcher.stop();
    const durations = seen.map((s) => s.durationMs).sort((a, b) => a - b);
    const mean = (xs: number[]) =>
      xs.length === 0 ? null : round(xs.reduce((a, b) => a + b, 0) / xs.length, 1);
    return {
      name: mode,
      records,
      microsPerRecord: micros,
      intervalMs: interval,
      jobSeconds: round(m.wallSeconds),
      checkpoints: seen.length,
      meanCheckpointMs: mean(durations),
      medianCheckpointMs:
        durations.length === 0 ? null : round(durations[Math.floor(durations.length / 2)]!, 1),
      maxCheckpointMs: durations.length === 0 ? null : round(durations[durations.length - 1]!, 1),
      meanCheckpointKb: mean(seen.map((s) => s.bytes / 1024)),
      meanPersistedKb: mean(seen.map((s) => s.persisted / 1024)),
    };
  } finally {
    watcher.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const suite: BenchSuite = {
  name: 'unaligned',
  description:
    'aligned vs unaligned checkpoints under backpressure: count, duration, persisted in-flight data',
  usage,
  options: {
    records: { type: 'string', default: '200000' },
    micros: { type: 'string', default: '50' },
    interval: { type: 'string', default: '200' },
  },
  cases(values) {
    const records = positiveInt('records', values.records);
    const micros = positiveInt('micros', values.micros);
    const interval = positiveInt('interval', values.interval);
    return (['aligned', 'unaligned'] as const).map((mode) => ({
      name: mode,
      run: async () => [await run(mode, records, micros, interval)],
    }));
  },
};

export default suite;
