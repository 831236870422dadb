// Suite "cluster": keyed-exchange throughput between two TaskManager processes over TCP (every
// record crosses the data link), and the same job embedded (across two worker threads of one
// process) for comparison. Starts a JobManager and two one-slot TaskManagers on 127.0.0.1 as
// child processes, submits with `sluice run -m`, reads task timings and counts from the REST API.
// As root on Linux, keyed-exchange-veth runs the same with each TaskManager in its own network
// namespace (test/e2e/netns-harness.ts), so the data link crosses a bridge and two veth pairs.
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { NetnsLab, probeNetns } from '../../test/e2e/netns-harness.ts';
import { type BenchCase, type BenchResultLine, type BenchSuite, positiveInt, round } from '../bench-suite.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/sluice.mjs', import.meta.url));
const JOB = 'bench/cluster/keyed-exchange-job.ts';

const usage = `
  --records N   records through the keyed exchange (default 5000000)
  --keys N      distinct keys (default 1000)
Cases: keyed-exchange-tcp, keyed-exchange-threads, keyed-exchange-veth (root on Linux only:
TaskManagers in network namespaces behind veth pairs on a bridge)`;

interface Proc {
  readonly child: ChildProcess;
  out: string;
  readonly exited: Promise<number>;
}

function start(args: readonly string[], prefix: readonly string[] = []): Proc {
  const [command = process.execPath, ...before] = [...prefix, process.execPath];
  const child = spawn(command, [...before, BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const p: Proc = {
    child,
    out: '',
    exited: new Promise((resolve) => child.on('exit', (code) => resolve(code ?? -1))),
  };
  child.stdout!.setEncoding('utf8').on('data', (c: string) => {
    p.out += c;
  });
  child.stderr!.setEncoding('utf8').on('data', (c: string) => {
    p.out += c;
  });
  return p;
}

async function until<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  what: string,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch {}
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a !== null ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** A REST document; the benchmark reads the fields it needs. */
// biome-ignore lint/suspicious/noExplicitAny: REST documents are read field by field.
type RestJson = any;

async function getJson(url: string): Promise<RestJson> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res.json();
}

function benchLine(out: string): { jobId: string; netRuntime: number } {
  const m = /BENCH (\{.*\})/.exec(out);
  if (m === null) throw new Error(`the job printed no BENCH line:\n${out}`);
  return JSON.parse(m[1]!) as { jobId: string; netRuntime: number };
}

/** Over TCP on 127.0.0.1, or, with a lab, between TaskManagers in two network namespaces. */
async function overTcp(records: number, keys: number, lab?: NetnsLab): Promise<BenchResultLine> {
  const port = await freePort();
  const host = lab?.gateway ?? '127.0.0.1';
  const base = `http://${host}:${port}`;
  const procs: Proc[] = [];
  try {
    const jm = start(['jobmanager', '--port', String(port), '--bind', host]);
    procs.push(jm);
    await until(() => (jm.out.includes('JobManager listening') ? true : undefined), 'the JobManager');
    for (let i = 0; i < 2; i++) {
      const ns = lab?.hosts[i];
      const tm = ['taskmanager', '--jobmanager', `${host}:${port}`, '--slots', '1'];
      procs.push(ns === undefined ? start(tm) : start([...tm, '--bind', ns.address], ns.exec));
    }
    await until(
      async () => ((await getJson(`${base}/overview`)).taskmanagers === 2 ? true : undefined),
      'two TaskManagers',
    );
    // Bytes the namespaces sent over their veths (each counted once, at the bridge side).
    const sent = (): number =>
      lab === undefined ? 0 : lab.hosts.reduce((n, h) => n + lab.counters(h).rxBytes, 0);
    const sentBefore = sent();
    const started = performance.now();
    const run = start(['run', '-m', `${host}:${port}`, JOB, String(records), String(keys)]);
    const code = await run.exited;
    const wallSeconds = (performance.now() - started) / 1000;
    if (code !== 0) throw new Error(`sluice run failed (${code}):\n${run.out}`);
    const { jobId, netRuntime } = benchLine(run.out);
    const job = await getJson(`${base}/jobs/${jobId}`);
    const [source, keyed] = job.vertices;
    const sub = (await getJson(`${base}/jobs/${jobId}/vertices/${keyed.id}`)).subtasks;
    const src = (await getJson(`${base}/jobs/${jobId}/vertices/${source.id}`)).subtasks;
    // Records flow from the source's first record to the keyed subtask's end of input.
    const taskSeconds = (sub[1]['end-time'] - src[0]['start-time']) / 1000;
    return {
      name: lab === undefined ? 'keyed-exchange-tcp' : 'keyed-exchange-veth',
      records,
      keys,
      seconds: round(taskSeconds),
      recordsPerSecond: Math.round(records / taskSeconds),
      jobSeconds: round(netRuntime / 1000),
      jobRecordsPerSecond: Math.round(records / (netRuntime / 1000)),
      clientWallSeconds: round(wallSeconds),
      keyedRecordsIn: keyed.metrics['read-records'],
      resultsCorrect: keyed.metrics['read-records'] === records && sub[1].metrics['read-records'] === records,
      // The source and keyed subtask 1 ran in different TaskManager processes.
      crossedTcp: src[0]['taskmanager-id'] !== sub[1]['taskmanager-id'],
      ...(lab === undefined
        ? {}
        : {
            hosts: `${src[0].host} -> ${sub[1].host}`,
            vethBytes: sent() - sentBefore,
            vethBytesPerRecord: round((sent() - sentBefore) / records),
          }),
    };
  } finally {
    for (const p of procs) p.child.kill('SIGTERM');
    await Promise.all(procs.map((p) => p.exited));
  }
}

async function inThreads(records: number, keys: number): Promise<BenchResultLine> {
  const started = performance.now();
  const run = start(['run', JOB, String(records), String(keys)]);
  const code = await run.exited;
  const wallSeconds = (performance.now() - started) / 1000;
  if (code !== 0) throw new Error(`sluice run failed (${code}):\n${run.out}`);
  const { netRuntime } = benchLine(run.out);
  return {
    name: 'keyed-exchange-threads',
    records,
    keys,
    jobSeconds: round(netRuntime / 1000),
    jobRecordsPerSecond: Math.round(records / (netRuntime / 1000)),
    clientWallSeconds: round(wallSeconds),
  };
}

const suite: BenchSuite = {
  name: 'cluster',
  description:
    'standalone cluster: keyed exchange between two TaskManager processes over TCP vs embedded threads',
  usage,
  options: {
    records: { type: 'string', default: '5000000' },
    keys: { type: 'string', default: '1000' },
  },
  cases(values) {
    const records = positiveInt('records', values.records);
    const keys = positiveInt('keys', values.keys);
    const cases: BenchCase[] = [
      { name: 'keyed-exchange-tcp', run: async () => [await overTcp(records, keys)] },
      { name: 'keyed-exchange-threads', run: async () => [await inThreads(records, keys)] },
    ];
    if (probeNetns().ok) {
      cases.push({
        name: 'keyed-exchange-veth',
        run: async () => {
          const lab = NetnsLab.create(2);
          try {
            return [await overTcp(records, keys, lab)];
          } finally {
            lab.destroy();
          }
        },
      });
    }
    return cases;
  },
};

export default suite;
