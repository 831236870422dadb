// The deep copy behind copy-on-write snapshots of the heap backend: when live state is about to
// hand out (and so possibly mutate) a value that a pending snapshot still reads, it copies it first.
// Prototypes are kept, so that user classes stored in state keep their methods.

/**
 * A deep copy of a state value: arrays, Maps, Sets, Dates, typed arrays, plain objects and class
 * instances (own enumerable properties, same prototype); shared references and cycles are kept
 * as such. Primitives and functions are returned as they are (they cannot be changed in place).
 */
export function copyStateValue<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  return copy(value, new Map()) as T;
}

function copy(value: unknown, seen: Map<object, unknown>): unknown {
  if (value === null || typeof value !== 'object') return value;
  const done = seen.get(value);
  if (done !== undefined) return done;
  if (Array.isArray(value)) {
    const out: unknown[] = new Array(value.length);
    seen.set(value, out);
    for (let i = 0; i < value.length; i++) out[i] = copy(value[i], seen);
    return out;
  }
  if (value instanceof Map) {
    const out = new Map<unknown, unknown>();
    seen.set(value, out);
    for (const [k, v] of value) out.set(copy(k, seen), copy(v, seen));
    return out;
  }
  if (value instanceof Set) {
    const out = new Set<unknown>();
    seen.set(value, out);
    for (const v of value) out.add(copy(v, seen));
    return out;
  }
  if (value instanceof Date) {
    const out = new Date(value.getTime());
    seen.set(value, out);
    return out;
  }
  if (value instanceof DataView) {
    const out = new DataView(value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength));
    seen.set(value, out);
    return out;
  }
  if (ArrayBuffer.isView(value)) {
    const out = (value as unknown as { slice(): unknown }).slice();
    seen.set(value, out);
    return out;
  }
  if (value instanceof ArrayBuffer) {
    const out = value.slice(0);
    seen.set(value, out);
    return out;
  }
  const out = Object.create(Object.getPrototypeOf(value) as object | null) as Record<string, unknown>;
  seen.set(value, out);
  for (const k of Object.keys(value)) out[k] = copy((value as Record<string, unknown>)[k], seen);
  return out;
}
