// The lmdb environment of one keyed state backend, with every access synchronous. Writes go into
// a write transaction that stays open for the rest of the event-loop turn (or 50k writes): a
// commit per write (lmdb's putSync outside a transaction) is ~6x slower, and lmdb's asynchronous
// puts are not visible to reads until committed. Reads inside the open transaction see its
// writes. It never stays open across turns: a thread that exits or is terminated with an lmdb-js
// write transaction open hangs (lmdb-js's cleanup waits for the writer lock the transaction holds).
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as Lmdb from 'lmdb';
import type { RootDatabase, Transaction } from 'lmdb';
import { SluiceError } from '../../core/index.ts';
import type { KeyComponent } from './lmdb-key-codec.ts';

/** An lmdb array key: `[keyGroup, stateName, namespace, key(, element)]`. */
export type LmdbKey = readonly (KeyComponent | null | Uint8Array)[];

/** One entry of a range. */
export interface LmdbEntry {
  readonly key: KeyComponent[];
  readonly value: unknown;
}

/** A consistent, read-only view of the store at the moment it was opened (an MVCC snapshot). */
export interface LmdbReadView {
  /** Entries with `start <= key < end`, in key order. */
  range(start: LmdbKey, end: LmdbKey): Iterable<LmdbEntry>;
  /** Releases the view (lmdb keeps the pages it sees until then). */
  release(): void;
}

let lmdbModule: typeof Lmdb | undefined;
/** lmdb's native addon is loaded on first use, so jobs on the heap backend never load it. */
function lmdb(): typeof Lmdb {
  lmdbModule ??= createRequire(import.meta.url)('lmdb') as typeof Lmdb;
  return lmdbModule;
}

/** Upper bound of every element under an array-key prefix: 0xff is above any component's first byte. */
export const HIGH = Uint8Array.of(0xff);

/**
 * Writes per transaction. Each write copies the B+tree leaf it changes (once per transaction) and
 * the commit writes those copies to the file, so with random keys a larger transaction writes a
 * page changed several times only once (100k writes per commit updated ~1.8x faster than 20k at
 * 1 M keys). Bounded because the copies are held in memory until the commit (at most ~200 MB).
 */
const WRITES_PER_COMMIT = 50_000;

/** Stores with a write transaction open, committed if the thread exits in the middle of a turn. */
const openStores = new Set<LmdbStore>();
let exitHookInstalled = false;

/** The lmdb store of one backend instance. */
export class LmdbStore {
  readonly path: string;
  readonly #db: RootDatabase;
  /** Finishes (commits) the open write transaction; undefined when none is open. */
  #finish: ((result: undefined) => unknown) | undefined;
  #writes = 0;
  #closed = false;
  /** Commits at the end of the event-loop turn that opened the transaction. */
  #commitAtEndOfTurn: NodeJS.Immediate | undefined;

  constructor(path: string) {
    this.path = path;
    mkdirSync(path, { recursive: true });
    try {
      this.#db = lmdb().open({
        path,
        // Working state: durability comes from checkpoints, so nothing is synced to disk, and new
        // pages are not zeroed (the store is private and deleted on dispose). Not useWritemap:
        // LMDB asserts in mdb_freelist_save() (process abort) when a writemap transaction frees a
        // page it allocated, e.g. putting and removing the only key (lmdb-js issue #212).
        noSync: true,
        noMetaSync: true,
        noMemInit: true,
        overlappingSync: false,
        // msgpackr with structured clone: Maps, Sets, Dates, bigints and cycles round-trip, as
        // they do in heap state.
        encoder: { structuredClone: true },
      });
    } catch (e) {
      throw storeError(`cannot open the lmdb state store in ${path}`, e);
    }
  }

  get(key: LmdbKey): unknown {
    return this.#db.get(key as KeyComponent[]);
  }

  put(key: LmdbKey, value: unknown): void {
    this.#begin();
    try {
      this.#db.putSync(key as KeyComponent[], value);
    } catch (e) {
      throw storeError(`lmdb state store ${this.path}: write failed`, e);
    }
    if (++this.#writes >= WRITES_PER_COMMIT) this.commit();
  }

  remove(key: LmdbKey): void {
    this.#begin();
    this.#db.removeSync(key as KeyComponent[]);
    if (++this.#writes >= WRITES_PER_COMMIT) this.commit();
  }

  /** Entries with `start <= key < end`, read completely before returning (safe to write after). */
  range(start: LmdbKey, end: LmdbKey, limit?: number): LmdbEntry[] {
    const options = limit === undefined ? { start, end } : { start, end, limit };
    return Array.from(this.#db.getRange(options as never) as Iterable<LmdbEntry>);
  }

  /** The last entry with `end < key <= start` scanning backwards (`start` > `end`), if any. */
  last(start: LmdbKey, end: LmdbKey): LmdbEntry | undefined {
    for (const entry of this.#db.getRange({ start, end, reverse: true, limit: 1 } as never)) {
      return entry as LmdbEntry;
    }
    return undefined;
  }

  /** Commits the open write transaction, if any. */
  commit(): void {
    const finish = this.#finish;
    if (finish === undefined) return;
    this.#finish = undefined;
    this.#writes = 0;
    openStores.delete(this);
    clearImmediate(this.#commitAtEndOfTurn);
    this.#commitAtEndOfTurn = undefined;
    finish(undefined);
  }

  /** Commits and opens a read-only view of the committed state. */
  openReadView(): LmdbReadView {
    this.commit();
    const db = this.#db;
    const txn: Transaction = db.useReadTransaction();
    let released = false;
    return {
      range: (start, end) =>
        db.getRange({ start, end, transaction: txn } as never) as unknown as Iterable<LmdbEntry>,
      release: () => {
        if (released) return;
        released = true;
        txn.done();
      },
    };
  }

  /** Commits and closes the environment (the caller deletes its directory next). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.commit();
    void this.#db.close().catch(() => undefined);
  }

  /**
   * Opens the long write transaction. lmdb's transactionSync keeps a transaction open while the
   * callback's result is a pending promise-like; resolving it commits synchronously.
   */
  #begin(): void {
    if (this.#finish !== undefined) return;
    if (this.#closed) throw storeError(`lmdb state store ${this.path} is closed`, undefined);
    this.#db.transactionSync(() => ({
      // biome-ignore lint/suspicious/noThenProperty: a promise-like on purpose (see above)
      then: (onCommit: (result: undefined) => unknown) => {
        this.#finish = onCommit;
      },
    }));
    this.#commitAtEndOfTurn = setImmediate(() => this.commit());
    openStores.add(this);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      // process.exit() during a turn (in this thread) would otherwise hang in lmdb's cleanup.
      process.once('exit', () => {
        for (const store of [...openStores]) store.commit();
      });
    }
  }
}

function storeError(message: string, cause: unknown): SluiceError {
  const detail = cause instanceof Error ? `: ${cause.message}` : '';
  return new SluiceError('STATE_BACKEND_IO', `${message}${detail}`, { origin: 'external', cause });
}
