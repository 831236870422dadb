// The CheckpointCoordinator is a pure function: drive it with ticks, acks, declines, timeouts and
// metadata results, and check what it decides (trigger pacing, completion, subsumption,
// retention, tolerable failures, savepoints).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CheckpointSettings,
  type CoordinatorCommand,
  type CoordinatorEvent,
  type CoordinatorState,
  coordinatorTransition,
  initialCoordinatorState,
  latestCompleted,
} from './checkpoint-coordinator.ts';

const TASKS = ['0:0', '0:1', '1:0'];

function settings(over: Partial<CheckpointSettings> = {}): CheckpointSettings {
  return {
    interval: 100,
    timeout: 1_000,
    minPause: 0,
    maxConcurrent: 1,
    tolerableFailures: 0,
    retained: 1,
    ...over,
  };
}

function run(events: CoordinatorEvent[], from: CoordinatorState) {
  let state = from;
  const commands: CoordinatorCommand[] = [];
  for (const e of events) {
    const r = coordinatorTransition(state, e);
    state = r.state;
    commands.push(...r.commands);
  }
  return { state, commands };
}

const tick = (now: number, running: readonly string[] | 'not-running' = TASKS): CoordinatorEvent => ({
  kind: 'tick',
  now,
  running: running === 'not-running' ? undefined : running,
});
const ackAll = (id: number, now: number, tasks = TASKS): CoordinatorEvent[] =>
  tasks.map((task) => ({ kind: 'ack', id, task, handle: { file: `${task}.state` }, now }));
const written = (id: number, now: number): CoordinatorEvent => ({ kind: 'metadata-written', id, now });
const kinds = (commands: CoordinatorCommand[]) => commands.map((c) => c.kind);
const triggered = (commands: CoordinatorCommand[]) =>
  commands.flatMap((c) => (c.kind === 'trigger' ? [c.checkpoint.id] : []));
const discarded = (commands: CoordinatorCommand[]) =>
  commands.flatMap((c) => (c.kind === 'discard' ? [c.dir] : []));

/** A completed checkpoint: trigger at `at`, all acks, metadata written. */
const complete = (id: number, at: number): CoordinatorEvent[] => [
  tick(at),
  ...ackAll(id, at),
  written(id, at),
];

describe('coordinatorTransition: triggering', () => {
  it('triggers at once, then every interval, only when every task runs', () => {
    const s0 = initialCoordinatorState(settings(), '/cp/job');
    const first = coordinatorTransition(s0, tick(5));
    expect(kinds(first.commands)).toEqual(['trigger', 'schedule-timeout']);
    const trigger = first.commands[0] as Extract<CoordinatorCommand, { kind: 'trigger' }>;
    expect(trigger.checkpoint).toMatchObject({ id: 1, timestamp: 5, dir: '/cp/job/chk-1' });
    expect([...trigger.checkpoint.awaiting]).toEqual(TASKS);
    expect(first.commands[1]).toEqual({ kind: 'schedule-timeout', id: 1, at: 1_005 });

    // Not while a task is not running, not before the interval passed.
    expect(coordinatorTransition(s0, tick(5, 'not-running')).commands).toEqual([]);
    const done = run([...ackAll(1, 20), written(1, 20)], first.state).state;
    expect(triggered(run([tick(104)], done).commands)).toEqual([]);
    expect(triggered(run([tick(105)], done).commands)).toEqual([2]);
  });

  it('does not trigger with interval 0 (savepoints only)', () => {
    const s0 = initialCoordinatorState(settings({ interval: 0 }), '/cp/job');
    expect(run([tick(0), tick(10_000)], s0).commands).toEqual([]);
  });

  it('keeps at most maxConcurrent checkpoints in progress', () => {
    const one = run([tick(0), tick(100), tick(200)], initialCoordinatorState(settings(), '/cp'));
    expect(triggered(one.commands)).toEqual([1]);
    const two = run(
      [tick(0), tick(100), tick(200), tick(300)],
      initialCoordinatorState(settings({ maxConcurrent: 2 }), '/cp'),
    );
    expect(triggered(two.commands)).toEqual([1, 2]);
    // Completing one frees a place.
    const after = run([...ackAll(1, 310), written(1, 310), tick(320)], two.state);
    expect(triggered(after.commands)).toEqual([3]);
  });

  it('waits minPause after the end of the previous checkpoint (completed or failed)', () => {
    const s0 = initialCoordinatorState(settings({ interval: 10, minPause: 500 }), '/cp');
    const done = run(complete(1, 0), s0).state; // completes at 0
    expect(triggered(run([tick(499)], done).commands)).toEqual([]);
    expect(triggered(run([tick(500)], done).commands)).toEqual([2]);

    const failed = run(
      [tick(0), { kind: 'decline', id: 1, task: '0:0', reason: 'x', now: 1_000 }],
      initialCoordinatorState(settings({ interval: 10, minPause: 500, tolerableFailures: 5 }), '/cp'),
    ).state;
    expect(triggered(run([tick(1_499)], failed).commands)).toEqual([]);
    expect(triggered(run([tick(1_500)], failed).commands)).toEqual([2]);
  });

  it('numbers checkpoints after the one a job was restored from', () => {
    const s0 = initialCoordinatorState(settings(), '/cp/job', { id: 41 });
    expect(triggered(coordinatorTransition(s0, tick(0)).commands)).toEqual([42]);
    expect(s0.counts.restored).toBe(1);
    expect(s0.restoredFrom).toBe(41);
  });
});

describe('coordinatorTransition: completion', () => {
  it('writes metadata when the last task acknowledges, then notifies', () => {
    const s0 = initialCoordinatorState(settings(), '/cp');
    const partial = run([tick(0), ...ackAll(1, 10, TASKS.slice(0, 2))], s0);
    expect(kinds(partial.commands)).not.toContain('write-metadata');
    expect(partial.state.history[0]).toMatchObject({
      id: 1,
      status: 'IN_PROGRESS',
      acknowledged: 2,
      total: 3,
    });
    // A duplicate ack and an ack of an unknown task change nothing.
    const dup = run(
      [
        { kind: 'ack', id: 1, task: '0:0', handle: {}, now: 11 },
        { kind: 'ack', id: 1, task: '9:9', handle: {}, now: 11 },
      ],
      partial.state,
    );
    expect(dup.commands).toEqual([]);
    const last = run([{ kind: 'ack', id: 1, task: '1:0', handle: {}, now: 12 }], dup.state);
    expect(kinds(last.commands)).toEqual(['write-metadata']);
    const meta = last.commands[0] as Extract<CoordinatorCommand, { kind: 'write-metadata' }>;
    expect([...meta.checkpoint.acks.keys()].sort()).toEqual([...TASKS].sort());
    // Not complete (no notification) until the metadata is durable.
    expect(latestCompleted(last.state)).toBeUndefined();
    const done = run([written(1, 20)], last.state);
    expect(kinds(done.commands)).toEqual(['notify-complete']);
    expect(latestCompleted(done.state)).toMatchObject({ id: 1, dir: '/cp/chk-1', completedAt: 20 });
    expect(done.state.counts.completed).toBe(1);
    expect(done.state.pending.size).toBe(0);
  });

  it('stops waiting for a task that finished (no state, no barrier) and completes without it', () => {
    const s0 = initialCoordinatorState(settings({ maxConcurrent: 2 }), '/cp');
    const r = run(
      [
        tick(0),
        tick(100),
        ...ackAll(1, 110, ['0:0', '1:0']),
        { kind: 'task-finished', task: '0:1', now: 120 },
      ],
      s0,
    );
    const writes = r.commands.filter((c) => c.kind === 'write-metadata');
    expect(writes).toHaveLength(1);
    expect([
      ...(writes[0] as Extract<CoordinatorCommand, { kind: 'write-metadata' }>).checkpoint.acks.keys(),
    ]).toEqual(['0:0', '1:0']);
    // Checkpoint 2 still waits for the others, not for the finished task.
    expect([...r.state.pending.get(2)!.awaiting].sort()).toEqual(['0:0', '1:0']);
    // Later checkpoints are triggered for the running tasks only (the JobMaster's `running`).
    const later = run([written(1, 130), ...ackAll(2, 140, ['0:0', '1:0'])], r.state);
    expect(kinds(later.commands)).toContain('write-metadata');
  });

  it('a newer completed checkpoint subsumes older pending ones', () => {
    const s0 = initialCoordinatorState(settings({ maxConcurrent: 3 }), '/cp');
    const r = run([tick(0), tick(100), ...ackAll(2, 150), written(2, 160)], s0);
    expect(r.commands.filter((c) => c.kind !== 'trigger' && c.kind !== 'schedule-timeout')).toEqual([
      { kind: 'write-metadata', checkpoint: expect.objectContaining({ id: 2 }) },
      { kind: 'notify-complete', id: 2 },
      { kind: 'notify-aborted', id: 1 },
      { kind: 'discard', dir: '/cp/chk-1' },
    ]);
    expect(r.state.pending.size).toBe(0);
    // Late acks of the subsumed checkpoint are ignored.
    expect(run(ackAll(1, 170), r.state).commands).toEqual([]);
  });

  it('keeps the last `retained` completed checkpoints and discards older ones', () => {
    const s0 = initialCoordinatorState(settings({ retained: 2 }), '/cp');
    const r = run([...complete(1, 0), ...complete(2, 100), ...complete(3, 200)], s0);
    expect(discarded(r.commands)).toEqual(['/cp/chk-1']);
    expect(r.state.completed.map((c) => c.id)).toEqual([2, 3]);
    expect(latestCompleted(r.state)?.id).toBe(3);
  });

  it('records history newest first, at most 20 entries', () => {
    let s = initialCoordinatorState(settings(), '/cp');
    for (let i = 1; i <= 25; i++) s = run(complete(i, i * 100), s).state;
    expect(s.history).toHaveLength(20);
    expect(s.history[0]).toMatchObject({ id: 25, status: 'COMPLETED', endTimestamp: 2_500 });
    expect(s.history[19]?.id).toBe(6);
  });
});

describe('coordinatorTransition: failures', () => {
  it('a decline fails the checkpoint and, beyond the tolerable number, the job', () => {
    const s0 = initialCoordinatorState(settings({ tolerableFailures: 1 }), '/cp');
    const decline = (id: number, now: number): CoordinatorEvent => ({
      kind: 'decline',
      id,
      task: '0:1',
      reason: 'disk full',
      now,
    });
    const first = run([tick(0), decline(1, 10)], s0);
    expect(kinds(first.commands)).toEqual(['trigger', 'schedule-timeout', 'notify-aborted', 'discard']);
    expect(first.state.consecutiveFailures).toBe(1);
    expect(first.state.counts.failed).toBe(1);
    expect(first.state.history[0]).toMatchObject({
      id: 1,
      status: 'FAILED',
      failure: 'declined by 0:1: disk full',
    });
    const second = run([tick(100), decline(2, 110)], first.state);
    const fail = second.commands.find((c) => c.kind === 'fail-job');
    expect(fail).toEqual({
      kind: 'fail-job',
      reason:
        'checkpoint 2 failed (declined by 0:1: disk full); 2 consecutive checkpoint failures exceed the tolerable number 1',
    });
  });

  it('a completed checkpoint resets the consecutive failures', () => {
    const s0 = initialCoordinatorState(settings({ tolerableFailures: 1 }), '/cp');
    const r = run(
      [
        tick(0),
        { kind: 'timeout', id: 1, now: 1_000 },
        ...complete(2, 1_100),
        tick(1_200),
        { kind: 'timeout', id: 3, now: 2_200 },
      ],
      s0,
    );
    expect(kinds(r.commands)).not.toContain('fail-job');
    expect(r.state.consecutiveFailures).toBe(1);
    expect(r.state.counts).toEqual({ completed: 1, failed: 2, restored: 0 });
  });

  it('counting starts over once the job was failed over for too many failures', () => {
    // Flink clears the counter when it fails the job; otherwise the first failure after the
    // restart would fail the job again at once.
    const s0 = initialCoordinatorState(settings({ tolerableFailures: 1 }), '/cp');
    const timeout = (id: number, now: number): CoordinatorEvent => ({ kind: 'timeout', id, now });
    const r = run([tick(0), timeout(1, 1_000), tick(1_100), timeout(2, 2_100)], s0);
    expect(kinds(r.commands).filter((k) => k === 'fail-job')).toHaveLength(1);
    const after = run(
      [{ kind: 'abort-all', reason: 'restart', now: 2_200 }, tick(2_300), timeout(3, 3_300)],
      r.state,
    );
    expect(kinds(after.commands)).not.toContain('fail-job');
  });

  it('times out a checkpoint that is not acknowledged in time', () => {
    const s0 = initialCoordinatorState(settings({ tolerableFailures: 3 }), '/cp');
    const r = run([tick(0), ...ackAll(1, 10, ['0:0']), { kind: 'timeout', id: 1, now: 1_000 }], s0);
    expect(r.state.history[0]?.failure).toBe('expired after 1000 ms before all tasks acknowledged');
    expect(discarded(r.commands)).toEqual(['/cp/chk-1']);
    // A timeout of a checkpoint that already completed is ignored.
    const done = run([...complete(2, 2_000), { kind: 'timeout', id: 2, now: 3_000 }], r.state);
    expect(done.state.counts.failed).toBe(1);
  });

  it('a metadata write failure fails the checkpoint (counted)', () => {
    const s0 = initialCoordinatorState(settings(), '/cp');
    const r = run(
      [tick(0), ...ackAll(1, 10), { kind: 'metadata-failed', id: 1, reason: 'EACCES', now: 20 }],
      s0,
    );
    expect(kinds(r.commands)).toContain('fail-job');
    expect(latestCompleted(r.state)).toBeUndefined();
  });

  it('abort-all (failover) aborts pending checkpoints without counting them', () => {
    const s0 = initialCoordinatorState(settings({ maxConcurrent: 2 }), '/cp');
    const r = run([tick(0), tick(100), { kind: 'abort-all', reason: 'the job is restarting', now: 150 }], s0);
    expect(r.commands.filter((c) => c.kind === 'notify-aborted')).toHaveLength(2);
    expect(kinds(r.commands)).not.toContain('fail-job');
    expect(r.state.consecutiveFailures).toBe(0);
    expect(r.state.pending.size).toBe(0);
  });
});

describe('coordinatorTransition: savepoints', () => {
  const request = { requestId: 'r1', dir: '/sp', stop: true, drain: false };

  it('triggers a savepoint at once, into the savepoint directory, and answers the request', () => {
    const s0 = initialCoordinatorState(settings({ interval: 0 }), '/cp');
    const t = coordinatorTransition(s0, { kind: 'trigger-savepoint', now: 36, running: TASKS, request });
    const cp = (t.commands[0] as Extract<CoordinatorCommand, { kind: 'trigger' }>).checkpoint;
    expect(cp.dir).toBe('/sp/savepoint-1-10');
    expect(cp.savepoint).toEqual(request);
    const done = run([...ackAll(1, 40), written(1, 50)], t.state);
    expect(done.commands.slice(1)).toEqual([
      { kind: 'notify-complete', id: 1 },
      { kind: 'savepoint-completed', requestId: 'r1', dir: '/sp/savepoint-1-10', stop: true },
    ]);
    // A savepoint is not a checkpoint to recover from, and is never discarded by retention.
    expect(latestCompleted(done.state)).toBeUndefined();
    expect(discarded(done.commands)).toEqual([]);
  });

  it('fails the request when not every task runs, and on decline without counting towards failover', () => {
    const s0 = initialCoordinatorState(settings(), '/cp');
    expect(
      coordinatorTransition(s0, { kind: 'trigger-savepoint', now: 0, running: undefined, request }).commands,
    ).toEqual([
      {
        kind: 'savepoint-failed',
        requestId: 'r1',
        reason: 'not all tasks are running (the job is starting, restarting or finishing)',
      },
    ]);
    const r = run(
      [
        { kind: 'trigger-savepoint', now: 0, running: TASKS, request },
        { kind: 'decline', id: 1, task: '0:0', reason: 'x', now: 5 },
      ],
      s0,
    );
    expect(r.commands.at(-1)).toEqual({
      kind: 'savepoint-failed',
      requestId: 'r1',
      reason: 'declined by 0:0: x',
    });
    expect(kinds(r.commands)).not.toContain('fail-job');
    expect(r.state.consecutiveFailures).toBe(0);
  });

  it('a completed checkpoint does not subsume a savepoint in progress', () => {
    const s0 = initialCoordinatorState(settings({ maxConcurrent: 2 }), '/cp');
    const r = run(
      [
        { kind: 'trigger-savepoint', now: 0, running: TASKS, request: { ...request, stop: false } },
        ...complete(2, 100),
      ],
      s0,
    );
    expect(r.commands.filter((c) => c.kind === 'notify-aborted')).toEqual([]);
    expect(r.state.pending.has(1)).toBe(true);
    const later = run([...ackAll(1, 150), written(1, 160)], r.state);
    expect(later.commands).toContainEqual(
      expect.objectContaining({ kind: 'savepoint-completed', requestId: 'r1' }),
    );
  });

  it('maxConcurrent counts a savepoint in progress', () => {
    const s0 = initialCoordinatorState(settings({ maxConcurrent: 1 }), '/cp');
    const r = run([{ kind: 'trigger-savepoint', now: 0, running: TASKS, request }, tick(100)], s0);
    expect(triggered(r.commands)).toEqual([1]);
  });
});

describe('coordinatorTransition: laws', () => {
  const arbEvent = fc.oneof(
    fc.record({ kind: fc.constant('tick' as const), dt: fc.nat(300) }),
    fc.record({
      kind: fc.constant('ack' as const),
      id: fc.integer({ min: 1, max: 8 }),
      task: fc.constantFrom(...TASKS),
    }),
    fc.record({ kind: fc.constant('decline' as const), id: fc.integer({ min: 1, max: 8 }) }),
    fc.record({ kind: fc.constant('timeout' as const), id: fc.integer({ min: 1, max: 8 }) }),
    fc.record({ kind: fc.constant('metadata-written' as const), id: fc.integer({ min: 1, max: 8 }) }),
    fc.record({ kind: fc.constant('abort-all' as const) }),
  );

  it('never exceeds maxConcurrent, completes only fully acknowledged checkpoints, ids only grow', () => {
    fc.assert(
      fc.property(
        fc.array(arbEvent, { maxLength: 80 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 3 }),
        (events, maxConcurrent, retained) => {
          let s = initialCoordinatorState(
            settings({ maxConcurrent, retained, tolerableFailures: 1_000 }),
            '/cp',
          );
          let now = 0;
          const metadataRequested = new Set<number>();
          let lastCompleted = 0;
          for (const e of events) {
            let event: CoordinatorEvent;
            switch (e.kind) {
              case 'tick':
                now += e.dt;
                event = tick(now);
                break;
              case 'ack':
                event = { kind: 'ack', id: e.id, task: e.task, handle: {}, now };
                break;
              case 'decline':
                event = { kind: 'decline', id: e.id, task: '0:0', reason: 'r', now };
                break;
              case 'timeout':
                event = { kind: 'timeout', id: e.id, now };
                break;
              case 'metadata-written':
                // The executor reports a write only after it was asked to write.
                if (!metadataRequested.has(e.id)) continue;
                event = { kind: 'metadata-written', id: e.id, now };
                break;
              default:
                event = { kind: 'abort-all', reason: 'failover', now };
            }
            const r = coordinatorTransition(s, event);
            for (const c of r.commands) {
              if (c.kind === 'write-metadata') {
                expect(c.checkpoint.awaiting.size).toBe(0);
                metadataRequested.add(c.checkpoint.id);
              }
              if (c.kind === 'notify-complete') {
                expect(metadataRequested.has(c.id)).toBe(true);
                expect(c.id).toBeGreaterThan(lastCompleted);
                lastCompleted = c.id;
              }
            }
            s = r.state;
            expect(s.pending.size).toBeLessThanOrEqual(maxConcurrent);
            expect(s.completed.length).toBeLessThanOrEqual(retained);
          }
        },
      ),
    );
  });
});

describe('final checkpoint when every task ended', () => {
  const ended = (now: number): CoordinatorEvent => ({ kind: 'tick', now, running: TASKS, allEnded: true });

  it('is triggered at once, without waiting for the interval or the minimum pause', () => {
    const s0 = initialCoordinatorState(settings({ interval: 10_000, minPause: 5_000 }), '/cp');
    const { state } = run(complete(1, 0), s0);
    // 10 ms after the last completion: far inside the interval and the pause.
    expect(triggered(run([tick(10)], state).commands)).toEqual([]);
    expect(triggered(run([ended(10)], state).commands)).toEqual([2]);
  });

  it('is not triggered while a checkpoint is pending (that one is the final checkpoint)', () => {
    const s0 = initialCoordinatorState(settings(), '/cp');
    const { state } = run([tick(0)], s0);
    expect(state.pending.size).toBe(1);
    expect(triggered(run([ended(1)], state).commands)).toEqual([]);
  });

  it('after a failed checkpoint waits for the interval, so broken storage is not retried in a loop', () => {
    const s0 = initialCoordinatorState(settings({ interval: 1_000, tolerableFailures: 10 }), '/cp');
    const { state } = run(
      [tick(0), { kind: 'decline', id: 1, task: '0:0', reason: 'disk full', now: 5 }],
      s0,
    );
    expect(triggered(run([ended(10)], state).commands)).toEqual([]);
    expect(triggered(run([ended(1_000)], state).commands)).toEqual([2]);
  });
});
