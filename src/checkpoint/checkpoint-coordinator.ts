// The CheckpointCoordinator's decisions, as a pure function (state, event) -> { state, commands }:
// when to trigger, when a checkpoint is complete, when it failed, what to discard, when the job
// must fail over. The JobMaster executes the commands (messages to tasks, file I/O).

/** Settings of periodic checkpointing. */
export interface CheckpointSettings {
  /** 0 = no periodic checkpoints (savepoints still work). */
  readonly interval: number;
  readonly timeout: number;
  readonly minPause: number;
  readonly maxConcurrent: number;
  readonly tolerableFailures: number;
  readonly retained: number;
}

/** A savepoint request. */
export interface SavepointRequest {
  readonly requestId: string;
  readonly dir: string;
  /** Stop the job after the savepoint (stop-with-savepoint). */
  readonly stop: boolean;
  /** With stop: emit the max watermark first, firing all event-time timers. */
  readonly drain: boolean;
}

/** A checkpoint being taken. */
export interface PendingCheckpoint {
  readonly id: number;
  readonly timestamp: number;
  readonly dir: string;
  readonly savepoint: SavepointRequest | undefined;
  readonly awaiting: ReadonlySet<string>;
  readonly acks: ReadonlyMap<string, unknown>;
}

/** A completed checkpoint kept for recovery. */
export interface CompletedCheckpoint {
  readonly id: number;
  readonly timestamp: number;
  readonly completedAt: number;
  readonly dir: string;
  readonly savepoint: boolean;
}

/** One line of checkpoint history (REST, metrics). */
export interface CheckpointRecord {
  readonly id: number;
  readonly status: 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';
  readonly savepoint: boolean;
  readonly triggerTimestamp: number;
  readonly endTimestamp: number | undefined;
  readonly dir: string;
  readonly failure: string | undefined;
  readonly acknowledged: number;
  readonly total: number;
}

/** The coordinator's state. */
export interface CoordinatorState {
  readonly settings: CheckpointSettings;
  readonly baseDir: string;
  readonly nextId: number;
  readonly pending: ReadonlyMap<number, PendingCheckpoint>;
  readonly completed: readonly CompletedCheckpoint[];
  readonly lastTrigger: number;
  readonly lastCompletion: number;
  readonly consecutiveFailures: number;
  readonly counts: { completed: number; failed: number; restored: number };
  readonly history: readonly CheckpointRecord[];
  /** Checkpoint id the job restored from, if any. */
  readonly restoredFrom: number | undefined;
}

/** Events the coordinator reacts to. */
export type CoordinatorEvent =
  /**
   * Periodic tick: `running` lists the running tasks when every task runs or has finished (and
   * one at least runs), else undefined.
   */
  | {
      readonly kind: 'tick';
      readonly now: number;
      readonly running: readonly string[] | undefined;
      /**
       * Every task has finished or waits for its final checkpoint: one is triggered at once
       * (unless one is pending or the last one failed), not after the interval, so a bounded
       * job ends promptly.
       */
      readonly allEnded?: boolean;
    }
  | {
      readonly kind: 'trigger-savepoint';
      readonly now: number;
      readonly running: readonly string[] | undefined;
      readonly request: SavepointRequest;
    }
  | {
      readonly kind: 'ack';
      readonly id: number;
      readonly task: string;
      readonly handle: unknown;
      readonly now: number;
    }
  | {
      readonly kind: 'decline';
      readonly id: number;
      readonly task: string;
      readonly reason: string;
      readonly now: number;
    }
  /**
   * A task finished (its input ended) before it took part in pending checkpoints: it has no
   * state left to snapshot and sends no barrier, so those checkpoints stop waiting for it.
   */
  | { readonly kind: 'task-finished'; readonly task: string; readonly now: number }
  | { readonly kind: 'timeout'; readonly id: number; readonly now: number }
  | { readonly kind: 'metadata-written'; readonly id: number; readonly now: number }
  | { readonly kind: 'metadata-failed'; readonly id: number; readonly reason: string; readonly now: number }
  /** The job fails over or stops: pending checkpoints are aborted. */
  | { readonly kind: 'abort-all'; readonly reason: string; readonly now: number };

/** What the executor must do. */
export type CoordinatorCommand =
  | { readonly kind: 'trigger'; readonly checkpoint: PendingCheckpoint }
  | { readonly kind: 'schedule-timeout'; readonly id: number; readonly at: number }
  | { readonly kind: 'write-metadata'; readonly checkpoint: PendingCheckpoint }
  | { readonly kind: 'notify-complete'; readonly id: number }
  | { readonly kind: 'notify-aborted'; readonly id: number }
  | { readonly kind: 'discard'; readonly dir: string }
  | {
      readonly kind: 'savepoint-completed';
      readonly requestId: string;
      readonly dir: string;
      readonly stop: boolean;
    }
  | { readonly kind: 'savepoint-failed'; readonly requestId: string; readonly reason: string }
  | { readonly kind: 'fail-job'; readonly reason: string };

const HISTORY = 20;

/** The initial state; `restoredFrom` when the job starts from a checkpoint or savepoint. */
export function initialCoordinatorState(
  settings: CheckpointSettings,
  baseDir: string,
  restoredFrom?: { id: number },
): CoordinatorState {
  return {
    settings,
    baseDir,
    nextId: (restoredFrom?.id ?? 0) + 1,
    pending: new Map(),
    completed: [],
    lastTrigger: Number.NEGATIVE_INFINITY,
    lastCompletion: Number.NEGATIVE_INFINITY,
    consecutiveFailures: 0,
    counts: { completed: 0, failed: 0, restored: restoredFrom === undefined ? 0 : 1 },
    history: [],
    restoredFrom: restoredFrom?.id,
  };
}

function record(state: CoordinatorState, r: CheckpointRecord): readonly CheckpointRecord[] {
  const rest = state.history.filter((h) => h.id !== r.id);
  return [r, ...rest].slice(0, HISTORY);
}

function pendingRecord(p: PendingCheckpoint): CheckpointRecord {
  return {
    id: p.id,
    status: 'IN_PROGRESS',
    savepoint: p.savepoint !== undefined,
    triggerTimestamp: p.timestamp,
    endTimestamp: undefined,
    dir: p.dir,
    failure: undefined,
    acknowledged: p.acks.size,
    total: p.acks.size + p.awaiting.size,
  };
}

function trigger(
  state: CoordinatorState,
  now: number,
  running: readonly string[],
  savepoint: SavepointRequest | undefined,
): { state: CoordinatorState; commands: CoordinatorCommand[] } {
  const id = state.nextId;
  const dir =
    savepoint === undefined
      ? `${state.baseDir}/chk-${id}`
      : `${savepoint.dir}/savepoint-${id}-${now.toString(36)}`;
  const checkpoint: PendingCheckpoint = {
    id,
    timestamp: now,
    dir,
    savepoint,
    awaiting: new Set(running),
    acks: new Map(),
  };
  const pending = new Map(state.pending);
  pending.set(id, checkpoint);
  return {
    state: {
      ...state,
      nextId: id + 1,
      pending,
      lastTrigger: now,
      history: record(state, pendingRecord(checkpoint)),
    },
    commands: [
      { kind: 'trigger', checkpoint },
      { kind: 'schedule-timeout', id, at: now + state.settings.timeout },
    ],
  };
}

function fail(
  state: CoordinatorState,
  p: PendingCheckpoint,
  reason: string,
  now: number,
  countsTowardsTolerance: boolean,
): { state: CoordinatorState; commands: CoordinatorCommand[] } {
  const pending = new Map(state.pending);
  pending.delete(p.id);
  // Savepoints are requested by users and answered to them; only periodic checkpoints count.
  const counts = countsTowardsTolerance && p.savepoint === undefined;
  const consecutiveFailures = counts ? state.consecutiveFailures + 1 : state.consecutiveFailures;
  // Failing the job over starts the count again (as Flink's CheckpointFailureManager does);
  // otherwise the first failed checkpoint after the restart would fail the job at once.
  const failsJob = counts && consecutiveFailures > state.settings.tolerableFailures;
  const next: CoordinatorState = {
    ...state,
    pending,
    consecutiveFailures: failsJob ? 0 : consecutiveFailures,
    lastCompletion: now,
    counts: { ...state.counts, failed: state.counts.failed + 1 },
    history: record(state, { ...pendingRecord(p), status: 'FAILED', endTimestamp: now, failure: reason }),
  };
  const commands: CoordinatorCommand[] = [
    { kind: 'notify-aborted', id: p.id },
    { kind: 'discard', dir: p.dir },
  ];
  if (p.savepoint !== undefined) {
    commands.push({ kind: 'savepoint-failed', requestId: p.savepoint.requestId, reason });
  } else if (failsJob) {
    commands.push({
      kind: 'fail-job',
      reason: `checkpoint ${p.id} failed (${reason}); ${consecutiveFailures} consecutive checkpoint failures exceed the tolerable number ${state.settings.tolerableFailures}`,
    });
  }
  return { state: next, commands };
}

/** Applies one event to the coordinator. */
export function coordinatorTransition(
  state: CoordinatorState,
  event: CoordinatorEvent,
): { state: CoordinatorState; commands: CoordinatorCommand[] } {
  switch (event.kind) {
    case 'tick': {
      const s = state.settings;
      if (s.interval <= 0 || event.running === undefined) return { state, commands: [] };
      // The final checkpoint goes at once — unless the last one failed: then at the interval.
      if (event.allEnded === true && state.pending.size === 0 && state.consecutiveFailures === 0)
        return trigger(state, event.now, event.running, undefined);
      if (state.pending.size >= s.maxConcurrent) return { state, commands: [] };
      if (event.now - state.lastTrigger < s.interval) return { state, commands: [] };
      if (event.now - state.lastCompletion < s.minPause) return { state, commands: [] };
      return trigger(state, event.now, event.running, undefined);
    }
    case 'trigger-savepoint': {
      if (event.running === undefined) {
        return {
          state,
          commands: [
            {
              kind: 'savepoint-failed',
              requestId: event.request.requestId,
              reason: 'not all tasks are running (the job is starting, restarting or finishing)',
            },
          ],
        };
      }
      return trigger(state, event.now, event.running, event.request);
    }
    case 'ack': {
      const p = state.pending.get(event.id);
      if (p === undefined || !p.awaiting.has(event.task)) return { state, commands: [] };
      const awaiting = new Set(p.awaiting);
      awaiting.delete(event.task);
      const acks = new Map(p.acks);
      acks.set(event.task, event.handle);
      const updated: PendingCheckpoint = { ...p, awaiting, acks };
      const pending = new Map(state.pending);
      pending.set(p.id, updated);
      const next = { ...state, pending, history: record(state, pendingRecord(updated)) };
      if (awaiting.size > 0) return { state: next, commands: [] };
      return { state: next, commands: [{ kind: 'write-metadata', checkpoint: updated }] };
    }
    case 'task-finished': {
      let next = state;
      const commands: CoordinatorCommand[] = [];
      for (const p of state.pending.values()) {
        if (!p.awaiting.has(event.task)) continue;
        const awaiting = new Set(p.awaiting);
        awaiting.delete(event.task);
        const updated: PendingCheckpoint = { ...p, awaiting };
        const pending = new Map(next.pending);
        pending.set(p.id, updated);
        next = { ...next, pending, history: record(next, pendingRecord(updated)) };
        if (awaiting.size === 0) commands.push({ kind: 'write-metadata', checkpoint: updated });
      }
      return { state: next, commands };
    }
    case 'decline': {
      const p = state.pending.get(event.id);
      if (p === undefined) return { state, commands: [] };
      return fail(state, p, `declined by ${event.task}: ${event.reason}`, event.now, true);
    }
    case 'timeout': {
      const p = state.pending.get(event.id);
      if (p === undefined) return { state, commands: [] };
      return fail(
        state,
        p,
        `expired after ${state.settings.timeout} ms before all tasks acknowledged`,
        event.now,
        true,
      );
    }
    case 'metadata-failed': {
      const p = state.pending.get(event.id);
      if (p === undefined) return { state, commands: [] };
      return fail(state, p, `metadata could not be written: ${event.reason}`, event.now, true);
    }
    case 'metadata-written': {
      const p = state.pending.get(event.id);
      if (p === undefined) return { state, commands: [] };
      const pending = new Map(state.pending);
      pending.delete(p.id);
      const commands: CoordinatorCommand[] = [];
      // Older pending checkpoints are subsumed by a newer completed one.
      for (const older of [...pending.values()].filter((o) => o.id < p.id && o.savepoint === undefined)) {
        pending.delete(older.id);
        commands.push({ kind: 'notify-aborted', id: older.id }, { kind: 'discard', dir: older.dir });
      }
      let completed = state.completed;
      if (p.savepoint === undefined) {
        completed = [
          ...completed,
          { id: p.id, timestamp: p.timestamp, completedAt: event.now, dir: p.dir, savepoint: false },
        ];
        while (completed.length > state.settings.retained) {
          commands.push({ kind: 'discard', dir: completed[0]!.dir });
          completed = completed.slice(1);
        }
      }
      commands.unshift({ kind: 'notify-complete', id: p.id });
      if (p.savepoint !== undefined) {
        commands.push({
          kind: 'savepoint-completed',
          requestId: p.savepoint.requestId,
          dir: p.dir,
          stop: p.savepoint.stop,
        });
      }
      return {
        state: {
          ...state,
          pending,
          completed,
          lastCompletion: event.now,
          consecutiveFailures: 0,
          counts: { ...state.counts, completed: state.counts.completed + 1 },
          history: record(state, { ...pendingRecord(p), status: 'COMPLETED', endTimestamp: event.now }),
        },
        commands,
      };
    }
    case 'abort-all': {
      let next = state;
      const commands: CoordinatorCommand[] = [];
      for (const p of state.pending.values()) {
        const r = fail(next, p, event.reason, event.now, false);
        next = r.state;
        commands.push(...r.commands);
      }
      return { state: next, commands };
    }
    default: {
      const never: never = event;
      return never;
    }
  }
}

/** The checkpoint to recover from: the latest completed one. */
export function latestCompleted(state: CoordinatorState): CompletedCheckpoint | undefined {
  return state.completed[state.completed.length - 1];
}
