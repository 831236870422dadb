// The one error family of Sluice: every error carries a stable code and says whose fault it is,
// so callers (CLI exit codes, REST status codes, restart strategies) can branch on it.

/** Who caused an error: the user's program or input, an external system, or a bug in Sluice. */
export type ErrorOrigin = 'user' | 'external' | 'internal';

/**
 * Base class of every error Sluice throws.
 *
 * @example
 * try { env.setParallelism(0); } catch (e) { if (e instanceof SluiceError) console.log(e.code); }
 */
export class SluiceError extends Error {
  /** A stable, machine-readable code such as `INVALID_ARGUMENT` or `TASK_FAILED`. */
  readonly code: string;
  /** Whose fault it is. */
  readonly origin: ErrorOrigin;

  constructor(code: string, message: string, options: { origin?: ErrorOrigin; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.origin = options.origin ?? 'user';
  }
}

/**
 * API misuse detected when a pipeline is built or configured: the message names the call,
 * the operator and the bad value.
 *
 * @example
 * throw new IllegalArgumentError('setParallelism(): parallelism must be a positive integer, got 0');
 */
export class IllegalArgumentError extends SluiceError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('INVALID_ARGUMENT', message, { origin: 'user', ...options });
  }
}

/**
 * A user function threw while processing a record (or a timer): names the operator, its uid,
 * the subtask and the record (truncated); the original error is the `cause`.
 *
 * @example
 * // what a failed job reports (the text of the JobExecutionError execute() rejects with):
 * // UserFunctionError: operator "parse" (uid: p1), subtask 2/4, failed on record "x": Error: bad input
 */
export class UserFunctionError extends SluiceError {
  readonly operatorName: string;
  readonly subtask: string;
  constructor(operatorName: string, subtask: string, message: string, cause: unknown) {
    super('USER_FUNCTION_FAILED', message, { origin: 'user', cause });
    this.operatorName = operatorName;
    this.subtask = subtask;
  }
}

/**
 * A job did not finish: `execute()` rejects with this error. `message` carries the root cause's
 * description (operator, subtask, record, original error and stack).
 *
 * @example
 * try {
 *   await env.execute('clicks');
 * } catch (e) {
 *   if (e instanceof JobExecutionError && e.code === 'JOB_CANCELLED') console.log(`job ${e.jobId} was cancelled`);
 *   else throw e;
 * }
 */
export class JobExecutionError extends SluiceError {
  readonly jobId: string;
  constructor(jobId: string, message: string, options: { cause?: unknown; code?: string } = {}) {
    super(options.code ?? 'JOB_FAILED', message, { origin: 'user', cause: options.cause });
    this.jobId = jobId;
  }
}

/** Describes a value for an error message: JSON where possible, truncated to `max` characters. */
export function describeValue(value: unknown, max = 200): string {
  let text: string;
  if (typeof value === 'string') text = JSON.stringify(value);
  else if (typeof value === 'bigint') text = `${value}n`;
  // JSON would print NaN and Infinity as null.
  else if (typeof value === 'number') text = String(value);
  else if (typeof value === 'function') text = `[function ${value.name || 'anonymous'}]`;
  else if (value === undefined) text = 'undefined';
  else {
    try {
      text =
        JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;
}

/** Turns anything thrown into a plain description with its stack, for crossing thread boundaries. */
export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  code?: string;
}

/** Serializes an error (and its cause chain, flattened into the stack text) for messages. */
export function serializeError(error: unknown): SerializedError {
  if (error instanceof Error) {
    let stack = error.stack ?? `${error.name}: ${error.message}`;
    let cause: unknown = error.cause;
    for (let depth = 0; cause !== undefined && depth < 5; depth++) {
      stack += `\nCaused by: ${cause instanceof Error ? (cause.stack ?? cause.message) : String(cause)}`;
      cause = cause instanceof Error ? cause.cause : undefined;
    }
    const out: SerializedError = { name: error.name, message: error.message, stack };
    if (error instanceof SluiceError) out.code = error.code;
    return out;
  }
  return { name: 'Error', message: String(error) };
}

/** Exhaustiveness check for tagged unions: adding a kind fails to compile until it is handled. */
export function assertNever(value: never, what: string): never {
  throw new SluiceError('INTERNAL', `unhandled ${what}: ${JSON.stringify(value)}`, { origin: 'internal' });
}
