// Entry of a slot's worker thread, in plain JavaScript so it loads without a TypeScript loader:
// it registers one when the engine or the job is TypeScript, then starts the slot.
import { workerData } from 'node:worker_threads';

// Job bundles carry source maps: failures name the job's own files and lines.
process.setSourceMapsEnabled(true);

if (workerData.typescript) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(workerData.mainUrl);
