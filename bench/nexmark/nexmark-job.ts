// Job module of the Nexmark benchmark: NexmarkSource → query → sink, at the given parallelism.
// Worker threads re-run it in plan mode, so it builds the same pipeline from the same argument
// (one JSON object) everywhere. In "collect" mode it returns the result rows to the caller.

import { BroadcastChannel } from 'node:worker_threads';
import {
  type NexmarkEvent,
  NexmarkSource,
  type NexmarkSourceOptions,
  type ReaderOutput,
  type SourceReader,
  type SourceReaderContext,
  StreamExecutionEnvironment,
  WatermarkStrategy,
} from '../../src/index.ts';
import { epochMillis } from '../counting-sink.ts';
import { engineQuery } from './nexmark-queries.ts';
import { NexmarkResultSink, processCpuMicros, type SourceStartReport } from './nexmark-result-sink.ts';

/** What the job runs. */
export interface NexmarkJobSpec {
  readonly query: string;
  readonly parallelism: number;
  /** The source's options (numEvents, generator knobs, rate limit). */
  readonly source: NexmarkSourceOptions;
  /**
   * "collect": return the rows; "count": a counting sink (measurement), "digest": a digesting
   * sink (verification); both report on `channel`.
   */
  readonly mode: 'collect' | 'count' | 'digest';
  readonly channel: string;
  readonly latency: boolean;
  /** Inline (one thread) instead of worker threads. */
  readonly inline?: boolean;
}

/** A NexmarkSource whose readers report when they emitted their first event. */
class TimedNexmarkSource extends NexmarkSource {
  readonly #channel: string;
  constructor(options: NexmarkSourceOptions, channel: string) {
    super(options);
    this.#channel = channel;
  }
  override createReader(ctx: SourceReaderContext): SourceReader<NexmarkEvent, never> {
    const reader = super.createReader(ctx);
    const channel = this.#channel;
    const poll = reader.pollNext.bind(reader);
    let reported = false;
    reader.pollNext = (output: ReaderOutput<NexmarkEvent>) => {
      if (reported) return poll(output);
      const startAt = epochMillis();
      const startCpuMicros = processCpuMicros();
      const status = poll(output);
      if (status === 'MORE_AVAILABLE') {
        reported = true;
        const report: SourceStartReport = {
          kind: 'source',
          subtask: ctx.getIndexOfSubtask(),
          startAt,
          startCpuMicros,
        };
        const bc = new BroadcastChannel(channel);
        bc.postMessage(report);
        bc.close();
      }
      return status;
    };
    return reader as SourceReader<NexmarkEvent, never>;
  }
}

export default async function main(args: readonly string[]): Promise<object[] | undefined> {
  const spec = JSON.parse(args[0] ?? '{}') as NexmarkJobSpec;
  const query = engineQuery(spec.query);
  const env = StreamExecutionEnvironment.getExecutionEnvironment(
    spec.inline === true ? { 'execution.local.mode': 'inline' } : undefined,
  );
  env.setParallelism(spec.parallelism);
  const events = env.fromSource(
    new TimedNexmarkSource(spec.source, spec.channel),
    WatermarkStrategy.forMonotonousTimestamps<NexmarkEvent>(),
    'nexmark',
  );
  const results = query.build(events);
  if (spec.mode === 'collect') return results.executeAndCollect(`nexmark ${query.name}`);
  results.sinkTo(
    new NexmarkResultSink({
      channel: spec.channel,
      digest: spec.mode === 'digest',
      changelog: query.changelog,
      latency: spec.latency,
      fold: query.fold,
    }),
    'nexmark results',
  );
  await env.execute(`nexmark ${query.name}`);
  return undefined;
}
