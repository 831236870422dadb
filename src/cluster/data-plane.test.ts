import { afterEach, describe, expect, it } from 'vitest';
import type { NetworkMessage } from '../runtime/index.ts';
import { DataPlane } from './data-plane.ts';
import type { PeerInfo } from './rpc-messages.ts';

const planes: DataPlane[] = [];

async function plane(
  resourceId: string,
  token: string,
  received: Array<[number, NetworkMessage]>,
  log: string[] = [],
  failures: Array<[string, string]> = [],
  connectTimeoutMs = 10_000,
): Promise<DataPlane> {
  const p = await DataPlane.start({
    resourceId,
    bindHost: '127.0.0.1',
    port: 0,
    token,
    deliver: (to, m) => received.push([to, m]),
    log: (line) => log.push(line),
    onLinkFailed: (peer, reason) => failures.push([peer, reason]),
    connectTimeoutMs,
  });
  planes.push(p);
  return p;
}

function peer(resourceId: string, p: DataPlane, slotBase: number, slots: number): PeerInfo {
  return { resourceId, slotBase, slots, host: '127.0.0.1', port: p.port };
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

afterEach(async () => {
  await Promise.all(planes.splice(0).map((p) => p.close()));
});

describe('DataPlane', () => {
  it('carries buffers and credits of many channels both ways over one link, in order per channel', async () => {
    const atA: Array<[number, NetworkMessage]> = [];
    const atB: Array<[number, NetworkMessage]> = [];
    const a = await plane('tm-a', 's', atA);
    const b = await plane('tm-b', 's', atB);
    const peers = [peer('tm-a', a, 0, 2), peer('tm-b', b, 2, 2)];
    // b learns the peers first and sends before any link exists: its messages wait for a's dial.
    b.setPeers(peers);
    for (let i = 0; i < 50; i++) b.send({ t: 'credit', ch: i % 5, n: i, to: i % 2 });
    a.setPeers(peers);
    for (let i = 0; i < 50; i++)
      a.send({ t: 'data', ch: i % 5, buf: new Uint8Array([i, i + 1]), to: 2 + (i % 2) });
    await until(() => atA.length === 50 && atB.length === 50, 'all messages');
    expect(atB.map(([to, m]) => [to, m.t === 'data' ? [...m.buf] : m])).toEqual(
      Array.from({ length: 50 }, (_, i) => [2 + (i % 2), [i, i + 1]]),
    );
    expect(atA).toEqual(Array.from({ length: 50 }, (_, i) => [i % 2, { t: 'credit', ch: i % 5, n: i }]));
  });

  it('refuses a link without the shared secret', async () => {
    const logA: string[] = [];
    const received: Array<[number, NetworkMessage]> = [];
    const a = await plane('tm-a', 'wrong', received, logA);
    const b = await plane('tm-b', 'right', received);
    const peers = [peer('tm-a', a, 0, 1), peer('tm-b', b, 1, 1)];
    b.setPeers(peers);
    a.setPeers(peers);
    a.send({ t: 'credit', ch: 1, n: 1, to: 1 });
    await until(() => logA.some((l) => /security\.token/.test(l)), 'the refusal');
    expect(received).toEqual([]);
  });

  it('drops messages for slots of a TaskManager that left', async () => {
    const received: Array<[number, NetworkMessage]> = [];
    const a = await plane('tm-a', '', received);
    const b = await plane('tm-b', '', received);
    a.setPeers([peer('tm-a', a, 0, 1), peer('tm-b', b, 1, 1)]);
    a.setPeers([peer('tm-a', a, 0, 1)]);
    a.send({ t: 'credit', ch: 1, n: 1, to: 1 });
    await new Promise((r) => setTimeout(r, 100));
    expect(received).toEqual([]);
  });

  it('reports a refused link once records are queued for it, naming the peer and the reason', async () => {
    const failures: Array<[string, string]> = [];
    const a = await plane('tm-a', 'wrong', [], [], failures);
    const b = await plane('tm-b', 'right', []);
    const peers = [peer('tm-a', a, 0, 1), peer('tm-b', b, 1, 1)];
    b.setPeers(peers);
    a.setPeers(peers);
    a.send({ t: 'credit', ch: 1, n: 1, to: 1 });
    await until(() => failures.length > 0, 'the failure report');
    expect(failures[0]![0]).toBe('tm-b');
    expect(failures[0]![1]).toMatch(
      /TaskManager tm-b refused the data link: wrong or missing security\.token/,
    );
  });

  it('reports a link that records wait for longer than the connect timeout', async () => {
    const failures: Array<[string, string]> = [];
    const a = await plane('tm-a', '', [], [], failures, 300);
    const b = await plane('tm-b', '', []);
    const port = b.port;
    await b.close();
    planes.splice(planes.indexOf(b), 1);
    // Nothing listens on tm-b's port: the dialer retries, the queued credit waits, then times out.
    a.setPeers([
      peer('tm-a', a, 0, 1),
      { resourceId: 'tm-b', slotBase: 1, slots: 1, host: '127.0.0.1', port },
    ]);
    a.send({ t: 'credit', ch: 1, n: 1, to: 1 });
    await until(() => failures.length > 0, 'the timeout report');
    expect(failures[0]![0]).toBe('tm-b');
    expect(failures[0]![1]).toMatch(
      new RegExp(
        `no data link to TaskManager tm-b at 127\\.0\\.0\\.1:${port} after 300 ms while records waited for it \\(last error: .*ECONNREFUSED`,
      ),
    );
  });

  it('on the accepting side, waits twice the timeout for the dialer, then names the peer that never dialed in', async () => {
    const failures: Array<[string, string]> = [];
    // tm-z accepts links from tm-a (the smaller id dials); tm-a is advertised but never dials.
    const z = await plane('tm-z', '', [], [], failures, 150);
    z.setPeers([
      { resourceId: 'tm-a', slotBase: 0, slots: 1, host: '127.0.0.1', port: 1 },
      peer('tm-z', z, 1, 1),
    ]);
    const start = Date.now();
    z.send({ t: 'credit', ch: 1, n: 1, to: 0 });
    await until(() => failures.length > 0, 'the timeout report');
    expect(Date.now() - start).toBeGreaterThanOrEqual(290);
    expect(failures[0]![0]).toBe('tm-a');
    expect(failures[0]![1]).toMatch(
      /no data link from TaskManager tm-a after 300 ms while records waited for it: it has not reached this TaskManager \(tm-z\)/,
    );
  });

  it('does not report an unused link that cannot connect', async () => {
    const failures: Array<[string, string]> = [];
    const a = await plane('tm-a', '', [], [], failures, 100);
    a.setPeers([
      peer('tm-a', a, 0, 1),
      { resourceId: 'tm-b', slotBase: 1, slots: 1, host: '127.0.0.1', port: 1 },
    ]);
    await new Promise((r) => setTimeout(r, 400));
    expect(failures).toEqual([]);
  });

  it('reports a link that breaks after carrying data: what was in flight may be lost', async () => {
    const failures: Array<[string, string]> = [];
    const atB: Array<[number, NetworkMessage]> = [];
    const a = await plane('tm-a', '', [], [], failures);
    const b = await plane('tm-b', '', atB);
    const peers = [peer('tm-a', a, 0, 1), peer('tm-b', b, 1, 1)];
    b.setPeers(peers);
    a.setPeers(peers);
    a.send({ t: 'credit', ch: 1, n: 1, to: 1 });
    await until(() => atB.length === 1, 'the first message');
    await b.close();
    planes.splice(planes.indexOf(b), 1);
    await until(() => failures.length > 0, 'the loss report');
    expect(failures[0]![0]).toBe('tm-b');
    expect(failures[0]![1]).toMatch(/data link to TaskManager tm-b lost/);
  });
});
