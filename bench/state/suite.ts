// Suite "state": keyed state backends (heap vs lmdb) — value-state updates and reads per second,
// and the lmdb backend holding many keys with the V8 heap capped (see issue #5).
import { type BenchCase, type BenchSuite, positiveInt } from '../bench-suite.ts';
import { type BackendType, manyKeys, valueStateThroughput } from './state-backend-benchmarks.ts';

const usage = `
  --keys N           keys of the heap-vs-lmdb cases, a power of two (default 1048576)
  --operations N     timed updates and reads of those cases (default 2000000)
  --many-keys N      keys of the lmdb-many-keys case (default 20000000)
  --sample N         timed random updates and reads after loading them (default 1000000)
  --max-seconds S    stop loading lmdb-many-keys after S seconds (at a million boundary) and
                     report the keys reached (default: no limit)
  --dir DIR          base directory of the lmdb store (default: the OS temp directory)
Cases: value-hashmap, value-lmdb, lmdb-many-keys
Run lmdb-many-keys with the heap capped, e.g.
  node --max-old-space-size=512 --import tsx bench/run.ts state --case lmdb-many-keys`;

function throughputCase(type: BackendType, keys: number, operations: number): BenchCase {
  return {
    name: `value-${type}`,
    run: async () => [
      { name: `value-${type}`, backend: type, ...valueStateThroughput(type, keys, operations) },
    ],
  };
}

const suite: BenchSuite = {
  name: 'state',
  description:
    'keyed state backends: value-state throughput (heap vs lmdb), lmdb with many keys and a capped heap',
  usage,
  options: {
    keys: { type: 'string', default: '1048576' },
    operations: { type: 'string', default: '2000000' },
    'many-keys': { type: 'string', default: '20000000' },
    sample: { type: 'string', default: '1000000' },
    'max-seconds': { type: 'string' },
    dir: { type: 'string' },
  },
  cases(values) {
    const keys = positiveInt('keys', values.keys);
    const operations = positiveInt('operations', values.operations);
    const many = positiveInt('many-keys', values['many-keys']);
    const sample = positiveInt('sample', values.sample);
    const dir = typeof values.dir === 'string' ? values.dir : undefined;
    const maxSeconds =
      values['max-seconds'] === undefined
        ? Number.POSITIVE_INFINITY
        : positiveInt('max-seconds', values['max-seconds']);
    return [
      throughputCase('hashmap', keys, operations),
      throughputCase('lmdb', keys, operations),
      {
        name: 'lmdb-many-keys',
        run: async () => [
          { name: 'lmdb-many-keys', backend: 'lmdb', ...manyKeys(many, sample, dir, maxSeconds) },
        ],
      },
    ];
  },
};

export default suite;
