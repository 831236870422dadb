// Job module: user functions that throw, and a key selector that returns undefined. Every mode
// fails its job; the test checks what execute() rejects with.
//   --mode map-throws     a map throws in one subtask on a large record
//   --mode open-throws    a function's open() throws
//   --mode timer-throws   an event-time timer callback throws
//   --mode ptimer-throws  a processing-time timer callback throws
//   --mode key-undefined  a key selector returns undefined
//   --mode source-throws  a generator source's function throws
import {
  type Collector,
  DataGeneratorSource,
  KeyedProcessFunction,
  type OnTimerContext,
  type ProcessContext,
  type RuntimeContext,
  StreamExecutionEnvironment,
  WatermarkStrategy,
} from '../../src/index.ts';
import { options } from './support.ts';

interface Rec {
  id: number;
  user?: string;
  payload: string;
}

/** Throws from a named function, so the test can find it in the stack. */
function explode(r: Rec): never {
  throw new TypeError(`cannot parse record ${r.id}`);
}

class FailingTimer extends KeyedProcessFunction<number, Rec, Rec> {
  readonly #domain: 'event' | 'processing';
  constructor(domain: 'event' | 'processing') {
    super();
    this.#domain = domain;
  }
  processElement(r: Rec, ctx: ProcessContext<number>, out: Collector<Rec>): void {
    const timers = ctx.timerService();
    if (this.#domain === 'event') timers.registerEventTimeTimer(r.id);
    else timers.registerProcessingTimeTimer(timers.currentProcessingTime());
    out.collect(r);
  }
  override onTimer(timestamp: number, _ctx: OnTimerContext<number>): void {
    throw new RangeError(`timer ${timestamp} exploded`);
  }
}

export default async function main(args: readonly string[]): Promise<unknown> {
  const { mode = '', parallelism = '2' } = options(args);
  const p = Number(parallelism);
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(p);
  const failingSubtask = p > 1 ? 1 : 0;
  const records = env.fromSequence(1, 400).map((id): Rec => ({ id, payload: 'x'.repeat(2000) }));
  switch (mode) {
    case 'map-throws': {
      const parse = {
        subtask: -1,
        open(ctx: RuntimeContext) {
          this.subtask = ctx.getIndexOfThisSubtask();
        },
        map(r: Rec): Rec {
          return this.subtask === failingSubtask ? explode(r) : r;
        },
      };
      records.rebalance().map(parse).name('parse').uid('parse-1').print();
      break;
    }
    case 'open-throws':
      records
        .map({
          open() {
            throw new Error('cannot connect to the lookup service');
          },
          map: (r: Rec) => r,
        })
        .name('enrich')
        .uid('enrich-1')
        .print();
      break;
    case 'timer-throws':
    case 'ptimer-throws':
      records
        .keyBy((r) => r.id % 3)
        .process(new FailingTimer(mode === 'timer-throws' ? 'event' : 'processing'))
        .name('timeouts')
        .uid('timeouts-1')
        .print();
      break;
    case 'key-undefined':
      records
        .map((r): Rec => (r.id === 7 ? r : { ...r, user: `u${r.id % 5}` }))
        .keyBy((r) => r.user)
        .process(
          new (class extends KeyedProcessFunction<string, Rec, Rec> {
            processElement(r: Rec, _ctx: ProcessContext<string>, out: Collector<Rec>): void {
              out.collect(r);
            }
          })(),
        )
        .name('per-user')
        .uid('per-user-1')
        .print();
      break;
    case 'source-throws':
      env
        .fromSource(
          new DataGeneratorSource((i) => {
            if (i === 50) throw new Error('generator broke at 50');
            return i;
          }, 100),
          WatermarkStrategy.noWatermarks(),
          'numbers',
        )
        .uid('numbers-1')
        .print();
      break;
    default:
      throw new Error(`unknown mode ${mode}`);
  }
  return env.execute(`failing: ${mode}`);
}
