// The StreamGraph: operators (nodes) and the edges between them, with virtual transformations
// (partitioning, union, side outputs) resolved into edge properties. Built deterministically, so
// that every worker re-running the program in plan mode builds the same graph.
import { createHash } from 'node:crypto';
import { IllegalArgumentError } from '../core/index.ts';
import type {
  ChainingStrategy,
  KeySelectorFunction,
  OperatorFactory,
  PartitionerSpec,
  Transformation,
} from './transformation.ts';

/** An operator in the StreamGraph. */
export interface StreamNode {
  readonly id: number;
  readonly name: string;
  readonly uid: string | undefined;
  /** 32 hex characters; derived from the uid when set, so state maps across job versions. */
  readonly operatorId: string;
  readonly kind: 'source' | 'one-input' | 'two-input';
  readonly isSink: boolean;
  readonly bounded: boolean;
  readonly parallelism: number;
  readonly maxParallelism: number;
  readonly factory: OperatorFactory;
  /** Key selectors per input (index 0 = input 1) when the operator is keyed. */
  readonly keySelectors: readonly (KeySelectorFunction | undefined)[];
  readonly chaining: ChainingStrategy;
  readonly inEdges: StreamEdge[];
  readonly outEdges: StreamEdge[];
}

/** A connection from one operator's output to another's input. */
export interface StreamEdge {
  readonly id: number;
  readonly source: number;
  readonly target: number;
  /** 1 or 2: which input of the target. */
  readonly typeNumber: 1 | 2;
  readonly partitioner: PartitionerSpec;
  /** Side-output tag the edge carries, if any. */
  readonly outputTag: string | undefined;
}

/** Settings that shape graph generation. */
export interface StreamGraphSettings {
  readonly jobName: string;
  readonly defaultParallelism: number;
  readonly maxParallelism: number;
  readonly chainingEnabled: boolean;
}

/** The whole logical plan of a job. */
export interface StreamGraph {
  readonly jobName: string;
  readonly nodes: readonly StreamNode[];
  readonly edges: readonly StreamEdge[];
  readonly chainingEnabled: boolean;
  /** Hash of the graph's shape: workers compare it to detect non-deterministic programs. */
  readonly fingerprint: string;
}

interface OutputRef {
  readonly node: number;
  readonly partitioner: PartitionerSpec | undefined;
  readonly tag: string | undefined;
}

/** Hex id of an operator: from its uid when given, else from its position in the graph. */
export function operatorIdOf(uid: string | undefined, fallback: string): string {
  return createHash('sha256')
    .update(uid === undefined ? `auto:${fallback}` : `uid:${uid}`)
    .digest('hex')
    .slice(0, 32);
}

/**
 * Turns the transformations reachable from `sinks` into a StreamGraph.
 *
 * @example
 * const graph = generateStreamGraph(transformations, { jobName: 'j', defaultParallelism: 2, maxParallelism: 128, chainingEnabled: true });
 */
export function generateStreamGraph(
  transformations: readonly Transformation[],
  settings: StreamGraphSettings,
): StreamGraph {
  const nodes: StreamNode[] = [];
  const edges: StreamEdge[] = [];
  const resolved = new Map<number, OutputRef[]>();
  const uids = new Map<string, string>();

  const describe = (t: Transformation) => `"${t.name}"${t.uid === undefined ? '' : ` (uid: ${t.uid})`}`;

  const addNode = (
    t: Transformation & { kind: 'source' | 'one-input' | 'two-input' },
    inputs: Array<{ refs: OutputRef[]; typeNumber: 1 | 2 }>,
  ): OutputRef[] => {
    const fixed = t.kind === 'two-input' ? undefined : t.fixedParallelism;
    if (fixed !== undefined && t.parallelism !== undefined && t.parallelism !== fixed) {
      throw new IllegalArgumentError(
        `operator ${describe(t)}: this operator is not parallel; its parallelism must be ${fixed}, got ${t.parallelism}`,
      );
    }
    const parallelism = fixed ?? t.parallelism ?? settings.defaultParallelism;
    const maxParallelism = t.maxParallelism ?? settings.maxParallelism;
    if (parallelism > maxParallelism) {
      throw new IllegalArgumentError(
        `operator ${describe(t)}: parallelism ${parallelism} is greater than max parallelism ${maxParallelism}`,
      );
    }
    if (t.uid !== undefined) {
      if (uids.has(t.uid)) {
        throw new IllegalArgumentError(
          `operator ${describe(t)}: uid "${t.uid}" is already used by operator "${uids.get(t.uid)}"; uids must be unique`,
        );
      }
      uids.set(t.uid, t.name);
    }
    const id = nodes.length;
    const node: StreamNode = {
      id,
      name: t.name,
      uid: t.uid,
      operatorId: operatorIdOf(t.uid, `${id}:${t.kind}:${t.factory.operatorKind}`),
      kind: t.kind,
      isSink: t.kind === 'one-input' && t.isSink,
      bounded: t.kind === 'source' ? t.bounded : true,
      parallelism,
      maxParallelism,
      factory: t.factory,
      keySelectors:
        t.kind === 'one-input'
          ? [t.keySelector]
          : t.kind === 'two-input'
            ? [t.keySelector1, t.keySelector2]
            : [],
      chaining: t.chaining,
      inEdges: [],
      outEdges: [],
    };
    nodes.push(node);
    for (const { refs, typeNumber } of inputs) {
      for (const ref of refs) {
        const upstream = nodes[ref.node]!;
        const partitioner: PartitionerSpec = ref.partitioner ?? {
          kind: upstream.parallelism === parallelism ? 'forward' : 'rebalance',
        };
        if (partitioner.kind === 'forward' && upstream.parallelism !== parallelism) {
          throw new IllegalArgumentError(
            `operator ${describe(t)}: forward partitioning does not allow a change of parallelism ` +
              `(upstream "${upstream.name}" has ${upstream.parallelism}, this operator ${parallelism}); use rebalance() instead`,
          );
        }
        const edge: StreamEdge = {
          id: edges.length,
          source: ref.node,
          target: id,
          typeNumber,
          partitioner,
          outputTag: ref.tag,
        };
        edges.push(edge);
        upstream.outEdges.push(edge);
        node.inEdges.push(edge);
      }
    }
    return [{ node: id, partitioner: undefined, tag: undefined }];
  };

  const resolve = (t: Transformation): OutputRef[] => {
    const cached = resolved.get(t.id);
    if (cached !== undefined) return cached;
    let refs: OutputRef[];
    switch (t.kind) {
      case 'source':
        refs = addNode(t, []);
        break;
      case 'one-input':
        refs = addNode(t, [{ refs: resolve(t.input), typeNumber: 1 }]);
        break;
      case 'two-input': {
        const in1 = resolve(t.input1);
        const in2 = resolve(t.input2);
        refs = addNode(t, [
          { refs: in1, typeNumber: 1 },
          { refs: in2, typeNumber: 2 },
        ]);
        break;
      }
      case 'partition':
        refs = resolve(t.input).map((r) => ({ ...r, partitioner: t.partitioner }));
        break;
      case 'union':
        refs = t.inputs.flatMap((i) => resolve(i));
        break;
      case 'side-output':
        refs = resolve(t.input).map((r) => ({ ...r, tag: t.tag }));
        break;
      default: {
        const never: never = t;
        throw new IllegalArgumentError(`unknown transformation ${String(never)}`);
      }
    }
    resolved.set(t.id, refs);
    return refs;
  };

  // Transformations are registered in creation order, which is topological.
  for (const t of [...transformations].sort((a, b) => a.id - b.id)) resolve(t);

  const shape = JSON.stringify({
    n: nodes.map((n) => [
      n.id,
      n.kind,
      n.name,
      n.uid ?? null,
      n.parallelism,
      n.maxParallelism,
      n.factory.operatorKind,
    ]),
    e: edges.map((e) => [e.source, e.target, e.typeNumber, e.partitioner.kind, e.outputTag ?? null]),
  });
  return {
    jobName: settings.jobName,
    nodes,
    edges,
    chainingEnabled: settings.chainingEnabled,
    fingerprint: createHash('sha256').update(shape).digest('hex').slice(0, 16),
  };
}
