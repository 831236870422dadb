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
  /** The first failure (root cause). */
  readonly failure: SerializedError | undefined;
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
  | { readonly kind: 'failed'; readonly error: SerializedError }
  | { readonly kind: 'cancel' }
  | { readonly kind: 'teardown-timeout' };

/** What the JobMaster must do. */
export type JobCommand =
  | { readonly kind: 'cancel-tasks' }
  | { readonly kind: 'terminated'; readonly status: 'FINISHED' | 'FAILED' | 'CANCELED' };

/** The initial state. */
export function initialJobState(): JobLifecycleState {
  return { status: 'CREATED', tasks: new Map(), failure: undefined };
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
      if (state.status !== 'CREATED') return { state, commands: [] };
      const tasks = new Map<string, ExecutionState>(event.tasks.map((t) => [t, 'DEPLOYING']));
      return { state: { ...state, status: 'RUNNING', tasks }, commands: [] };
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
      if (allTerminal(tasks)) {
        const status =
          next.status === 'FAILING' ? 'FAILED' : next.status === 'CANCELLING' ? 'CANCELED' : 'FINISHED';
        next = { ...next, status };
        commands.push({ kind: 'terminated', status });
      }
      return { state: next, commands };
    }
    case 'failed': {
      const next: JobLifecycleState = { ...state, status: 'FAILING', failure: state.failure ?? event.error };
      if (state.tasks.size === 0 || allTerminal(state.tasks)) {
        return { state: { ...next, status: 'FAILED' }, commands: [{ kind: 'terminated', status: 'FAILED' }] };
      }
      return { state: next, commands: [{ kind: 'cancel-tasks' }] };
    }
    case 'cancel': {
      if (state.status === 'CANCELLING' || state.status === 'FAILING') return { state, commands: [] };
      if (state.tasks.size === 0 || allTerminal(state.tasks)) {
        return {
          state: { ...state, status: 'CANCELED' },
          commands: [{ kind: 'terminated', status: 'CANCELED' }],
        };
      }
      return { state: { ...state, status: 'CANCELLING' }, commands: [{ kind: 'cancel-tasks' }] };
    }
    case 'teardown-timeout': {
      if (state.status === 'FAILING') {
        return {
          state: { ...state, status: 'FAILED' },
          commands: [{ kind: 'terminated', status: 'FAILED' }],
        };
      }
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
