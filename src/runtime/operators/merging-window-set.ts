// The in-flight windows of one key of a merging (session) window operator, with the window whose
// namespace holds each one's state: merging windows does not move state, it re-points windows to
// the state window of one of the merged windows (Flink's MergingWindowSet). Persisted in keyed
// state as [window, state window] namespace pairs.
import { SluiceError } from '../../core/index.ts';
import type { MergingWindowAssigner, Window, WindowSerializer } from '../../functions/index.ts';

/** The persisted form: pairs of window namespace and state window namespace. */
export type MergingWindowMapping = Array<[window: string, stateWindow: string]>;

/** Called when windows merge (the new window itself never had state and is not in `mergedWindows`). */
export type MergeFunction<W> = (
  mergeResult: W,
  mergedWindows: readonly W[],
  stateWindowResult: W,
  mergedStateWindows: readonly W[],
) => void;

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
  readonly #mapping: Map<string, string>;
  readonly #windows = new Map<string, W>();
  #dirty = false;

  constructor(
    assigner: MergingWindowAssigner<unknown, W>,
    serializer: WindowSerializer<W>,
    persisted: MergingWindowMapping | undefined,
  ) {
    this.#assigner = assigner;
    this.#serializer = serializer;
    this.#mapping = new Map(persisted);
  }

  #window(ns: string): W {
    let w = this.#windows.get(ns);
    if (w === undefined) {
      w = this.#serializer.fromNamespace(ns);
      this.#windows.set(ns, w);
    }
    return w;
  }

  #ns(window: W): string {
    return this.#serializer.toNamespace(window);
  }

  /** Number of in-flight windows. */
  get size(): number {
    return this.#mapping.size;
  }

  /** The window whose namespace holds the state of `window`, if `window` is in flight. */
  getStateWindow(window: W): W | undefined {
    const ns = this.#mapping.get(this.#ns(window));
    return ns === undefined ? undefined : this.#window(ns);
  }

  /** Removes a window (its state is being cleared). */
  retireWindow(window: W): void {
    if (!this.#mapping.delete(this.#ns(window))) {
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
    const windows = [...this.#mapping.keys()].map((ns) => this.#window(ns));
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
      const targetNs = this.#mapping.get(this.#ns(first));
      if (targetNs === undefined) {
        throw new SluiceError('INTERNAL', `merged window ${first} is not in the in-flight window set`, {
          origin: 'internal',
        });
      }
      const sourceNs: string[] = [];
      for (const w of merged) {
        const wNs = this.#ns(w);
        const stateNs = this.#mapping.get(wNs);
        if (stateNs !== undefined) {
          this.#mapping.delete(wNs);
          sourceNs.push(stateNs);
        }
      }
      this.#mapping.set(resultNs, targetNs);
      this.#windows.set(resultNs, result);
      this.#dirty = true;
      const t = sourceNs.indexOf(targetNs);
      if (t >= 0) sourceNs.splice(t, 1);
      // Only the new window merged into an existing one without changing it: nothing to merge.
      if (!(merged.length === 1 && this.#ns(merged[0]!) === resultNs)) {
        mergeFunction(
          result,
          merged,
          this.#window(targetNs),
          sourceNs.map((ns) => this.#window(ns)),
        );
      }
    }
    // A window that merged with nothing stands alone. (Flink re-points it to itself even when an
    // equal window is already in flight, which would orphan that window's state; we keep it.)
    if (!mergedNewWindow && !this.#mapping.has(newNs)) {
      this.#mapping.set(newNs, newNs);
      this.#windows.set(newNs, newWindow);
      this.#dirty = true;
    }
    return resultWindow;
  }

  /** True when the mapping changed since it was loaded. */
  get dirty(): boolean {
    return this.#dirty;
  }

  /** The mapping to persist, or undefined when no window is in flight. */
  toPersisted(): MergingWindowMapping | undefined {
    return this.#mapping.size === 0 ? undefined : [...this.#mapping.entries()];
  }
}
