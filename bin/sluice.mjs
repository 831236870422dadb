#!/usr/bin/env node
// The `sluice` command: uses the compiled engine when it is built, else runs the TypeScript
// sources through tsx (a dependency), so it works straight from a clone.
import { existsSync } from 'node:fs';

// Job bundles carry source maps: a program's errors name its own files and lines.
process.setSourceMapsEnabled(true);

const dist = new URL('../dist/cli/main.js', import.meta.url);
let cli;
if (existsSync(dist)) {
  cli = await import(dist.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import(new URL('../src/cli/main.ts', import.meta.url).href);
}
await cli.main(process.argv);
