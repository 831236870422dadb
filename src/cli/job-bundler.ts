// Bundles a job file into one ES module for a standalone cluster (esbuild). The job's own code
// and its npm dependencies go into the bundle; the engine stays external (`sluice`,
// `sluice/src/...`) so that every JobManager and TaskManager links it to its own installation.
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { IllegalArgumentError } from '../core/index.ts';

const ENGINE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The engine import for a path inside this engine's `src/` or `dist/`, else undefined. */
function engineSpecifier(path: string): string | undefined {
  const rel = relative(ENGINE_ROOT, path);
  if (rel.startsWith('..') || isAbsolute(rel)) return undefined;
  const parts = rel.split(sep);
  if (parts[0] !== 'src' && parts[0] !== 'dist') return undefined;
  return `sluice/${parts.join('/')}`;
}

const keepEngineExternal: Plugin = {
  name: 'sluice-engine-external',
  setup(b) {
    b.onResolve({ filter: /^sluice(\/.*)?$/ }, (args) => ({ path: args.path, external: true }));
    b.onResolve({ filter: /^(\.|\/)/ }, (args) => {
      const spec = engineSpecifier(resolve(args.resolveDir, args.path));
      return spec === undefined ? undefined : { path: spec, external: true };
    });
  },
};

/**
 * Bundles `file` (TypeScript or JavaScript) into one ES module.
 *
 * @example
 * const code = await bundleJob('jobs/word-count.ts');
 */
export async function bundleJob(file: string): Promise<Uint8Array> {
  try {
    const out = await build({
      entryPoints: [file],
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      write: false,
      logLevel: 'silent',
      // CommonJS dependencies inside an ES module bundle need a require().
      banner: {
        js: "import { createRequire as __sluiceCreateRequire } from 'node:module'; const require = __sluiceCreateRequire(import.meta.url);",
      },
      plugins: [keepEngineExternal],
    });
    return out.outputFiles[0]!.contents;
  } catch (e) {
    throw new IllegalArgumentError(`cannot bundle job file ${file}: ${(e as Error).message}`, { cause: e });
  }
}
