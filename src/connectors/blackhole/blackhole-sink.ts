// A sink that discards every record (Flink's DiscardingSink, Nexmark's "blackhole" connector):
// for benchmarks and for jobs whose effects happen upstream.
import type { Sink, SinkInitContext, SinkWriter } from '../../functions/index.ts';

class BlackholeWriter<T> implements SinkWriter<T> {
  write(_value: T): void {}
  flush(): void {}
  close(): void {}
}

/**
 * A sink that drops every record.
 *
 * @example
 * env.fromSequence(1, 1_000_000).map((x) => x * 2).sinkTo(new BlackholeSink());
 */
export class BlackholeSink<T> implements Sink<T> {
  createWriter(_ctx: SinkInitContext): SinkWriter<T> {
    return new BlackholeWriter<T>();
  }
}
