// The job lifecycle as a program sees it, in the calling thread: executeAsync and its JobClient,
// execute()/executeAndCollect() outcomes, and the plan a program built (env.getStreamGraph()).
import { describe, expect, it } from 'vitest';
import {
  DataGeneratorSource,
  JobExecutionError,
  StreamExecutionEnvironment,
  WatermarkStrategy,
} from '../../src/index.ts';
import { waitFor } from './support.ts';

const inline = (p = 2) =>
  StreamExecutionEnvironment.getExecutionEnvironment({ 'execution.local.mode': 'inline' }).setParallelism(p);

function discard<T>() {
  return { createWriter: () => ({ write: (_v: T) => {}, flush: () => {}, close: () => {} }) };
}

describe('JobClient (calling thread)', () => {
  it('follows a bounded job to FINISHED and returns its result', async () => {
    const env = inline();
    env
      .fromSequence(1, 1000)
      .map((x) => x * 2)
      .sinkTo(discard<number>());
    const client = await env.executeAsync('bounded');
    const result = await client.getJobExecutionResult();
    expect(result.getJobID()).toBe(client.jobId);
    expect(result.jobName).toBe('bounded');
    expect(result.getNetRuntime()).toBeGreaterThanOrEqual(0);
    expect(await client.getJobStatus()).toBe('FINISHED');
  });

  it('cancels an unbounded job: RUNNING, then CANCELED, and the source stops', async () => {
    let generated = 0;
    const env = inline(1);
    env
      .fromSource(
        new DataGeneratorSource((i) => {
          generated++;
          return i;
        }, Number.POSITIVE_INFINITY),
        WatermarkStrategy.noWatermarks(),
        'endless',
      )
      .sinkTo(discard<number>());
    const client = await env.executeAsync('endless');
    await waitFor(() => generated > 1000, 'the source to run');
    expect(await client.getJobStatus()).toBe('RUNNING');
    await client.cancel();
    expect(await client.getJobStatus()).toBe('CANCELED');
    const error = await client.getJobExecutionResult().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JobExecutionError);
    expect((error as JobExecutionError).code).toBe('JOB_CANCELLED');
    expect((error as JobExecutionError).message).toContain('"endless"');
    const stoppedAt = generated;
    await new Promise((r) => setTimeout(r, 20)); // give a still-running source a chance to show itself
    expect(generated).toBe(stoppedAt);
  });

  it('cancels a job right after submission, before it runs anything', async () => {
    let generated = 0;
    const env = inline(1);
    env
      .fromSource(
        new DataGeneratorSource((i) => {
          generated++;
          return i;
        }, Number.POSITIVE_INFINITY),
        WatermarkStrategy.noWatermarks(),
        'endless',
      )
      .sinkTo(discard<number>());
    const client = await env.executeAsync('cancelled early');
    await client.cancel();
    expect(await client.getJobStatus()).toBe('CANCELED');
    const stoppedAt = generated;
    await new Promise((r) => setTimeout(r, 20));
    expect(generated).toBe(stoppedAt);
  });

  it('execute() and executeAndCollect() reject with the failure', async () => {
    const env = inline();
    env
      .fromSequence(1, 100)
      .map((x) => {
        if (x === 42) throw new Error('no 42s');
        return x;
      })
      .name('picky')
      .sinkTo(discard<number>());
    await expect(env.execute('picky')).rejects.toThrow(
      /operator "picky", subtask \d\/2, failed on record 42: Error: no 42s/,
    );
    const collect = inline()
      .fromElements(1, 2)
      .filter(() => {
        throw new Error('filter broke');
      })
      .executeAndCollect();
    await expect(collect).rejects.toBeInstanceOf(JobExecutionError);
    await expect(collect).rejects.toThrow('filter broke');
  });
});

describe('env.getStreamGraph()', () => {
  it('shows names, uids, parallelism and chaining settings of the operators', () => {
    const env = inline(3);
    env
      .fromSequence(1, 10)
      .name('numbers')
      .uid('src')
      .map((x) => x)
      .name('m1')
      .uid('m1')
      .setParallelism(2)
      .disableChaining()
      .filter(() => true)
      .name('f1')
      .startNewChain()
      .print()
      .name('out')
      .setParallelism(1);
    const graph = env.getStreamGraph('shown');
    expect(graph.jobName).toBe('shown');
    expect(graph.nodes.map((n) => [n.name, n.uid, n.parallelism, n.chaining])).toEqual([
      ['numbers', 'src', 3, 'always'],
      ['m1', 'm1', 2, 'never'],
      ['f1', undefined, 3, 'head'],
      ['out', undefined, 1, 'always'],
    ]);
  });
});
