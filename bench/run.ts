// The benchmark runner behind `npm run bench -- <suite> [options]`: finds the suite module
// `bench/<suite>/suite.ts`, parses the runner's and the suite's options together, and runs each
// selected case in a fresh process (so peak RSS, CPU time and JIT state belong to that case
// alone), printing one JSON object per result line and nothing else on stdout.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import type { BenchCase, BenchSuite } from './bench-suite.ts';

const BENCH_DIR = fileURLToPath(new URL('.', import.meta.url));
const RUN_FILE = fileURLToPath(import.meta.url);

const RUNNER_OPTIONS = {
  case: { type: 'string', multiple: true },
  'same-process': { type: 'boolean', default: false },
  list: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

const RUNNER_USAGE = `Usage: npm run bench -- <suite> [suite options] [--case NAME]... [--same-process]

Runner options:
  --case NAME       run only this case (repeatable); default: every case of the suite
  --same-process    run the cases in this process instead of one fresh process per case
                    (peak RSS and CPU then accumulate over cases; useful with --cpu-prof)
  --list            list the suites
  -h, --help        this help, with the suite's options when a suite is given

Output: one JSON object per line on stdout; diagnostics on stderr.`;

/** Suites are the folders of bench/ that hold a suite.ts. */
function listSuites(): string[] {
  return readdirSync(BENCH_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(`${BENCH_DIR}${d.name}/suite.ts`))
    .map((d) => d.name)
    .sort();
}

async function loadSuite(name: string): Promise<BenchSuite> {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name) || !listSuites().includes(name)) {
    throw new UsageError(`unknown suite ${JSON.stringify(name)}; suites: ${listSuites().join(', ')}`);
  }
  const mod = (await import(pathToFileURL(`${BENCH_DIR}${name}/suite.ts`).href)) as { default?: BenchSuite };
  const suite = mod.default;
  if (suite === undefined || typeof suite.cases !== 'function') {
    throw new Error(`bench/${name}/suite.ts has no default export BenchSuite`);
  }
  return suite;
}

class UsageError extends Error {}

/** The command-line arguments without the runner's --case options (children get their own). */
function withoutCaseOptions(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--case') i++;
    else if (!a.startsWith('--case=')) out.push(a);
  }
  return out;
}

/** Runs one case in a fresh Node process (same loader flags), forwarding its stdout lines. */
function runInChild(suite: string, args: readonly string[], name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...process.execArgv, RUN_FILE, suite, ...args, '--case', name, '--same-process'],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    child.stdout.pipe(process.stdout, { end: false });
    child.on('error', reject);
    // 'close' (not 'exit'): the child's stdout has been forwarded completely.
    child.on('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`case "${name}" failed (exit ${code ?? signal})`));
    });
  });
}

async function runHere(c: BenchCase): Promise<void> {
  for (const line of await c.run()) process.stdout.write(`${JSON.stringify(line)}\n`);
}

async function main(argv: readonly string[]): Promise<void> {
  const [suiteName, ...rest] = argv;
  if (suiteName === undefined || suiteName === '--help' || suiteName === '-h' || suiteName === '--list') {
    const text = `${RUNNER_USAGE}\n\nSuites: ${listSuites().join(', ')}\n`;
    if (suiteName === undefined) throw new UsageError(text);
    process.stdout.write(text);
    return;
  }
  const suite = await loadSuite(suiteName);
  const options = { ...suite.options, ...RUNNER_OPTIONS };
  let values: ReturnType<typeof parseArgs<{ options: typeof options; strict: true }>>['values'];
  try {
    values = parseArgs({ args: [...rest], options, strict: true, allowPositionals: false }).values;
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n\n${suite.name}: ${suite.usage ?? ''}`);
  }
  if (values.help === true || values.list === true) {
    process.stdout.write(`${RUNNER_USAGE}\n\n${suite.name}: ${suite.description}\n${suite.usage ?? ''}\n`);
    return;
  }
  let all: BenchCase[];
  try {
    // Building the cases only reads the options: what fails here is a bad option value.
    all = [...suite.cases(values)];
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n\n${suite.name}: ${suite.usage ?? ''}`);
  }
  const wanted = values.case as string[] | undefined;
  if (wanted !== undefined) {
    const unknown = wanted.filter((w) => !all.some((c) => c.name === w));
    if (unknown.length > 0) {
      throw new UsageError(
        `unknown case ${unknown.join(', ')}; cases of ${suite.name}: ${all.map((c) => c.name).join(', ')}`,
      );
    }
  }
  const selected = wanted === undefined ? all : all.filter((c) => wanted.includes(c.name));
  for (const c of selected) {
    if (values['same-process'] === true) await runHere(c);
    else await runInChild(suite.name, withoutCaseOptions(rest), c.name);
  }
}

main(process.argv.slice(2)).then(
  () => process.stdout.write('', () => process.exit(0)),
  (e: unknown) => {
    process.stderr.write(
      e instanceof UsageError ? `${e.message}\n` : `${e instanceof Error ? (e.stack ?? e.message) : e}\n`,
    );
    process.exit(e instanceof UsageError ? 2 : 1);
  },
);
