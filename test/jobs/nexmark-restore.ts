// Job module: the public `NexmarkSource` in a user job that checkpoints, fails on purpose and
// restores, to show that split positions restore exactly (no event lost, none read twice).
//   --parallelism p   --events n   --rate r (events/s)   --split-size s   --seed s
//   --checkpoints dir   --fail-after k (attempt 0, subtask 0 fails after k events; 0 = never)
// Every event is keyed by its type and numbered in keyed state, so a source that resumed anywhere
// but at the checkpointed positions shows up as a gap or a repeated number.
import {
  type Collector,
  KeyedProcessFunction,
  type NexmarkEvent,
  NexmarkSource,
  type ProcessContext,
  RestartStrategies,
  type RuntimeContext,
  StreamExecutionEnvironment,
  type ValueState,
  ValueStateDescriptor,
  WatermarkStrategy,
} from '../../src/index.ts';
import { options } from './support.ts';

/** [event type, number of that type so far (keyed state), signature of the event, attempt]. */
export type NumberedEvent = [type: NexmarkEvent['type'], seq: number, signature: string, attempt: number];

/** A short string that tells the events of one stream apart (fields from every part of the generator). */
export function signature(e: NexmarkEvent): string {
  switch (e.type) {
    case 'person':
      return `p ${e.person.id} ${e.person.dateTime} ${e.person.name} ${e.person.creditCard} ${e.person.extra.length}`;
    case 'auction':
      return `a ${e.auction.id} ${e.auction.dateTime} ${e.auction.seller} ${e.auction.reserve} ${e.auction.expires}`;
    case 'bid':
      return `b ${e.bid.auction} ${e.bid.bidder} ${e.bid.price} ${e.bid.dateTime} ${e.bid.channel} ${e.bid.extra}`;
  }
}

class NumberByType extends KeyedProcessFunction<string, NexmarkEvent, NumberedEvent> {
  #seq!: ValueState<number>;
  #attempt = 0;
  override open(ctx: RuntimeContext): void {
    this.#seq = ctx.getState(new ValueStateDescriptor<number>('seq', { defaultValue: 0 }));
    this.#attempt = ctx.getAttemptNumber();
  }
  processElement(e: NexmarkEvent, _ctx: ProcessContext<string>, out: Collector<NumberedEvent>): void {
    const seq = this.#seq.value()! + 1;
    this.#seq.update(seq);
    out.collect([e.type, seq, signature(e), this.#attempt]);
  }
}

export default async function main(args: readonly string[]): Promise<NumberedEvent[]> {
  const o = options(args);
  const failAfter = Number(o['fail-after'] ?? '0');
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(Number(o.parallelism ?? '1'));
  env.enableCheckpointing(30);
  env.getCheckpointConfig().setCheckpointStorage(o.checkpoints ?? '');
  env.setRestartStrategy(RestartStrategies.fixedDelayRestart(2, 10));
  let seen = 0;
  let failHere = false;
  return env
    .fromSource(
      new NexmarkSource({
        numEvents: Number(o.events ?? '10000'),
        eventsPerSecond: Number(o.rate ?? '10000'),
        splitSize: Number(o['split-size'] ?? '700'),
        seed: Number(o.seed ?? '0'),
      }),
      WatermarkStrategy.forMonotonousTimestamps<NexmarkEvent>(),
      'nexmark',
    )
    .uid('nexmark')
    .map({
      open: (ctx: RuntimeContext) => {
        failHere = failAfter > 0 && ctx.getAttemptNumber() === 0 && ctx.getIndexOfThisSubtask() === 0;
        seen = 0;
      },
      map: (e: NexmarkEvent) => {
        if (failHere && ++seen === failAfter) throw new Error(`injected failure after ${failAfter} events`);
        return e;
      },
    })
    .uid('fail')
    .keyBy((e) => e.type)
    .process(new NumberByType())
    .uid('number')
    .executeAndCollect('nexmark restore');
}
