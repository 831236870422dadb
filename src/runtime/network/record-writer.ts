// Distributes a task's output records over the subpartitions of one edge, by the edge's
// partitioner (forward, rebalance, rescale, shuffle, broadcast, global, hash by key group, custom).
import {
  describeValue,
  IllegalArgumentError,
  type StreamEvent,
  type StreamRecord,
} from '../../core/index.ts';
import type { PartitionerSpec } from '../../plan/index.ts';
import { assignToKeyGroup, computeOperatorIndexForKeyGroup } from '../../state/index.ts';
import type { OutputChannel } from './output-channel.ts';

/** Chooses channels for records of one edge. */
export class RecordWriter {
  readonly channels: readonly OutputChannel[];
  readonly #spec: PartitionerSpec;
  readonly #maxParallelism: number;
  readonly #describeTarget: string;
  #next: number;

  constructor(
    channels: readonly OutputChannel[],
    spec: PartitionerSpec,
    targetMaxParallelism: number,
    subtaskIndex: number,
    describeTarget: string,
  ) {
    this.channels = channels;
    this.#spec = spec;
    this.#maxParallelism = targetMaxParallelism;
    this.#describeTarget = describeTarget;
    this.#next = subtaskIndex % Math.max(1, channels.length);
  }

  emit(record: StreamRecord): void {
    const channels = this.channels;
    const spec = this.#spec;
    switch (spec.kind) {
      case 'forward':
      case 'global':
        channels[0]!.add(record);
        return;
      case 'rebalance':
      case 'rescale': {
        const i = this.#next;
        this.#next = i + 1 === channels.length ? 0 : i + 1;
        channels[i]!.add(record);
        return;
      }
      case 'shuffle':
        channels[Math.floor(Math.random() * channels.length)]!.add(record);
        return;
      case 'broadcast':
        for (const c of channels) c.add(record);
        return;
      case 'hash': {
        const key = this.#key(spec.key, record.value);
        const kg = assignToKeyGroup(key, this.#maxParallelism);
        channels[computeOperatorIndexForKeyGroup(this.#maxParallelism, channels.length, kg)]!.add(record);
        return;
      }
      case 'custom': {
        const key = this.#key(spec.key, record.value);
        const p = spec.partition(key as never, channels.length);
        if (!Number.isInteger(p) || p < 0 || p >= channels.length) {
          throw new IllegalArgumentError(
            `partitionCustom(): partitioner returned ${describeValue(p)} for key ${describeValue(key)}; expected an integer in [0, ${channels.length})`,
          );
        }
        channels[p]!.add(record);
        return;
      }
      default: {
        const never: never = spec;
        throw new IllegalArgumentError(`unknown partitioner ${String(never)}`);
      }
    }
  }

  #key(selector: (v: never) => unknown, value: unknown): unknown {
    const key = selector(value as never);
    if (key === undefined || key === null) {
      throw new IllegalArgumentError(
        `keyBy(): key selector returned ${String(key)} for record ${describeValue(value)} in operator ${this.#describeTarget}`,
      );
    }
    return key;
  }

  /**
   * Sends a record of this edge's output channel state again after a restore (unaligned
   * checkpoint). `sameShape` (both ends at their old parallelism): to the channel it was recorded
   * on. Otherwise broadcast records go to every new channel that continues old channel
   * `channelIndex` (`j mod oldChannels`), other records are routed by the partitioner.
   */
  emitRestored(record: StreamRecord, channelIndex: number, oldChannels: number, sameShape: boolean): void {
    const channels = this.channels;
    if (sameShape && channelIndex < channels.length) {
      channels[channelIndex]!.add(record);
      return;
    }
    if (this.#spec.kind === 'broadcast') {
      for (let j = 0; j < channels.length; j++)
        if (j % oldChannels === channelIndex) channels[j]!.add(record);
      return;
    }
    this.emit(record);
  }

  broadcastEvent(event: StreamEvent): void {
    for (const c of this.channels) c.addEvent(event);
  }

  flush(): void {
    for (const c of this.channels) c.flush();
  }
}
