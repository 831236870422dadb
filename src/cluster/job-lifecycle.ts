// The job's lifecycle as pure decision logic: (state, event) -> { state, commands }. The
// JobMaster executes the commands; tests drive this function directly.
import type { SerializedError } from '../core/index.ts';

/** Job states, as Flink names them. */
export type JobStatus =
  | 'CREATED'
  | 'RUNNING'
  | 'FAILING'
  | 'FAILED'
  | 'CANCELLING'
  | 'CANCELED'
  | 'FINISHED'
  | 'RESTARTING';

/** States a task can be in, as seen by the JobMaster. */
export type ExecutionState = 'DEPLOYING' | 'RUNNING' | 'FINISHED' | 'FAILED' | 'CANCELED';

/** Lifecycle state of one job. */
export interface JobLifecycleState {
  readonly status: JobStatus;
  /** Execution state per task key (`vertex:subtask`). */
  readonly tasks: ReadonlyMap<string, ExecutionState>;
  /** The first failure (root cause) of the current attempt, or the final one. */
  readonly failure: SerializedError | undefined;
  /** Whether failures may restart the job (a restart strategy other than "none"). */
  readonly restartable: boolean;
  /** Restarts so far. */
  readonly attempt: number;
  /** Every failure that caused a restart or the end of the job, oldest first. */
  readonly failures: readonly {
    readonly error: SerializedError;
    readonly time: number;
    readonly attempt: number;
  }[];
}

/** What happens to a job. */
export type JobEvent =
  | { readonly kind: 'deployed'; readonly tasks: readonly string[] }
  | {
      readonly kind: 'task-state';
      readonly task: string;
      readonly state: ExecutionState;
      readonly error?: SerializedError;
    }
  /** A job-level failure; `recoverable: false` fails the job without a restart. */
  | { readonly kind: 'failed'; readonly error: SerializedError; readonly recoverable?: boolean }
  /**
   * The restart strategy allows a restart (after the delay the JobMaster redeploys). `note` is
   * added to the failure in the history (e.g. which checkpoint the job falls back to).
   */
  | { readonly kind: 'restart'; readonly now: number; readonly note?: string }
  /** The restart strategy gives up. */
  | { readonly kind: 'give-up'; readonly reason: string; readonly now: number }
  | { readonly kind: 'cancel' }
  | { readonly kind: 'teardown-timeout' };

/** What the JobMaster must do. */
export type JobCommand =
  | { readonly kind: 'cancel-tasks' }
  /** Every task stopped after a failure: ask the restart strategy. */
  | { readonly kind: 'decide-restart' }
  | { readonly kind: 'terminated'; readonly status: 'FINISHED' | 'FAILED' | 'CANCELED' };

/** The initial state. */
export function initialJobState(restartable = false): JobLifecycleState {
  return { status: 'CREATED', tasks: new Map(), failure: undefined, restartable, attempt: 0, failures: [] };
}

/** After a failure, when every task has stopped: restart or fail. */
function afterFailure(state: JobLifecycleState): { state: JobLifecycleState; commands: JobCommand[] } {
  if (state.restartable) return { state, commands: [{ kind: 'decide-restart' }] };
  return { state: { ...state, status: 'FAILED' }, commands: [{ kind: 'terminated', status: 'FAILED' }] };
}

const TERMINAL: ReadonlySet<ExecutionState> = new Set(['FINISHED', 'FAILED', 'CANCELED']);

function allTerminal(tasks: ReadonlyMap<string, ExecutionState>): boolean {
  for (const s of tasks.values()) if (!TERMINAL.has(s)) return false;
  return true;
}

/** Applies one event. */
export function jobTransition(
  state: JobLifecycleState,
  event: JobEvent,
): { state: JobLifecycleState; commands: JobCommand[] } {
  const done = state.status === 'FINISHED' || state.status === 'FAILED' || state.status === 'CANCELED';
  if (done) return { state, commands: [] };
  switch (event.kind) {
    case 'deployed': {
      if (state.status !== 'CREATED' && state.status !== 'RESTARTING') return { state, commands: [] };
      const tasks = new Map<string, ExecutionState>(event.tasks.map((t) => [t, 'DEPLOYING']));
      const attempt = state.status === 'RESTARTING' ? state.attempt + 1 : state.attempt;
      return { state: { ...state, status: 'RUNNING', tasks, attempt, failure: undefined }, commands: [] };
    }
    case 'restart': {
      if (state.status !== 'FAILING') return { state, commands: [] };
      const error: SerializedError | undefined =
        state.failure === undefined || event.note === undefined
          ? state.failure
          : { ...state.failure, message: `${state.failure.message} (${event.note})` };
      const failures =
        error === undefined
          ? state.failures
          : [...state.failures, { error, time: event.now, attempt: state.attempt }];
      return { state: { ...state, status: 'RESTARTING', failures }, commands: [] };
    }
    case 'give-up': {
      if (state.status !== 'FAILING') return { state, commands: [] };
      const failures =
        state.failure === undefined
          ? state.failures
          : [...state.failures, { error: state.failure, time: event.now, attempt: state.attempt }];
      const failure: SerializedError | undefined =
        state.failure === undefined
          ? undefined
          : { ...state.failure, message: `${state.failure.message} (not restarted: ${event.reason})` };
      return {
        state: { ...state, status: 'FAILED', failures, failure },
        commands: [{ kind: 'terminated', status: 'FAILED' }],
      };
    }
    case 'task-state': {
      // Only deployed tasks report; anything else (a stale attempt, a message before deployment)
      // must not decide the job's fate.
      if (!state.tasks.has(event.task)) return { state, commands: [] };
      const tasks = new Map(state.tasks);
      tasks.set(event.task, event.state);
      let next: JobLifecycleState = { ...state, tasks };
      const commands: JobCommand[] = [];
      if (event.state === 'FAILED' && state.status === 'RUNNING') {
        next = { ...next, status: 'FAILING', failure: state.failure ?? event.error };
        commands.push({ kind: 'cancel-tasks' });
      }
      if (allTerminal(tasks) && next.status !== 'RESTARTING') {
        if (next.status === 'FAILING') {
          const r = afterFailure(next);
          return { state: r.state, commands: [...commands, ...r.commands] };
        }
        const status = next.status === 'CANCELLING' ? 'CANCELED' : 'FINISHED';
        next = { ...next, status };
        commands.push({ kind: 'terminated', status });
      }
      return { state: next, commands };
    }
    case 'failed': {
      if (state.status === 'FAILING' || state.status === 'CANCELLING') {
        return { state: { ...state, failure: state.failure ?? event.error }, commands: [] };
      }
      const recoverable = event.recoverable !== false && state.status !== 'CREATED';
      const next: JobLifecycleState = {
        ...state,
        status: 'FAILING',
        failure: state.failure ?? event.error,
        restartable: state.restartable && recoverable,
      };
      if (state.status === 'RESTARTING' || state.tasks.size === 0 || allTerminal(state.tasks)) {
        return afterFailure(next);
      }
      return { state: next, commands: [{ kind: 'cancel-tasks' }] };
    }
    case 'cancel': {
      if (state.status === 'CANCELLING') return { state, commands: [] };
      if (state.status === 'FAILING' && !state.restartable) return { state, commands: [] };
      if (state.status === 'RESTARTING' || state.tasks.size === 0 || allTerminal(state.tasks)) {
        return {
          state: { ...state, status: 'CANCELED' },
          commands: [{ kind: 'terminated', status: 'CANCELED' }],
        };
      }
      return { state: { ...state, status: 'CANCELLING' }, commands: [{ kind: 'cancel-tasks' }] };
    }
    case 'teardown-timeout': {
      if (state.status === 'FAILING') return afterFailure(state);
      if (state.status === 'CANCELLING') {
        return {
          state: { ...state, status: 'CANCELED' },
          commands: [{ kind: 'terminated', status: 'CANCELED' }],
        };
      }
      return { state, commands: [] };
    }
    default: {
      const never: never = event;
      return never;
    }
  }
}
