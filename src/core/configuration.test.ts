import { describe, expect, it } from 'vitest';
import { Configuration, CoreOptions } from './configuration.ts';
import { IllegalArgumentError } from './sluice-error.ts';

describe('Configuration', () => {
  it('returns defaults for unset options and parsed values for set ones', () => {
    const conf = Configuration.fromMap({ 'parallelism.default': '4', 'execution.local.mode': 'inline' });
    expect(conf.get(CoreOptions.DEFAULT_PARALLELISM)).toBe(4);
    expect(conf.get(CoreOptions.LOCAL_EXECUTION)).toBe('inline');
    expect(conf.get(CoreOptions.MAX_PARALLELISM)).toBe(128);
    expect(conf.get(CoreOptions.CREDITS_PER_CHANNEL)).toBe(4);
    expect(conf.toMap()).toEqual({ 'parallelism.default': 4, 'execution.local.mode': 'inline' });
  });

  it('rejects an unknown key, naming it and the known keys', () => {
    const attempt = () => Configuration.fromMap({ 'parallelism.defualt': 2 });
    expect(attempt).toThrow(IllegalArgumentError);
    expect(attempt).toThrow(/unknown key "parallelism\.defualt".*parallelism\.default/);
  });

  it.each([
    ['parallelism.default', -1],
    ['parallelism.default', 1.5],
    ['pipeline.max-parallelism', 0],
    ['taskmanager.network.credits-per-channel', 'many'],
    ['taskmanager.memory.segment-size', 100],
    ['execution.local.mode', 'process'],
    ['execution.buffer-timeout', ''],
  ])('rejects a bad value for %s, naming the key and the value', (key, value) => {
    const attempt = () => Configuration.fromMap({ [key]: value });
    expect(attempt).toThrow(IllegalArgumentError);
    expect(attempt).toThrow(key);
    expect(attempt).toThrow(JSON.stringify(value));
  });

  it('validates typed sets too', () => {
    expect(() => new Configuration().set(CoreOptions.BUFFER_TIMEOUT, -5)).toThrow(
      /execution\.buffer-timeout.*-5/,
    );
  });

  it('clones independently', () => {
    const a = Configuration.fromMap({ 'parallelism.default': 2 });
    const b = a.clone().set(CoreOptions.DEFAULT_PARALLELISM, 3);
    expect(a.get(CoreOptions.DEFAULT_PARALLELISM)).toBe(2);
    expect(b.get(CoreOptions.DEFAULT_PARALLELISM)).toBe(3);
  });
});
