// Which operator subtask is running user code right now. In inline mode (and whenever several
// subtasks of one operator share a thread) the parallel subtasks share the same user function
// object, so state handles and the runtime context a function kept in its fields must resolve to
// the subtask that is calling — not to the last one that opened the function.

/** Something that runs user code and owns keyed state. */
export interface StateOwner {
  /** The state of `descriptorName` of this subtask, created from `create` on first use. */
  stateFor(descriptorName: string, create: () => unknown): unknown;
}

let active: StateOwner | undefined;

/** The subtask currently running user code, if one is marked. */
export function activeOperator(): StateOwner | undefined {
  return active;
}

/** Marks `op` as running; returns the previously marked one, to restore afterwards. */
export function enterOperator(op: StateOwner | undefined): StateOwner | undefined {
  const previous = active;
  active = op;
  return previous;
}

const STATE_METHODS: Record<string, readonly string[]> = {
  value: ['value', 'update', 'clear'],
  list: ['get', 'add', 'addAll', 'update', 'clear'],
  map: ['get', 'put', 'putAll', 'remove', 'contains', 'entries', 'keys', 'values', 'isEmpty', 'clear'],
  reducing: ['get', 'add', 'clear'],
  aggregating: ['get', 'add', 'clear'],
};

/**
 * A state handle bound to whichever subtask is running: its owner's state when the owner runs
 * (the fast path), else the running subtask's state of the same descriptor.
 */
export function stateHandle<S>(kind: string, owner: StateOwner, name: string, create: () => S): S {
  const own = owner.stateFor(name, create) as Record<string, (a?: unknown, b?: unknown) => unknown>;
  const handle: Record<string, (a?: unknown, b?: unknown) => unknown> = {};
  for (const method of STATE_METHODS[kind] ?? []) {
    handle[method] = (a?: unknown, b?: unknown) => {
      const op = active;
      const target =
        op === undefined || op === owner
          ? own
          : (op.stateFor(name, create) as Record<string, (a?: unknown, b?: unknown) => unknown>);
      return target[method]!(a, b);
    };
  }
  return handle as S;
}
