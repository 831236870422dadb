// Writes a network buffer's bytes exactly as msgpackr's Packr (records on, no shared structures)
// would, for the values records usually are: it was most of the CPU a record costs to cross
// threads. Values it does not handle make it give up, and the caller packs with msgpackr.
// Decoding stays msgpackr's: the bytes on the wire and in checkpoints do not change
// (see docs/design/0007-network-buffer-encoding.md).

/** Thrown inside the encoder for a value it leaves to msgpackr; never escapes {@link RecordBufferEncoder.encode}. */
const UNSUPPORTED: unique symbol = Symbol('unsupported');

/** msgpackr's record ids without shared structures: 0x40 … 0x7f, one byte each. */
const FIRST_RECORD_ID = 0x40;
const MAX_RECORDS = 64;

/** Calls `write` with each field value of `object`, in the order of a shape's keys. */
type FieldVisitor = (object: Record<string, unknown>, write: (value: unknown) => void) => void;

/** A record structure (the keys of an object, in order) defined in the buffer being written. */
interface Shape {
  readonly keys: readonly string[];
  readonly id: number;
  readonly visit: FieldVisitor;
}

/** Compiled visitors kept per encoder; past this many shapes the cache starts over. */
const MAX_VISITORS = 1024;
/** Objects with more keys are visited by a loop (a compiled visitor would be a long function). */
const MAX_COMPILED_KEYS = 64;

function loopVisitor(keys: readonly string[]): FieldVisitor {
  return (object, write) => {
    for (let i = 0; i < keys.length; i++) write(object[keys[i]!]);
  };
}

/**
 * A visitor reading the fields by constant names, which V8 caches per object layout: several
 * times cheaper than `object[keys[i]]`. Keys are quoted by JSON.stringify, a valid JavaScript
 * string literal for any string. Where code generation is disabled, the loop.
 */
function compileVisitor(keys: readonly string[]): FieldVisitor {
  if (keys.length > MAX_COMPILED_KEYS) return loopVisitor(keys);
  try {
    return new Function('o', 'w', keys.map((k) => `w(o[${JSON.stringify(k)}]);`).join('')) as FieldVisitor;
  } catch {
    return loopVisitor(keys);
  }
}

/** Scratch memory the buffers are written into (network buffers are 32 KiB by default). */
const INITIAL_SCRATCH = 64 * 1024;
/** Scratch grown beyond this for one large buffer is given back afterwards. */
const MAX_KEPT_SCRATCH = 1 << 20;

/**
 * Encoder of `[values, timestamps, kinds, events]` into msgpackr's format: plain objects as
 * records (their keys defined once per buffer, at first use, ids 0x40–0x7f), arrays, strings,
 * numbers (integers in their smallest form, others as float64), booleans, null and undefined.
 * Anything else (a Date, Map, class instance, bigint, more than 64 object shapes in one buffer …)
 * makes {@link encode} return `undefined`: the caller then packs the buffer with msgpackr itself,
 * whose output decodes the same way. Not reentrant; one per thread.
 *
 * @example
 * const encoder = new RecordBufferEncoder();
 * const bytes = encoder.encode([[{ id: 1, name: 'a' }], null, null, null]);
 * // new Packr({ useRecords: true }).unpack(bytes) → [[{ id: 1, name: 'a' }], null, null, null]
 */
export class RecordBufferEncoder {
  #buf = allocate(INITIAL_SCRATCH);
  #view = new DataView(this.#buf.buffer, this.#buf.byteOffset, this.#buf.byteLength);
  #pos = 0;
  #shapes: Shape[] = [];
  #last: Shape | undefined;
  readonly #visitors = new Map<string, FieldVisitor>();
  readonly #writeValue = (value: unknown): void => this.#write(value);

  /**
   * The bytes of `value` in a Uint8Array that owns its memory (it can be transferred to another
   * thread), or `undefined` when `value` holds something this encoder leaves to msgpackr.
   */
  encode(value: unknown): Uint8Array | undefined {
    this.#pos = 0;
    this.#shapes.length = 0;
    this.#last = undefined;
    try {
      this.#write(value);
    } catch (e) {
      if (e === UNSUPPORTED) return undefined;
      throw e;
    }
    // Copied out of the reused scratch memory into an ArrayBuffer of exactly its size.
    const out = new Uint8Array(this.#pos);
    out.set(this.#buf.subarray(0, this.#pos));
    if (this.#buf.byteLength > MAX_KEPT_SCRATCH) this.#resize(INITIAL_SCRATCH, 0);
    return out;
  }

  #resize(capacity: number, keep: number): void {
    const next = allocate(capacity);
    if (keep > 0) next.set(this.#buf.subarray(0, keep));
    this.#buf = next;
    this.#view = new DataView(next.buffer, next.byteOffset, next.byteLength);
  }

  /** Makes room for `n` more bytes (small enough to be inlined at every write). */
  #ensure(n: number): void {
    if (this.#pos + n > this.#buf.byteLength) this.#grow(n);
  }

  #grow(n: number): void {
    this.#resize(Math.max(this.#pos + n, this.#buf.byteLength * 2), this.#pos);
  }

  #write(value: unknown): void {
    switch (typeof value) {
      case 'number':
        this.#writeNumber(value);
        return;
      case 'string':
        this.#writeString(value);
        return;
      case 'boolean':
        this.#ensure(1);
        this.#buf[this.#pos++] = value ? 0xc3 : 0xc2;
        return;
      case 'undefined':
        // msgpackr's undefined: fixext 1, type 0, data 0.
        this.#ensure(3);
        this.#buf[this.#pos++] = 0xd4;
        this.#buf[this.#pos++] = 0;
        this.#buf[this.#pos++] = 0;
        return;
      case 'object': {
        if (value === null) {
          this.#ensure(1);
          this.#buf[this.#pos++] = 0xc0;
          return;
        }
        // The classes msgpackr writes as records and arrays.
        const kind = (value as { constructor?: unknown }).constructor;
        if (kind === Object) this.#writeObject(value as Record<string, unknown>);
        else if (kind === Array) this.#writeArray(value as unknown[]);
        else throw UNSUPPORTED;
        return;
      }
      default:
        throw UNSUPPORTED;
    }
  }

  #writeArray(array: readonly unknown[]): void {
    const n = array.length;
    this.#ensure(5);
    const buf = this.#buf;
    if (n < 0x10) buf[this.#pos++] = 0x90 | n;
    else if (n < 0x10000) {
      buf[this.#pos++] = 0xdc;
      buf[this.#pos++] = n >> 8;
      buf[this.#pos++] = n & 0xff;
    } else {
      buf[this.#pos++] = 0xdd;
      this.#view.setUint32(this.#pos, n);
      this.#pos += 4;
    }
    for (let i = 0; i < n; i++) this.#write(array[i]);
  }

  #writeObject(object: Record<string, unknown>): void {
    // Own enumerable string keys in order: what msgpackr's for-in with hasOwnProperty visits.
    const keys = Object.keys(object);
    let shape = this.#last;
    if (shape !== undefined && sameKeys(shape.keys, keys)) {
      this.#ensure(1);
      this.#buf[this.#pos++] = shape.id;
    } else {
      shape = this.#writeShape(keys);
    }
    shape.visit(object, this.#writeValue);
  }

  /** Writes the id of the shape with these keys, defining it first if it is new in this buffer. */
  #writeShape(keys: readonly string[]): Shape {
    let shape: Shape | undefined;
    for (const s of this.#shapes) {
      if (sameKeys(s.keys, keys)) {
        shape = s;
        break;
      }
    }
    if (shape === undefined) {
      // msgpackr cycles through its ids past 64 shapes; such buffers are left to it.
      if (this.#shapes.length === MAX_RECORDS) throw UNSUPPORTED;
      shape = { keys, id: FIRST_RECORD_ID + this.#shapes.length, visit: this.#visitor(keys) };
      this.#shapes.push(shape);
      // Definition at first use: fixext 1, type 'r', the id, then the keys; the values follow.
      this.#ensure(3);
      this.#buf[this.#pos++] = 0xd4;
      this.#buf[this.#pos++] = 0x72;
      this.#buf[this.#pos++] = shape.id;
      this.#writeArray(keys);
    } else {
      this.#ensure(1);
      this.#buf[this.#pos++] = shape.id;
    }
    this.#last = shape;
    return shape;
  }

  #visitor(keys: readonly string[]): FieldVisitor {
    const id = JSON.stringify(keys);
    let visit = this.#visitors.get(id);
    if (visit === undefined) {
      if (this.#visitors.size === MAX_VISITORS) this.#visitors.clear();
      visit = compileVisitor(keys);
      this.#visitors.set(id, visit);
    }
    return visit;
  }

  #writeNumber(value: number): void {
    this.#ensure(9);
    const buf = this.#buf;
    let pos = this.#pos;
    if (value >>> 0 === value) {
      // 0x40–0x7f would read as record ids: small integers stop at 0x3f.
      if (value < 0x40) buf[pos++] = value;
      else if (value < 0x100) {
        buf[pos++] = 0xcc;
        buf[pos++] = value;
      } else if (value < 0x10000) {
        buf[pos++] = 0xcd;
        buf[pos++] = value >> 8;
        buf[pos++] = value & 0xff;
      } else {
        buf[pos++] = 0xce;
        this.#view.setUint32(pos, value);
        pos += 4;
      }
    } else if (value >> 0 === value) {
      if (value >= -0x20) buf[pos++] = 0x100 + value;
      else if (value >= -0x80) {
        buf[pos++] = 0xd0;
        buf[pos++] = value + 0x100;
      } else if (value >= -0x8000) {
        buf[pos++] = 0xd1;
        this.#view.setInt16(pos, value);
        pos += 2;
      } else {
        buf[pos++] = 0xd2;
        this.#view.setInt32(pos, value);
        pos += 4;
      }
    } else {
      buf[pos++] = 0xcb;
      this.#view.setFloat64(pos, value);
      pos += 8;
    }
    this.#pos = pos;
  }

  #writeString(value: string): void {
    const chars = value.length;
    // The header is chosen by the character count; UTF-8 may need a longer one (moved below).
    const headerSize = chars < 0x20 ? 1 : chars < 0x100 ? 2 : chars < 0x10000 ? 3 : 5;
    this.#ensure(chars * 3 + 5);
    const buf = this.#buf;
    const start = this.#pos + headerSize;
    let length: number;
    if (chars < 0x10) {
      let p = start;
      for (let i = 0; i < chars; i++) {
        let c = value.charCodeAt(i);
        if (c < 0x80) buf[p++] = c;
        else if (c < 0x800) {
          buf[p++] = (c >> 6) | 0xc0;
          buf[p++] = (c & 0x3f) | 0x80;
        } else if ((c & 0xfc00) === 0xd800 && (value.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
          c = 0x10000 + ((c & 0x03ff) << 10) + (value.charCodeAt(i + 1) & 0x03ff);
          i++;
          buf[p++] = (c >> 18) | 0xf0;
          buf[p++] = ((c >> 12) & 0x3f) | 0x80;
          buf[p++] = ((c >> 6) & 0x3f) | 0x80;
          buf[p++] = (c & 0x3f) | 0x80;
        } else {
          // Other code units, lone surrogates included (msgpackr writes them the same way).
          buf[p++] = (c >> 12) | 0xe0;
          buf[p++] = ((c >> 6) & 0x3f) | 0x80;
          buf[p++] = (c & 0x3f) | 0x80;
        }
      }
      length = p - start;
    } else {
      length = buf.utf8Write(value, start, buf.byteLength - start);
    }
    let pos = this.#pos;
    if (length < 0x20) buf[pos++] = 0xa0 | length;
    else if (length < 0x100) {
      if (headerSize < 2) buf.copyWithin(pos + 2, pos + 1, pos + 1 + length);
      buf[pos++] = 0xd9;
      buf[pos++] = length;
    } else if (length < 0x10000) {
      if (headerSize < 3) buf.copyWithin(pos + 3, pos + headerSize, pos + headerSize + length);
      buf[pos++] = 0xda;
      buf[pos++] = length >> 8;
      buf[pos++] = length & 0xff;
    } else {
      if (headerSize < 5) buf.copyWithin(pos + 5, pos + headerSize, pos + headerSize + length);
      buf[pos++] = 0xdb;
      this.#view.setUint32(pos, length);
      pos += 4;
    }
    this.#pos = pos + length;
  }
}

/**
 * Node's Buffer method behind `write(…, 'utf8')` (not in its type declarations; msgpackr uses it
 * too): the public `write` validates its arguments first, which cost more than the copy here.
 */
interface Utf8Writable {
  utf8Write(value: string, offset: number, length: number): number;
}

function allocate(bytes: number): Buffer & Utf8Writable {
  return Buffer.allocUnsafeSlow(bytes) as unknown as Buffer & Utf8Writable;
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
