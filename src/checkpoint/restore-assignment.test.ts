// Restore assignment: which checkpoint operators must match the job, and which files each new
// task reads.
import { describe, expect, it } from 'vitest';
import type { StreamGraph } from '../plan/index.ts';
import type { CheckpointMetadata, OperatorMetadata, StateFileHandle } from './checkpoint-storage.ts';
import { checkRestoreCompatibility, restoreFilesFor } from './restore-assignment.ts';

const op = (operatorId: string, name: string, uid?: string, maxParallelism = 128): OperatorMetadata => ({
  operatorId,
  uid,
  name,
  parallelism: 2,
  maxParallelism,
});

const file = (vertexId: number, subtask: number, operatorIds: string[]): StateFileHandle => ({
  vertexId,
  subtask,
  parallelism: 2,
  file: `${vertexId}-${subtask}.state`,
  bytes: 10,
  operatorIds,
});

function metadata(operators: OperatorMetadata[], files: StateFileHandle[]): CheckpointMetadata {
  return {
    version: 1,
    jobId: 'j',
    jobName: 'old',
    checkpointId: 7,
    timestamp: 0,
    savepoint: true,
    operators,
    files,
    enumerators: {},
  };
}

function graph(nodes: Array<{ operatorId: string; name: string; maxParallelism?: number }>): StreamGraph {
  return {
    jobName: 'new',
    nodes: nodes.map((n) => ({ maxParallelism: 128, ...n })),
  } as unknown as StreamGraph;
}

const saved = metadata(
  [op('a', 'source', 'src'), op('b', 'counts', 'count-uid'), op('c', 'enrich'), op('d', 'stateless')],
  [file(0, 0, ['a']), file(0, 1, ['a']), file(1, 1, ['b', 'c']), file(1, 0, ['b', 'c'])],
);

describe('checkRestoreCompatibility', () => {
  it('accepts a job that has every operator with state (stateless operators may go)', () => {
    expect(() =>
      checkRestoreCompatibility(
        saved,
        '/sp',
        graph([
          { operatorId: 'a', name: 'source' },
          { operatorId: 'b', name: 'counts' },
          { operatorId: 'c', name: 'enrich' },
        ]),
        false,
      ),
    ).not.toThrow();
  });

  it('lists every operator whose state has no place in the job, by uid or by name', () => {
    const job = graph([{ operatorId: 'a', name: 'source' }]);
    expect(() => checkRestoreCompatibility(saved, '/sp/savepoint-7', job, false)).toThrow(
      'cannot restore /sp/savepoint-7: the state of 2 operator(s) does not match any operator of job "new": ' +
        'uid "count-uid" ("counts"), "enrich" (no uid, id c). Give operators stable uids with uid(), or pass ' +
        '--allowNonRestoredState (execution.savepoint.ignore-unclaimed-state) to skip that state.',
    );
    expect(() => checkRestoreCompatibility(saved, '/sp/savepoint-7', job, true)).not.toThrow();
  });

  it('refuses a changed max parallelism', () => {
    const job = graph([
      { operatorId: 'a', name: 'source' },
      { operatorId: 'b', name: 'counts', maxParallelism: 256 },
      { operatorId: 'c', name: 'enrich' },
    ]);
    expect(() => checkRestoreCompatibility(saved, '/sp', job, true)).toThrow(
      'operator "counts" has max parallelism 256 but its state was written with max parallelism 128',
    );
  });
});

describe('restoreFilesFor', () => {
  it("gives a task every old subtask's file of its operators, in old-subtask order", () => {
    expect(restoreFilesFor(saved, '/sp', ['b'])).toEqual({
      checkpointId: 7,
      dir: '/sp',
      files: [
        { file: '1-0.state', operatorIds: ['b', 'c'] },
        { file: '1-1.state', operatorIds: ['b', 'c'] },
      ],
    });
    // A new chain that combines operators of old vertices reads the files of both.
    expect(restoreFilesFor(saved, '/sp', ['a', 'c'])?.files.map((f) => f.file)).toEqual([
      '0-0.state',
      '0-1.state',
      '1-0.state',
      '1-1.state',
    ]);
  });

  it('returns nothing for operators without state', () => {
    expect(restoreFilesFor(saved, '/sp', ['d', 'new'])).toBeUndefined();
  });
});

describe('checkRestoreCompatibility: in-flight data of unaligned checkpoints', () => {
  /** Two operators a → b over edge 5 with the given partitioner (a real exchange unless chainable). */
  function twoNodes(partitioner: 'hash' | 'forward', targetOperatorId = 'b'): StreamGraph {
    const edge = {
      id: 5,
      source: 0,
      target: 1,
      typeNumber: 1,
      partitioner: partitioner === 'hash' ? { kind: 'hash', key: (v: unknown) => v } : { kind: 'forward' },
      outputTag: undefined,
    };
    const node = (id: number, operatorId: string, name: string) => ({
      id,
      operatorId,
      name,
      maxParallelism: 128,
      parallelism: 2,
      chaining: 'always',
      isSink: false,
      inEdges: id === 1 ? [edge] : [],
      outEdges: id === 0 ? [edge] : [],
    });
    return {
      jobName: 'new',
      chainingEnabled: true,
      nodes: [node(0, 'a', 'source'), node(1, targetOperatorId, 'counts')],
    } as unknown as StreamGraph;
  }
  const unaligned = metadata(
    [op('a', 'source', 'src'), op('b', 'counts', 'count-uid')],
    [
      file(0, 0, ['a']),
      { ...file(1, 0, ['b']), channelEdges: [{ edgeId: 5, sourceOperatorId: 'a', targetOperatorId: 'b' }] },
    ],
  );

  it('restores into the same exchange', () => {
    expect(() => checkRestoreCompatibility(unaligned, '/cp/chk-7', twoNodes('hash'), false)).not.toThrow();
  });

  it('fails naming the checkpoint and the edge when the exchange is gone or now chained', () => {
    expect(() => checkRestoreCompatibility(unaligned, '/cp/chk-7', twoNodes('hash', 'x'), true)).toThrow(
      /cannot restore \/cp\/chk-7: unaligned checkpoint 7 holds in-flight data of the exchange \(edge 5\) from "source" \(uid src\) to "counts" \(uid count-uid\)/,
    );
    expect(() => checkRestoreCompatibility(unaligned, '/cp/chk-7', twoNodes('forward'), false)).toThrow(
      /as a network exchange \(it is chained now\)/,
    );
  });
});
