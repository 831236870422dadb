// FileSink (row format): one line per record in part files. A file being written is hidden (its
// name starts with "."); it is committed by rename when it rolls or when the bounded input ends.

import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { IllegalArgumentError } from '../../core/index.ts';
import type {
  Committer,
  SinkInitContext,
  SinkProcessingTimeService,
  TwoPhaseCommittingSink,
  TwoPhaseCommittingSinkWriter,
} from '../../functions/index.ts';

/** A finished part file waiting for its checkpoint to complete. */
export interface FileCommittable {
  /** The hidden in-progress name the data is in. */
  readonly pending: string;
  /** The visible name it gets when committed. */
  readonly final: string;
}

/** Commits part files by renaming them; a file already renamed is skipped (idempotent). */
class FileCommitter implements Committer<FileCommittable> {
  commit(committables: FileCommittable[]): void {
    for (const c of committables) {
      if (existsSync(c.pending)) renameSync(c.pending, c.final);
      else if (!existsSync(c.final)) {
        throw new Error(
          `FileSink: cannot commit ${c.final}: neither it nor its pending file ${c.pending} exists`,
        );
      }
    }
  }
}

/** Turns a record into the text of its line (without the newline). */
export type RowEncoder<T> = (value: T) => string;

/** When a part file is closed and a new one started. */
export interface RollingPolicy {
  /** Roll when the part file reaches this many bytes. */
  readonly maxPartSize: number;
  /** Roll when the part file has been open this long (ms), also when no record arrives. */
  readonly rolloverInterval: number;
  /** Roll when no record was written to the part file for this long (ms). */
  readonly inactivityInterval: number;
}

/** The default encoder: strings as they are, other values as JSON. */
export function defaultRowEncoder(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
}

class RowFileWriter<T> implements TwoPhaseCommittingSinkWriter<T, FileCommittable> {
  readonly #dir: string;
  readonly #encode: RowEncoder<T>;
  readonly #policy: RollingPolicy;
  readonly #prefix: string;
  #counter = 0;
  #fd: number | undefined;
  #inProgress = '';
  #final = '';
  #size = 0;
  #openedAt = 0;
  #lastWriteAt = 0;
  readonly #time: SinkProcessingTimeService;
  /** Cancels the processing-time check of the open part file. */
  #cancelCheck: (() => void) | undefined;
  #buffer: string[] = [];
  #buffered = 0;
  /** With checkpointing: closed part files that wait for a checkpoint. */
  #closed: FileCommittable[] = [];
  readonly #twoPhase: boolean;

  constructor(dir: string, encode: RowEncoder<T>, policy: RollingPolicy, ctx: SinkInitContext) {
    this.#dir = dir;
    this.#encode = encode;
    this.#policy = policy;
    this.#prefix = `part-${randomUUID().slice(0, 8)}-${ctx.getSubtaskId()}`;
    this.#twoPhase = ctx.isCheckpointingEnabled();
    this.#time = ctx.getProcessingTimeService();
    mkdirSync(dir, { recursive: true });
  }

  /**
   * The rollover and inactivity intervals are also checked on processing time (as Flink's
   * DefaultRollingPolicy), so the last records before a pause do not wait for the next record.
   */
  #scheduleCheck(): void {
    const due = Math.min(
      this.#openedAt + this.#policy.rolloverInterval,
      this.#lastWriteAt + this.#policy.inactivityInterval,
    );
    this.#cancelCheck = this.#time.registerTimer(due, () => {
      this.#cancelCheck = undefined;
      if (this.#fd === undefined) return;
      const now = Date.now();
      if (
        now - this.#openedAt >= this.#policy.rolloverInterval ||
        now - this.#lastWriteAt >= this.#policy.inactivityInterval
      ) {
        this.#commit();
      } else {
        this.#scheduleCheck();
      }
    });
  }

  #open(): void {
    const name = `${this.#prefix}-${this.#counter++}`;
    this.#final = join(this.#dir, name);
    this.#inProgress = join(this.#dir, `.${name}.inprogress`);
    this.#fd = openSync(this.#inProgress, 'w');
    this.#size = 0;
    this.#openedAt = Date.now();
    this.#lastWriteAt = this.#openedAt;
    this.#scheduleCheck();
  }

  write(value: T): void {
    const line = `${this.#encode(value)}\n`;
    if (this.#fd === undefined) this.#open();
    this.#lastWriteAt = Date.now();
    this.#buffer.push(line);
    this.#buffered += line.length;
    this.#size += Buffer.byteLength(line);
    if (this.#buffered >= 64 * 1024) this.#writeBuffer();
    if (
      this.#size >= this.#policy.maxPartSize ||
      this.#lastWriteAt - this.#openedAt >= this.#policy.rolloverInterval
    ) {
      this.#commit();
    }
  }

  #writeBuffer(): void {
    if (this.#buffer.length === 0 || this.#fd === undefined) return;
    writeSync(this.#fd, this.#buffer.join(''));
    this.#buffer = [];
    this.#buffered = 0;
  }

  /** Closes the current part file; without checkpointing it becomes visible at once. */
  #commit(): void {
    if (this.#fd === undefined) return;
    this.#cancelCheck?.();
    this.#cancelCheck = undefined;
    this.#writeBuffer();
    closeSync(this.#fd);
    this.#fd = undefined;
    if (this.#twoPhase) this.#closed.push({ pending: this.#inProgress, final: this.#final });
    else renameSync(this.#inProgress, this.#final);
  }

  /** At a checkpoint barrier: the current part file rolls; everything closed is ready to commit. */
  prepareCommit(): FileCommittable[] {
    this.#commit();
    const ready = this.#closed;
    this.#closed = [];
    return ready;
  }

  flush(endOfInput: boolean): void {
    if (endOfInput) this.#commit();
    else this.#writeBuffer();
  }

  close(): void {
    this.#cancelCheck?.();
    this.#cancelCheck = undefined;
    if (this.#fd !== undefined) {
      this.#writeBuffer();
      closeSync(this.#fd);
      this.#fd = undefined;
    }
  }
}

/** Builder of a row-format FileSink. */
export class RowFormatBuilder<T> {
  readonly #dir: string;
  readonly #encode: RowEncoder<T>;
  #policy: RollingPolicy = {
    maxPartSize: 128 * 1024 * 1024,
    rolloverInterval: 60_000,
    inactivityInterval: 60_000,
  };

  constructor(dir: string, encode: RowEncoder<T>) {
    this.#dir = dir;
    this.#encode = encode;
  }

  /** Sets when part files roll. */
  withRollingPolicy(policy: Partial<RollingPolicy>): this {
    const next = { ...this.#policy, ...policy };
    if (!(next.maxPartSize > 0) || !(next.rolloverInterval > 0) || !(next.inactivityInterval > 0)) {
      throw new IllegalArgumentError(
        `FileSink.withRollingPolicy(): sizes and intervals must be positive, got ${JSON.stringify(policy)}`,
      );
    }
    this.#policy = next;
    return this;
  }

  build(): TwoPhaseCommittingSink<T, FileCommittable> {
    const dir = this.#dir;
    const encode = this.#encode;
    const policy = this.#policy;
    return {
      createWriter: (ctx) => new RowFileWriter(dir, encode, policy, ctx),
      createCommitter: () => new FileCommitter(),
    };
  }
}

/**
 * Writes records to files.
 *
 * @example
 * stream.sinkTo(FileSink.forRowFormat('/tmp/out').build());
 */
export const FileSink = {
  /** One line per record; `encoder` defaults to strings as-is and JSON for other values. */
  forRowFormat<T>(dir: string, encoder: RowEncoder<T> = defaultRowEncoder): RowFormatBuilder<T> {
    if (typeof dir !== 'string' || dir.length === 0) {
      throw new IllegalArgumentError(
        `FileSink.forRowFormat(): directory must be a non-empty string, got ${JSON.stringify(dir)}`,
      );
    }
    return new RowFormatBuilder(dir, encoder);
  },
};
