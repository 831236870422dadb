import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CoreOptions } from '../core/index.ts';
import { ClusterConfiguration, ClusterOptions, environmentVariableOf } from './cluster-configuration.ts';

const dir = mkdtempSync(join(tmpdir(), 'sluice-conf-'));
let files = 0;

function yamlFile(text: string): string {
  const file = join(dir, `conf-${files++}.yaml`);
  writeFileSync(file, text);
  return file;
}

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('ClusterConfiguration', () => {
  it('has documented defaults', () => {
    const conf = ClusterConfiguration.load({});
    expect(conf.get(ClusterOptions.REST_PORT)).toBe(8081);
    expect(conf.get(ClusterOptions.REST_BIND_ADDRESS)).toBe('127.0.0.1');
    expect(conf.get(ClusterOptions.HEARTBEAT_TIMEOUT)).toBeLessThan(10_000);
    expect(conf.get(ClusterOptions.SECURITY_TOKEN)).toBe('');
  });

  it("reads Flink's older key high-availability as high-availability.type", () => {
    const file = yamlFile('high-availability: file\nhigh-availability.storageDir: /tmp/ha\n');
    expect(ClusterConfiguration.load({ file }).get(ClusterOptions.HA_TYPE)).toBe('file');
    const env = ClusterConfiguration.load({
      env: { SLUICE_HIGH_AVAILABILITY: 'file', SLUICE_HIGH_AVAILABILITY_STORAGEDIR: '/tmp/ha' },
    });
    expect(env.get(ClusterOptions.HA_TYPE)).toBe('file');
    expect(env.entries()).toContainEqual({ key: 'high-availability.type', value: 'file' });
    expect(() => ClusterConfiguration.load({ file: yamlFile('high-availability: zookeeper\n') })).toThrow(
      /high-availability\.type/,
    );
  });

  it('reads YAML (flat or nested keys) < SLUICE_* environment < flags', () => {
    const file = yamlFile(
      'rest:\n  port: 9000\n  bind-address: 0.0.0.0\nheartbeat.timeout: 9000\ntaskmanager.numberOfTaskSlots: 3\n',
    );
    const conf = ClusterConfiguration.load({
      file,
      env: { SLUICE_REST_PORT: '9100', SLUICE_HEARTBEAT_INTERVAL: '300', PATH: '/bin' },
      flags: { 'rest.port': 9200, 'rest.bind-address': undefined },
    });
    expect(conf.get(ClusterOptions.REST_PORT)).toBe(9200);
    expect(conf.get(ClusterOptions.REST_BIND_ADDRESS)).toBe('0.0.0.0');
    expect(conf.get(ClusterOptions.HEARTBEAT_TIMEOUT)).toBe(9000);
    expect(conf.get(ClusterOptions.HEARTBEAT_INTERVAL)).toBe(300);
    expect(conf.core.get(CoreOptions.TASK_SLOTS)).toBe(3);
  });

  it('names the key and the source of an unknown key or a bad value', () => {
    expect(() => ClusterConfiguration.load({ file: yamlFile('rest.prot: 1\n') })).toThrow(
      /configuration file .*conf-\d+\.yaml: unknown configuration key "rest\.prot"/,
    );
    expect(() => ClusterConfiguration.load({ env: { SLUICE_REST_PORT: 'eighty' } })).toThrow(
      /environment variable SLUICE_REST_PORT: configuration "rest\.port": expected an integer/,
    );
    expect(() => ClusterConfiguration.load({ env: { SLUICE_NOPE: '1' } })).toThrow(
      /SLUICE_NOPE is not a configuration key/,
    );
    expect(() => ClusterConfiguration.load({ flags: { 'parallelism.default': -1 } })).toThrow(
      /command line: .*parallelism\.default/,
    );
    expect(() => ClusterConfiguration.load({ file: yamlFile('- a\n- b\n') })).toThrow(/map of keys/);
    expect(() => ClusterConfiguration.load({ file: yamlFile('a: [\n') })).toThrow(/not valid YAML/);
    expect(() =>
      ClusterConfiguration.load({ flags: { 'heartbeat.interval': 1000, 'heartbeat.timeout': 500 } }),
    ).toThrow(/"heartbeat\.timeout" \(500 ms\) must be greater than "heartbeat\.interval"/);
  });

  it('maps keys to environment variables', () => {
    expect(environmentVariableOf('rest.bind-address')).toBe('SLUICE_REST_BIND_ADDRESS');
    expect(environmentVariableOf('taskmanager.numberOfTaskSlots')).toBe(
      'SLUICE_TASKMANAGER_NUMBEROFTASKSLOTS',
    );
  });
});
