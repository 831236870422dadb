// How a Nexmark query whose rows depend on the wall clock (q12's processing-time windows) is
// verified: its rows are checked against invariants and folded into a deterministic result, which
// is compared with the reference instead of the rows themselves.

/** One fold in progress: one per sink subtask (or per collected result). */
export interface ResultFoldAccumulator {
  /** Takes a result row; returns why the row breaks an invariant, or undefined when it is valid. */
  add(row: object): string | undefined;
  /** The deterministic rows the added ones amount to, compared with the reference's rows. */
  result(): Iterable<object>;
}

/**
 * Makes {@link ResultFoldAccumulator}s. Sink subtasks fold independently and their results are
 * compared together, so a fold must only combine rows that one subtask receives (q12: the rows of
 * one bidder, all emitted by the window subtask that owns the bidder's key).
 *
 * @example
 * const acc = fold.create();
 * for (const row of rows) { const problem = acc.add(row); if (problem) throw new Error(problem); }
 * const folded = [...acc.result()]; // compare with the reference
 */
export interface ResultFold {
  create(): ResultFoldAccumulator;
}
