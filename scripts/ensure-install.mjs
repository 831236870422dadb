// Makes `npm start` / `npm test` work on a fresh clone: installs dependencies when they are missing
// or older than package-lock.json. Uses only Node built-ins because it runs before anything is installed.
import { execSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

const stamp = 'node_modules/.package-lock.json';
const stale = !existsSync(stamp) || statSync('package-lock.json').mtimeMs > statSync(stamp).mtimeMs;
if (stale) {
  // `npm install` rather than `npm ci`: npm 11 rejects this lock file in `ci` because it records
  // only the platform packages that apply here (optional dependencies of biome, msgpackr, lmdb).
  console.error('[sluice] installing dependencies (npm install)…');
  execSync('npm install --no-audit --no-fund', { stdio: 'inherit' });
}
