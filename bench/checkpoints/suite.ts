// Suite "checkpoints": the cost of checkpointing every second on a keyed-count job, and for a
// checkpoint of a large state (heap or lmdb, synchronous or asynchronous) how long the task is
// blocked, how long until it is durable, its size and its restore time (issue #5).
import { type BenchSuite, positiveInt, round } from '../bench-suite.ts';
import { type KeyedCountRun, keyedCount, largeStateCheckpoint } from './checkpoint-benchmarks.ts';

const usage = `
  --records N        records of the keyed-count job (default 10000000)
  --keys N           distinct keys of the keyed-count job (default 100000)
  --interval MS      checkpoint interval of the checkpointed runs (default 1000)
  --repeat N         runs per variant, interleaved (default 2); the median counts
  --state-keys N     keys of the large-state case (default 5000000)
  --value-bytes N    characters of each value's payload string (default 100)
  --dir DIR          where the large-state checkpoint is written (default: the OS temp directory)
  --backend NAME     state backend of the large-state case: hashmap (default) or lmdb
  --mode MODE        large-state: async (pin at the barrier, write in slices; default) or sync
                     (snapshot and encode at the barrier, as tasks did before)
Cases: keyed-count, large-state
Run large-state with a heap big enough for the state twice over, and GC between phases, e.g.
  node --max-old-space-size=6144 --expose-gc --import tsx bench/run.ts checkpoints --case large-state`;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const suite: BenchSuite = {
  name: 'checkpoints',
  description: 'checkpoint cost on a keyed-count job; duration, size and restore of a large heap state',
  usage,
  options: {
    records: { type: 'string', default: '10000000' },
    keys: { type: 'string', default: '100000' },
    interval: { type: 'string', default: '1000' },
    repeat: { type: 'string', default: '2' },
    'state-keys': { type: 'string', default: '5000000' },
    'value-bytes': { type: 'string', default: '100' },
    dir: { type: 'string' },
    backend: { type: 'string', default: 'hashmap' },
    mode: { type: 'string', default: 'async' },
  },
  cases(values) {
    const records = positiveInt('records', values.records);
    const keys = positiveInt('keys', values.keys);
    const interval = positiveInt('interval', values.interval);
    const repeat = positiveInt('repeat', values.repeat);
    const stateKeys = positiveInt('state-keys', values['state-keys']);
    const valueBytes = positiveInt('value-bytes', values['value-bytes']);
    const dir = typeof values.dir === 'string' ? values.dir : undefined;
    const backend = String(values.backend);
    if (backend !== 'hashmap' && backend !== 'lmdb') {
      throw new Error(`--backend must be hashmap or lmdb, got ${JSON.stringify(backend)}`);
    }
    const mode = String(values.mode);
    if (mode !== 'sync' && mode !== 'async') {
      throw new Error(`--mode must be sync or async, got ${JSON.stringify(mode)}`);
    }
    return [
      {
        name: 'keyed-count',
        run: async () => {
          const without: KeyedCountRun[] = [];
          const withCp: KeyedCountRun[] = [];
          // Interleaved, so that load from elsewhere on the machine hits both variants alike.
          for (let i = 0; i < repeat; i++) {
            without.push(await keyedCount(records, keys, 0));
            withCp.push(await keyedCount(records, keys, interval));
          }
          const lines = [...without, ...withCp].map((r, i) => ({
            name: `keyed-count/${r.intervalMs === 0 ? 'no-checkpoints' : `every-${r.intervalMs}ms`}`,
            run: (i % repeat) + 1,
            ...r,
          }));
          const base = median(without.map((r) => r.recordsPerSecond));
          const checkpointed = median(withCp.map((r) => r.recordsPerSecond));
          const baseCpu = median(without.map((r) => r.recordsPerCpuSecond));
          const checkpointedCpu = median(withCp.map((r) => r.recordsPerCpuSecond));
          return [
            ...lines,
            {
              name: 'keyed-count/summary',
              keys,
              records,
              medianRecordsPerSecondWithout: Math.round(base),
              medianRecordsPerSecondWith: Math.round(checkpointed),
              throughputCostPercent: round((1 - checkpointed / base) * 100, 1),
              medianRecordsPerCpuSecondWithout: Math.round(baseCpu),
              medianRecordsPerCpuSecondWith: Math.round(checkpointedCpu),
              cpuCostPercent: round((1 - checkpointedCpu / baseCpu) * 100, 1),
            },
          ];
        },
      },
      {
        name: 'large-state',
        run: async () => [
          {
            name: 'large-state',
            ...(await largeStateCheckpoint(stateKeys, valueBytes, {
              ...(dir === undefined ? {} : { dir }),
              backend,
              mode,
            })),
          },
        ],
      },
    ];
  },
};

export default suite;
