// Keys are assigned to key groups with a hash that is stable across processes and releases
// (key groups are persisted in snapshots); a subtask owns a contiguous range of key groups.
import { describeValue, IllegalArgumentError, murmurHashInt, murmurHashString } from '../core/index.ts';

/** Values usable as keys: primitives, arrays and plain objects of them. */
export type Key = string | number | boolean | bigint | readonly unknown[] | { readonly [k: string]: unknown };

function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'bigint') return `"${value}n"`;
    if (value === undefined) return 'null';
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

/**
 * The form of a key used as a JS Map key: primitives as they are, other values as canonical JSON
 * (object keys sorted), so that equal composite keys land in the same entry.
 */
export function normalizeKey(key: unknown): string | number | boolean | bigint {
  switch (typeof key) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'bigint':
      return key;
    case 'object':
      if (key !== null) return `\u0001${canonicalJson(key)}`;
      break;
    default:
      break;
  }
  throw new IllegalArgumentError(`key ${describeValue(key)} cannot be used as a key`);
}

/** Stable 32-bit hash of a key. Part of the snapshot format: never change it. */
export function hashKey(key: unknown): number {
  switch (typeof key) {
    case 'number':
      return (key | 0) === key ? murmurHashInt(key) : murmurHashString(`#${key}`);
    case 'string':
      return murmurHashString(key);
    case 'boolean':
      return murmurHashInt(key ? 1 : 0, 0x2f);
    case 'bigint':
      return murmurHashString(`${key}n`);
    case 'object':
      if (key !== null) return murmurHashString(canonicalJson(key), 0x3b);
      break;
    default:
      break;
  }
  throw new IllegalArgumentError(`key ${describeValue(key)} cannot be used as a key`);
}

/** The key group of a key: `hash(key) mod maxParallelism`. */
export function assignToKeyGroup(key: unknown, maxParallelism: number): number {
  return hashKey(key) % maxParallelism;
}

/** The subtask that owns a key group (Flink's formula, so ranges are contiguous). */
export function computeOperatorIndexForKeyGroup(
  maxParallelism: number,
  parallelism: number,
  keyGroup: number,
): number {
  return Math.floor((keyGroup * parallelism) / maxParallelism);
}

/** An inclusive range of key groups owned by one subtask. */
export interface KeyGroupRange {
  readonly start: number;
  readonly end: number;
}

/** The key groups owned by subtask `index` of `parallelism`. */
export function keyGroupRangeForOperator(
  maxParallelism: number,
  parallelism: number,
  index: number,
): KeyGroupRange {
  const start = Math.floor((index * maxParallelism + parallelism - 1) / parallelism);
  const end = Math.floor(((index + 1) * maxParallelism - 1) / parallelism);
  return { start, end };
}
