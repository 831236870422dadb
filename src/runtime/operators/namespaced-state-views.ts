// Keyed state as triggers and window functions see it: each call acts on the namespace of the
// window being processed (read at call time) and leaves the shared state object in the void
// namespace, so other users of a state with the same name are not affected.
import { IllegalArgumentError } from '../../core/index.ts';
import type { KeyedStateStore } from '../../functions/index.ts';
import {
  type AggregatingState,
  type InternalMergingState,
  type KeyedStateBackend,
  type ListState,
  type MapState,
  type ReducingState,
  type StateDescriptor,
  type ValueState,
  VOID_NAMESPACE,
} from '../../state/index.ts';

/** Views of keyed state bound to a namespace function; views are created once per state name. */
export class NamespacedStateViews {
  readonly #backend: KeyedStateBackend;
  readonly #namespace: () => string;
  readonly #views = new Map<string, unknown>();

  constructor(backend: KeyedStateBackend, namespace: () => string) {
    this.#backend = backend;
    this.#namespace = namespace;
  }

  /** The state of `descriptor` in the current namespace. */
  get<S>(descriptor: StateDescriptor<S>): S {
    const cached = this.#views.get(descriptor.name);
    if (cached !== undefined) {
      // Asking again checks that the kind matches the first registration.
      this.#backend.getPartitionedState(descriptor);
      return cached as S;
    }
    const view = this.#create(descriptor);
    this.#views.set(descriptor.name, view);
    return view as S;
  }

  /** A KeyedStateStore over these views. */
  store(): KeyedStateStore {
    return {
      getState: (d) => this.get(d),
      getListState: (d) => this.get(d),
      getReducingState: (d) => this.get(d),
      getAggregatingState: (d) => this.get(d),
      getMapState: (d) => this.get(d),
    };
  }

  #create(descriptor: StateDescriptor<unknown>): unknown {
    const state = this.#backend.getPartitionedState(descriptor);
    const ns = this.#namespace;
    const run = <R>(f: () => R): R => {
      state.setCurrentNamespace(ns());
      try {
        return f();
      } finally {
        state.setCurrentNamespace(VOID_NAMESPACE);
      }
    };
    switch (descriptor.kind) {
      case 'value': {
        const s = state as unknown as ValueState<unknown>;
        return {
          value: () => run(() => s.value()),
          update: (v: unknown) => run(() => s.update(v)),
          clear: () => run(() => s.clear()),
        } satisfies ValueState<unknown>;
      }
      case 'list': {
        const s = state as unknown as ListState<unknown>;
        return {
          get: () => run(() => s.get()),
          add: (v: unknown) => run(() => s.add(v)),
          addAll: (vs: Iterable<unknown>) => run(() => s.addAll(vs)),
          update: (vs: Iterable<unknown>) => run(() => s.update(vs)),
          clear: () => run(() => s.clear()),
        } satisfies ListState<unknown>;
      }
      case 'map': {
        const s = state as unknown as MapState<unknown, unknown>;
        // Iterators are materialized inside the namespace, not lazily outside it.
        return {
          get: (k: unknown) => run(() => s.get(k)),
          put: (k: unknown, v: unknown) => run(() => s.put(k, v)),
          putAll: (es: Iterable<readonly [unknown, unknown]> | ReadonlyMap<unknown, unknown>) =>
            run(() => s.putAll(es)),
          remove: (k: unknown) => run(() => s.remove(k)),
          contains: (k: unknown) => run(() => s.contains(k)),
          entries: () => run(() => [...s.entries()])[Symbol.iterator](),
          keys: () => run(() => [...s.keys()])[Symbol.iterator](),
          values: () => run(() => [...s.values()])[Symbol.iterator](),
          isEmpty: () => run(() => s.isEmpty()),
          clear: () => run(() => s.clear()),
        } satisfies MapState<unknown, unknown>;
      }
      case 'reducing': {
        const s = state as unknown as ReducingState<unknown>;
        return {
          get: () => run(() => s.get()),
          add: (v: unknown) => run(() => s.add(v)),
          clear: () => run(() => s.clear()),
        } satisfies ReducingState<unknown>;
      }
      case 'aggregating': {
        const s = state as unknown as AggregatingState<unknown, unknown>;
        return {
          get: () => run(() => s.get()),
          add: (v: unknown) => run(() => s.add(v)),
          clear: () => run(() => s.clear()),
        } satisfies AggregatingState<unknown, unknown>;
      }
      default: {
        const never: never = descriptor.kind;
        throw new IllegalArgumentError(`unknown state kind ${String(never)}`);
      }
    }
  }
}

/** Merges the values of `sources` into `target` for a list, reducing or aggregating state. */
export function mergeStateNamespaces(
  backend: KeyedStateBackend,
  descriptor: StateDescriptor<unknown>,
  target: string,
  sources: readonly string[],
): void {
  const kind = descriptor.kind;
  if (kind !== 'list' && kind !== 'reducing' && kind !== 'aggregating') {
    throw new IllegalArgumentError(
      `mergePartitionedState(): state "${descriptor.name}" is ${kind} state; only list, reducing and aggregating state can be merged`,
    );
  }
  (backend.getPartitionedState(descriptor) as unknown as InternalMergingState).mergeNamespaces(
    target,
    sources,
  );
}
