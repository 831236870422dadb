// Plans built through the API: StreamGraph generation and Flink's chaining rules in the JobGraph,
// and misuse rejected at the call site with the operator and the bad value named.
import { describe, expect, it } from 'vitest';
import { IllegalArgumentError } from '../core/index.ts';
import { OutputTag, ProcessFunction } from '../functions/index.ts';
import { createJobGraph, type StreamGraph } from '../plan/index.ts';
import { StreamExecutionEnvironment } from './stream-execution-environment.ts';

function env(parallelism = 2): StreamExecutionEnvironment {
  return StreamExecutionEnvironment.getExecutionEnvironment({
    'execution.local.mode': 'inline',
  }).setParallelism(parallelism);
}

const vertexNames = (graph: StreamGraph) => createJobGraph(graph).vertices.map((v) => v.name);

describe('StreamGraph generation', () => {
  it('records operators with names, uids, parallelism and default partitioners', () => {
    const e = env(3);
    e.fromElements(1, 2, 3)
      .map((x) => x * 2)
      .name('double')
      .uid('d1')
      .keyBy((x) => x % 2)
      .reduce((a, b) => a + b)
      .setParallelism(2)
      .print();
    const g = e.getStreamGraph('plan');
    expect(g.jobName).toBe('plan');
    expect(g.nodes.map((n) => [n.name, n.uid, n.parallelism, n.kind])).toEqual([
      ['Collection Source', undefined, 1, 'source'],
      ['double', 'd1', 3, 'one-input'],
      ['Keyed Reduce', undefined, 2, 'one-input'],
      ['Print to Std. Out', undefined, 3, 'one-input'],
    ]);
    expect(g.edges.map((edge) => [edge.source, edge.target, edge.partitioner.kind])).toEqual([
      [0, 1, 'rebalance'], // non-parallel source into parallelism 3
      [1, 2, 'hash'],
      [2, 3, 'rebalance'], // parallelism 2 into 3
    ]);
    expect(g.nodes[2]!.keySelectors[0]).toBeTypeOf('function');
    expect(g.nodes[3]!.isSink).toBe(true);
  });

  it('derives operator ids from uids, so they survive changes elsewhere in the job', () => {
    const build = (extra: boolean) => {
      const e = env();
      let s = e.fromSequence(1, 10);
      if (extra) s = s.filter(() => true);
      s.map((x) => x)
        .uid('stable')
        .print();
      return e.getStreamGraph();
    };
    const a = build(false).nodes.find((n) => n.uid === 'stable')!;
    const b = build(true).nodes.find((n) => n.uid === 'stable')!;
    expect(a.operatorId).toMatch(/^[0-9a-f]{32}$/);
    expect(a.operatorId).toBe(b.operatorId);
    expect(a.id).not.toBe(b.id);
  });

  it('builds the same fingerprint for the same program, a different one for another shape', () => {
    const build = (name: string) => {
      const e = env();
      e.fromSequence(1, 10)
        .map((x) => x)
        .name(name)
        .print();
      return e.getStreamGraph().fingerprint;
    };
    expect(build('a')).toBe(build('a'));
    expect(build('a')).not.toBe(build('b'));
  });

  it('turns union and side outputs into edges', () => {
    const e = env(1);
    const tag = new OutputTag<string>('late');
    const a = e.fromElements(1);
    const b = e.fromElements(2);
    const main = a.union(b).process(
      new (class extends ProcessFunction<number, number> {
        processElement() {}
      })(),
    );
    main.getSideOutput(tag).print();
    main.print();
    const g = e.getStreamGraph();
    const process = g.nodes.find((n) => n.name === 'Process')!;
    expect(process.inEdges.map((x) => g.nodes[x.source]!.name)).toEqual([
      'Collection Source',
      'Collection Source',
    ]);
    expect(process.outEdges.map((x) => x.outputTag)).toEqual(['late', undefined]);
  });

  it('only includes what the sinks reach', () => {
    const e = env();
    e.fromElements(1).map((x) => x); // dangling
    e.fromElements(2).print();
    expect(e.getStreamGraph().nodes.map((n) => n.name)).toEqual(['Collection Source', 'Print to Std. Out']);
  });

  it('rejects a job without sinks', () => {
    const e = env();
    e.fromElements(1).map((x) => x);
    expect(() => e.getStreamGraph()).toThrow(/No operators defined/);
  });
});

describe('chaining (JobGraph)', () => {
  it('chains forward edges between operators of equal parallelism', () => {
    const e = env(2);
    e.fromSequence(1, 10)
      .map((x) => x)
      .filter(() => true)
      .print();
    expect(vertexNames(e.getStreamGraph())).toEqual([
      'Source: Sequence Source -> Map -> Filter -> Print to Std. Out',
    ]);
  });

  it('breaks chains at keyBy, rebalance, a change of parallelism, disableChaining and startNewChain', () => {
    const e = env(2);
    e.fromSequence(1, 10)
      .map((x) => x)
      .name('m1')
      .keyBy((x) => x)
      .map((x) => x)
      .name('m2')
      .rebalance()
      .map((x) => x)
      .name('m3')
      .map((x) => x)
      .name('m4')
      .setParallelism(1)
      .map((x) => x)
      .name('m5')
      .setParallelism(1)
      .disableChaining()
      .map((x) => x)
      .name('m6')
      .setParallelism(1)
      .map((x) => x)
      .name('m7')
      .setParallelism(1)
      .startNewChain()
      .map((x) => x)
      .name('m8')
      .setParallelism(1)
      .print()
      .setParallelism(1);
    expect(vertexNames(e.getStreamGraph())).toEqual([
      'Source: Sequence Source -> m1',
      'm2',
      'm3',
      'm4',
      'm5',
      'm6',
      'm7 -> m8 -> Print to Std. Out',
    ]);
  });

  it('does not chain two-input operators or anything when chaining is disabled', () => {
    const e = env(1);
    const a = e.fromElements(1);
    a.union(e.fromElements(2))
      .map((x) => x)
      .print();
    expect(vertexNames(e.getStreamGraph())).toEqual([
      'Source: Collection Source',
      'Source: Collection Source',
      'Map -> Print to Std. Out',
    ]);
    const d = env(1).disableOperatorChaining();
    d.fromElements(1)
      .map((x) => x)
      .print();
    expect(vertexNames(d.getStreamGraph())).toEqual([
      'Source: Collection Source',
      'Map',
      'Print to Std. Out',
    ]);
  });

  it('wires vertex inputs and outputs by edge', () => {
    const e = env(2);
    e.fromSequence(1, 10)
      .keyBy((x) => x)
      .map((x) => x)
      .print();
    const jg = createJobGraph(e.getStreamGraph());
    expect(jg.vertices).toHaveLength(2);
    expect(jg.vertices[0]!.isSource).toBe(true);
    expect(jg.vertices[0]!.outputs.map((o) => [o.targetVertex, o.partitioner])).toEqual([[1, 'hash']]);
    expect(jg.vertices[1]!.inputs.map((i) => [i.sourceVertex, i.typeNumber])).toEqual([[0, 1]]);
    expect(jg.vertices[1]!.operatorIds).toHaveLength(2);
  });
});

describe('misuse is rejected with the operator and the bad value named', () => {
  it('duplicate uids', () => {
    const e = env();
    e.fromSequence(1, 2)
      .map((x) => x)
      .uid('same')
      .name('first')
      .map((x) => x)
      .uid('same')
      .name('second')
      .print();
    expect(() => e.getStreamGraph()).toThrow(
      'operator "second" (uid: same): uid "same" is already used by operator "first"; uids must be unique',
    );
  });

  it('forward partitioning with a change of parallelism', () => {
    const e = env(2);
    e.fromSequence(1, 2)
      .forward()
      .map((x) => x)
      .name('narrow')
      .setParallelism(1)
      .print();
    expect(() => e.getStreamGraph()).toThrow(
      /operator "narrow": forward partitioning does not allow a change of parallelism \(upstream "Sequence Source" has 2, this operator 1\)/,
    );
  });

  it('a non-parallel source with parallelism > 1', () => {
    const e = env(2);
    e.fromElements(1, 2).setParallelism(2).print();
    expect(() => e.getStreamGraph()).toThrow(
      'operator "Collection Source": this operator is not parallel; its parallelism must be 1, got 2',
    );
  });

  it('parallelism above max parallelism', () => {
    expect(() => env().setParallelism(129)).toThrow(
      'setParallelism(): parallelism 129 is greater than max parallelism 128',
    );
    const e = env().setMaxParallelism(4);
    e.fromSequence(1, 2)
      .map((x) => x)
      .name('wide')
      .setParallelism(8)
      .print();
    expect(() => e.getStreamGraph()).toThrow(
      'operator "wide": parallelism 8 is greater than max parallelism 4',
    );
  });

  it.each([0, -1, 1.5, Number.NaN])('setParallelism(%s)', (bad) => {
    expect(() => env().setParallelism(bad)).toThrow(IllegalArgumentError);
    expect(() => env().setParallelism(bad)).toThrow(
      `setParallelism(): expected a positive integer, got ${bad}`,
    );
    const stream = env()
      .fromSequence(1, 2)
      .map((x) => x)
      .name('m');
    expect(() => stream.setParallelism(bad)).toThrow(
      `setParallelism(): operator "m": expected a positive integer, got ${bad}`,
    );
  });

  it('non-functions passed as user functions', () => {
    const s = env().fromElements(1);
    expect(() => s.map(42 as never)).toThrow('map(): expected a function or an object with map(), got 42');
    expect(() => s.flatMap({} as never)).toThrow(
      'flatMap(): expected a function or an object with flatMap(), got {}',
    );
    expect(() => s.filter('x' as never)).toThrow(
      'filter(): expected a function or an object with filter(), got "x"',
    );
    expect(() => s.keyBy(undefined as never)).toThrow(/keyBy\(\): .* got undefined/);
    expect(() => s.process({} as never)).toThrow(/process\(\): .*processElement/);
  });

  it('an unknown file', () => {
    expect(() => env().readTextFile('/no/such/file.txt')).toThrow(
      'readTextFile(): path "/no/such/file.txt" does not exist',
    );
  });

  it('uid(), name() and the other operator settings on something that is not an operator', () => {
    const s = env().fromElements(1).rebalance();
    expect(() => s.uid('u')).toThrow(
      'uid() is only available on operators, not on a partition of the stream',
    );
  });
});
