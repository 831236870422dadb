// print(): writes records to the client's standard output, prefixed with the subtask number when
// the sink runs in parallel (as Flink's PrintSinkFunction does).
import type { Sink, SinkInitContext, SinkWriter } from '../../functions/index.ts';

/** Formats a record for printing: strings as they are, other values as JSON. */
export function formatForPrint(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'bigint') return `${value}`;
  try {
    return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}` : v)) ?? String(value);
  } catch {
    return String(value);
  }
}

class PrintWriter<T> implements SinkWriter<T> {
  readonly #ctx: SinkInitContext;
  readonly #prefix: string;
  readonly #stderr: boolean;
  #lines: string[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(ctx: SinkInitContext, identifier: string | undefined, stderr: boolean) {
    this.#ctx = ctx;
    this.#stderr = stderr;
    const sub = ctx.getNumberOfParallelSubtasks() > 1 ? `${ctx.getSubtaskId() + 1}` : '';
    this.#prefix =
      identifier !== undefined
        ? `${identifier}${sub === '' ? '' : `:${sub}`}> `
        : sub === ''
          ? ''
          : `${sub}> `;
  }

  write(value: T): void {
    this.#lines.push(`${this.#prefix}${formatForPrint(value)}\n`);
    if (this.#lines.length >= 256) this.#send();
    else this.#timer ??= setTimeout(() => this.#send(), 20);
  }

  #send(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#lines.length === 0) return;
    const text = this.#lines.join('');
    this.#lines = [];
    if (this.#stderr) this.#ctx.printToStderr(text);
    else this.#ctx.printToStdout(text);
  }

  flush(): void {
    this.#send();
  }

  close(): void {
    this.#send();
  }
}

/**
 * A sink that prints each record on its own line.
 *
 * @example
 * stream.sinkTo(new PrintSink('clicks'));
 */
export class PrintSink<T> implements Sink<T> {
  readonly #identifier: string | undefined;
  readonly #stderr: boolean;
  constructor(identifier?: string, stderr = false) {
    this.#identifier = identifier;
    this.#stderr = stderr;
  }
  createWriter(ctx: SinkInitContext): SinkWriter<T> {
    return new PrintWriter<T>(ctx, this.#identifier, this.#stderr);
  }
}
