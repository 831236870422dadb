// Network namespaces for the cluster end-to-end tests: a bridge in the root namespace and one
// namespace per TaskManager behind a veth pair, so records between TaskManagers cross real links
// (with their own byte counters) instead of loopback. Linux and root only; everything created is
// named after the test process's pid, and what a crashed earlier run left behind is removed.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Names of everything a lab creates start with these, followed by the creating process's pid. */
const NS_PREFIX = 'slnet';
const BRIDGE_PREFIX = 'slbr';
const VETH_PREFIX = 'slv';

function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });
}

/** Runs `ip …` and ignores failure (cleanup of things that may already be gone). */
function ipQuiet(...args: string[]): void {
  spawnSync('ip', args, { stdio: 'ignore', timeout: 10_000 });
}

/**
 * Whether network namespaces can be used here: Linux, root, `ip` installed, and `ip netns add`
 * actually works (a container may forbid it). Probed once, synchronously, for `describe.skipIf`.
 */
export function probeNetns(): { ok: true } | { ok: false; reason: string } {
  if (process.platform !== 'linux')
    return { ok: false, reason: `platform is ${process.platform}, not linux` };
  if (process.getuid?.() !== 0) return { ok: false, reason: 'not running as root' };
  const version = spawnSync('ip', ['-V'], { stdio: 'ignore', timeout: 5000 });
  if (version.error !== undefined || version.status !== 0)
    return { ok: false, reason: '`ip` (iproute2) is not installed' };
  const name = `${NS_PREFIX}${process.pid}-probe`;
  const add = spawnSync('ip', ['netns', 'add', name], { encoding: 'utf8', timeout: 10_000 });
  if (add.status !== 0) return { ok: false, reason: `\`ip netns add\` failed: ${add.stderr.trim()}` };
  ipQuiet('netns', 'del', name);
  return { ok: true };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes namespaces, bridges and veths of earlier runs whose process is gone (a run killed before
 * its cleanup), killing the processes still inside those namespaces. Returns what it removed.
 */
export function removeStaleNetns(): string[] {
  const removed: string[] = [];
  const stalePid = (name: string, prefix: string): boolean => {
    const m = new RegExp(`^${prefix}(\\d+)`).exec(name);
    return m !== null && Number(m[1]) !== process.pid && !alive(Number(m[1]));
  };
  for (const line of ip('netns', 'list').split('\n')) {
    const name = line.split(' ')[0] ?? '';
    if (!stalePid(name, NS_PREFIX)) continue;
    for (const pid of ip('netns', 'pids', name)
      .split('\n')
      .filter((p) => p !== '')) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {}
    }
    ipQuiet('netns', 'del', name);
    removed.push(name);
  }
  const links = JSON.parse(ip('-j', 'link', 'show')) as { ifname: string }[];
  for (const { ifname } of links) {
    const name = ifname.split('@')[0] ?? '';
    if (stalePid(name, BRIDGE_PREFIX) || stalePid(name, VETH_PREFIX)) {
      ipQuiet('link', 'del', name);
      removed.push(name);
    }
  }
  return removed;
}

function ipv4ToInt(a: string): number {
  return a.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

/** Whether a.b.c.0/24 overlaps any route or address of the root namespace. */
function subnetInUse(subnet: string): boolean {
  const start = ipv4ToInt(`${subnet}.0`);
  const end = start + 255;
  const routes = JSON.parse(ip('-j', '-4', 'route', 'show', 'table', 'all')) as { dst: string }[];
  const addresses = JSON.parse(ip('-j', '-4', 'addr', 'show')) as {
    addr_info: { local: string; prefixlen: number }[];
  }[];
  const cidrs = [
    ...routes.map((r) => r.dst).filter((d) => d !== 'default'),
    ...addresses.flatMap((a) => a.addr_info.map((i) => `${i.local}/${i.prefixlen}`)),
  ];
  return cidrs.some((cidr) => {
    const [addr = '', bits = '32'] = cidr.split('/');
    const size = 2 ** (32 - Number(bits));
    const base = Math.floor(ipv4ToInt(addr) / size) * size;
    return base <= end && base + size - 1 >= start;
  });
}

/** Byte and packet counters of a network interface. */
export interface LinkCounters {
  readonly rxBytes: number;
  readonly txBytes: number;
}

/** One network namespace behind a veth pair on the lab's bridge. */
export interface NetnsHost {
  /** Namespace name. */
  readonly ns: string;
  /** Its address on the bridge's /24. */
  readonly address: string;
  /** The veth end in the root namespace (enslaved to the bridge). */
  readonly hostVeth: string;
  /** Prefix that runs a command inside the namespace. */
  readonly exec: readonly string[];
}

/**
 * A bridge with an address in the root namespace and `count` namespaces on it.
 *
 * @example
 * const lab = NetnsLab.create(2);
 * try { sluice(['taskmanager', '--bind', lab.hosts[0].address], {}, lab.hosts[0].exec); }
 * finally { lab.destroy(); }
 */
export class NetnsLab {
  /** The bridge's address in the root namespace (where the JobManager binds). */
  readonly gateway: string;
  readonly hosts: readonly NetnsHost[];
  readonly #bridge: string;
  #destroyed = false;
  readonly #onExit = (): void => this.destroy();

  private constructor(bridge: string, gateway: string, hosts: NetnsHost[]) {
    this.#bridge = bridge;
    this.gateway = gateway;
    this.hosts = hosts;
    process.once('exit', this.#onExit);
  }

  /** Creates the bridge and namespaces on a free 10.213.x.0/24; removes stale ones first. */
  static create(count: number): NetnsLab {
    removeStaleNetns();
    const pid = process.pid;
    let subnet: string | undefined;
    for (let i = 0; i < 200 && subnet === undefined; i++) {
      const candidate = `10.213.${((pid + i) % 200) + 20}`;
      if (!subnetInUse(candidate)) subnet = candidate;
    }
    if (subnet === undefined) throw new Error('no free 10.213.x.0/24 subnet for the network namespaces');
    const bridge = `${BRIDGE_PREFIX}${pid}`;
    const hosts = Array.from({ length: count }, (_, i) => {
      const ns = `${NS_PREFIX}${pid}-${i + 1}`;
      return {
        ns,
        address: `${subnet}.${i + 11}`,
        hostVeth: `${VETH_PREFIX}${pid}h${i + 1}`,
        exec: ['ip', 'netns', 'exec', ns],
      };
    });
    const lab = new NetnsLab(bridge, `${subnet}.1`, hosts);
    try {
      ip('link', 'add', bridge, 'type', 'bridge');
      ip('addr', 'add', `${lab.gateway}/24`, 'dev', bridge);
      ip('link', 'set', bridge, 'up');
      for (const [i, h] of hosts.entries()) {
        const inner = `${VETH_PREFIX}${pid}n${i + 1}`;
        ip('netns', 'add', h.ns);
        ip('link', 'add', h.hostVeth, 'type', 'veth', 'peer', 'name', inner);
        ip('link', 'set', inner, 'netns', h.ns);
        ip('link', 'set', h.hostVeth, 'master', bridge, 'up');
        ip('-n', h.ns, 'addr', 'add', `${h.address}/24`, 'dev', inner);
        ip('-n', h.ns, 'link', 'set', inner, 'up');
        ip('-n', h.ns, 'link', 'set', 'lo', 'up');
      }
    } catch (e) {
      lab.destroy();
      throw e;
    }
    return lab;
  }

  /**
   * Counters of a host's veth end in the root namespace: `rxBytes` is what the namespace sent,
   * `txBytes` what it received.
   */
  counters(host: NetnsHost): LinkCounters {
    const read = (what: string): number =>
      Number(readFileSync(`/sys/class/net/${host.hostVeth}/statistics/${what}`, 'utf8'));
    return { rxBytes: read('rx_bytes'), txBytes: read('tx_bytes') };
  }

  /** Counters of the namespace's own loopback interface. */
  loopbackCounters(host: NetnsHost): LinkCounters {
    const stats = JSON.parse(ip('-n', host.ns, '-j', '-s', 'link', 'show', 'lo')) as {
      stats64: { rx: { bytes: number }; tx: { bytes: number } };
    }[];
    return { rxBytes: stats[0]!.stats64.rx.bytes, txBytes: stats[0]!.stats64.tx.bytes };
  }

  /** Takes a host's link down (its cable pulled: packets are dropped, no connection is reset). */
  cut(host: NetnsHost): void {
    ip('link', 'set', host.hostVeth, 'down');
  }

  /** Brings a host's link up again. */
  heal(host: NetnsHost): void {
    ip('link', 'set', host.hostVeth, 'up');
  }

  /**
   * Deletes the veths, namespaces and bridge, killing any process still inside a namespace.
   * Idempotent, synchronous (it also runs on process exit).
   */
  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    process.off('exit', this.#onExit);
    for (const h of this.hosts) {
      const pids = spawnSync('ip', ['netns', 'pids', h.ns], { encoding: 'utf8', timeout: 10_000 });
      for (const pid of (pids.stdout ?? '').split('\n').filter((p) => p !== '')) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {}
      }
      ipQuiet('link', 'del', h.hostVeth);
      ipQuiet('netns', 'del', h.ns);
    }
    ipQuiet('link', 'del', this.#bridge);
  }
}

/** Whether an interface of the root namespace with this name exists. */
export function linkExists(name: string): boolean {
  return spawnSync('ip', ['link', 'show', name], { stdio: 'ignore', timeout: 10_000 }).status === 0;
}

/** Namespaces whose name starts with this process's prefix. */
export function ownNamespaces(): string[] {
  return ip('netns', 'list')
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => n.startsWith(`${NS_PREFIX}${process.pid}-`));
}
