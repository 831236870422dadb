// Interval joins of two keyed streams (KeyedStream.intervalJoin): every pair of a key whose
// timestamps satisfy left.ts + lower <= right.ts <= left.ts + upper, with Flink's API.
import { describeValue, IllegalArgumentError } from '../core/index.ts';
import { OutputTag, type ProcessJoinFunctionLike } from '../functions/index.ts';
import type { KeySelectorFunction } from '../plan/index.ts';
import { IntervalJoinOperator } from '../runtime/index.ts';
import { DataStream, type KeyedStream, operatorFactory } from './data-stream.ts';
import { checkFunctionArg, functionName } from './windowed-stream.ts';

/**
 * The start of an interval join: give the bounds with `between()`.
 *
 * @example
 * impressions.keyBy((i) => i.ad)
 *   .intervalJoin(clicks.keyBy((c) => c.ad))
 *   .between(0, 600_000)
 *   .process(new ClickThrough());
 */
export class IntervalJoin<T1, T2, K> {
  readonly #left: KeyedStream<T1, K>;
  readonly #right: KeyedStream<T2, K>;

  /** @internal use KeyedStream.intervalJoin() */
  constructor(left: KeyedStream<T1, K>, right: KeyedStream<T2, K>) {
    if (
      right === null ||
      typeof right !== 'object' ||
      typeof (right as KeyedStream<T2, K>).keySelector !== 'function'
    ) {
      throw new IllegalArgumentError(`intervalJoin(): expected a KeyedStream, got ${describeValue(right)}`);
    }
    if (right.env !== left.env) {
      throw new IllegalArgumentError('intervalJoin(): both streams must come from the same environment');
    }
    this.#left = left;
    this.#right = right;
  }

  /**
   * Joins `left` with the `right` elements whose timestamps are in
   * `[left.ts + lowerBound, left.ts + upperBound]` (inclusive; see `lowerBoundExclusive()`).
   */
  between(lowerBound: number, upperBound: number): IntervalJoined<T1, T2, K> {
    for (const [name, v] of [
      ['lowerBound', lowerBound],
      ['upperBound', upperBound],
    ] as const) {
      if (typeof v !== 'number' || !Number.isSafeInteger(v)) {
        throw new IllegalArgumentError(
          `intervalJoin().between(): ${name} must be an integer number of milliseconds, got ${describeValue(v)}`,
        );
      }
    }
    if (lowerBound > upperBound) {
      throw new IllegalArgumentError(
        `intervalJoin().between(): lowerBound (${lowerBound}) must not be greater than upperBound (${upperBound})`,
      );
    }
    return new IntervalJoined(this.#left, this.#right, {
      lower: lowerBound,
      upper: upperBound,
      lowerExclusive: false,
      upperExclusive: false,
      leftLate: undefined,
      rightLate: undefined,
    });
  }
}

interface IntervalJoinConfig {
  readonly lower: number;
  readonly upper: number;
  readonly lowerExclusive: boolean;
  readonly upperExclusive: boolean;
  readonly leftLate: OutputTag<unknown> | undefined;
  readonly rightLate: OutputTag<unknown> | undefined;
}

/**
 * An interval join with its bounds, ready for its ProcessJoinFunction.
 *
 * @example
 * left.intervalJoin(right).between(-5, 5).upperBoundExclusive().process({
 *   processElement: (l, r, ctx, out) => out.collect([l, r]),
 * });
 */
export class IntervalJoined<T1, T2, K> {
  readonly #left: KeyedStream<T1, K>;
  readonly #right: KeyedStream<T2, K>;
  readonly #config: IntervalJoinConfig;

  /** @internal use IntervalJoin.between() */
  constructor(left: KeyedStream<T1, K>, right: KeyedStream<T2, K>, config: IntervalJoinConfig) {
    this.#left = left;
    this.#right = right;
    this.#config = Object.freeze(config);
  }

  #with(change: Partial<IntervalJoinConfig>): IntervalJoined<T1, T2, K> {
    return new IntervalJoined(this.#left, this.#right, { ...this.#config, ...change });
  }

  /** Excludes the lower bound: `right.ts > left.ts + lowerBound`. */
  lowerBoundExclusive(): IntervalJoined<T1, T2, K> {
    return this.#with({ lowerExclusive: true });
  }

  /** Excludes the upper bound: `right.ts < left.ts + upperBound`. */
  upperBoundExclusive(): IntervalJoined<T1, T2, K> {
    return this.#with({ upperExclusive: true });
  }

  /** Sends left elements that arrive behind the watermark to this side output. */
  sideOutputLeftLateData(tag: OutputTag<T1>): IntervalJoined<T1, T2, K> {
    if (!(tag instanceof OutputTag)) {
      throw new IllegalArgumentError(
        `sideOutputLeftLateData(): expected an OutputTag, got ${describeValue(tag)}`,
      );
    }
    return this.#with({ leftLate: tag as OutputTag<unknown> });
  }

  /** Sends right elements that arrive behind the watermark to this side output. */
  sideOutputRightLateData(tag: OutputTag<T2>): IntervalJoined<T1, T2, K> {
    if (!(tag instanceof OutputTag)) {
      throw new IllegalArgumentError(
        `sideOutputRightLateData(): expected an OutputTag, got ${describeValue(tag)}`,
      );
    }
    return this.#with({ rightLate: tag as OutputTag<unknown> });
  }

  /** Calls `fn` for every joined pair; results carry the larger of the two timestamps. */
  process<R>(fn: ProcessJoinFunctionLike<T1, T2, R>): DataStream<R> {
    checkFunctionArg('intervalJoin().process()', fn, 'processElement', false);
    const c = this.#config;
    // As Flink: exclusive bounds become inclusive ones one millisecond inside.
    const lower = c.lowerExclusive ? c.lower + 1 : c.lower;
    const upper = c.upperExclusive ? c.upper - 1 : c.upper;
    if (lower > upper) {
      throw new IllegalArgumentError(
        `intervalJoin(): the bounds (${c.lower}${c.lowerExclusive ? ' exclusive' : ''}, ${c.upper}${c.upperExclusive ? ' exclusive' : ''}) leave no interval`,
      );
    }
    const spec = {
      lowerBound: lower,
      upperBound: upper,
      leftLateDataTag: c.leftLate,
      rightLateDataTag: c.rightLate,
      fn: fn as ProcessJoinFunctionLike<unknown, unknown, unknown>,
    };
    const env = this.#left.env;
    return new DataStream<R>(env, {
      kind: 'two-input',
      id: env.nextTransformationId(),
      name: `IntervalJoin(${functionName(fn, 'ProcessJoinFunction')})`,
      uid: undefined,
      parallelism: undefined,
      maxParallelism: undefined,
      chaining: 'always',
      input1: this.#left.transformation,
      input2: this.#right.transformation,
      factory: operatorFactory('interval-join', () => new IntervalJoinOperator(spec)),
      keySelector1: this.#left.keySelector as KeySelectorFunction,
      keySelector2: this.#right.keySelector as KeySelectorFunction,
    });
  }
}
