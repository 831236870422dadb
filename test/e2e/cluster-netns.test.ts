// End to end across a real network: a JobManager on a bridge in the root namespace and each
// TaskManager in its own network namespace behind a veth pair, so the records a keyBy exchanges
// between TaskManagers cross veth links (whose byte counters the test reads) rather than loopback.
// A TaskManager whose link is taken down mid-job is lost by heartbeat timeout, and the job
// restarts from its latest checkpoint on the others, exactly once. Root on Linux only.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  eventually,
  FAST_HEARTBEATS,
  killAll,
  type RestJson,
  rest,
  type SluiceProcess,
  sluice,
  submit,
} from './cluster-harness.ts';
import { linkExists, type NetnsHost, NetnsLab, ownNamespaces, probeNetns } from './netns-harness.ts';

const support = probeNetns();
/** Time limit of the tests that start, cut and restart processes (a loaded machine is slow). */
const LONG = 150_000;

/** The established TCP connections of a process, read in its own network namespace. */
function tcpConnections(pid: number): { local: string; remote: string }[] {
  const address = (hex: string): string => {
    const [ip = '', port = ''] = hex.split(':');
    // /proc/net/tcp prints the IPv4 address as a little-endian 32-bit hex number.
    const bytes = [6, 4, 2, 0].map((i) => Number.parseInt(ip.slice(i, i + 2), 16));
    return `${bytes.join('.')}:${Number.parseInt(port, 16)}`;
  };
  return readFileSync(`/proc/${pid}/net/tcp`, 'utf8')
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((f) => f[3] === '01') // ESTABLISHED
    .map((f) => ({ local: address(f[1]!), remote: address(f[2]!) }));
}

describe.skipIf(!support.ok)(
  `standalone cluster across network namespaces${support.ok ? '' : ` (skipped: ${support.reason})`}`,
  () => {
    let lab: NetnsLab;
    let base = '';
    let jobManager = '';
    const taskManagers = new Map<NetnsHost, SluiceProcess>();

    const startTaskManager = async (host: NetnsHost, bind = host.address): Promise<SluiceProcess> => {
      const tm = sluice(
        ['taskmanager', '--jobmanager', jobManager, '--bind', bind, '--slots', '2'],
        FAST_HEARTBEATS,
        host.exec,
      );
      taskManagers.set(host, tm);
      await tm.waitFor(/TaskManager (\S+) registered/);
      return tm;
    };
    const hostOf = (address: string): NetnsHost => {
      const host = lab.hosts.find((h) => h.address === address);
      if (host === undefined) throw new Error(`no namespace has address ${address}`);
      return host;
    };

    beforeAll(async () => {
      lab = NetnsLab.create(3);
      const jm = sluice(['jobmanager', '--port', '0', '--bind', lab.gateway], {
        ...FAST_HEARTBEATS,
        SLUICE_SLOT_REQUEST_TIMEOUT: '20000',
      });
      const [, url] = (await jm.waitFor(/JobManager listening at (http:\/\/\S+)/)) as RegExpMatchArray;
      base = url!;
      jobManager = new URL(base).host;
      expect(new URL(base).hostname).toBe(lab.gateway);
      await Promise.all([startTaskManager(lab.hosts[0]!), startTaskManager(lab.hosts[1]!)]);
    }, 60_000);

    afterAll(async () => {
      try {
        await killAll();
      } finally {
        lab?.destroy();
      }
      // Nothing of this run is left behind, whatever the tests did.
      expect(ownNamespaces()).toEqual([]);
      for (const h of lab?.hosts ?? []) expect(linkExists(h.hostVeth)).toBe(false);
    });

    it(
      'runs a keyed job over TaskManagers in two namespaces; its records cross the veth links',
      async () => {
        const [h1, h2] = [lab.hosts[0]!, lab.hosts[1]!];
        const tms = (await rest(base, 'GET', '/taskmanagers')).json.taskmanagers as RestJson[];
        // Each TaskManager advertises its own namespace's address, the one its peers dial.
        expect(tms.map((t) => t.host.slice(0, t.host.lastIndexOf(':'))).sort()).toEqual(
          [h1.address, h2.address].sort(),
        );
        const before = [lab.counters(h1), lab.counters(h2)];
        const loopbackBefore = [lab.loopbackCounters(h1), lab.loopbackCounters(h2)];

        const records = 400_000;
        const keys = 100;
        const { run, jobId } = await submit(jobManager, [
          'test/jobs/cluster-keyed-count.ts',
          String(records),
          String(keys),
          '4',
        ]);
        expect(await run.exited).toBe(0);

        const job = (await rest(base, 'GET', `/jobs/${jobId}`)).json;
        expect(job.state).toBe('FINISHED');
        const [source, keyed] = job.vertices;
        for (const vertex of [source, keyed]) {
          const subtasks = (await rest(base, 'GET', `/jobs/${jobId}/vertices/${vertex.id}`)).json.subtasks;
          expect(new Set(subtasks.map((s: RestJson) => s.host))).toEqual(new Set([h1.address, h2.address]));
        }
        const collected = (await rest(base, 'GET', `/jobs/${jobId}/execution-result`)).json[
          'job-execution-result'
        ].collected as { key: number; count: number }[];
        expect(collected.map((c) => c.key).sort((a, b) => a - b)).toEqual(
          Array.from({ length: keys }, (_, i) => i),
        );
        for (const c of collected) expect(c.count).toBe(records / keys);

        // The data link between the two TaskManagers is a TCP connection between their namespace
        // addresses (seen from inside TaskManager 1's namespace).
        const links = tcpConnections(taskManagers.get(h1)!.child.pid!).filter(
          (c) => c.local.startsWith(`${h1.address}:`) && c.remote.startsWith(`${h2.address}:`),
        );
        expect(links.length).toBeGreaterThan(0);

        // A record goes to a keyed subtask on the other TaskManager with probability 1/2, wherever
        // it was made (the source splits need not be even): ~records / 2 cross, in either direction,
        // at least a byte each. Loopback would leave the veths with the RPC traffic alone (bundle,
        // heartbeats, collected results: a few KiB).
        const crossingBytes = records / 4;
        const after = [lab.counters(h1), lab.counters(h2)];
        for (const i of [0, 1]) {
          const carried = after[i]!.rxBytes - before[i]!.rxBytes + (after[i]!.txBytes - before[i]!.txBytes);
          expect(carried).toBeGreaterThan(crossingBytes);
        }
        // And the namespaces' loopback interfaces carried (next to) nothing.
        const loopbackAfter = [lab.loopbackCounters(h1), lab.loopbackCounters(h2)];
        for (const i of [0, 1])
          expect(loopbackAfter[i]!.rxBytes - loopbackBefore[i]!.rxBytes).toBeLessThan(crossingBytes / 10);
      },
      LONG,
    );

    it(
      "restarts a checkpointed job on the other namespaces' TaskManagers when one's link goes down, exactly once",
      async () => {
        await startTaskManager(lab.hosts[2]!);
        await eventually(async () =>
          (await rest(base, 'GET', '/overview')).json.taskmanagers === 3 ? true : undefined,
        );
        const records = 24_000;
        const keys = 24;
        const { run, jobId } = await submit(jobManager, [
          'test/jobs/cluster-checked-sum.ts',
          String(records),
          String(keys),
          '4',
          '4000',
        ]);
        const keyedHosts = async (): Promise<string[]> => {
          const job = (await rest(base, 'GET', `/jobs/${jobId}`)).json;
          const subtasks = (await rest(base, 'GET', `/jobs/${jobId}/vertices/${job.vertices[1].id}`)).json
            .subtasks as RestJson[];
          return subtasks.map((s) => s.host);
        };
        await eventually(async () => {
          const cps = (await rest(base, 'GET', `/jobs/${jobId}/checkpoints`)).json;
          const job = (await rest(base, 'GET', `/jobs/${jobId}`)).json;
          return job.state === 'RUNNING' &&
            cps.counts.completed >= 2 &&
            job.vertices[1].metrics['read-records'] > records / 4
            ? true
            : undefined;
        });
        // Four subtasks round-robin over three TaskManagers: the first one runs two of them.
        const hosts = await keyedHosts();
        const victim = hostOf(hosts[0]!);
        const survivors = lab.hosts.filter((h) => h !== victim);
        expect(new Set(hosts).size).toBe(3);

        // Pull the cable: no FIN, no RST, packets just vanish; only heartbeats can tell.
        lab.cut(victim);
        await eventually(
          async () => ((await rest(base, 'GET', '/overview')).json.taskmanagers === 2 ? true : undefined),
          15_000,
          'the JobManager to time out the cut-off TaskManager',
        );
        expect(await run.exited).toBe(0);
        const job = (await rest(base, 'GET', `/jobs/${jobId}`)).json;
        expect(job.state).toBe('FINISHED');
        expect(job.timestamps.RESTARTING).toBeGreaterThan(0);
        const exceptions = (await rest(base, 'GET', `/jobs/${jobId}/exceptions`)).json;
        expect(exceptions.exceptionHistory.entries[0].stacktrace).toMatch(
          new RegExp(
            `TaskManagerLostException: heartbeat of TaskManager ${victim.address.replaceAll('.', '\\.')}:\\S+ .*timed out`,
          ),
        );
        // After the restart the subtasks run on the two other namespaces only.
        expect(new Set(await keyedHosts())).toEqual(new Set(survivors.map((h) => h.address)));

        const collected = (await rest(base, 'GET', `/jobs/${jobId}/execution-result`)).json[
          'job-execution-result'
        ].collected as { key: number; count: number; total: number }[];
        expect(collected.map((c) => c.key).sort((a, b) => a - b)).toEqual(
          Array.from({ length: keys }, (_, i) => i),
        );
        const perKey = records / keys;
        for (const c of collected) {
          // Records key, key + keys, key + 2 keys, …: each counted once, none lost, none twice.
          expect(c).toEqual({
            key: c.key,
            count: perKey,
            total: perKey * c.key + (keys * perKey * (perKey - 1)) / 2,
          });
        }
        // Resumed from a checkpoint, not started over: this attempt's keyed subtasks read fewer
        // records than the job has.
        const resumed = (await rest(base, 'GET', `/jobs/${jobId}`)).json.vertices[1].metrics['read-records'];
        expect(resumed).toBeLessThan(records);
        expect(resumed).toBeGreaterThan(0);

        // The network heals: the cut-off TaskManager, which lost the JobManager by its own
        // heartbeat timeout meanwhile, registers again.
        const cutOff = taskManagers.get(victim)!;
        await cutOff.waitFor(/lost the JobManager/, 15_000);
        lab.heal(victim);
        await eventually(
          async () => ((await rest(base, 'GET', '/overview')).json.taskmanagers === 3 ? true : undefined),
          30_000,
          'the healed TaskManager to register again',
        );
      },
      LONG,
    );

    it(
      'TaskManagers bound to 0.0.0.0 advertise the address they reach the JobManager from',
      async () => {
        // The host name resolves to a loopback address on many machines (here and in Debian's
        // /etc/hosts), which peers in other namespaces or hosts cannot dial.
        const [, h2, h3] = lab.hosts as [NetnsHost, NetnsHost, NetnsHost];
        for (const h of [h2, h3]) {
          const tm = taskManagers.get(h);
          tm?.child.kill('SIGTERM');
          await tm?.exited;
        }
        await eventually(async () =>
          (await rest(base, 'GET', '/overview')).json.taskmanagers === 1 ? true : undefined,
        );
        await Promise.all([startTaskManager(h2, '0.0.0.0'), startTaskManager(h3, '0.0.0.0')]);
        const tms = (await rest(base, 'GET', '/taskmanagers')).json.taskmanagers as RestJson[];
        expect(tms.map((t) => t.host.slice(0, t.host.lastIndexOf(':'))).sort()).toEqual(
          lab.hosts.map((h) => h.address).sort(),
        );

        const records = 60_000;
        const keys = 60;
        const { run, jobId } = await submit(jobManager, [
          'test/jobs/cluster-keyed-count.ts',
          String(records),
          String(keys),
          '6',
        ]);
        const exited = await Promise.race([
          run.exited,
          new Promise<string>((resolve) => setTimeout(() => resolve('still running after 60 s'), 60_000)),
        ]);
        expect(exited).toBe(0);
        const collected = (await rest(base, 'GET', `/jobs/${jobId}/execution-result`)).json[
          'job-execution-result'
        ].collected as { key: number; count: number }[];
        expect(collected).toHaveLength(keys);
        for (const c of collected) expect(c.count).toBe(records / keys);
      },
      LONG,
    );
  },
);
