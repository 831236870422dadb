// The in-flight windows of one key of a merging (session) window operator, with the window whose
// namespace holds each one's state: merging windows does not move state, it re-points windows to
// the state window of one of the merged windows (Flink's MergingWindowSet). Persisted in keyed
// state as [window, state window] namespace pairs; the operator keeps a set alive across records.
import { SluiceError } from '../../core/index.ts';
import {
  EventTimeSessionWindows,
  type MergingWindowAssigner,
  TimeWindow,
  type Window,
  type WindowSerializer,
} from '../../functions/index.ts';

/** The persisted form: pairs of window namespace and state window namespace. */
export type MergingWindowMapping = Array<[window: string, stateWindow: string]>;

/** Called when windows merge (the new window itself never had state and is not in `mergedWindows`). */
export type MergeFunction<W> = (
  mergeResult: W,
  mergedWindows: readonly W[],
  stateWindowResult: W,
  mergedStateWindows: readonly W[],
) => void;

/** An in-flight window and the window whose namespace holds its state. */
interface Entry<W> {
  readonly window: W;
  readonly ns: string;
  readonly state: W;
  readonly stateNs: string;
}

/**
 * The built-in session assigners merge with {@link TimeWindow.mergeWindows} (all four inherit the
 * same `mergeWindows`); for them a new window merges with exactly the in-flight windows it
 * intersects, which {@link MergingWindowSet} finds without sorting every window per element.
 */
const SESSION_MERGE = EventTimeSessionWindows.prototype.mergeWindows;

/**
 * The merging windows of the current key.
 *
 * @example
 * const set = new MergingWindowSet(EventTimeSessionWindows.withGap(10), TimeWindow.serializer, state.value());
 * const actual = set.addWindow(new TimeWindow(5, 15), (result, merged, target, sources) => {});
 */
export class MergingWindowSet<W extends Window> {
  readonly #assigner: MergingWindowAssigner<unknown, W>;
  readonly #serializer: WindowSerializer<W>;
  /** In-flight windows by namespace, in the order they were added (the order merging sees). */
  readonly #entries = new Map<string, Entry<W>>();
  readonly #sessions: boolean;
  #dirty = false;

  constructor(
    assigner: MergingWindowAssigner<unknown, W>,
    serializer: WindowSerializer<W>,
    persisted: MergingWindowMapping | undefined,
  ) {
    this.#assigner = assigner;
    this.#serializer = serializer;
    this.#sessions = (assigner.mergeWindows as unknown) === SESSION_MERGE;
    if (persisted === undefined) return;
    // Windows and state windows that are the same namespace share one object.
    const parsed = new Map<string, W>();
    const windowOf = (ns: string): W => {
      let w = parsed.get(ns);
      if (w === undefined) {
        w = serializer.fromNamespace(ns);
        parsed.set(ns, w);
      }
      return w;
    };
    for (const [ns, stateNs] of persisted) {
      this.#entries.set(ns, { window: windowOf(ns), ns, state: windowOf(stateNs), stateNs });
    }
  }

  #ns(window: W): string {
    return this.#serializer.toNamespace(window);
  }

  /** Number of in-flight windows. */
  get size(): number {
    return this.#entries.size;
  }

  /** The window whose namespace holds the state of `window`, if `window` is in flight. */
  getStateWindow(window: W): W | undefined {
    return this.#entries.get(this.#ns(window))?.state;
  }

  /** Removes a window (its state is being cleared). */
  retireWindow(window: W): void {
    if (!this.#entries.delete(this.#ns(window))) {
      throw new SluiceError('INTERNAL', `window ${window} is not in the in-flight window set`, {
        origin: 'internal',
      });
    }
    this.#dirty = true;
  }

  /**
   * Adds a window, merging it with in-flight windows as the assigner decides; returns the window
   * it ended up in. `mergeFunction` is called for every merge before this returns.
   */
  addWindow(newWindow: W, mergeFunction: MergeFunction<W>): W {
    if (this.#sessions && newWindow instanceof TimeWindow) {
      const result = this.#addSessionWindow(newWindow, mergeFunction as unknown as MergeFunction<TimeWindow>);
      if (result !== undefined) return result as unknown as W;
    }
    return this.#addWindowGeneral(newWindow, mergeFunction);
  }

  /**
   * Session windows: in-flight windows never intersect each other (any two that did were merged),
   * so the new window merges with exactly the ones it intersects, and the result is their cover.
   * Returns undefined (the general path decides) if the set does not have that shape.
   */
  #addSessionWindow(w: TimeWindow, mergeFunction: MergeFunction<TimeWindow>): TimeWindow | undefined {
    const entries = this.#entries as unknown as Map<string, Entry<TimeWindow>>;
    let first: Entry<TimeWindow> | undefined;
    let more: Array<Entry<TimeWindow>> | undefined;
    let start = w.start;
    let end = w.end;
    for (const e of entries.values()) {
      const x = e.window;
      if (!(x instanceof TimeWindow)) return undefined;
      if (x.start <= w.end && x.end >= w.start) {
        if (first === undefined) first = e;
        else if (more === undefined) more = [e];
        else more.push(e);
        if (x.start < start) start = x.start;
        if (x.end > end) end = x.end;
      }
    }
    if (first === undefined) {
      const ns = w.namespace;
      entries.set(ns, { window: w, ns, state: w, stateNs: ns });
      this.#dirty = true;
      return w;
    }
    // Inside (or equal to) one in-flight window: it is the window, nothing changes.
    if (more === undefined && start === first.window.start && end === first.window.end) return first.window;
    if (entries.size > 1 + (more?.length ?? 0)) {
      // The invariant says no other window touches the cover; if one does, merge the general way.
      for (const e of entries.values()) {
        const x = e.window;
        if (x.start <= end && x.end >= start && e !== first && !more?.includes(e)) return undefined;
      }
    }
    // Merged windows in the order merging reports them (by start; ties keep insertion order).
    const group =
      more === undefined ? [first] : [first, ...more].sort((a, b) => a.window.start - b.window.start);
    const target = group[0]!;
    const result = new TimeWindow(start, end);
    const merged: TimeWindow[] = [];
    const sources: TimeWindow[] = [];
    for (const e of group) {
      entries.delete(e.ns);
      merged.push(e.window);
      if (e !== target) sources.push(e.state);
    }
    const ns = result.namespace;
    entries.set(ns, { window: result, ns, state: target.state, stateNs: target.stateNs });
    this.#dirty = true;
    mergeFunction(result, merged, target.state, sources);
    return result;
  }

  /** Any merging assigner: asks it which of all in-flight windows and the new one merge. */
  #addWindowGeneral(newWindow: W, mergeFunction: MergeFunction<W>): W {
    const entries = this.#entries;
    const windows: W[] = [];
    for (const e of entries.values()) windows.push(e.window);
    windows.push(newWindow);
    const results: Array<{ result: W; merged: W[] }> = [];
    this.#assigner.mergeWindows(windows, (toBeMerged, mergeResult) => {
      results.push({ result: mergeResult, merged: [...toBeMerged] });
    });
    const newNs = this.#ns(newWindow);
    let resultWindow = newWindow;
    let mergedNewWindow = false;
    for (const { result, merged } of results) {
      const resultNs = this.#ns(result);
      const i = merged.findIndex((w) => this.#ns(w) === newNs);
      if (i >= 0) {
        merged.splice(i, 1);
        mergedNewWindow = true;
        resultWindow = result;
      }
      const first = merged[0];
      if (first === undefined) continue;
      // The state of the merge result stays where the first merged window's state is.
      const target = entries.get(this.#ns(first));
      if (target === undefined) {
        throw new SluiceError('INTERNAL', `merged window ${first} is not in the in-flight window set`, {
          origin: 'internal',
        });
      }
      // Only the new window merged into an existing one without changing it: nothing to merge.
      if (merged.length === 1 && this.#ns(first) === resultNs) {
        resultWindow = target.window;
        continue;
      }
      const sources: W[] = [];
      for (const w of merged) {
        const wNs = this.#ns(w);
        const e = entries.get(wNs);
        if (e !== undefined) {
          entries.delete(wNs);
          if (e.stateNs !== target.stateNs) sources.push(e.state);
        }
      }
      entries.set(resultNs, { window: result, ns: resultNs, state: target.state, stateNs: target.stateNs });
      this.#dirty = true;
      mergeFunction(result, merged, target.state, sources);
    }
    // A window that merged with nothing stands alone. (Flink re-points it to itself even when an
    // equal window is already in flight, which would orphan that window's state; we keep it.)
    if (!mergedNewWindow && !entries.has(newNs)) {
      entries.set(newNs, { window: newWindow, ns: newNs, state: newWindow, stateNs: newNs });
      this.#dirty = true;
    }
    return resultWindow;
  }

  /** True when the windows changed since the set was loaded or last persisted. */
  get dirty(): boolean {
    return this.#dirty;
  }

  /** The mapping to persist (undefined when no window is in flight); the set is then clean. */
  toPersisted(): MergingWindowMapping | undefined {
    this.#dirty = false;
    if (this.#entries.size === 0) return undefined;
    const out: MergingWindowMapping = [];
    for (const e of this.#entries.values()) out.push([e.ns, e.stateNs]);
    return out;
  }
}
