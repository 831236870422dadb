// Job bundles on disk. `sluice run` uploads a job as one ES module (esbuild bundle) whose engine
// imports (`sluice`, `sluice/src/...`) are left external; each JobManager and TaskManager links
// them to its own engine installation — the very modules its slots run, so plan mode and the
// runtime share state — and writes one file per job, so every job re-runs its program afresh.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { IllegalArgumentError } from '../core/index.ts';

const ENGINE_ROOT = new URL('../../', import.meta.url);
const FROM_SOURCE = import.meta.url.endsWith('.ts');

/**
 * The module URL of an engine import of a bundle on this installation: `sluice` is the package
 * entry; `sluice/src/x.ts` and `sluice/dist/x.js` are the same engine file, from whichever of
 * the two this process runs.
 */
export function engineModuleUrl(specifier: string): string {
  if (specifier === 'sluice')
    return new URL(FROM_SOURCE ? 'src/index.ts' : 'dist/index.js', ENGINE_ROOT).href;
  const sub = specifier.slice('sluice/'.length);
  const m = /^(?:src|dist)\/(.+?)(?:\.(?:ts|js|mts|mjs))?$/.exec(sub);
  if (m !== null) return new URL(FROM_SOURCE ? `src/${m[1]}.ts` : `dist/${m[1]}.js`, ENGINE_ROOT).href;
  return new URL(sub, ENGINE_ROOT).href;
}

const linkEngine: Plugin = {
  name: 'sluice-link-engine',
  setup(b) {
    b.onResolve({ filter: /^sluice(\/.*)?$/ }, (args) => ({
      path: engineModuleUrl(args.path),
      external: true,
    }));
  },
};

/** Links a bundle's engine imports to this installation (see {@link engineModuleUrl}). */
export async function linkJobBundle(code: Uint8Array, name = 'job.mjs'): Promise<string> {
  try {
    const out = await build({
      stdin: { contents: Buffer.from(code).toString('utf8'), loader: 'js', sourcefile: name },
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      write: false,
      logLevel: 'silent',
      // Keeps the bundle's own source map (the job's files, as absolute paths below "/").
      sourcemap: 'inline',
      sourcesContent: false,
      absWorkingDir: '/',
      sourceRoot: '/',
      plugins: [linkEngine],
    });
    return out.outputFiles[0]!.text;
  } catch (e) {
    throw new IllegalArgumentError(
      `job bundle ${name} is not a valid JavaScript module: ${(e as Error).message}`,
      {
        cause: e,
      },
    );
  }
}

/**
 * A directory of linked job bundles, one file per job.
 *
 * @example
 * const store = new JobBundleStore('sluice-tm');
 * const moduleUrl = await store.put(jobId, code);
 * store.remove(jobId); store.close();
 */
export class JobBundleStore {
  readonly directory: string;

  constructor(prefix: string, parent = '') {
    const base = parent === '' ? tmpdir() : parent;
    mkdirSync(base, { recursive: true });
    this.directory = mkdtempSync(join(base, `${prefix}-`));
  }

  /** Links and writes a job's bundle; resolves with the module URL to import. */
  async put(id: string, code: Uint8Array): Promise<string> {
    if (!/^[A-Za-z0-9_-]+$/.test(id))
      throw new IllegalArgumentError(`job bundle id ${JSON.stringify(id)} is not valid`);
    const linked = await linkJobBundle(code);
    const dir = join(this.directory, id);
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'job.mjs');
    writeFileSync(file, linked);
    return pathToFileURL(file).href;
  }

  /** Deletes a job's bundle. */
  remove(id: string): void {
    rmSync(join(this.directory, id), { recursive: true, force: true });
  }

  /** Deletes every bundle. */
  close(): void {
    rmSync(this.directory, { recursive: true, force: true });
  }
}
