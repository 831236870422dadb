// Turns normalized keys, namespaces and map keys into components of lmdb's ordered array keys.
// lmdb's ordered-binary encoding has limits a state key must not hit: NUL separates array
// elements, keys are at most 1978 bytes, -0 and 0 differ, and a bigint equal to a number encodes
// like that number. This codec keeps every component short, unambiguous and (mostly) reversible.
import { createHash } from 'node:crypto';
import { IllegalArgumentError } from '../../core/index.ts';

/** A normalized key, namespace or map key (see `normalizeKey`). */
export type KeyComponentSource = string | number | boolean | bigint;
/** What lmdb stores as one element of an array key. */
export type KeyComponent = string | number | boolean;

/** Components at most this many UTF-8 bytes are stored as text; longer ones are hashed. */
const MAX_COMPONENT_BYTES = 400;
/** Marks an escaped component (first char); strings starting with it are escaped themselves. */
const ESCAPE = '\u0002';
const ESCAPE_CODE = 2;
/**
 * Whether a string may be a component verbatim: no control characters that ordered-binary
 * escapes or uses as a separator (NUL..EOT, which includes ESCAPE), except a leading \u0001 (the
 * composite-key marker).
 */
function isVerbatim(s: string): boolean {
  for (let i = s.charCodeAt(0) === 1 ? 1 : 0; i < s.length; i++) {
    if (s.charCodeAt(i) <= 4) return false;
  }
  return true;
}

/**
 * The array-key component of a normalized value. Injective: distinct inputs give distinct
 * components (hashed components rely on SHA-256 not colliding).
 */
export function encodeComponent(value: KeyComponentSource): KeyComponent {
  switch (typeof value) {
    case 'number':
      return value === 0 ? 0 : value; // -0 and 0 are one Map key, but two lmdb keys
    case 'boolean':
      return value;
    case 'bigint':
      return `${ESCAPE}n${value}`;
    case 'string': {
      if (value.length <= MAX_COMPONENT_BYTES / 3 && isVerbatim(value)) return value;
      return encodeSlow(value);
    }
    default:
      throw new IllegalArgumentError(`lmdb state backend: cannot encode ${String(value)} as a key component`);
  }
}

function encodeSlow(value: string): KeyComponent {
  if (isVerbatim(value) && Buffer.byteLength(value) <= MAX_COMPONENT_BYTES) return value;
  const escaped = `${ESCAPE}s${JSON.stringify(value)}`;
  if (escaped.length <= MAX_COMPONENT_BYTES / 3 || Buffer.byteLength(escaped) <= MAX_COMPONENT_BYTES) {
    return escaped;
  }
  return `${ESCAPE}h${createHash('sha256').update(value).digest('base64url')}`;
}

/**
 * Whether a component cannot be turned back into the original value: composite keys (their
 * original objects must be returned, not canonical JSON) and hashed long strings. Entries under
 * such a key carry the original key in their value.
 */
export function isIrreversible(component: KeyComponent): boolean {
  if (typeof component !== 'string') return false;
  const first = component.charCodeAt(0);
  return first === 1 || (first === ESCAPE_CODE && component.charCodeAt(1) === 104); // 'h'
}

/** Inverse of {@link encodeComponent} for reversible components. */
export function decodeComponent(component: KeyComponent): KeyComponentSource {
  if (typeof component !== 'string' || component.charCodeAt(0) !== ESCAPE_CODE) return component;
  switch (component.charAt(1)) {
    case 'n':
      return BigInt(component.slice(2));
    case 's':
      return JSON.parse(component.slice(2)) as string;
    default:
      throw new IllegalArgumentError(
        `lmdb state backend: key component ${JSON.stringify(component)} cannot be decoded (hashed)`,
      );
  }
}
