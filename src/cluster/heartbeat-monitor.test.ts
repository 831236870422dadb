import { describe, expect, it } from 'vitest';
import { HeartbeatMonitor } from './heartbeat-monitor.ts';

describe('HeartbeatMonitor', () => {
  it('expires a target once it was silent for longer than the timeout, once', () => {
    const m = new HeartbeatMonitor(1000);
    m.heard('a', 0);
    m.heard('b', 0);
    m.heard('b', 900);
    expect(m.expired(1000)).toEqual([]);
    expect(m.expired(1001)).toEqual(['a']);
    expect(m.expired(1500)).toEqual([]);
    expect(m.sinceLastHeard('b', 1500)).toBe(600);
    expect(m.expired(1901)).toEqual(['b']);
    expect(m.sinceLastHeard('b', 2000)).toBeUndefined();
  });

  it('forgets targets on request', () => {
    const m = new HeartbeatMonitor(10);
    m.heard('a', 0);
    m.forget('a');
    expect(m.expired(100)).toEqual([]);
  });
});
