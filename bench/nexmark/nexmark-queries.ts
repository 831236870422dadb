// The Nexmark queries that run on the engine, by name, each with its reference answer and how its
// output is read (plain rows, or a changelog to apply).
import type { DataStream, NexmarkEvent } from '../../src/index.ts';
import { q0 } from './queries/q0.ts';
import { q1 } from './queries/q1.ts';
import { q2 } from './queries/q2.ts';
import { q3 } from './queries/q3.ts';
import { q4 } from './queries/q4.ts';
import { q5 } from './queries/q5.ts';
import { q6 } from './queries/q6.ts';
import { q7 } from './queries/q7.ts';
import { q8 } from './queries/q8.ts';
import { q9 } from './queries/q9.ts';
import { q10 } from './queries/q10.ts';
import { q11 } from './queries/q11.ts';
import { q12, q12Fold } from './queries/q12.ts';
import { q13 } from './queries/q13.ts';
import { q14 } from './queries/q14.ts';
import { q15 } from './queries/q15.ts';
import { q16 } from './queries/q16.ts';
import { q17 } from './queries/q17.ts';
import { q18 } from './queries/q18.ts';
import { q19 } from './queries/q19.ts';
import { q20 } from './queries/q20.ts';
import { q21 } from './queries/q21.ts';
import { q22 } from './queries/q22.ts';
import * as reference from './reference-queries.ts';
import type { ResultFold } from './result-fold.ts';

/** A query on the engine and its reference. */
export interface EngineQuery {
  readonly name: string;
  /** Builds the query on the event stream; its result stream gets the benchmark's sink. */
  readonly build: (events: DataStream<NexmarkEvent>) => DataStream<object>;
  /** The result rows are `ChangelogRow`s (an updating query). */
  readonly changelog: boolean;
  /**
   * The reference answer is a function of each event alone (a map/filter over bids), so it may be
   * computed chunk by chunk on large inputs.
   */
  readonly perEvent: boolean;
  readonly reference: (events: Iterable<NexmarkEvent>) => readonly object[];
  /**
   * The rows depend on the wall clock (q12): they are checked and folded by this, and the folded
   * rows are compared with the reference instead.
   */
  readonly fold: ResultFold | undefined;
}

function query<R extends object>(
  name: string,
  build: (events: DataStream<NexmarkEvent>) => DataStream<R>,
  options: { changelog?: boolean; perEvent?: boolean; fold?: ResultFold } = {},
): EngineQuery {
  const ref = reference.REFERENCE_QUERIES[name];
  if (ref === undefined) throw new Error(`no reference for ${name}`);
  return {
    name,
    build: build as unknown as EngineQuery['build'],
    changelog: options.changelog ?? false,
    perEvent: options.perEvent ?? false,
    fold: options.fold,
    reference: ref as (events: Iterable<NexmarkEvent>) => readonly object[],
  };
}

/** Every query implemented on the engine, in benchmark order. */
export const ENGINE_QUERIES: ReadonlyMap<string, EngineQuery> = new Map(
  [
    query('q0', q0, { perEvent: true }),
    query('q1', q1, { perEvent: true }),
    query('q2', q2, { perEvent: true }),
    query('q3', q3),
    query('q4', q4, { changelog: true }),
    query('q5', q5),
    query('q6', q6),
    query('q7', q7),
    query('q8', q8),
    query('q9', q9),
    query('q10', q10, { perEvent: true }),
    query('q11', q11),
    query('q12', q12, { fold: q12Fold }),
    query('q13', q13, { perEvent: true }),
    query('q14', q14, { perEvent: true }),
    query('q15', q15),
    query('q16', q16),
    query('q17', q17),
    query('q18', q18, { changelog: true }),
    query('q19', q19, { changelog: true }),
    query('q20', q20),
    query('q21', q21, { perEvent: true }),
    query('q22', q22, { perEvent: true }),
  ].map((q) => [q.name, q]),
);

/** The query named `name`, or an error listing the implemented ones. */
export function engineQuery(name: string): EngineQuery {
  const q = ENGINE_QUERIES.get(name);
  if (q === undefined) {
    throw new Error(
      `unknown Nexmark query ${JSON.stringify(name)}; implemented: ${[...ENGINE_QUERIES.keys()].join(', ')}`,
    );
  }
  return q;
}
