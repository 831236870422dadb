// Suite "core": the engine-core benchmarks of issue #2 (see core-benchmarks.ts), one case each.
import {
  type BenchCase,
  type BenchResultLine,
  type BenchSuite,
  nonNegativeNumber,
  positiveInt,
  round,
} from '../bench-suite.ts';
import type { ShapeName } from './chained-work.ts';
import {
  chainedEngine,
  chainedLoop,
  keyByExchange,
  keyByExpectedChecksum,
  slowSink,
} from './core-benchmarks.ts';

const usage = `
  --records N          records of the chained and keyBy benchmarks (default 10000000)
  --json-records N     records of the chained JSON benchmark (default 2000000)
  --keys N             distinct keys of the keyBy benchmark (default 1000)
  --slow-records N     records of the slow-sink benchmark (default 2000000)
  --sleep-every N      the slow sink sleeps after every N records (default 400)
  --sleep-ms MS        for MS milliseconds (default 1)
  --payload N          payload characters per slow-sink record (default 100)
  --repeat N           run each case N times (default 1)
Cases: chain-numbers, chain-events, chain-json, keyby-exchange, slow-sink`;

function chainCase(shape: ShapeName, records: number): BenchCase['run'] {
  return async () => {
    // The loop first: it allocates little, so the engine's peak RSS stays its own.
    const loop = await chainedLoop(shape, records);
    const engine = await chainedEngine(shape, records);
    const loopRate = records / loop.seconds;
    const engineRate = records / engine.seconds;
    return [
      {
        name: `chain-${shape}/loop`,
        records,
        parallelism: 1,
        seconds: round(loop.seconds),
        recordsPerSecond: Math.round(loopRate),
        cpuSeconds: round(loop.cpuSeconds),
        peakRssMb: loop.peakRssMb,
        recordsPerCpuSecond: Math.round(records / loop.cpuSeconds),
        sinkRecords: loop.sinkRecords,
      },
      {
        name: `chain-${shape}/engine`,
        records,
        parallelism: 1,
        seconds: round(engine.seconds),
        recordsPerSecond: Math.round(engineRate),
        cpuSeconds: round(engine.cpuSeconds),
        peakRssMb: engine.peakRssMb,
        recordsPerCpuSecond: Math.round(records / engine.cpuSeconds),
        jobSeconds: round(engine.jobSeconds),
        jobCpuSeconds: round(engine.jobCpuSeconds),
        sinkRecords: engine.sinkRecords,
        resultsMatchLoop: engine.sinkRecords === loop.sinkRecords && engine.checksum === loop.checksum,
        ratioToLoop: round(engineRate / loopRate),
        // The same ratio by CPU time (all threads), steadier than wall time on a busy machine.
        ratioToLoopCpu: round(loop.cpuSeconds / engine.cpuSeconds),
        // What the engine adds per source record on top of the loop's work.
        overheadNsPerRecord: round((1 / engineRate - 1 / loopRate) * 1e9, 1),
      },
    ];
  };
}

const suite: BenchSuite = {
  name: 'core',
  description: 'engine core: chained pipeline vs a hand-written loop, keyBy exchange, slow sink',
  usage,
  options: {
    records: { type: 'string', default: '10000000' },
    keys: { type: 'string', default: '1000' },
    'json-records': { type: 'string', default: '2000000' },
    'slow-records': { type: 'string', default: '2000000' },
    'sleep-every': { type: 'string', default: '400' },
    'sleep-ms': { type: 'string', default: '1' },
    payload: { type: 'string', default: '100' },
    repeat: { type: 'string', default: '1' },
  },
  cases(values) {
    const records = positiveInt('records', values.records);
    const keys = positiveInt('keys', values.keys);
    const jsonRecords = positiveInt('json-records', values['json-records']);
    const slow = {
      records: positiveInt('slow-records', values['slow-records']),
      sleepEvery: positiveInt('sleep-every', values['sleep-every']),
      sleepMillis: nonNegativeNumber('sleep-ms', values['sleep-ms']),
      payloadChars: positiveInt('payload', values.payload),
    };
    const repeat = positiveInt('repeat', values.repeat);
    const cases: BenchCase[] = [
      { name: 'chain-numbers', run: chainCase('numbers', records) },
      { name: 'chain-events', run: chainCase('events', records) },
      { name: 'chain-json', run: chainCase('json', jsonRecords) },
      {
        name: 'keyby-exchange',
        run: async () => {
          const r = await keyByExchange(records, keys);
          const source = r.threads.get('source');
          const target = r.sinks[1]!;
          const line: BenchResultLine = {
            name: 'keyby-exchange',
            records,
            parallelism: 1,
            seconds: round(r.seconds),
            recordsPerSecond: Math.round(records / r.seconds),
            cpuSeconds: round(r.cpuSeconds),
            peakRssMb: r.peakRssMb,
            recordsPerCpuSecond: Math.round(records / r.cpuSeconds),
            jobSeconds: round(r.jobSeconds),
            jobCpuSeconds: round(r.jobCpuSeconds),
            keys,
            sinkRecords: r.sinkRecords,
            resultsCorrect: r.sinkRecords === records && r.checksum === keyByExpectedChecksum(records, keys),
            // Every record reached keyed subtask 1, in another thread than the source's.
            crossedThreads: target.records === records && source !== undefined && source !== target.threadId,
          };
          return [line];
        },
      },
      {
        name: 'slow-sink',
        run: async () => {
          const r = await slowSink(slow);
          const at = (fraction: number): number => {
            const s = r.rssByRecords;
            return s[Math.min(s.length - 1, Math.floor((s.length - 1) * fraction))]?.[1] ?? Number.NaN;
          };
          const line: BenchResultLine = {
            name: 'slow-sink',
            records: slow.records,
            parallelism: 1,
            seconds: round(r.seconds),
            recordsPerSecond: Math.round(slow.records / r.seconds),
            cpuSeconds: round(r.cpuSeconds),
            peakRssMb: r.peakRssMb,
            jobCpuSeconds: round(r.jobCpuSeconds),
            sinkRecords: r.sinkRecords,
            payloadChars: slow.payloadChars,
            sinkSleepMsPerRecords: `${slow.sleepMillis}/${slow.sleepEvery}`,
            rssStartMb: at(0),
            rssMiddleMb: at(0.5),
            rssEndMb: at(1),
            // About 0 when memory is bounded: the second half of the run adds nothing.
            rssGrowthSecondHalfMb: round(at(1) - at(0.5), 1),
            rssMaxSampledMb: Math.max(...r.rssByRecords.map((s) => s[1])),
          };
          return [line];
        },
      },
    ];
    return cases.map((c) => ({
      name: c.name,
      run: async () => {
        const lines: BenchResultLine[] = [];
        for (let i = 0; i < repeat; i++) lines.push(...(await c.run()));
        return lines;
      },
    }));
  },
};

export default suite;
