// Bundles a job file into one ES module (esbuild), whatever its folder, its package.json and its
// module format. The job's own code and its npm dependencies go into the bundle; the engine stays
// external (`sluice`, `sluice/src/...`) so that every client, JobManager and TaskManager links it
// to its own installation. An inline source map keeps the job's files and lines in stack traces.
import { readFile } from 'node:fs/promises';
import { dirname, extname, isAbsolute, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type OutputFile, type Plugin } from 'esbuild';
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

/** Namespace of the stand-in modules through which CommonJS code requires the engine. */
const ENGINE_REQUIRE = 'sluice-engine-require';

/**
 * An engine import stays external. A `require()` of the engine (CommonJS job code) cannot: an
 * external require would be resolved at run time from wherever the bundle is written. It goes
 * through a bundled stand-in module that re-exports the engine with an ES import instead.
 */
function external(spec: string, kind: string): { path: string; external?: boolean; namespace?: string } {
  return kind === 'require-call' || kind === 'require-resolve'
    ? { path: spec, namespace: ENGINE_REQUIRE }
    : { path: spec, external: true };
}

const keepEngineExternal: Plugin = {
  name: 'sluice-engine-external',
  setup(b) {
    b.onResolve({ filter: /^sluice(\/.*)?$/ }, (args) => external(args.path, args.kind));
    b.onResolve({ filter: /^(\.|\/)/ }, (args) => {
      if (args.namespace === ENGINE_REQUIRE) return undefined;
      const spec = engineSpecifier(resolve(args.resolveDir, args.path));
      return spec === undefined ? undefined : external(spec, args.kind);
    });
    b.onLoad({ filter: /.*/, namespace: ENGINE_REQUIRE }, (args) => ({
      contents: `export * from ${JSON.stringify(args.path)};`,
      loader: 'js',
    }));
  },
};

/** What a module's `import.meta.url`, `__dirname` and the like become in the bundle. */
const MODULE_LOCATION = {
  'import.meta.url': '__sluiceModuleUrl',
  'import.meta.filename': '__sluiceModuleFilename',
  'import.meta.dirname': '__sluiceModuleDirname',
  __filename: '__sluiceModuleFilename',
  __dirname: '__sluiceModuleDirname',
};

/**
 * Each module keeps its own location: `new URL('./data.csv', import.meta.url)` (or `__dirname`
 * in CommonJS) names a file beside the job's source, not beside the bundle. A module that uses
 * one gets the three values declared at its start, on its first line (after a `#!` line) so its
 * lines stay put; esbuild renames them apart per module.
 */
const keepModuleLocation: Plugin = {
  name: 'sluice-module-location',
  setup(b) {
    b.onLoad({ filter: /\.[cm]?[jt]sx?$/, namespace: 'file' }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      if (!/import\.meta|__dirname|__filename/.test(text)) return undefined;
      // After a `#!` line, which must stay first.
      const at = text.startsWith('#!') ? text.indexOf('\n') + 1 || text.length : 0;
      const declare =
        `var __sluiceModuleUrl = ${JSON.stringify(pathToFileURL(args.path).href)}, ` +
        `__sluiceModuleFilename = ${JSON.stringify(args.path)}, ` +
        `__sluiceModuleDirname = ${JSON.stringify(dirname(args.path))};`;
      const loader = extname(args.path).slice(1).replace(/^[cm]/, '') as 'js' | 'ts' | 'jsx' | 'tsx';
      return {
        contents: text.slice(0, at) + declare + text.slice(at),
        loader,
        resolveDir: dirname(args.path),
      };
    });
  },
};

/**
 * The bundle's first lines. CommonJS code inside an ES module needs a `require()` (resolving
 * from the job's folder). A bundle run as the program (`process.argv[1]`, in the client and in
 * plan mode) shows the job file there instead, so `process.argv[1]` and `import.meta.url` agree
 * as they would without the bundle (a "run main only when this is the main module" check).
 */
function prologue(path: string): string {
  return [
    "import { createRequire as __sluiceCreateRequire } from 'node:module';",
    "import { fileURLToPath as __sluiceFileURLToPath } from 'node:url';",
    `const require = __sluiceCreateRequire(${JSON.stringify(pathToFileURL(path).href)});`,
    `if (process.argv[1] === __sluiceFileURLToPath(import.meta.url)) process.argv[1] = ${JSON.stringify(path)};`,
  ].join('\n');
}

/**
 * Bundles `file` (TypeScript or JavaScript, ES module or CommonJS syntax) into one ES module with
 * an inline source map whose sources are the job's files as absolute `file:` URLs, so stack
 * traces name them wherever the bundle is written.
 *
 * @example
 * const code = await bundleJob('jobs/word-count.ts');
 */
export async function bundleJob(file: string): Promise<Uint8Array> {
  // Where the map's relative sources are relative to; nothing is written there.
  const outfile = resolve(dirname(resolve(file)), 'sluice-job.mjs');
  let files: OutputFile[];
  try {
    const out = await build({
      entryPoints: [file],
      outfile,
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      write: false,
      logLevel: 'silent',
      sourcemap: 'external',
      sourcesContent: false,
      banner: { js: prologue(resolve(file)) },
      define: MODULE_LOCATION,
      plugins: [keepEngineExternal, keepModuleLocation],
    });
    files = out.outputFiles;
  } catch (e) {
    // esbuild's message names each error's file, line and column; one line for the terminal.
    const message = (e as Error).message.replace(/\s*\n\s*/g, ' ');
    throw new IllegalArgumentError(`cannot bundle job file "${file}": ${message}`, { cause: e });
  }
  const code = files.find((f) => !f.path.endsWith('.map'));
  const mapFile = files.find((f) => f.path.endsWith('.map'));
  if (code === undefined || mapFile === undefined)
    throw new IllegalArgumentError(`cannot bundle job file "${file}": esbuild wrote no module`);
  const map = JSON.parse(mapFile.text) as { sources: string[] };
  map.sources = map.sources.map((s) => pathToFileURL(resolve(dirname(outfile), s)).href);
  // esbuild ends the module with a link to the external map; it becomes the map itself.
  const text = code.text.replace(/\/\/# sourceMappingURL=\S+\s*$/, '');
  const inline = Buffer.from(JSON.stringify(map)).toString('base64');
  return Buffer.from(`${text}//# sourceMappingURL=data:application/json;base64,${inline}\n`);
}
