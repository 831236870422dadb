// Interval join of two keyed streams (Flink's IntervalJoinOperator): each side buffers its
// elements per key and timestamp in keyed state; an element joins the other side's elements with
// timestamps in [t + lower, t + upper]; buffers are cleaned by event-time timers once no future
// element can join them; elements behind the watermark are late.
import { describeValue, IllegalArgumentError, StreamRecord } from '../../core/index.ts';
import type { OutputTag, ProcessJoinContext, ProcessJoinFunctionLike } from '../../functions/index.ts';
import { type MapState, MapStateDescriptor } from '../../state/index.ts';
import type { InternalTimer } from '../timers/internal-timer-service.ts';
import { operatorError, TimestampedCollector, TwoInputOperator } from './stream-operator.ts';

/** What an interval join is built from; bounds are inclusive here (exclusive ones are shifted by 1). */
export interface IntervalJoinSpec {
  readonly lowerBound: number;
  readonly upperBound: number;
  readonly leftLateDataTag: OutputTag<unknown> | undefined;
  readonly rightLateDataTag: OutputTag<unknown> | undefined;
  readonly fn: ProcessJoinFunctionLike<unknown, unknown, unknown>;
}

const LEFT = 'left';
const RIGHT = 'right';

/**
 * Joins `left` and `right` of a key when `left.ts + lower <= right.ts <= left.ts + upper`; the
 * result's timestamp is the larger of the two.
 *
 * @example
 * new IntervalJoinOperator({ lowerBound: -5, upperBound: 5, leftLateDataTag: undefined,
 *   rightLateDataTag: undefined, fn: { processElement: (l, r, ctx, out) => out.collect([l, r]) } });
 */
export class IntervalJoinOperator extends TwoInputOperator {
  readonly #spec: IntervalJoinSpec;
  readonly #out = new StreamRecord<unknown>(undefined);
  #collector!: TimestampedCollector<unknown>;
  #left!: MapState<number, unknown[]>;
  #right!: MapState<number, unknown[]>;
  #leftTs = 0;
  #rightTs = 0;
  #context!: ProcessJoinContext;

  constructor(spec: IntervalJoinSpec) {
    super();
    if (spec.lowerBound > spec.upperBound) {
      throw new IllegalArgumentError(
        `interval join: the lower bound ${spec.lowerBound} must not be greater than the upper bound ${spec.upperBound}`,
      );
    }
    this.#spec = spec;
  }

  override async open(): Promise<void> {
    const backend = this.ctx.keyedBackend!;
    this.#left = backend.getPartitionedState(new MapStateDescriptor<number, unknown[]>('interval-join-left'));
    this.#right = backend.getPartitionedState(
      new MapStateDescriptor<number, unknown[]>('interval-join-right'),
    );
    this.#collector = new TimestampedCollector(this.ctx.output, this.#out);
    this.#context = {
      getLeftTimestamp: () => this.#leftTs,
      getRightTimestamp: () => this.#rightTs,
      getTimestamp: () => Math.max(this.#leftTs, this.#rightTs),
      output: <X>(tag: OutputTag<X>, value: X) =>
        this.outputSide(tag, value, Math.max(this.#leftTs, this.#rightTs)),
    };
    await this.openFunction(this.#spec.fn);
  }

  override async close(): Promise<void> {
    await this.closeFunction(this.#spec.fn);
    await super.close();
  }

  override processElement1(record: StreamRecord): void {
    this.setKeyContext(record, 0);
    this.#process(record, true);
  }

  override processElement2(record: StreamRecord): void {
    this.setKeyContext(record, 1);
    this.#process(record, false);
  }

  #process(record: StreamRecord, isLeft: boolean): void {
    const value = record.value;
    const ts = record.timestamp;
    if (ts === undefined || !Number.isFinite(ts) || ts <= Number.MIN_SAFE_INTEGER) {
      throw new IllegalArgumentError(
        `interval join: the ${isLeft ? 'left' : 'right'} record ${describeValue(value)} has no event timestamp; interval joins need assignTimestampsAndWatermarks(...) on both inputs`,
      );
    }
    // Flink's rule: late means strictly behind the (combined) watermark.
    if (ts < this.currentWatermark()) {
      const tag = isLeft ? this.#spec.leftLateDataTag : this.#spec.rightLateDataTag;
      if (tag !== undefined) this.outputSide(tag, value, ts);
      return;
    }
    const { lowerBound, upperBound } = this.#spec;
    const relativeLower = isLeft ? lowerBound : -upperBound;
    const relativeUpper = isLeft ? upperBound : -lowerBound;
    const ours = isLeft ? this.#left : this.#right;
    const other = isLeft ? this.#right : this.#left;
    const bucket = ours.get(ts);
    if (bucket === undefined) ours.put(ts, [value]);
    else {
      bucket.push(value);
      ours.put(ts, bucket);
    }
    const lo = ts + relativeLower;
    const hi = ts + relativeUpper;
    for (const [otherTs, values] of other.entries()) {
      if (otherTs < lo || otherTs > hi) continue;
      for (const v of values) {
        if (isLeft) this.#emit(value, v, ts, otherTs);
        else this.#emit(v, value, otherTs, ts);
      }
    }
    const cleanup = relativeUpper > 0 ? ts + relativeUpper : ts;
    this.timers().registerEventTimeTimer(isLeft ? LEFT : RIGHT, cleanup);
  }

  #emit(left: unknown, right: unknown, leftTs: number, rightTs: number): void {
    this.#leftTs = leftTs;
    this.#rightTs = rightTs;
    this.#out.timestamp = Math.max(leftTs, rightTs);
    this.#out.kind = 0;
    const fn = this.#spec.fn;
    try {
      fn.processElement(left, right, this.#context, this.#collector);
    } catch (e) {
      throw operatorError(
        this.ctx,
        e,
        `join of left ${describeValue(left)} (${leftTs}) and right ${describeValue(right)} (${rightTs}) of key ${describeValue(this.ctx.keyedBackend!.getCurrentKey())}`,
      );
    }
  }

  override onEventTime(timer: InternalTimer<string>): void {
    const { lowerBound, upperBound } = this.#spec;
    if (timer.namespace === LEFT) {
      this.#left.remove(upperBound <= 0 ? timer.timestamp : timer.timestamp - upperBound);
    } else {
      this.#right.remove(lowerBound <= 0 ? timer.timestamp + lowerBound : timer.timestamp);
    }
  }
}
