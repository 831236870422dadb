// Suite "nexmark": the Nexmark queries on the engine (worker threads), each checked against its
// hand-written reference on the same events; one case, and one result line, per query.
import { resolveNexmarkConfig } from '../../src/connectors/nexmark/index.ts';
import { type BenchSuite, positiveInt } from '../bench-suite.ts';
import { runNexmarkQuery } from './nexmark-benchmark.ts';
import { ENGINE_QUERIES, engineQuery } from './nexmark-queries.ts';

const usage = `
  --query qN|all      the query to run (repeatable), or all (default)
  --events N          events of the stream (default 10000000)
  --parallelism P     parallelism of every operator; each subtask of a slot is a worker thread (default 1)
  --rate R            limit the source to R events/s over all readers (default: as fast as possible)
  --latency           replay in real time at --rate and report p50/p99/max end-to-end latency
                      (event due time -> sink) from an HDR histogram
  --verify on|off     compare the result with the reference's on the same events (default on)
  --split-size N      events per source split (default 50000)
  --seed S            the generator's seed, an integer (default 0: Beam's stream)
Output: query, events, parallelism, seconds (first event at a source to the end of input at the
last sink), eventsPerSecond, cpuSeconds (all threads, over the same interval), eventsPerCpuSecond,
jobSeconds and jobCpuSeconds (the whole job, worker start-up included), peakRssMb,
resultsMatchReference, referenceEventsPerSecond and referenceEventsPerCpuSecond (the
single-threaded reference on the same events, generation included, as in the job),
ratioToReference (eventsPerCpuSecond / referenceEventsPerCpuSecond: per core, robust to a busy machine).
Queries: ${[...ENGINE_QUERIES.keys()].join(', ')}`;

/** `--rate`: a positive number of events per second (`1e5` and `100_000` are accepted). */
function positiveRate(raw: unknown): number {
  const rate = typeof raw === 'string' ? Number(raw.replaceAll('_', '')) : Number.NaN;
  if (!(Number.isFinite(rate) && rate > 0))
    throw new Error(`--rate: expected a positive number of events per second, got ${JSON.stringify(raw)}`);
  return rate;
}

/** `--seed`: an integer the generator accepts (its config validates the range). */
function integerSeed(raw: unknown): number {
  const seed = typeof raw === 'string' && raw.trim() !== '' ? Number(raw.replaceAll('_', '')) : Number.NaN;
  if (!Number.isSafeInteger(seed)) throw new Error(`--seed: expected an integer, got ${JSON.stringify(raw)}`);
  try {
    resolveNexmarkConfig({ seed });
  } catch (e) {
    throw new Error(`--seed: ${(e as Error).message}`);
  }
  return seed;
}

const suite: BenchSuite = {
  name: 'nexmark',
  description: 'Nexmark queries on the engine against their single-threaded references',
  usage,
  options: {
    query: { type: 'string', multiple: true, default: ['all'] },
    events: { type: 'string', default: '10000000' },
    parallelism: { type: 'string', default: '1' },
    rate: { type: 'string' },
    latency: { type: 'boolean', default: false },
    verify: { type: 'string', default: 'on' },
    'split-size': { type: 'string' },
    seed: { type: 'string' },
  },
  cases(values) {
    const names = (values.query as string[]).flatMap((q) => (q === 'all' ? [...ENGINE_QUERIES.keys()] : [q]));
    for (const name of names) engineQuery(name);
    const events = positiveInt('events', values.events);
    const parallelism = positiveInt('parallelism', values.parallelism);
    const rate = values.rate === undefined ? undefined : positiveRate(values.rate);
    const latency = values.latency === true;
    if (latency && rate === undefined)
      throw new Error('--latency needs --rate (latency is measured at a fixed rate)');
    if (values.verify !== 'on' && values.verify !== 'off')
      throw new Error(`--verify: expected on or off, got ${String(values.verify)}`);
    const splitSize =
      values['split-size'] === undefined ? undefined : positiveInt('split-size', values['split-size']);
    const seed = values.seed === undefined ? undefined : integerSeed(values.seed);
    return [...new Set(names)].map((query) => ({
      name: query,
      run: async () => [
        await runNexmarkQuery({
          query,
          events,
          parallelism,
          rate,
          latency,
          verify: values.verify === 'on',
          splitSize,
          seed,
        }),
      ],
    }));
  },
};

export default suite;
