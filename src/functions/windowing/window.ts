// What a window is to the runtime: a max timestamp (when event time has passed it) and a
// namespace string that scopes keyed state and timers, so window contents live in keyed state.

/**
 * A group of elements of one key (Flink's Window): a time interval or the global window.
 *
 * @example
 * const w: Window = new TimeWindow(0, 10);
 * w.maxTimestamp(); // 9
 */
export interface Window {
  /** The largest timestamp that still belongs to the window. */
  maxTimestamp(): number;
  toString(): string;
}

/**
 * Turns windows into the namespace strings that scope keyed state and timers, and back (so
 * window state and timers survive a snapshot). Namespaces must be non-empty and unique per window.
 *
 * @example
 * const ns = TimeWindow.serializer.toNamespace(new TimeWindow(0, 10)); // "0,10"
 * TimeWindow.serializer.fromNamespace(ns).end; // 10
 */
export interface WindowSerializer<W extends Window> {
  toNamespace(window: W): string;
  fromNamespace(namespace: string): W;
}
