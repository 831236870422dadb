import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameDecoder, FrameType, packControl } from './frame-codec.ts';

type Frame =
  | { t: 'control'; m: unknown }
  | { t: 'data' | 'priority'; to: number; ch: number; buf: Uint8Array }
  | { t: 'credit'; to: number; ch: number; n: number };

function encode(f: Frame): Buffer {
  if (f.t === 'control') {
    const body = packControl(f.m);
    const h = Buffer.alloc(5);
    h.writeUInt32BE(body.length + 1, 0);
    h[4] = FrameType.CONTROL;
    return Buffer.concat([h, body]);
  }
  if ('buf' in f) {
    const h = Buffer.alloc(13);
    h.writeUInt32BE(f.buf.length + 9, 0);
    h[4] = f.t === 'data' ? FrameType.DATA : FrameType.PRIORITY;
    h.writeUInt32BE(f.to, 5);
    h.writeUInt32BE(f.ch, 9);
    return Buffer.concat([h, f.buf]);
  }
  const b = Buffer.alloc(17);
  b.writeUInt32BE(13, 0);
  b[4] = FrameType.CREDIT;
  b.writeUInt32BE(f.to, 5);
  b.writeUInt32BE(f.ch, 9);
  b.writeUInt32BE(f.n, 13);
  return b;
}

function decodeAll(stream: Buffer, cuts: number[]): Frame[] {
  const out: Frame[] = [];
  const decoder = new FrameDecoder({
    control: (m) => out.push({ t: 'control', m }),
    data: (to, ch, buf) => out.push({ t: 'data', to, ch, buf }),
    credit: (to, ch, n) => out.push({ t: 'credit', to, ch, n }),
    priority: (to, ch, buf) => out.push({ t: 'priority', to, ch, buf }),
  });
  let at = 0;
  for (const c of [...cuts.filter((x) => x > 0 && x < stream.length)].sort((a, b) => a - b)) {
    decoder.push(stream.subarray(at, c));
    at = c;
  }
  decoder.push(stream.subarray(at));
  return out;
}

const u32 = fc.integer({ min: 0, max: 0xffffffff });
const frame: fc.Arbitrary<Frame> = fc.oneof(
  fc.record({
    t: fc.constant('control' as const),
    m: fc.record({ t: fc.string(), n: fc.integer(), s: fc.array(fc.string(), { maxLength: 3 }) }),
  }),
  fc.record({ t: fc.constant('data' as const), to: u32, ch: u32, buf: fc.uint8Array({ maxLength: 300 }) }),
  fc.record({ t: fc.constant('credit' as const), to: u32, ch: u32, n: u32 }),
  fc.record({ t: fc.constant('priority' as const), to: u32, ch: u32, buf: fc.uint8Array({ maxLength: 50 }) }),
);

describe('FrameDecoder', () => {
  it('decodes any sequence of frames however the stream is cut into chunks', () => {
    fc.assert(
      fc.property(
        fc.array(frame, { maxLength: 20 }),
        fc.array(fc.nat(5000), { maxLength: 30 }),
        (frames, cuts) => {
          const stream = Buffer.concat(frames.map(encode));
          const decoded = decodeAll(stream, cuts);
          const plain = (f: Frame): unknown => ('buf' in f ? { ...f, buf: [...f.buf] } : f);
          expect(decoded.map(plain)).toEqual(frames.map(plain));
        },
      ),
    );
  });

  it('hands over data buffers that own their memory (transferable to a worker)', () => {
    const [f] = decodeAll(encode({ t: 'data', to: 1, ch: 2, buf: new Uint8Array([1, 2, 3]) }), []);
    expect(f?.t).toBe('data');
    const buf = (f as { buf: Uint8Array }).buf;
    expect(buf.byteOffset).toBe(0);
    expect(buf.buffer.byteLength).toBe(3);
  });

  it('rejects a malformed stream instead of waiting for gigabytes', () => {
    const decoder = new FrameDecoder({
      control: () => {},
      data: () => {},
      credit: () => {},
      priority: () => {},
    });
    expect(() => decoder.push(Buffer.from([0xff, 0xff, 0xff, 0xff, 1]))).toThrow(/malformed frame: length/);
    const bad = new FrameDecoder({ control: () => {}, data: () => {}, credit: () => {}, priority: () => {} });
    expect(() => bad.push(Buffer.from([0, 0, 0, 2, 9, 0]))).toThrow(/malformed frame: type 9/);
  });
});
