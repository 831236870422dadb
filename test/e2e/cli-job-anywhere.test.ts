// End to end: `sluice run` on job files that live outside the engine's package, as a user writes
// them — in a folder without package.json, and in one whose package.json is CommonJS (with a
// different "sluice" in its node_modules that must not be used) — TypeScript and JavaScript,
// ES module and CommonJS syntax, importing `sluice` by name and helpers beside them. They run
// embedded (worker threads) and on a JobManager and TaskManager started as processes.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killAll, type SluiceProcess, sluice, startJobManager, startTaskManager } from './cluster-harness.ts';

const BIN = fileURLToPath(new URL('../../bin/sluice.mjs', import.meta.url));

/** A job's files, by name; written into a fresh folder. */
const PLAIN: Record<string, string> = {
  'words.txt': 'apple banana cherry\n',
  'helper.ts': `// Tags a word; fails on "boom".
export function tag(word: string): string {
  if (word === 'boom') throw new Error(\`helper cannot tag "\${word}"\`);
  return \`\${word}:\${word.length}\`;
}
`,
  // Reads words.txt beside itself when it has no arguments; starts with a #! line.
  'job.ts': `#!/usr/bin/env -S npx sluice run
import { readFileSync } from 'node:fs';
import { StreamExecutionEnvironment } from 'sluice';
import { tag } from './helper';

const given = process.argv.slice(2);
const words = given.length > 0 ? given : readFileSync(new URL('./words.txt', import.meta.url), 'utf8').trim().split(' ');
const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.fromCollection(words).map((w: string) => tag(w)).name('tag').print();
await env.execute('plain ts job');
`,
  // ES module syntax in .js files, which Node alone would load as CommonJS here.
  'lib.js': `export const shout = (w) => \`\${w.toUpperCase()}!\`;
`,
  'job.mjs': `import { StreamExecutionEnvironment } from 'sluice';
import { shout } from './lib.js';

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.fromCollection(process.argv.slice(2)).map((w) => shout(w)).print();
await env.execute('plain mjs job');
`,
  'throws.ts': `import { StreamExecutionEnvironment } from 'sluice';

const env = StreamExecutionEnvironment.getExecutionEnvironment();
if (process.argv.length < 3) throw new RangeError('no words given');
env.fromCollection(process.argv.slice(2)).print();
await env.execute('throwing job');
`,
};

// An unbounded job: runs until the command is stopped.
PLAIN['endless.ts'] =
  `import { DataGeneratorSource, StreamExecutionEnvironment, WatermarkStrategy } from 'sluice';

const ticks = new DataGeneratorSource((i) => \`tick \${i}\`, Number.POSITIVE_INFINITY, { recordsPerSecond: 50 });
const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.fromSource(ticks, WatermarkStrategy.noWatermarks(), 'ticks').print();
await env.execute('endless');
`;

// A typo: the command names the file, line and column.
PLAIN['broken.ts'] = `const words = ['a'];
const n = words.length n;
`;

const COMMONJS: Record<string, string> = {
  'package.json': '{ "name": "user-jobs", "version": "1.0.0", "type": "commonjs" }\n',
  // Another "sluice" where Node would look first: the job must get the engine that runs it.
  'node_modules/sluice/package.json': '{ "name": "sluice", "version": "9.9.9", "main": "index.js" }\n',
  'node_modules/sluice/index.js': "throw new Error('the job loaded the sluice in its own node_modules');\n",
  'helper.ts': `export const reverse = (w: string): string => [...w].reverse().join('');
`,
  'job.ts': `import { StreamExecutionEnvironment } from 'sluice';
import { reverse } from './helper';

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.fromCollection(process.argv.slice(2)).map((w: string) => reverse(w)).print();
await env.execute('commonjs-package ts job');
`,
  'helper.js': `exports.double = (w) => w + w;
`,
  'job.js': `import { StreamExecutionEnvironment } from 'sluice';
import { double } from './helper.js';

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.fromCollection(process.argv.slice(2)).map((w) => double(w)).print();
await env.execute('commonjs-package js job');
`,
  'job.cjs': `const { StreamExecutionEnvironment } = require('sluice');
const { double } = require('./helper.js');

module.exports = async function main(args) {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.fromCollection(args).map((w) => double(w).length).print();
  await env.execute('cjs job');
};
`,
};

/** A job file, its arguments and the records its print sink must show. */
interface Case {
  readonly dir: 'plain' | 'commonjs';
  readonly file: string;
  readonly args: readonly string[];
  readonly expected: readonly string[];
}

const CASES: readonly Case[] = [
  { dir: 'plain', file: 'job.ts', args: ['kiwi', 'fig'], expected: ['fig:3', 'kiwi:4'] },
  { dir: 'plain', file: 'job.ts', args: [], expected: ['apple:5', 'banana:6', 'cherry:6'] },
  { dir: 'plain', file: 'job.mjs', args: ['lime', 'date'], expected: ['DATE!', 'LIME!'] },
  { dir: 'commonjs', file: 'job.ts', args: ['abc', 'xyz'], expected: ['cba', 'zyx'] },
  { dir: 'commonjs', file: 'job.js', args: ['ab', 'cd'], expected: ['abab', 'cdcd'] },
  { dir: 'commonjs', file: 'job.cjs', args: ['four', 'sixsix'], expected: ['12', '8'] },
];

let root = '';

function writeJobs(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    const path = join(dir, name);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, text);
  }
}

/** `sluice <args>` run to its end from `cwd`, bounded. */
function cli(cwd: string, ...args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 60_000,
    env: Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SLUICE_'))),
  });
}

/** The printed records, without the `subtask> ` prefixes, sorted. */
function printed(stdout: string): string[] {
  return stdout
    .split('\n')
    .filter((l) => /^\d+> /.test(l))
    .map((l) => l.replace(/^\d+> /, ''))
    .sort();
}

/** 1-based line of the first line of `files[name]` that contains `text`. */
function lineOf(files: Record<string, string>, name: string, text: string): number {
  return files[name]!.split('\n').findIndex((l) => l.includes(text)) + 1;
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'sluice-e2e-jobs-'));
  writeJobs(join(root, 'plain'), PLAIN);
  writeJobs(join(root, 'commonjs'), COMMONJS);
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('sluice run: a job file in any folder, embedded', () => {
  it.each(CASES)('runs $dir/$file $args in parallel worker threads', (c) => {
    const run = cli(join(root, c.dir), 'run', '-p', '2', c.file, ...c.args);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(printed(run.stdout)).toEqual([...c.expected].sort());
  });

  it('runs a job given by an absolute path from another folder, and prints its plan (info)', () => {
    const run = cli(tmpdir(), 'run', join(root, 'commonjs/job.ts'), 'tub');
    expect(run.stderr).toBe('');
    expect(printed(run.stdout)).toEqual(['but']);
    const info = cli(tmpdir(), 'info', join(root, 'plain/job.ts'), 'x');
    expect(info.status, info.stderr).toBe(0);
    expect(JSON.parse(info.stdout).name).toBe('plain ts job');
  });

  it("names the job's own file and line when its function or its program throws", () => {
    const failed = cli(join(root, 'plain'), 'run', '-p', '2', 'job.ts', 'ok', 'boom');
    expect(failed.status).not.toBe(0);
    expect(failed.stderr).toContain('operator "tag"');
    expect(failed.stderr).toContain('Error: helper cannot tag "boom"');
    const helperLine = lineOf(PLAIN, 'helper.ts', 'throw new Error');
    expect(failed.stderr).toContain(`${join(root, 'plain/helper.ts')}:${helperLine}:`);

    const threw = cli(join(root, 'plain'), 'run', 'throws.ts');
    expect(threw.status).not.toBe(0);
    const programLine = lineOf(PLAIN, 'throws.ts', 'throw new RangeError');
    const at = `${join(root, 'plain/throws.ts')}:${programLine}:`.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    expect(threw.stderr).toMatch(
      new RegExp(
        `Error: the job program "throws\\.ts" threw RangeError: no words given \\(at .*${at}\\d+\\)`,
      ),
    );
  });

  it('names the file, line and column of a job file that does not compile, in one line', () => {
    const broken = cli(join(root, 'plain'), 'run', 'broken.ts');
    expect(broken.status).not.toBe(0);
    expect(broken.stderr).toContain(
      'Error: cannot bundle job file "broken.ts": Build failed with 1 error: broken.ts:2:23: ERROR: Expected ";" but found "n"',
    );
    expect(broken.stderr).not.toMatch(/^\s+at /m);
  });

  it('removes its bundles when it exits, and when Ctrl-C stops an unbounded job', async () => {
    // A temporary directory of its own: other processes' bundles do not show up there.
    const tmp = mkdtempSync(join(tmpdir(), 'sluice-e2e-tmp-'));
    // (The TypeScript loader's cache, when the engine runs from source, may stay.)
    const bundles = () => readdirSync(tmp).filter((n) => n.startsWith('sluice'));
    try {
      const done = spawnSync(process.execPath, [BIN, 'run', '-p', '2', join(root, 'plain/job.mjs'), 'c'], {
        cwd: tmp,
        encoding: 'utf8',
        timeout: 60_000,
        env: { ...process.env, TMPDIR: tmp },
      });
      expect(done.status, done.stderr).toBe(0);
      expect(printed(done.stdout)).toEqual(['C!']);
      expect(bundles()).toEqual([]);

      const endless = sluice(['run', '-p', '2', join(root, 'plain/endless.ts')], { TMPDIR: tmp });
      try {
        await endless.waitFor(/^\d+> tick \d+$/m);
        expect(bundles()).toHaveLength(1);
        endless.child.kill('SIGINT');
        expect(await endless.exited).toBe('SIGINT');
        expect(bundles()).toEqual([]);
      } finally {
        endless.child.kill('SIGKILL');
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe('sluice run -m: a job file in any folder, on a standalone cluster', () => {
  let address = '';
  let tm: SluiceProcess;

  beforeAll(async () => {
    const started = await startJobManager({ SLUICE_SLOT_REQUEST_TIMEOUT: '20000' });
    address = `127.0.0.1:${started.port}`;
    tm = await startTaskManager(started.port, 2);
  });

  afterAll(async () => {
    await killAll();
  });

  it.each(CASES)(
    'runs $dir/$file $args on the TaskManager',
    async (c) => {
      // Words of this case only, so its records can be told apart in the TaskManager's output.
      const args = c.args.length === 0 ? [] : c.args.map((a) => `${a}${c.file.length}`);
      const expected = c.args.length === 0 ? c.expected : expectedFor(c, args);
      const run = sluice(['run', '-m', address, '-p', '2', join(root, c.dir, c.file), ...args]);
      expect(await run.exited, run.output.stderr).toBe(0);
      expect(run.output.stdout).toMatch(/Job with JobID [0-9a-f]{32} has finished\./);
      for (const record of expected) await tm.waitFor(new RegExp(`^\\d+> ${record}$`, 'm'), 10_000);
    },
    60_000,
  );

  it("names the job's own file and line when its function throws on a TaskManager", async () => {
    const run = sluice(['run', '-m', address, join(root, 'plain/job.ts'), 'boom']);
    expect(await run.exited).not.toBe(0);
    expect(run.output.stderr).toContain('Error: helper cannot tag "boom"');
    const helperLine = lineOf(PLAIN, 'helper.ts', 'throw new Error');
    expect(run.output.stderr).toContain(`${join(root, 'plain/helper.ts')}:${helperLine}:`);
  });
});

/** What a case's job prints for other arguments (the same functions as in the job files). */
function expectedFor(c: Case, args: readonly string[]): string[] {
  const fn: Record<string, (w: string) => string> = {
    'plain/job.ts': (w) => `${w}:${w.length}`,
    'plain/job.mjs': (w) => `${w.toUpperCase()}!`,
    'commonjs/job.ts': (w) => [...w].reverse().join(''),
    'commonjs/job.js': (w) => w + w,
    'commonjs/job.cjs': (w) => String(2 * w.length),
  };
  return args.map(fn[`${c.dir}/${c.file}`]!);
}
