// A task runs one subtask of a vertex: its operator chain, its input gate and its output
// channels, as a mailbox: input buffers, timers and control actions are processed one at a time,
// in bounded batches, yielding to the event loop in between.

import { join } from 'node:path';
import {
  appendChannelState,
  type ChannelEdgeRef,
  type ChannelStateSnapshot,
  channelStateSize,
  decodeTaskState,
  type InputChannelStateSnapshot,
  type OperatorSnapshot,
  type OutputChannelStateSnapshot,
  type PinnedOperatorKeyedState,
  readStateFile,
  STATE_FORMAT_VERSION,
  writeTaskStateFile,
} from '../../checkpoint/index.ts';
import {
  MAX_WATERMARK,
  type SerializedError,
  type StreamEvent,
  StreamRecord,
  serializeError,
} from '../../core/index.ts';
import type { JobVertex, StreamGraph, StreamNode } from '../../plan/index.ts';
import { createKeyedStateBackend, keyGroupRangeForOperator, OperatorStateStore } from '../../state/index.ts';
import type { BufferCodec } from '../network/buffer-codec.ts';
import {
  type OldChannelState,
  recordsOf,
  resolveChannelEdge,
  restoredInputRecords,
  restoredOutputEntries,
} from '../network/channel-state-restore.ts';
import { InputChannel, InputGate } from '../network/input-gate.ts';
import type { NetworkSender } from '../network/network-message.ts';
import { OutputChannel, type OutputChannelSettings } from '../network/output-channel.ts';
import { RecordWriter } from '../network/record-writer.ts';
import { enterOperator, type StateOwner } from '../operators/active-operator.ts';
import { SourceOperator } from '../operators/source-operator.ts';
import {
  describeRecord,
  type OperatorContext,
  type OperatorEvent,
  type Output,
  operatorError,
  type StreamOperator,
  type StreamOperatorFactory,
} from '../operators/stream-operator.ts';
import { SystemProcessingTimeService } from '../timers/processing-time-service.ts';
import { ChainingOutput, OutputRouter, RecordWriterOutput } from './chain-outputs.ts';
import {
  type Barrier,
  CheckpointBarrierHandler,
  type RecordedInputChannel,
} from './checkpoint-barrier-handler.ts';

/** Where a task's channels are: what the JobManager decided at deployment. */
export interface TaskDeployment {
  readonly jobId: string;
  readonly vertexId: number;
  readonly subtaskIndex: number;
  readonly attempt: number;
  readonly inputs: readonly {
    readonly channelId: number;
    readonly input: 1 | 2;
    readonly sourceSlot: number;
    /** The JobEdge (StreamEdge id) and upstream subtask of the channel (unaligned checkpoints). */
    readonly edgeId?: number;
    readonly sourceSubtask?: number;
  }[];
  /** Per output JobEdge: its channels in target-subtask order. */
  readonly outputs: readonly {
    readonly edgeId: number;
    readonly channels: readonly { readonly channelId: number; readonly targetSlot: number }[];
  }[];
  /** State to restore before the operators open (from a checkpoint or savepoint). */
  readonly restore?: TaskRestore;
}

/** The state files a task restores from: every old subtask's file holding one of its operators. */
export interface TaskRestore {
  readonly checkpointId: number;
  readonly dir: string;
  /** In old-subtask order per vertex. */
  readonly files: readonly { readonly file: string; readonly operatorIds: readonly string[] }[];
}

/** What a task reports when its part of a checkpoint is written. */
export interface CheckpointAck {
  readonly file: string;
  readonly bytes: number;
  readonly operatorIds: readonly string[];
  /** How long the task was blocked at the barrier taking its snapshot (ms). */
  readonly syncDurationMs?: number;
  /** From the end of that to the file written durably (ms), while the task went on. */
  readonly asyncDurationMs?: number;
  /** The task took an unaligned snapshot (its in-flight data is part of the checkpoint). */
  readonly unaligned?: boolean;
  /** Unaligned checkpoints: bytes of in-flight data persisted (Flink's `persisted_data`). */
  readonly persistedData?: number;
  /**
   * Aligned checkpoints: serialized input bytes the task took up between the checkpoint's first
   * and last barrier (Flink's `processed_data`); 0 for unaligned ones and for sources.
   */
  readonly processedData?: number;
  /** Unaligned checkpoints: the edges whose in-flight data the file holds. */
  readonly channelEdges?: readonly ChannelEdgeRef[];
}

/** Lifecycle states a task reports. */
export type TaskState = 'RUNNING' | 'FINISHED' | 'FAILED' | 'CANCELED';

/** Runtime settings of a task. */
export interface TaskSettings {
  readonly bufferTimeout: number;
  readonly bufferSize: number;
  readonly creditsPerChannel: number;
  readonly autoWatermarkInterval: number;
  readonly checkpointingEnabled: boolean;
  readonly checkpointMode: 'EXACTLY_ONCE' | 'AT_LEAST_ONCE';
  /** Unaligned checkpoints (exactly-once only; savepoints stay aligned). */
  readonly unalignedCheckpoints?: boolean;
  /**
   * With unaligned checkpoints: > 0 starts each checkpoint aligned and switches a task to
   * unaligned once its alignment has taken this many ms since the checkpoint started.
   */
  readonly alignedCheckpointTimeout?: number;
  /** Keyed state backend kind and its options. */
  readonly stateBackend: string;
  readonly stateBackendOptions: Readonly<Record<string, unknown>>;
}

/** What a task needs from the slot that runs it. */
export interface TaskEnvironment {
  readonly graph: StreamGraph;
  readonly vertex: JobVertex;
  readonly deployment: TaskDeployment;
  readonly settings: TaskSettings;
  readonly network: NetworkSender;
  readonly codec: BufferCodec;
  reportState(state: TaskState, error?: SerializedError): void;
  print(text: string, stream: 'stdout' | 'stderr'): void;
  /** `batch` identifies a batch that may be sent again after a recovery (sent once to the client). */
  emitToClient(values: unknown[], batch?: string): void;
  sendOperatorEvent(nodeId: number, event: OperatorEvent): void;
  acknowledgeCheckpoint(checkpointId: number, ack: CheckpointAck): void;
  /**
   * With checkpointing: the task's input ended and its operators finished; it waits for a final
   * checkpoint, which the JobManager now triggers on it directly.
   */
  reportEndOfInput(): void;
  declineCheckpoint(checkpointId: number, reason: string): void;
}

/** Counters of one task (Flink's task I/O and time metrics). */
export interface TaskMetrics {
  numRecordsIn: number;
  numRecordsOut: number;
  numBuffersIn: number;
  /** Serialized bytes received; batches handed over within a thread are not serialized: 0 bytes. */
  numBytesIn: number;
  /** Milliseconds spent working: records, timers, mail (Flink's accumulated busy time). */
  busyTimeMs: number;
  /** Milliseconds spent waiting for output credit (Flink's accumulated back-pressured time). */
  backPressuredTimeMs: number;
}

/** A sample of a task's metrics, with the ones computed when sampled. */
export interface TaskMetricsSnapshot extends TaskMetrics {
  /** Serialized bytes sent (see `numBytesIn`). */
  readonly numBytesOut: number;
  /** Milliseconds neither busy nor back-pressured since the task started. */
  readonly idleTimeMs: number;
}

const BATCH_MILLIS = 4;

/** The in-flight data of an unaligned checkpoint, appended to the task's state file. */
interface UnalignedTail {
  /** The encoded channel state; undefined when nothing was in flight. */
  readonly bytes: Uint8Array | undefined;
  readonly persistedData: number;
  readonly channelEdges: ChannelEdgeRef[];
}

/** An unaligned checkpoint snapshotted at its first barrier, waiting for its input channel state. */
interface PendingUnalignedCheckpoint {
  readonly checkpointId: number;
  readonly operatorIds: string[];
  readonly outputs: OutputChannelStateSnapshot[];
  /** Completes the state file's tail with the channel state, or fails its write. */
  readonly settle: (tail: UnalignedTail | Error) => void;
}

/**
 * One running subtask.
 *
 * @example
 * const task = new StreamTask(env); await task.start();
 */
export class StreamTask {
  readonly env: TaskEnvironment;
  readonly name: string;
  readonly metrics: TaskMetrics = {
    numRecordsIn: 0,
    numRecordsOut: 0,
    numBuffersIn: 0,
    numBytesIn: 0,
    busyTimeMs: 0,
    backPressuredTimeMs: 0,
  };
  readonly #createdAt = performance.now();
  /** When the task started waiting for output credit (while `#waitingForOutput`). */
  #backPressuredSince = 0;
  #state: 'CREATED' | 'RUNNING' | 'FINISHING' | TaskState = 'CREATED';
  readonly #operators: StreamOperator[] = [];
  readonly #operatorByNode = new Map<number, StreamOperator>();
  #head!: StreamOperator;
  #headIsTwoInput = false;
  #source: SourceOperator<unknown> | undefined;
  #gate: InputGate | undefined;
  readonly #writers: RecordWriter[] = [];
  readonly #writerOutputs: RecordWriterOutput[] = [];
  readonly #outputChannels = new Map<number, OutputChannel>();
  readonly #pts: SystemProcessingTimeService;
  readonly #mail: Array<() => void> = [];
  #scheduled = false;
  #flushTimer: NodeJS.Timeout | undefined;
  readonly #record = new StreamRecord<unknown>(undefined);
  #waitingForOutput = false;
  #barriers: CheckpointBarrierHandler | undefined;
  /** stop-with-savepoint: the source ends when this checkpoint completes. */
  #stopAfter: { checkpointId: number; drain: boolean } | undefined;
  /**
   * Stop-with-savepoint without drain, from its barrier on: the task ends once the savepoint is
   * complete (`notified`) and its inputs ended, skipping end-of-input processing.
   */
  #quietStop: { checkpointId: number; notified: boolean; inputsEnded: boolean } | undefined;
  /** The stop-with-savepoint whose barrier this task passed on (its end needs no final checkpoint). */
  #stopSavepoint: number | undefined;
  /**
   * With checkpointing, from the end of input on (Flink's final checkpoint, FLIP-147): the task
   * has finished its operators and sent end-of-partition, and stays until a checkpoint it took
   * part in from here completes — so that what its operators hand over at the end (a sink's last
   * transaction) is committed exactly once, and a later failover restores it as ended. `reported`:
   * the JobManager was told (it then triggers this task directly); `checkpoints`: the ids of the
   * checkpoints (not savepoints) snapshotted since.
   */
  #final: { reported: boolean; readonly checkpoints: Set<number> } | undefined;
  /** Operator ids of the chain, in chain order. */
  #operatorIds: string[] = [];
  /** Unaligned checkpoints: the edge of each writer (same order as #writers). */
  readonly #writerEdges: Array<ChannelEdgeRef & { readonly targetParallelism: number }> = [];
  /** Unaligned checkpoint taken at its first barrier, waiting for the input channel state. */
  #pendingUnaligned: PendingUnalignedCheckpoint | undefined;
  /** Checkpoints whose state file is being written, and those of them the coordinator aborted. */
  readonly #writing = new Set<number>();
  readonly #aborted = new Set<number>();
  /** `numBytesIn` when the first barrier of a checkpoint arrived (for `processedData`). */
  readonly #alignmentStart = new Map<number, number>();
  /** The newest checkpoint this task took a snapshot for (ids only grow). */
  #lastSnapshot = 0;
  /**
   * State files being written (each settles after its acknowledgement or decline is sent). A task
   * reports FINISHED only after them: the coordinator ignores acknowledgements of finished tasks,
   * and a task that finished right after its snapshot (a source emitting its last records while
   * its file is written) must not lose its part of the checkpoint.
   */
  readonly #stateWrites = new Set<Promise<void>>();
  /** In-flight data restored from an unaligned checkpoint, replayed before any new input. */
  #restoredInFlight:
    | {
        readonly checkpoint: string;
        readonly inputs: OldChannelState<InputChannelStateSnapshot>[];
        readonly outputs: OldChannelState<OutputChannelStateSnapshot>[];
      }
    | undefined;

  constructor(env: TaskEnvironment) {
    this.env = env;
    const { vertex, deployment } = env;
    this.name = `${vertex.name} (${deployment.subtaskIndex + 1}/${vertex.parallelism})`;
    this.#pts = new SystemProcessingTimeService((action) => this.mailbox(action));
  }

  get state(): string {
    return this.#state;
  }

  /** Runs an action in this task's mailbox (before the next batch of input). */
  mailbox(action: () => void): void {
    this.#mail.push(action);
    this.#schedule();
  }

  /** A data buffer arrived for one of this task's input channels. */
  onBuffer(channelId: number, buffer: Uint8Array): void {
    this.#gate?.onBuffer(channelId, buffer);
    this.#schedule();
  }

  /**
   * A priority event (an unaligned checkpoint barrier) arrived for an input channel: it is
   * handled now, ahead of the buffers queued on the channel (the mailbox is not running).
   */
  onPriorityEvent(channelId: number, buffer: Uint8Array): void {
    const channel = this.#gate?.byId.get(channelId);
    if (channel === undefined) return;
    const { events } = this.env.codec.decode(buffer);
    const event = events?.[1];
    if (typeof event !== 'object' || event.kind !== 'barrier') return;
    if (this.#state !== 'RUNNING') {
      this.env.declineCheckpoint(event.checkpointId, `task ${this.name} is ${this.#state}`);
      return;
    }
    try {
      this.#barriers!.onPriorityBarrier(channel, event);
    } catch (e) {
      this.#fail(e);
    }
    this.#schedule();
  }

  /** A credit arrived for one of this task's output channels. */
  onCredit(channelId: number, n: number): void {
    this.#outputChannels.get(channelId)?.onCredit(n);
  }

  /** An event from an operator coordinator (split assignment). */
  onOperatorEvent(nodeId: number, event: OperatorEvent): void {
    this.mailbox(() => this.#operatorByNode.get(nodeId)?.handleOperatorEvent?.(event));
  }

  /** Input channel ids of this task. */
  inputChannelIds(): number[] {
    return this.env.deployment.inputs.map((i) => i.channelId);
  }

  /** Output channel ids of this task. */
  outputChannelIds(): number[] {
    return [...this.#outputChannels.keys()];
  }

  async start(): Promise<void> {
    try {
      this.#build();
      const restore = this.env.deployment.restore;
      if (restore !== undefined) await this.#restore(restore);
      for (let i = this.#operators.length - 1; i >= 0; i--) await this.#operators[i]!.open();
      if (this.#state !== 'CREATED') return;
      this.#replayInFlight();
      this.#state = 'RUNNING';
      this.env.reportState('RUNNING');
      this.#schedule();
    } catch (e) {
      this.#fail(e);
    }
  }

  /** Stops the task without finishing its operators. */
  async cancel(): Promise<void> {
    if (this.#state === 'FINISHED' || this.#state === 'FAILED' || this.#state === 'CANCELED') return;
    this.#state = 'CANCELED';
    await this.#closeAll();
    this.env.reportState('CANCELED');
  }

  #build(): void {
    const { graph, vertex, deployment, settings } = this.env;
    const chain = new Set(vertex.nodeIds);
    const channelSettings: OutputChannelSettings = {
      codec: this.env.codec,
      sender: this.env.network,
      bufferSize: settings.bufferSize,
      initialCredit: settings.creditsPerChannel,
      bufferTimeout: settings.bufferTimeout,
      onPending: () => this.#armFlushTimer(),
      onAvailable: () => {
        if (this.#waitingForOutput) {
          this.#waitingForOutput = false;
          this.metrics.backPressuredTimeMs += performance.now() - this.#backPressuredSince;
          this.#schedule();
        }
      },
    };
    const outputsByEdge = new Map(deployment.outputs.map((o) => [o.edgeId, o]));
    // Build from the tail so downstream operators exist when upstream outputs are wired.
    const nodes = vertex.nodeIds.map((id) => graph.nodes[id]!);
    const created = new Map<number, StreamOperator>();
    for (const node of nodes) {
      const factory = node.factory as StreamOperatorFactory;
      created.set(node.id, factory.createOperator());
    }
    for (let i = nodes.length - 1; i >= 0; i--) {
      const node = nodes[i]!;
      const main: Output[] = [];
      const sides = new Map<string, Output[]>();
      for (const edge of node.outEdges) {
        let out: Output;
        if (chain.has(edge.target)) {
          out = new ChainingOutput(created.get(edge.target)!, edge.typeNumber);
        } else {
          const dep = outputsByEdge.get(edge.id);
          if (dep === undefined) throw new Error(`no deployment for output edge ${edge.id}`);
          const channels = dep.channels.map((c) => {
            const ch = new OutputChannel(c.channelId, c.targetSlot, channelSettings);
            this.#outputChannels.set(c.channelId, ch);
            return ch;
          });
          const target = graph.nodes[edge.target]!;
          const writer = new RecordWriter(
            channels,
            edge.partitioner,
            target.maxParallelism,
            deployment.subtaskIndex,
            `"${target.name}"${target.uid === undefined ? '' : ` (uid: ${target.uid})`}`,
          );
          this.#writers.push(writer);
          this.#writerEdges.push({
            edgeId: edge.id,
            sourceOperatorId: node.operatorId,
            targetOperatorId: target.operatorId,
            targetParallelism: target.parallelism,
          });
          const wo = new RecordWriterOutput(writer);
          this.#writerOutputs.push(wo);
          out = wo;
        }
        if (edge.outputTag === undefined) main.push(out);
        else {
          const list = sides.get(edge.outputTag) ?? [];
          list.push(out);
          sides.set(edge.outputTag, list);
        }
      }
      const op = created.get(node.id)!;
      // A single main output needs no router (the common case): one call less per record and hop.
      const output = main.length === 1 && sides.size === 0 ? main[0]! : new OutputRouter(main, sides);
      op.setup(this.#context(node, output));
      this.#operators[i] = op;
      this.#operatorByNode.set(node.id, op);
    }
    this.#head = this.#operators[0]!;
    this.#headIsTwoInput = nodes[0]!.kind === 'two-input';
    if (this.#head instanceof SourceOperator) this.#source = this.#head as SourceOperator<unknown>;
    else {
      const channels = deployment.inputs.map((i) => new InputChannel(i.channelId, i.input, i.sourceSlot));
      this.#gate = new InputGate(channels, this.env.network);
      this.#barriers = new CheckpointBarrierHandler(
        this.#gate,
        this.env.settings.checkpointMode === 'EXACTLY_ONCE',
        (barrier) => this.#performCheckpoint(barrier, false),
        (id, reason) => this.env.declineCheckpoint(id, reason),
        this.#unaligned
          ? {
              codec: this.env.codec,
              snapshot: (barrier) => this.#performCheckpoint(barrier, true),
              complete: (barrier, inputs) => this.#completeUnaligned(barrier, inputs),
              alignmentTimeout: {
                ms: this.env.settings.alignedCheckpointTimeout ?? 0,
                after: (delayMs, action) => {
                  const timer = setTimeout(() => this.mailbox(action), delayMs);
                  timer.unref();
                  return () => clearTimeout(timer);
                },
              },
            }
          : undefined,
      );
    }
    this.#operatorIds = nodes.map((n) => n.operatorId);
  }

  #context(node: StreamNode, output: Output): OperatorContext {
    const { vertex, deployment, settings } = this.env;
    const keyed = node.keySelectors.some((k) => k !== undefined);
    return {
      jobId: deployment.jobId,
      taskName: this.name,
      operatorName: node.name,
      uid: node.uid,
      operatorId: node.operatorId,
      checkpointingEnabled: settings.checkpointingEnabled,
      awaitsFinalCheckpoint: () => this.#final !== undefined,
      subtaskIndex: deployment.subtaskIndex,
      parallelism: vertex.parallelism,
      maxParallelism: node.maxParallelism,
      attemptNumber: deployment.attempt,
      output,
      keySelectors: node.keySelectors,
      keyedBackend: keyed
        ? createKeyedStateBackend(settings.stateBackend, {
            maxParallelism: node.maxParallelism,
            keyGroupRange: keyGroupRangeForOperator(
              node.maxParallelism,
              node.parallelism,
              deployment.subtaskIndex,
            ),
            clock: () => this.#pts.now(),
            jobId: deployment.jobId,
            operatorId: node.operatorId,
            subtaskIndex: deployment.subtaskIndex,
            options: settings.stateBackendOptions,
          })
        : undefined,
      operatorState: new OperatorStateStore(),
      processingTime: this.#pts,
      autoWatermarkInterval: settings.autoWatermarkInterval,
      mailbox: (action) => this.mailbox(action),
      failTask: (error) => this.#fail(error),
      print: (text, stream) => this.env.print(text, stream),
      emitToClient: (values, batch) => this.env.emitToClient(values, batch),
      sendOperatorEvent: (event) => this.env.sendOperatorEvent(node.id, event),
    };
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#run();
    });
  }

  /** Output credit ran out: the task waits (back-pressured) until a channel is available again. */
  #waitForOutput(): void {
    if (!this.#waitingForOutput) this.#backPressuredSince = performance.now();
    this.#waitingForOutput = true;
  }

  /** The task's counters now, with bytes sent and idle time computed. */
  sampleMetrics(): TaskMetricsSnapshot {
    const now = performance.now();
    const backPressured =
      this.metrics.backPressuredTimeMs + (this.#waitingForOutput ? now - this.#backPressuredSince : 0);
    let bytesOut = 0;
    for (const w of this.#writers) for (const c of w.channels) bytesOut += c.bytesOut;
    return {
      ...this.metrics,
      backPressuredTimeMs: Math.round(backPressured),
      busyTimeMs: Math.round(this.metrics.busyTimeMs),
      numBytesOut: bytesOut,
      idleTimeMs: Math.max(0, Math.round(now - this.#createdAt - this.metrics.busyTimeMs - backPressured)),
    };
  }

  #outputsAvailable(): boolean {
    for (const w of this.#writers) for (const c of w.channels) if (!c.available) return false;
    return true;
  }

  #run(): void {
    const started = performance.now();
    try {
      while (this.#mail.length > 0 && (this.#state === 'RUNNING' || this.#state === 'FINISHING')) {
        this.#mail.shift()!();
      }
      if (this.#state !== 'RUNNING') return;
      if (!this.#outputsAvailable()) {
        this.#waitForOutput();
        return;
      }
      if (this.#source !== undefined) this.#runSource(this.#source);
      else this.#runInput(this.#gate!);
    } catch (e) {
      this.#fail(e);
    } finally {
      this.metrics.busyTimeMs += performance.now() - started;
    }
  }

  #runSource(source: SourceOperator<unknown>): void {
    if (this.#stopAfter !== undefined) return;
    const deadline = performance.now() + BATCH_MILLIS;
    const before = source.recordsOut;
    let status: string = 'MORE_AVAILABLE';
    const previous = enterOperator(source as unknown as StateOwner);
    try {
      do {
        status = source.emitNext();
      } while (status === 'MORE_AVAILABLE' && this.#outputsAvailable() && performance.now() < deadline);
    } finally {
      enterOperator(previous);
    }
    this.metrics.numRecordsOut += source.recordsOut - before;
    if (status === 'END_OF_INPUT') {
      void this.#finish();
    } else if (status === 'NOTHING_AVAILABLE') {
      this.#flushAll();
      source.isAvailable().then(
        () => this.#schedule(),
        (e: unknown) => this.#fail(e),
      );
    } else if (this.#outputsAvailable()) {
      this.#schedule();
    } else {
      this.#waitForOutput();
    }
  }

  #runInput(gate: InputGate): void {
    try {
      this.#consumeInput(gate);
    } finally {
      gate.announceCredits();
    }
  }

  #consumeInput(gate: InputGate): void {
    const deadline = performance.now() + BATCH_MILLIS;
    while (this.#state === 'RUNNING') {
      const channel = gate.nextChannel();
      if (channel === undefined) break;
      this.#processChannel(gate, channel, deadline);
      gate.done(channel);
      if (!this.#outputsAvailable()) {
        this.#waitForOutput();
        return;
      }
      if (performance.now() >= deadline) break;
    }
    if (this.#state !== 'RUNNING') return;
    if (gate.allFinished) {
      void this.#finish();
      return;
    }
    if (gate.hasData) this.#schedule();
    else this.#flushAll();
  }

  /**
   * Consumes the rest of the channel's current buffer (or its next one). Stops early, keeping
   * its position, when a checkpoint barrier blocks the channel or the batch's time (`deadline`) is up.
   */
  #processChannel(gate: InputGate, channel: InputChannel, deadline: number): void {
    let cursor = channel.cursor;
    if (cursor === undefined) {
      const buffer = channel.queue.shift()!;
      this.metrics.numBuffersIn++;
      this.metrics.numBytesIn += buffer.byteLength;
      cursor = { decoded: this.env.codec.decode(buffer), record: 0, event: 0 };
      channel.cursor = cursor;
    }
    const { values, timestamps, kinds, events } = cursor.decoded;
    const head = this.#head;
    const input = channel.input;
    const record = this.#record;
    const n = values.length;
    const first = cursor.record;
    const previous = enterOperator(head as unknown as StateOwner);
    let ev = cursor.event;
    let nextEvent = events !== null && ev < events.length ? (events[ev] as number) : -1;
    let i = first;
    try {
      for (; i < n; i++) {
        // A slow operator yields within a buffer too (checked every 256 records), so that a whole
        // buffer's work does not hold back the mailbox, priority events (unaligned barriers) and
        // I/O completions (checkpoint files being written).
        if ((i & 255) === 255 && i > first && performance.now() >= deadline) {
          cursor.record = i;
          cursor.event = ev;
          this.metrics.numRecordsIn += i - first;
          return;
        }
        while (i === nextEvent) {
          const block = this.#handleEvent(channel, events![ev + 1] as StreamEvent);
          ev += 2;
          nextEvent = ev < events!.length ? (events![ev] as number) : -1;
          if (block) {
            cursor.record = i;
            cursor.event = ev;
            this.metrics.numRecordsIn += i - first;
            return;
          }
        }
        record.value = values[i];
        record.timestamp = timestamps === null ? undefined : timestamps[i];
        record.kind = kinds === null ? 0 : kinds[i]!;
        if (!this.#headIsTwoInput) head.processElement(record);
        else if (input === 1) head.processElement1(record);
        else head.processElement2(record);
      }
    } catch (e) {
      throw operatorError(head.ctx, e, `record ${describeRecord(values[i])}`);
    } finally {
      enterOperator(previous);
    }
    this.metrics.numRecordsIn += n - first;
    while (events !== null && ev < events.length) {
      const block = this.#handleEvent(channel, events[ev + 1] as StreamEvent);
      ev += 2;
      if (block) {
        cursor.record = n;
        cursor.event = ev;
        return;
      }
    }
    channel.cursor = undefined;
    gate.release(channel);
  }

  /** Handles an in-band event; returns true when the channel must stop being consumed. */
  #handleEvent(channel: InputChannel, event: StreamEvent): boolean {
    const gate = this.#gate!;
    const valve = gate.valves[channel.input - 1]!;
    switch (event.kind) {
      case 'watermark': {
        if (this.#quietStop !== undefined) return false;
        channel.watermark = event.timestamp;
        const wm = valve.combined();
        if (wm !== undefined) this.#head.processWatermark(wm, channel.input);
        return false;
      }
      case 'watermark-status': {
        if (this.#quietStop !== undefined) return false;
        channel.idle = event.idle;
        const change = valve.idleChange();
        if (change !== undefined) this.#head.processWatermarkStatus(change, channel.input);
        const wm = valve.combined();
        if (wm !== undefined) this.#head.processWatermark(wm, channel.input);
        return false;
      }
      case 'end-of-partition': {
        channel.watermark = MAX_WATERMARK;
        gate.finishChannel(channel);
        // After a stop-without-drain barrier the end of the inputs is not the end of the data:
        // no final watermark (it would fire timers whose output the savepoint does not cover).
        if (this.#quietStop === undefined) {
          const wm = valve.combined();
          if (wm !== undefined) this.#head.processWatermark(wm, channel.input);
        }
        this.#barriers?.onChannelFinished();
        return false;
      }
      case 'barrier':
        if (event.checkpointId > this.#lastSnapshot && !this.#alignmentStart.has(event.checkpointId))
          this.#alignmentStart.set(event.checkpointId, this.metrics.numBytesIn);
        return this.#barriers!.onBarrier(channel, event);
      default: {
        const never: never = event;
        throw new Error(`unknown event ${JSON.stringify(never)}`);
      }
    }
  }

  /** Source tasks: the coordinator triggers a checkpoint (in order with split assignments). */
  triggerCheckpoint(barrier: Barrier, stop: { drain: boolean } | undefined): void {
    this.mailbox(() => {
      if (this.#state === 'FINISHING') {
        // Waiting for its final checkpoint: the task snapshots its ended operators (no barrier
        // goes downstream: its outputs ended). Still finishing: the JobMaster triggers it again
        // once it reports its end of input (or stops waiting for it when it reports FINISHED).
        const final = this.#final;
        // (It may have taken this checkpoint at its barrier, before its end: the acknowledgement,
        // sent once the file is written, can reach the JobManager after the end-of-input report.)
        if (final?.reported === true && barrier.checkpointId > this.#lastSnapshot) {
          if (this.#performCheckpoint(barrier, false) && !barrier.savepoint)
            final.checkpoints.add(barrier.checkpointId);
        }
        return;
      }
      const source = this.#source;
      if (this.#state !== 'RUNNING' || source === undefined) {
        this.env.declineCheckpoint(barrier.checkpointId, `task ${this.name} is ${this.#state}`);
        return;
      }
      if (stop?.drain === true) {
        // Drain: every event-time timer fires before the barrier, so the savepoint holds their
        // output (and a job resumed from it does not fire them again).
        const previous = enterOperator(source as unknown as StateOwner);
        try {
          source.emitFinalWatermark();
        } finally {
          enterOperator(previous);
        }
      }
      // stop-with-savepoint: the source stops reading (records and watermarks) now and ends once
      // the savepoint is complete (so the job cannot finish before it).
      // Sources start a checkpoint unaligned, unless it starts aligned (an alignment timeout).
      const unaligned =
        this.#unaligned && !barrier.savepoint && (this.env.settings.alignedCheckpointTimeout ?? 0) <= 0;
      if (this.#performCheckpoint(barrier, unaligned) && stop !== undefined) {
        this.#stopAfter = { checkpointId: barrier.checkpointId, drain: stop.drain };
        source.suspendWatermarks(true);
      }
    });
  }

  /** The coordinator completed a checkpoint: operators may commit side effects. */
  notifyCheckpointComplete(checkpointId: number): void {
    this.mailbox(() => {
      void (async () => {
        for (const op of this.#operators) await op.notifyCheckpointComplete(checkpointId);
        if (this.#final?.checkpoints.has(checkpointId) === true) {
          await this.#finished();
          return;
        }
        const quiet = this.#quietStop;
        if (quiet !== undefined && quiet.checkpointId === checkpointId) {
          quiet.notified = true;
          if (quiet.inputsEnded) await this.#finish();
        }
        const stop = this.#stopAfter;
        if (stop !== undefined && stop.checkpointId === checkpointId && this.#source !== undefined) {
          this.#stopAfter = undefined;
          // With drain the final watermark went out before the barrier; without, none follows.
          this.#source.emitMaxWatermarkAtEnd = false;
          await this.#finish();
        }
      })().catch((e: unknown) => this.#fail(e));
    });
  }

  /** The coordinator gave up on a checkpoint. */
  notifyCheckpointAborted(checkpointId: number): void {
    this.mailbox(() => {
      this.#barriers?.abort(checkpointId);
      if (this.#stopAfter?.checkpointId === checkpointId) {
        this.#stopAfter = undefined;
        this.#source?.suspendWatermarks(false);
      }
      if (this.#quietStop?.checkpointId === checkpointId) this.#quietStop = undefined;
      if (this.#stopSavepoint === checkpointId) this.#stopSavepoint = undefined;
      if (this.#writing.has(checkpointId)) this.#aborted.add(checkpointId);
      if (this.#pendingUnaligned?.checkpointId === checkpointId) {
        this.#pendingUnaligned.settle(new Error(`checkpoint ${checkpointId} was aborted`));
        this.#pendingUnaligned = undefined;
      }
      for (const op of this.#operators) op.notifyCheckpointAborted(checkpointId);
    });
  }

  /** Unaligned checkpoints are on (exactly-once only); savepoints are aligned all the same. */
  get #unaligned(): boolean {
    const s = this.env.settings;
    return s.unalignedCheckpoints === true && s.checkpointMode === 'EXACTLY_ONCE';
  }

  /**
   * Unaligned checkpoint, after the operators' snapshot: the barrier overtakes every output
   * channel's backlog, which becomes the output channel state.
   */
  #overtake(barrier: Barrier, operatorIds: string[]): OutputChannelStateSnapshot[] {
    const outputs: OutputChannelStateSnapshot[] = [];
    this.#writers.forEach((writer, w) => {
      const edge = this.#writerEdges[w]!;
      writer.channels.forEach((channel, channelIndex) => {
        const buffers = channel.overtake(barrier);
        if (buffers.length === 0) return;
        outputs.push({
          edgeId: edge.edgeId,
          sourceOperatorId: edge.sourceOperatorId,
          targetOperatorId: edge.targetOperatorId,
          channelIndex,
          targetParallelism: edge.targetParallelism,
          buffers,
        });
      });
      if (outputs.some((o) => o.edgeId === edge.edgeId) && !operatorIds.includes(edge.sourceOperatorId))
        operatorIds.push(edge.sourceOperatorId);
    });
    return outputs;
  }

  /**
   * The in-flight data of an unaligned checkpoint, once complete: what the barrier overtook on
   * the outputs and what arrived on each input before its barrier.
   */
  #unalignedTail(outputs: OutputChannelStateSnapshot[], inputs: InputChannelStateSnapshot[]): UnalignedTail {
    const channelState: ChannelStateSnapshot = { inputs, outputs };
    const persistedData = channelStateSize(channelState);
    const edges = new Map<number, ChannelEdgeRef>();
    for (const c of [...inputs, ...outputs]) {
      edges.set(c.edgeId, {
        edgeId: c.edgeId,
        sourceOperatorId: c.sourceOperatorId,
        targetOperatorId: c.targetOperatorId,
      });
    }
    return {
      bytes: persistedData === 0 ? undefined : appendChannelState(new Uint8Array(0), channelState),
      persistedData,
      channelEdges: [...edges.values()],
    };
  }

  /** Every input channel's barrier arrived: the unaligned checkpoint's channel state is complete. */
  #completeUnaligned(barrier: Barrier, recorded: readonly RecordedInputChannel[]): void {
    const pending = this.#pendingUnaligned;
    if (pending === undefined || pending.checkpointId !== barrier.checkpointId) return;
    this.#pendingUnaligned = undefined;
    const { deployment } = this.env;
    const byChannel = new Map(deployment.inputs.map((i) => [i.channelId, i]));
    const inputs: InputChannelStateSnapshot[] = [];
    for (const r of recorded) {
      if (r.buffers.length === 0) continue;
      const d = byChannel.get(r.channel.id);
      const edge = d?.edgeId === undefined ? undefined : this.#inputEdge(d.edgeId);
      if (d === undefined || edge === undefined || d.sourceSubtask === undefined) {
        pending.settle(
          new Error(
            `input channel ${r.channel.id} of task ${this.name} has in-flight data but no edge in its deployment`,
          ),
        );
        return;
      }
      inputs.push({ ...edge, input: d.input, sourceSubtask: d.sourceSubtask, buffers: r.buffers });
    }
    if (inputs.length > 0 && !pending.operatorIds.includes(this.#operatorIds[0]!))
      pending.operatorIds.push(this.#operatorIds[0]!);
    pending.settle(this.#unalignedTail(pending.outputs, inputs));
  }

  /** The edge into this task's head with StreamEdge id `edgeId`. */
  #inputEdge(edgeId: number): ChannelEdgeRef | undefined {
    const { graph, vertex } = this.env;
    const e = vertex.inputs.find((x) => x.id === edgeId);
    if (e === undefined) return undefined;
    return {
      edgeId,
      sourceOperatorId: graph.nodes[e.sourceNode]!.operatorId,
      targetOperatorId: graph.nodes[e.targetNode]!.operatorId,
    };
  }

  /**
   * Takes this task's snapshot at the barrier, in two phases. At the barrier, synchronously (the
   * task is blocked): every operator's state is copied, except keyed state, which is only pinned
   * (copy-on-write maps, or a read transaction), and the barrier goes downstream — in unaligned
   * mode (never for savepoints) ahead of the output backlog, which becomes output channel state.
   * After it, asynchronously (records keep flowing; the writer yields between slices): the keyed
   * state is encoded and written in slices, an unaligned checkpoint's channel state is appended
   * once every input's barrier has arrived, and the file is durable before the checkpoint is
   * acknowledged.
   */
  #performCheckpoint(barrier: Barrier, unalignedSnapshot: boolean): boolean {
    const { deployment, vertex } = this.env;
    const id = barrier.checkpointId;
    // A task waiting for its final checkpoint has no output left to overtake or to send a barrier on.
    const ended = this.#final !== undefined;
    const unaligned = unalignedSnapshot && !ended;
    const started = performance.now();
    const alignedFrom = this.#alignmentStart.get(id);
    const processedData = alignedFrom === undefined ? 0 : this.metrics.numBytesIn - alignedFrom;
    this.#lastSnapshot = Math.max(this.#lastSnapshot, id);
    for (const c of this.#alignmentStart.keys()) if (c <= id) this.#alignmentStart.delete(c);
    /** Operators with state: only they must find a place in a job restored from this. */
    const operatorIds: string[] = [];
    const keyed: PinnedOperatorKeyedState[] = [];
    const operators: Record<string, OperatorSnapshot> = {};
    try {
      this.#operators.forEach((op, i) => {
        const operatorId = this.#operatorIds[i]!;
        const before = keyed.length;
        const snapshot = op.snapshotState(id, barrier.timestamp, (pinned) =>
          keyed.push({ operatorId, pinned }),
        );
        if (Object.keys(snapshot).length === 0 && keyed.length === before) return;
        operators[operatorId] = snapshot;
        operatorIds.push(operatorId);
      });
    } catch (e) {
      for (const k of keyed) k.pinned.release();
      // A snapshot that cannot be taken fails the checkpoint, not the task: the coordinator
      // counts it against the tolerable failures and aborts it (which releases the alignment of
      // downstream tasks waiting for this task's barrier).
      this.env.declineCheckpoint(id, e instanceof Error ? e.message : String(e));
      return false;
    }
    let tail: Promise<UnalignedTail> | undefined;
    if (unaligned) {
      const outputs = this.#overtake(barrier, operatorIds);
      if (this.#gate === undefined) tail = Promise.resolve(this.#unalignedTail(outputs, []));
      else {
        let settle!: (t: UnalignedTail | Error) => void;
        tail = new Promise<UnalignedTail>((resolve, reject) => {
          settle = (t) => (t instanceof Error ? reject(t) : resolve(t));
        });
        // Awaited only after the keyed slices are written; a failure before then is handled there.
        tail.catch(() => {});
        this.#pendingUnaligned?.settle(new Error(`superseded by checkpoint ${id}`));
        this.#pendingUnaligned = { checkpointId: id, operatorIds, outputs, settle };
      }
    } else if (!ended) {
      for (const wo of this.#writerOutputs) wo.writer.broadcastEvent(barrier);
      this.#flushAll();
    }
    if (barrier.stop !== undefined) this.#stopSavepoint = id;
    if (barrier.stop === 'no-drain') {
      this.#quietStop = { checkpointId: id, notified: false, inputsEnded: false };
    }
    const syncDurationMs = performance.now() - started;
    const file = `${vertex.id}-${deployment.subtaskIndex}.state`;
    const header = {
      version: STATE_FORMAT_VERSION,
      checkpointId: id,
      vertexId: vertex.id,
      subtask: deployment.subtaskIndex,
      parallelism: vertex.parallelism,
      operators,
    };
    let inFlight: UnalignedTail | undefined;
    const written = writeTaskStateFile(join(barrier.targetDir, file), header, keyed, {
      // An aborted checkpoint, or a failed or cancelled attempt's, is of no use; a finishing
      // task's still is.
      cancelled: () =>
        this.#aborted.has(id)
          ? `checkpoint ${id} was aborted`
          : this.#state === 'FAILED' || this.#state === 'CANCELED'
            ? `task ${this.name} is ${this.#state}`
            : undefined,
      ...(tail === undefined
        ? {}
        : {
            tail: async () => {
              inFlight = await tail;
              return inFlight.bytes;
            },
          }),
    }).then(
      ({ bytes }) =>
        this.env.acknowledgeCheckpoint(id, {
          file,
          bytes,
          operatorIds,
          syncDurationMs,
          asyncDurationMs: performance.now() - started - syncDurationMs,
          processedData,
          ...(inFlight === undefined
            ? {}
            : {
                unaligned: true,
                persistedData: inFlight.persistedData,
                ...(inFlight.channelEdges.length === 0 ? {} : { channelEdges: inFlight.channelEdges }),
              }),
        }),
      (e: unknown) =>
        this.env.declineCheckpoint(
          id,
          `writing ${file} failed: ${e instanceof Error ? e.message : String(e)}`,
        ),
    );
    this.#stateWrites.add(written);
    this.#writing.add(id);
    void written.finally(() => {
      this.#stateWrites.delete(written);
      this.#writing.delete(id);
      this.#aborted.delete(id);
    });
    return true;
  }

  /** Loads the chain's operator state from the state files of the old subtasks. */
  async #restore(restore: TaskRestore): Promise<void> {
    const parts = new Map<string, OperatorSnapshot[]>();
    const origins = new Map<string, { subtasks: number[]; parallelism: number }>();
    const mine = new Set(this.#operatorIds);
    for (const f of restore.files) {
      if (!f.operatorIds.some((id) => mine.has(id))) continue;
      const snapshot = decodeTaskState(await readStateFile(restore.dir, f.file), join(restore.dir, f.file));
      const channels = snapshot.channelState;
      if (channels !== undefined) {
        this.#restoredInFlight ??= { checkpoint: restore.dir, inputs: [], outputs: [] };
        const inFlight = this.#restoredInFlight;
        const old = { oldSubtask: snapshot.subtask, oldParallelism: snapshot.parallelism };
        for (const state of channels.inputs)
          if (state.targetOperatorId === this.#operatorIds[0]) inFlight.inputs.push({ ...old, state });
        for (const state of channels.outputs)
          if (mine.has(state.sourceOperatorId)) inFlight.outputs.push({ ...old, state });
      }
      for (const [operatorId, state] of Object.entries(snapshot.operators)) {
        if (!mine.has(operatorId)) continue;
        const list = parts.get(operatorId) ?? [];
        list.push(state);
        parts.set(operatorId, list);
        const origin = origins.get(operatorId) ?? { subtasks: [], parallelism: snapshot.parallelism };
        origin.subtasks.push(snapshot.subtask);
        origins.set(operatorId, origin);
      }
    }
    this.#operators.forEach((op, i) => {
      const id = this.#operatorIds[i]!;
      const p = parts.get(id);
      if (p !== undefined) op.restoreState(p, origins.get(id));
    });
  }

  /**
   * After a restore from an unaligned checkpoint, before any new input: the output channel state
   * is sent again (ahead of anything this task emits now), then the input channel state is
   * processed (ahead of any new input), both redistributed if the parallelism changed.
   */
  #replayInFlight(): void {
    const inFlight = this.#restoredInFlight;
    if (inFlight === undefined) return;
    this.#restoredInFlight = undefined;
    const { graph, vertex, deployment, codec } = this.env;
    const subtask = deployment.subtaskIndex;
    for (const { oldParallelism, state } of restoredOutputEntries(
      inFlight.outputs,
      subtask,
      vertex.parallelism,
    )) {
      const w = this.#writerEdges.findIndex(
        (e) => e.edgeId === state.edgeId && e.sourceOperatorId === state.sourceOperatorId,
      );
      const writer = this.#writers[w];
      if (writer === undefined || this.#writerEdges[w]!.targetOperatorId !== state.targetOperatorId) {
        resolveChannelEdge(graph, state, inFlight.checkpoint);
        throw new Error(`edge ${state.edgeId} is not an output of task ${this.name}`);
      }
      const sameShape =
        oldParallelism === vertex.parallelism &&
        state.targetParallelism === this.#writerEdges[w]!.targetParallelism;
      for (const r of recordsOf(state.buffers, codec)) {
        writer.emitRestored(
          new StreamRecord(r.value, r.timestamp, r.kind),
          state.channelIndex,
          state.targetParallelism,
          sameShape,
        );
      }
    }
    const inputs = restoredInputRecords(
      inFlight.inputs,
      (ref) => resolveChannelEdge(graph, ref, inFlight.checkpoint),
      subtask,
      vertex.parallelism,
      codec,
      inFlight.checkpoint,
    );
    const head = this.#head;
    const record = this.#record;
    const previous = enterOperator(head as unknown as StateOwner);
    try {
      for (const { input, record: r } of inputs) {
        record.value = r.value;
        record.timestamp = r.timestamp;
        record.kind = r.kind;
        try {
          if (!this.#headIsTwoInput) head.processElement(record);
          else if (input === 1) head.processElement1(record);
          else head.processElement2(record);
        } catch (e) {
          throw operatorError(head.ctx, e, `restored in-flight record ${describeRecord(r.value)}`);
        }
      }
    } finally {
      enterOperator(previous);
    }
    this.metrics.numRecordsIn += inputs.length;
  }

  #armFlushTimer(): void {
    if (this.#flushTimer !== undefined || this.env.settings.bufferTimeout === 0) return;
    this.#flushTimer = setTimeout(() => {
      this.#flushTimer = undefined;
      this.mailbox(() => this.#flushAll());
    }, this.env.settings.bufferTimeout);
  }

  #flushAll(): void {
    for (const w of this.#writers) w.flush();
    if (this.#flushTimer !== undefined) {
      clearTimeout(this.#flushTimer);
      this.#flushTimer = undefined;
    }
  }

  async #finish(): Promise<void> {
    if (this.#state !== 'RUNNING') return;
    const quiet = this.#quietStop;
    if (quiet !== undefined && this.#source === undefined && !quiet.notified) {
      // Inputs ended after a stop barrier: wait for the savepoint's completion (its commits).
      quiet.inputsEnded = true;
      return;
    }
    this.#state = 'FINISHING';
    // After a stop-with-savepoint the savepoint is the last snapshot; otherwise, with
    // checkpointing, the task waits for a final checkpoint (see #final).
    if (this.env.settings.checkpointingEnabled && quiet === undefined && this.#stopSavepoint === undefined)
      this.#final = { reported: false, checkpoints: new Set() };
    try {
      if (quiet === undefined) for (const op of this.#operators) await op.finish();
      // Nothing may follow the end of partition: no processing-time timer fires any more (while
      // the task waits for its final checkpoint, say).
      this.#pts.quiesce();
      for (const wo of this.#writerOutputs) wo.endOfPartition();
      this.#flushAll();
      await this.#drainOutputs();
      if (this.#state !== 'FINISHING') return;
      if (this.#final !== undefined) {
        this.#final.reported = true;
        this.env.reportEndOfInput();
        return;
      }
      await this.#finished();
    } catch (e) {
      this.#fail(e);
    }
  }

  /** Closes the operators and reports FINISHED once the last state files are written. */
  async #finished(): Promise<void> {
    if (this.#state !== 'FINISHING') return;
    try {
      await this.#closeAll(true);
      await Promise.allSettled([...this.#stateWrites]);
      if (this.#state !== 'FINISHING') return;
      this.#state = 'FINISHED';
      this.env.reportState('FINISHED');
    } catch (e) {
      this.#fail(e);
    }
  }

  #drainOutputs(): Promise<void> {
    if (this.#outputsAvailable()) return Promise.resolve();
    return new Promise((resolve) => {
      const check = (): void => {
        if (this.#outputsAvailable() || this.#state !== 'FINISHING') resolve();
        else setTimeout(check, 1);
      };
      check();
    });
  }

  async #closeAll(throwErrors = false): Promise<void> {
    this.#pts.shutdown();
    if (this.#flushTimer !== undefined) clearTimeout(this.#flushTimer);
    let first: unknown;
    for (const op of this.#operators) {
      if (op === undefined) continue;
      try {
        await op.close();
      } catch (e) {
        first ??= e;
      }
    }
    // Keyed state backends hold resources (an embedded store's files and transactions).
    for (const op of this.#operators) {
      try {
        op?.ctx?.keyedBackend?.dispose();
      } catch (e) {
        first ??= e;
      }
    }
    if (throwErrors && first !== undefined) throw first;
  }

  #fail(error: unknown): void {
    if (this.#state === 'FAILED' || this.#state === 'CANCELED' || this.#state === 'FINISHED') return;
    this.#state = 'FAILED';
    const serialized = serializeError(error);
    void this.#closeAll().finally(() => this.env.reportState('FAILED', serialized));
  }
}
