// Branded identifiers: a JobId cannot be passed where a vertex id is expected.
import { randomBytes } from 'node:crypto';

/** A job's id: 32 lowercase hex characters, as Flink's JobID. */
export type JobId = string & { readonly __brand: 'JobId' };

/** Creates a fresh random JobId. */
export function newJobId(): JobId {
  return randomBytes(16).toString('hex') as JobId;
}

/** Checks that a string has the shape of a JobId. */
export function isJobId(value: string): value is JobId {
  return /^[0-9a-f]{32}$/.test(value);
}
