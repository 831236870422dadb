// Job module of the slow-sink benchmark: a fast generator source (slot 0) → partitionCustom to
// subtask 1 of a sink at parallelism 2 (slot 1, another worker thread) that sleeps after every
// batch of records. Only credit-based backpressure keeps the source from buffering everything.
// Args: record count, report channel, sleep every N records, sleep milliseconds, payload chars.
import { DataGeneratorSource, StreamExecutionEnvironment, WatermarkStrategy } from '../../src/index.ts';
import { CountingSink } from '../counting-sink.ts';

/** A record with a payload, so unbounded buffering would show in the RSS. */
export interface PayloadEvent {
  readonly id: number;
  readonly payload: string;
}

export default async function main(args: readonly string[]): Promise<void> {
  const [count = '1000', channel = 'slow', sleepEvery = '100', sleepMillis = '1', payloadChars = '100'] =
    args;
  const width = Number(payloadChars);
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(2);
  env
    .fromSource(
      new DataGeneratorSource<PayloadEvent>(
        (i) => ({ id: i, payload: String(i).padStart(width, '.') }),
        Number(count),
      ),
      WatermarkStrategy.noWatermarks(),
      'fast source',
    )
    .setParallelism(1)
    .partitionCustom(
      () => 1,
      (e) => e.id,
    )
    .sinkTo(
      new CountingSink<PayloadEvent>({
        channel,
        checksum: () => 1,
        progressEvery: 10_000,
        sleepEvery: Number(sleepEvery),
        sleepMillis: Number(sleepMillis),
      }),
      'slow sink',
    );
  await env.execute('core: slow sink');
}
