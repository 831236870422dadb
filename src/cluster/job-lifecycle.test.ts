// The job lifecycle is a pure function: drive it with events and check states and commands.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SerializedError } from '../core/index.ts';
import {
  type ExecutionState,
  initialJobState,
  type JobCommand,
  type JobEvent,
  type JobLifecycleState,
  jobTransition,
} from './job-lifecycle.ts';

const boom = (message: string): SerializedError => ({
  name: 'Error',
  message,
  stack: `Error: ${message}\n    at f`,
});

function run(events: JobEvent[], from: JobLifecycleState = initialJobState()) {
  let state = from;
  const commands: JobCommand[] = [];
  for (const e of events) {
    const r = jobTransition(state, e);
    state = r.state;
    commands.push(...r.commands);
  }
  return { state, commands };
}

const task = (t: string, state: ExecutionState, error?: SerializedError): JobEvent =>
  error === undefined
    ? { kind: 'task-state', task: t, state }
    : { kind: 'task-state', task: t, state, error };
const deployed: JobEvent = { kind: 'deployed', tasks: ['0:0', '0:1', '1:0'] };

describe('jobTransition', () => {
  it('a restart with a note records the failure with the note (e.g. the checkpoint it falls back to)', () => {
    const { state, commands } = run(
      [
        deployed,
        task('0:0', 'FAILED', boom('state file /c/chk-3/0-0.state is corrupt')),
        task('0:1', 'CANCELED'),
        task('1:0', 'CANCELED'),
        { kind: 'restart', now: 5, note: 'recovering from checkpoint 2 instead' },
      ],
      initialJobState(true),
    );
    expect(commands.map((c) => c.kind)).toEqual(['cancel-tasks', 'decide-restart']);
    expect(state.status).toBe('RESTARTING');
    expect(state.failures.map((f) => f.error.message)).toEqual([
      'state file /c/chk-3/0-0.state is corrupt (recovering from checkpoint 2 instead)',
    ]);
  });

  it('starts CREATED and runs once deployed', () => {
    expect(initialJobState().status).toBe('CREATED');
    const { state, commands } = run([deployed]);
    expect(state.status).toBe('RUNNING');
    expect([...state.tasks.values()]).toEqual(['DEPLOYING', 'DEPLOYING', 'DEPLOYING']);
    expect(commands).toEqual([]);
  });

  it('finishes when every task finished', () => {
    const { state, commands } = run([
      deployed,
      task('0:0', 'RUNNING'),
      task('0:0', 'FINISHED'),
      task('0:1', 'FINISHED'),
      task('1:0', 'FINISHED'),
    ]);
    expect(state.status).toBe('FINISHED');
    expect(commands).toEqual([{ kind: 'terminated', status: 'FINISHED' }]);
  });

  it('fails with the first failure as root cause, cancelling the other tasks once', () => {
    const { state, commands } = run([
      deployed,
      task('0:1', 'FAILED', boom('first')),
      task('1:0', 'FAILED', boom('second')),
      task('0:0', 'CANCELED'),
    ]);
    expect(state.status).toBe('FAILED');
    expect(state.failure?.message).toBe('first');
    expect(commands).toEqual([{ kind: 'cancel-tasks' }, { kind: 'terminated', status: 'FAILED' }]);
  });

  it('fails at once when a job-level failure happens before deployment', () => {
    const { state, commands } = run([{ kind: 'failed', error: boom('load') }]);
    expect(state.status).toBe('FAILED');
    expect(state.failure?.message).toBe('load');
    expect(commands).toEqual([{ kind: 'terminated', status: 'FAILED' }]);
  });

  it('a job-level failure of a running job cancels the tasks, then fails', () => {
    const { state, commands } = run([
      deployed,
      { kind: 'failed', error: boom('slot lost') },
      task('0:0', 'CANCELED'),
      task('0:1', 'CANCELED'),
      task('1:0', 'FINISHED'),
    ]);
    expect(state.status).toBe('FAILED');
    expect(state.failure?.message).toBe('slot lost');
    expect(commands).toEqual([{ kind: 'cancel-tasks' }, { kind: 'terminated', status: 'FAILED' }]);
  });

  it('cancels: CANCELLING until every task stopped, then CANCELED', () => {
    const mid = run([deployed, task('0:0', 'RUNNING'), { kind: 'cancel' }]);
    expect(mid.state.status).toBe('CANCELLING');
    expect(mid.commands).toEqual([{ kind: 'cancel-tasks' }]);
    const end = run([task('0:0', 'CANCELED'), task('0:1', 'CANCELED'), task('1:0', 'CANCELED')], mid.state);
    expect(end.state.status).toBe('CANCELED');
    expect(end.state.failure).toBeUndefined();
    expect(end.commands).toEqual([{ kind: 'terminated', status: 'CANCELED' }]);
  });

  it('cancels a job that is not deployed yet at once, and stays cancelled when deployment follows', () => {
    const { state, commands } = run([{ kind: 'cancel' }, deployed]);
    expect(state.status).toBe('CANCELED');
    expect(commands).toEqual([{ kind: 'terminated', status: 'CANCELED' }]);
  });

  it('a task failing while the job is being cancelled does not turn the cancellation into a failure', () => {
    const { state } = run([
      deployed,
      { kind: 'cancel' },
      task('0:0', 'FAILED', boom('interrupted')),
      task('0:1', 'CANCELED'),
      task('1:0', 'CANCELED'),
    ]);
    expect(state.status).toBe('CANCELED');
  });

  it('ignores reports of tasks it did not deploy', () => {
    const early = run([task('0:0', 'FINISHED')]);
    expect(early.state.status).toBe('CREATED');
    expect(early.commands).toEqual([]);
    const stranger = run([deployed, task('9:9', 'FAILED', boom('stale'))]);
    expect(stranger.state.status).toBe('RUNNING');
    expect(stranger.state.tasks.has('9:9')).toBe(false);
  });

  it('ends a stuck teardown when the timeout fires, and ignores the timeout otherwise', () => {
    expect(run([deployed, { kind: 'cancel' }, { kind: 'teardown-timeout' }]).state.status).toBe('CANCELED');
    expect(run([deployed, task('0:0', 'FAILED', boom('x')), { kind: 'teardown-timeout' }]).state.status).toBe(
      'FAILED',
    );
    const running = run([deployed, { kind: 'teardown-timeout' }]);
    expect(running.state.status).toBe('RUNNING');
    expect(running.commands).toEqual([]);
  });

  it('terminates exactly once, and a terminal state absorbs every later event', () => {
    const taskId = fc.constantFrom('0:0', '0:1', '1:0');
    const event: fc.Arbitrary<JobEvent> = fc.oneof(
      fc.constant(deployed),
      fc.record({
        kind: fc.constant('task-state' as const),
        task: taskId,
        state: fc.constantFrom<ExecutionState>('RUNNING', 'FINISHED', 'FAILED', 'CANCELED'),
        error: fc.constant(boom('e')),
      }),
      fc.constant<JobEvent>({ kind: 'failed', error: boom('f') }),
      fc.constant<JobEvent>({ kind: 'cancel' }),
      fc.constant<JobEvent>({ kind: 'teardown-timeout' }),
    );
    fc.assert(
      fc.property(fc.array(event, { maxLength: 30 }), (events) => {
        let state = initialJobState();
        let terminated: JobCommand | undefined;
        for (const e of events) {
          const before = state;
          const r = jobTransition(state, e);
          state = r.state;
          for (const c of r.commands) {
            if (c.kind !== 'terminated') continue;
            expect(terminated).toBeUndefined();
            terminated = c;
            expect(state.status).toBe(c.status);
          }
          if (['FINISHED', 'FAILED', 'CANCELED'].includes(before.status)) {
            expect(r.state).toBe(before);
            expect(r.commands).toEqual([]);
          }
        }
        if (terminated?.kind === 'terminated' && terminated.status === 'FINISHED') {
          expect(events.some((e) => e.kind === 'failed' || e.kind === 'cancel')).toBe(false);
        }
        if (state.status === 'FAILED') expect(state.failure).toBeDefined();
      }),
    );
  });
});
