// Suite "network": the CPU a record costs to be written into a network buffer and read back, by
// the engine's BufferCodec and by plain msgpackr (what BufferCodec did before its own encoder),
// measured alternately in one process so that both see the same machine load.
import { Packr } from 'msgpackr';
import { createNexmarkGenerator } from '../../src/index.ts';
import { BufferCodec } from '../../src/runtime/index.ts';
import {
  type BenchCase,
  type BenchOptionValues,
  type BenchResultLine,
  type BenchSuite,
  positiveInt,
  round,
} from '../bench-suite.ts';

const usage = `
  --records N    records per case (default 500000)
  --batch N      records per buffer (default 190: a 32 KiB buffer of Nexmark bids)
  --rounds N     alternating rounds of both encoders; the median is reported (default 7)
Cases: nexmark-bids (objects with 4 numbers and 3 strings), keyed-events ({ key, value })`;

type Encode = (values: unknown[], timestamps: number[]) => Uint8Array;
type Decode = (buffer: Uint8Array) => unknown;

/** CPU nanoseconds per record of encoding, then decoding, every batch once. */
function timeOnce(
  batches: unknown[][],
  stamps: number[][],
  encode: Encode,
  decode: Decode,
): [number, number] {
  const buffers: Uint8Array[] = new Array(batches.length);
  let records = 0;
  let t = process.cpuUsage();
  for (let i = 0; i < batches.length; i++) {
    buffers[i] = encode(batches[i]!, stamps[i]!);
    records += batches[i]!.length;
  }
  const enc = process.cpuUsage(t);
  t = process.cpuUsage();
  for (const b of buffers) decode(b);
  const dec = process.cpuUsage(t);
  return [((enc.user + enc.system) * 1000) / records, ((dec.user + dec.system) * 1000) / records];
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function codecCase(name: string, make: (records: number) => unknown[], values: BenchOptionValues): BenchCase {
  return {
    name,
    run: async (): Promise<BenchResultLine[]> => {
      const records = positiveInt('records', values.records);
      const batch = positiveInt('batch', values.batch);
      const rounds = positiveInt('rounds', values.rounds);
      // Fresh records for every timed pass, as a job's are: strings built by concatenation are
      // flattened by the first encoder that reads them, which must not favour the second.
      const batchesOf = (all: unknown[]): unknown[][] => {
        const out: unknown[][] = [];
        for (let i = 0; i < all.length; i += batch) out.push(all.slice(i, i + batch));
        return out;
      };
      const batches = batchesOf(make(records));
      const stamps = batches.map((b, j) => b.map((_, i) => 1_577_836_800_000 + j * batch + i));
      const codec = new BufferCodec();
      const packr = new Packr({ useRecords: true, moreTypes: true });
      const engine: [Encode, Decode] = [(v, t) => codec.encode(v, t, null, null), (b) => codec.decode(b)];
      const msgpackr: [Encode, Decode] = [
        (v, t) => Uint8Array.from(packr.pack([v, t, null, null])),
        (b) => packr.unpack(b),
      ];
      const sameBytes = batches.every((b, i) =>
        Buffer.from(engine[0](b, stamps[i]!)).equals(Buffer.from(msgpackr[0](b, stamps[i]!))),
      );
      const times = { engine: [[], []] as number[][], msgpackr: [[], []] as number[][] };
      timeOnce(batchesOf(make(records)), stamps, ...engine); // warm-up
      timeOnce(batchesOf(make(records)), stamps, ...msgpackr);
      for (let r = 0; r < rounds; r++) {
        for (const [label, fns] of [
          ['engine', engine],
          ['msgpackr', msgpackr],
        ] as const) {
          const [e, d] = timeOnce(batchesOf(make(records)), stamps, ...fns);
          times[label][0]!.push(e);
          times[label][1]!.push(d);
        }
      }
      const bytes = batches.reduce((n, b, i) => n + engine[0](b, stamps[i]!).byteLength, 0);
      const count = batches.reduce((n, b) => n + b.length, 0);
      const enc = median(times.engine[0]!);
      const encBefore = median(times.msgpackr[0]!);
      return [
        {
          name,
          records: count,
          batch,
          rounds,
          bytesPerRecord: round(bytes / count, 1),
          sameBytes,
          encodeNsPerRecord: round(enc, 1),
          msgpackrEncodeNsPerRecord: round(encBefore, 1),
          encodeSpeedup: round(encBefore / enc, 2),
          decodeNsPerRecord: round(median(times.engine[1]!), 1),
          msgpackrDecodeNsPerRecord: round(median(times.msgpackr[1]!), 1),
        },
      ];
    },
  };
}

function nexmarkBids(records: number): unknown[] {
  const out: unknown[] = [];
  for (const e of createNexmarkGenerator({}).events()) {
    if (e.type === 'bid') out.push(e.bid);
    if (out.length === records) break;
  }
  return out;
}

function keyedEvents(records: number): unknown[] {
  return Array.from({ length: records }, (_, i) => ({ key: (i * 7919) % 1000, value: 1 }));
}

const suite: BenchSuite = {
  name: 'network',
  description: 'network buffer encoding and decoding: the engine codec vs plain msgpackr, CPU per record',
  usage,
  options: {
    records: { type: 'string', default: '500000' },
    batch: { type: 'string', default: '190' },
    rounds: { type: 'string', default: '7' },
  },
  cases: (values) => [
    codecCase('nexmark-bids', nexmarkBids, values),
    codecCase('keyed-events', keyedEvents, values),
  ],
};

export default suite;
