// How reducing and aggregating state combine values — on add() and when merging windows merge
// namespaces. Shared by every backend; a backend only stores the combined values.
import { IllegalArgumentError } from '../core/index.ts';
import type {
  AggregatingStateDescriptor,
  ReducingStateDescriptor,
  StateDescriptor,
} from './state-descriptor.ts';

type AnyAggregating = AggregatingStateDescriptor<unknown, unknown, unknown>;

/**
 * The reducing state's value after `value` is added to `current` (undefined: nothing yet).
 *
 * @example
 * reduceInto(new ReducingStateDescriptor<number>('sum', (a, b) => a + b), 1, 2); // 3
 */
export function reduceInto(descriptor: StateDescriptor<unknown>, current: unknown, value: unknown): unknown {
  const reduce = (descriptor as ReducingStateDescriptor<unknown>).reduce;
  return current === undefined ? value : reduce(current, value);
}

/**
 * The aggregating state's accumulator after `value` is added (a new one when there is none yet).
 *
 * @example
 * addToAccumulator(countDescriptor, undefined, 'x'); // 1
 */
export function addToAccumulator(
  descriptor: StateDescriptor<unknown>,
  acc: unknown,
  value: unknown,
): unknown {
  const fn = (descriptor as AnyAggregating).aggregateFunction;
  return fn.add(value, acc === undefined ? fn.createAccumulator() : acc);
}

/**
 * The aggregating state's result for an accumulator (undefined when there is none).
 *
 * @example
 * accumulatorResult(countDescriptor, 3); // 3
 */
export function accumulatorResult(descriptor: StateDescriptor<unknown>, acc: unknown): unknown {
  return acc === undefined ? undefined : (descriptor as AnyAggregating).aggregateFunction.getResult(acc);
}

/**
 * Two accumulators merged into one (merging windows), or a clear error when the AggregateFunction
 * has no `merge`.
 *
 * @example
 * mergeAccumulators(countDescriptor, 2, 3); // 5
 */
export function mergeAccumulators(descriptor: StateDescriptor<unknown>, a: unknown, b: unknown): unknown {
  const fn = (descriptor as AnyAggregating).aggregateFunction;
  if (fn.merge === undefined) {
    throw new IllegalArgumentError(
      `state "${descriptor.name}": the AggregateFunction has no merge(a, b), so its accumulators cannot be merged (needed by merging windows)`,
    );
  }
  return fn.merge(a, b);
}
