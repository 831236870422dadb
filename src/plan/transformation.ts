// Transformations are what the DataStream API records: a tree of operations on streams that
// nothing runs until execute(). They are turned into a StreamGraph by the generator.

/**
 * An operator implementation as the plan sees it: opaque, created by the API layer and
 * instantiated by the runtime in each subtask.
 */
export interface OperatorFactory {
  /** The kind of operator, e.g. "map" or "keyed-process" (for plans and metrics). */
  readonly operatorKind: string;
}

/** Extracts a key from a record. */
export type KeySelectorFunction = (value: never) => unknown;

/** How records are distributed from one operator's subtasks to the next one's. */
export type PartitionerSpec =
  | { readonly kind: 'forward' | 'rebalance' | 'rescale' | 'shuffle' | 'broadcast' | 'global' }
  | { readonly kind: 'hash'; readonly key: KeySelectorFunction }
  | {
      readonly kind: 'custom';
      readonly key: KeySelectorFunction;
      readonly partition: (key: never, numPartitions: number) => number;
    };

/** The name of a partitioner (what crosses the wire in a JobGraph). */
export type PartitionerKind = PartitionerSpec['kind'];

/** Chaining preference of an operator (Flink's ChainingStrategy). */
export type ChainingStrategy = 'always' | 'never' | 'head';

/** Fields every transformation has; mutable until the graph is generated. */
export interface TransformationBase {
  readonly id: number;
  name: string;
  uid: string | undefined;
  /** Explicit parallelism, or undefined for the environment default. */
  parallelism: number | undefined;
  maxParallelism: number | undefined;
  chaining: ChainingStrategy;
}

/** One node of the user's pipeline. */
export type Transformation =
  | (TransformationBase & {
      readonly kind: 'source';
      readonly factory: OperatorFactory;
      readonly bounded: boolean;
      /** 1 for non-parallel sources such as fromElements. */
      readonly fixedParallelism: number | undefined;
    })
  | (TransformationBase & {
      readonly kind: 'one-input';
      readonly input: Transformation;
      readonly factory: OperatorFactory;
      readonly keySelector: KeySelectorFunction | undefined;
      readonly isSink: boolean;
      readonly fixedParallelism: number | undefined;
    })
  | (TransformationBase & {
      readonly kind: 'two-input';
      readonly input1: Transformation;
      readonly input2: Transformation;
      readonly factory: OperatorFactory;
      readonly keySelector1: KeySelectorFunction | undefined;
      readonly keySelector2: KeySelectorFunction | undefined;
    })
  | (TransformationBase & {
      readonly kind: 'partition';
      readonly input: Transformation;
      readonly partitioner: PartitionerSpec;
    })
  | (TransformationBase & { readonly kind: 'union'; readonly inputs: readonly Transformation[] })
  | (TransformationBase & {
      readonly kind: 'side-output';
      readonly input: Transformation;
      readonly tag: string;
    });
