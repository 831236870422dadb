// Assigns a fixed list of splits on request (pull-based, as Flink's file and sequence sources do),
// so faster readers take more splits; splits handed back after a failure are reassigned.
import type { SourceSplit, SplitEnumerator, SplitEnumeratorContext } from '../../functions/index.ts';

/**
 * A split enumerator over a known list of splits.
 *
 * @example
 * new StaticSplitEnumerator(ctx, [{ splitId: '0' }, { splitId: '1' }]);
 */
export class StaticSplitEnumerator<S extends SourceSplit> implements SplitEnumerator<S, S[]> {
  readonly #ctx: SplitEnumeratorContext<S>;
  readonly #remaining: S[];

  constructor(ctx: SplitEnumeratorContext<S>, splits: readonly S[]) {
    this.#ctx = ctx;
    this.#remaining = [...splits];
  }

  start(): void {}

  handleSplitRequest(subtaskId: number): void {
    const split = this.#remaining.shift();
    if (split === undefined) this.#ctx.signalNoMoreSplits(subtaskId);
    else this.#ctx.assignSplit(split, subtaskId);
  }

  addSplitsBack(splits: S[]): void {
    this.#remaining.unshift(...splits);
  }

  addReader(): void {}

  snapshotState(): S[] {
    return [...this.#remaining];
  }

  close(): void {}
}
