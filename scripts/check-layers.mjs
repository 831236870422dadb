// Keeps the architecture honest: a layer under src/ may import only layers below it, and only
// through their index.ts (internal files stay internal). Run by `npm test`.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** Lower rank = lower layer. Equal ranks may not import each other. */
const RANK = {
  core: 0,
  plan: 1,
  state: 2,
  metrics: 2,
  functions: 3,
  runtime: 4,
  formats: 5,
  connectors: 6,
  checkpoint: 3,
  cluster: 7,
  api: 8,
  table: 9,
  testing: 10,
  rest: 10,
  cli: 11,
};

const root = resolve('src');
const files = [];
(function walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (/\.(ts|mts|mjs)$/.test(name)) files.push(p);
  }
})(root);

const problems = [];
const importRe =
  /(?:import|export)\s+(?:type\s+)?(?:[^'"]*?from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
for (const file of files) {
  const rel = relative(root, file);
  const layer = rel.split(sep)[0];
  if (rel === 'index.ts') continue; // the package entry re-exports every layer
  if (!(layer in RANK)) {
    problems.push(`${rel}: folder "${layer}" is not a known layer (add it to scripts/check-layers.mjs)`);
    continue;
  }
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(importRe)) {
    const spec = m[1] ?? m[2];
    if (!spec.startsWith('.')) continue;
    const target = relative(root, resolve(dirname(file), spec));
    if (target.startsWith('..')) continue;
    const parts = target.split(sep);
    const other = parts[0];
    if (other === layer) continue;
    if (!(other in RANK)) {
      problems.push(`${rel}: imports ${spec}, outside any layer`);
      continue;
    }
    if (RANK[other] >= RANK[layer]) {
      problems.push(
        `${rel}: layer "${layer}" may not import "${other}" (${spec}); layers depend downward only`,
      );
    }
    if (!(parts.length === 2 && /^index\.(ts|js)$/.test(parts[1]))) {
      problems.push(`${rel}: imports ${spec}; import another layer only through its index.ts`);
    }
  }
}
if (problems.length > 0) {
  console.error(`Layer check failed:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`Layer check: ${files.length} files, imports point downward only.`);
