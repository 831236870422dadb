// The user-function contracts of the DataStream API, with Flink's names. Simple functions may be
// arrow functions or objects with Flink's method name; process functions are abstract classes.
import type {
  BroadcastContext,
  Collector,
  KeyedBroadcastContext,
  OnTimerContext,
  ProcessContext,
  ReadOnlyBroadcastContext,
  RuntimeContext,
} from './runtime-context.ts';

/**
 * Lifecycle methods any function object may have.
 *
 * @example
 * env.fromElements('a', 'b').map({
 *   open(ctx: RuntimeContext) { console.log(`opening ${ctx.getTaskName()}`); },
 *   map: (s: string) => s.toUpperCase(),
 * });
 */
export interface RichFunction {
  open?(ctx: RuntimeContext): void | Promise<void>;
  close?(): void | Promise<void>;
}

/**
 * `map`: one record in, one out.
 *
 * @example
 * stream.map((click) => click.page);
 * stream.map({ map: (click: Click) => click.page });
 */
export type MapFunction<T, R> = ((value: T) => R) | (RichFunction & { map(value: T): R });
/**
 * `flatMap`: one record in, any number out (the function returns an iterable).
 *
 * @example
 * lines.flatMap((line) => line.split(' ')); // an arrow function returns an iterable
 * lines.flatMap({ flatMap: (line: string, out: Collector<string>) => line.split(' ').forEach((w) => out.collect(w)) });
 */
export type FlatMapFunction<T, R> =
  | ((value: T) => Iterable<R>)
  | (RichFunction & { flatMap(value: T, out: Collector<R>): void });
/**
 * `filter`: keeps records for which the function returns true.
 *
 * @example
 * stream.filter((click) => click.page !== '/health');
 */
export type FilterFunction<T> = ((value: T) => boolean) | (RichFunction & { filter(value: T): boolean });
/**
 * Extracts the key of a record.
 *
 * @example
 * clicks.keyBy((click) => click.user);
 * clicks.keyBy((click) => [click.user, click.page]); // composite keys compare by value
 */
export type KeySelector<T, K> = ((value: T) => K) | { getKey(value: T): K };
/**
 * Co-map over two connected streams.
 *
 * @example
 * numbers.connect(words).map({ map1: (n: number) => `number ${n}`, map2: (w: string) => `word ${w}` });
 */
export interface CoMapFunction<IN1, IN2, R> extends RichFunction {
  map1(value: IN1): R;
  map2(value: IN2): R;
}
/**
 * Co-flatMap over two connected streams.
 *
 * @example
 * numbers.connect(words).flatMap({
 *   flatMap1: (n: number, out: Collector<string>) => out.collect(String(n)),
 *   flatMap2: (w: string, out: Collector<string>) => [...w].forEach((c) => out.collect(c)),
 * });
 */
export interface CoFlatMapFunction<IN1, IN2, R> extends RichFunction {
  flatMap1(value: IN1, out: Collector<R>): void;
  flatMap2(value: IN2, out: Collector<R>): void;
}
/**
 * Chooses the partition of a key (`partitionCustom`).
 *
 * @example
 * stream.partitionCustom((key: number, numPartitions) => key % numPartitions, (event) => event.shard);
 */
export type Partitioner<K> =
  | ((key: K, numPartitions: number) => number)
  | { partition(key: K, numPartitions: number): number };

/**
 * Base of functions with a runtime context (Flink's AbstractRichFunction).
 *
 * @example
 * class Tag extends AbstractRichFunction {
 *   map(value: string): string {
 *     return `${this.getRuntimeContext().getIndexOfThisSubtask()}: ${value}`;
 *   }
 * }
 * stream.map(new Tag());
 */
export abstract class AbstractRichFunction implements RichFunction {
  #ctx: RuntimeContext | undefined;
  /** @internal set by the runtime before open() */
  setRuntimeContext(ctx: RuntimeContext): void {
    this.#ctx = ctx;
  }
  /** The runtime context (available from open() on). */
  getRuntimeContext(): RuntimeContext {
    if (this.#ctx === undefined) throw new Error('getRuntimeContext(): the function is not running yet');
    return this.#ctx;
  }
  open(_ctx: RuntimeContext): void | Promise<void> {}
  close(): void | Promise<void> {}
}

/**
 * Processes each element of a (non-keyed) stream.
 *
 * @example
 * class Split extends ProcessFunction<string, string> {
 *   processElement(value: string, ctx: ProcessContext, out: Collector<string>) { out.collect(value); }
 * }
 */
export abstract class ProcessFunction<I, O> extends AbstractRichFunction {
  abstract processElement(value: I, ctx: ProcessContext, out: Collector<O>): void;
  onTimer(_timestamp: number, _ctx: OnTimerContext, _out: Collector<O>): void {}
}

/**
 * Processes each element of a keyed stream, with keyed state and timers.
 *
 * @example
 * class Count extends KeyedProcessFunction<string, string, [string, number]> {
 *   processElement(v: string, ctx: ProcessContext<string>, out: Collector<[string, number]>) { out.collect([v, 1]); }
 * }
 */
export abstract class KeyedProcessFunction<K, I, O> extends AbstractRichFunction {
  abstract processElement(value: I, ctx: ProcessContext<K>, out: Collector<O>): void;
  onTimer(_timestamp: number, _ctx: OnTimerContext<K>, _out: Collector<O>): void {}
}

/**
 * Processes two connected (non-keyed) streams.
 *
 * @example
 * class Merge extends CoProcessFunction<number, string, string> {
 *   processElement1(n: number, ctx: ProcessContext, out: Collector<string>) { out.collect(`n${n}`); }
 *   processElement2(s: string, ctx: ProcessContext, out: Collector<string>) { out.collect(`s${s}`); }
 * }
 * numbers.connect(words).process(new Merge());
 */
export abstract class CoProcessFunction<IN1, IN2, O> extends AbstractRichFunction {
  abstract processElement1(value: IN1, ctx: ProcessContext, out: Collector<O>): void;
  abstract processElement2(value: IN2, ctx: ProcessContext, out: Collector<O>): void;
  onTimer(_timestamp: number, _ctx: OnTimerContext, _out: Collector<O>): void {}
}

/**
 * Processes two connected keyed streams, with keyed state and timers.
 *
 * @example
 * class Enrich extends KeyedCoProcessFunction<string, Order, Customer, string> {
 *   processElement1(o: Order, ctx: ProcessContext<string>, out: Collector<string>) {
 *     out.collect(`${o.id} by ${this.getRuntimeContext().getState(nameDescriptor).value() ?? '?'}`);
 *   }
 *   processElement2(c: Customer, ctx: ProcessContext<string>, out: Collector<string>) {
 *     this.getRuntimeContext().getState(nameDescriptor).update(c.name);
 *   }
 * }
 * orders.connect(customers).keyBy((o) => o.customerId, (c) => c.id).process(new Enrich());
 */
export abstract class KeyedCoProcessFunction<K, IN1, IN2, O> extends AbstractRichFunction {
  abstract processElement1(value: IN1, ctx: ProcessContext<K>, out: Collector<O>): void;
  abstract processElement2(value: IN2, ctx: ProcessContext<K>, out: Collector<O>): void;
  onTimer(_timestamp: number, _ctx: OnTimerContext<K>, _out: Collector<O>): void {}
}

/**
 * A non-keyed stream connected with a broadcast stream.
 *
 * @example
 * class ApplyRate extends BroadcastProcessFunction<number, [string, number], number> {
 *   processElement(v: number, ctx: ReadOnlyBroadcastContext, out: Collector<number>) {
 *     out.collect(v * (ctx.getBroadcastState(rates).get('eur') ?? 1));
 *   }
 *   processBroadcastElement([k, r]: [string, number], ctx: BroadcastContext, out: Collector<number>) {
 *     ctx.getBroadcastState(rates).put(k, r);
 *   }
 * }
 * amounts.connect(rateUpdates.broadcast(rates)).process(new ApplyRate());
 */
export abstract class BroadcastProcessFunction<IN1, IN2, O> extends AbstractRichFunction {
  abstract processElement(value: IN1, ctx: ReadOnlyBroadcastContext, out: Collector<O>): void;
  abstract processBroadcastElement(value: IN2, ctx: BroadcastContext, out: Collector<O>): void;
}

/**
 * A keyed stream connected with a broadcast stream.
 *
 * @example
 * class OverLimit extends KeyedBroadcastProcessFunction<string, Payment, [string, number], string> {
 *   processElement(p: Payment, ctx: ReadOnlyBroadcastContext<string>, out: Collector<string>) {
 *     if (p.amount > (ctx.getBroadcastState(limits).get('max') ?? Infinity)) out.collect(ctx.getCurrentKey());
 *   }
 *   processBroadcastElement([k, v]: [string, number], ctx: KeyedBroadcastContext, out: Collector<string>) {
 *     ctx.getBroadcastState(limits).put(k, v);
 *   }
 * }
 * payments.keyBy((p) => p.user).connect(rules.broadcast(limits)).process(new OverLimit());
 */
export abstract class KeyedBroadcastProcessFunction<K, IN1, IN2, O> extends AbstractRichFunction {
  abstract processElement(value: IN1, ctx: ReadOnlyBroadcastContext<K>, out: Collector<O>): void;
  abstract processBroadcastElement(value: IN2, ctx: KeyedBroadcastContext, out: Collector<O>): void;
  onTimer(_timestamp: number, _ctx: OnTimerContext<K>, _out: Collector<O>): void {}
}

/**
 * What a function sees when its state is snapshotted.
 *
 * @example
 * snapshotState(context: FunctionSnapshotContext) {
 *   console.log(`checkpoint ${context.checkpointId} at ${context.checkpointTimestamp}`);
 * }
 */
export interface FunctionSnapshotContext {
  readonly checkpointId: number;
  readonly checkpointTimestamp: number;
}

/**
 * A function that keeps part of its state in fields and copies it into operator state (from the
 * runtime context) when a checkpoint is taken; restored state is available in `open()`.
 *
 * @example
 * class Buffering extends ProcessFunction<number, number> implements CheckpointedFunction {
 *   #buffer: number[] = [];
 *   snapshotState() { const s = this.getRuntimeContext().getOperatorListState(desc); s.update(this.#buffer); }
 *   processElement(v: number) { this.#buffer.push(v); }
 * }
 */
export interface CheckpointedFunction {
  snapshotState(context: FunctionSnapshotContext): void;
}

/**
 * A function told when checkpoints complete (e.g. to commit side effects).
 *
 * @example
 * class Publisher extends ProcessFunction<string, string> implements CheckpointListener {
 *   processElement(v: string) { this.#pending.push(v); }
 *   notifyCheckpointComplete(checkpointId: number) { publish(this.#pending.splice(0)); }
 * }
 */
export interface CheckpointListener {
  notifyCheckpointComplete(checkpointId: number): void | Promise<void>;
  notifyCheckpointAborted?(checkpointId: number): void;
}
