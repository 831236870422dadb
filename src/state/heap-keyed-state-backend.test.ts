// What only the heap backend does: copy-on-write snapshots of live objects. Everything both
// backends do (state kinds, namespaces, TTL, snapshots, rescaling) is in the shared contract suite
// (state-backend-contract.ts, run by state-backends.test.ts).
import { describe, expect, it } from 'vitest';
import { HeapKeyedStateBackend, readPinnedSnapshot } from './heap-keyed-state-backend.ts';
import { ValueStateDescriptor } from './state-descriptor.ts';

describe('heap backend copy-on-write snapshots', () => {
  class Counter {
    n = 0;
    tags = new Set<string>();
    bump(tag: string): this {
      this.n++;
      this.tags.add(tag);
      return this;
    }
  }

  it('copies a value a pinned snapshot reads before handing it out, keeping its class', () => {
    const b = new HeapKeyedStateBackend(128, { start: 0, end: 127 });
    const s = b.getPartitionedState(new ValueStateDescriptor<Counter>('c'));
    b.setCurrentKey('k');
    s.update(new Counter().bump('a'));
    const pinned = b.pinSnapshot();
    const live = s.value()!;
    expect(live).toBeInstanceOf(Counter);
    live.bump('b');
    const snap = readPinnedSnapshot(pinned);
    const [[, [[key, stored]]]] = snap.c as [[number, [[unknown, Counter]]]];
    expect(key).toBe('k');
    expect(stored.n).toBe(1);
    expect([...stored.tags]).toEqual(['a']);
    expect(s.value()!.n).toBe(2);
    // Released: no more copies, the value is handed out as stored.
    expect(s.value()).toBe(s.value());
  });
});
