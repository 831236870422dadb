// The address a TaskManager bound to every interface advertises to its peers: the local end of a
// real connection, as plain IPv4 when the socket reports an IPv4-mapped IPv6 address.
import { createServer, connect as tcpConnect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { connectingAddress } from './task-manager-runner.ts';

describe('connectingAddress', () => {
  it('is the local address of the connection, not the host name', async () => {
    const server = createServer((s) => s.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const socket = tcpConnect({ host: '127.0.0.1', port });
    try {
      await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
      expect(connectingAddress(socket)).toBe('127.0.0.1');
    } finally {
      socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('unmaps IPv4-mapped IPv6 addresses and keeps real IPv6 ones', () => {
    expect(connectingAddress({ localAddress: '::ffff:10.213.20.11' })).toBe('10.213.20.11');
    expect(connectingAddress({ localAddress: 'fd00::11' })).toBe('fd00::11');
  });
});
