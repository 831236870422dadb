// Job module: how jobs run and what they produce outside the collect sink.
//   --mode chaining   operator settings (name, uid, parallelism, chaining) seen from inside tasks
//   --mode file-sink  a FileSink with rolling part files; returns the JobExecutionResult
//   --mode print      print() to standard output
//   --mode two-jobs   two execute() calls in one program, each re-run in plan mode in the workers
import { AbstractRichFunction, FileSink, StreamExecutionEnvironment } from '../../src/index.ts';
import { options, type Tagged } from './support.ts';

/** Reports the name of the task (the chain of operator names) the function runs in. */
class TaskName<T> extends AbstractRichFunction {
  readonly #check: string;
  constructor(check: string) {
    super();
    this.#check = check;
  }
  map(_v: T): Tagged {
    return [this.#check, this.getRuntimeContext().getTaskName()];
  }
}

export default async function main(args: readonly string[]): Promise<unknown> {
  const { mode = '', parallelism = '2', dir = '' } = options(args);
  const p = Number(parallelism);
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(p);
  switch (mode) {
    case 'chaining': {
      const source = env.fromSequence(1, 8).name('numbers').uid('numbers-src');
      const chained = source
        .map((x) => x + 1)
        .name('plus-one')
        .uid('plus');
      const a = chained.map(new TaskName<number>('chained')).name('report-a');
      const b = chained
        .map((x) => x)
        .name('isolated')
        .disableChaining()
        .map(new TaskName<number>('after-isolated'))
        .name('report-b');
      const c = chained
        .map((x) => x)
        .name('head')
        .startNewChain()
        .map(new TaskName<number>('new-chain'))
        .name('report-c');
      const d = chained.rebalance().map(new TaskName<number>('narrow')).name('report-d').setParallelism(1);
      return a.union(b, c, d).executeAndCollect('chaining');
    }
    case 'file-sink': {
      env
        .fromSequence(1, 300)
        .map((i): unknown => (i % 3 === 0 ? `line ${i}` : i % 3 === 1 ? { i, tag: 'object' } : [i, 'array']))
        .sinkTo(FileSink.forRowFormat<unknown>(dir).withRollingPolicy({ maxPartSize: 1024 }).build());
      const result = await env.execute('file sink');
      return { jobId: result.getJobID(), netRuntime: result.getNetRuntime() };
    }
    case 'print': {
      const values = env.fromSequence(1, 6).map((i): unknown => (i % 2 === 0 ? `s${i}` : { n: i }));
      values.print();
      values.map((v) => JSON.stringify(v)).print('tagged');
      await env.execute('print');
      return undefined;
    }
    case 'two-jobs': {
      const first = await env
        .fromSequence(1, 5)
        .map((x) => x * 2)
        .executeAndCollect('first');
      const second = await env
        .fromElements('a', 'b')
        .map((s) => s.toUpperCase())
        .executeAndCollect('second');
      const third = await env
        .fromElements(first.length)
        .map((n) => n + 1)
        .executeAndCollect('third');
      return { first, second, third };
    }
    default:
      throw new Error(`unknown mode ${mode}`);
  }
}
