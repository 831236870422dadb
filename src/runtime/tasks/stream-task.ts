// A task runs one subtask of a vertex: its operator chain, its input gate and its output
// channels, as a mailbox: input buffers, timers and control actions are processed one at a time,
// in bounded batches, yielding to the event loop in between.
import {
  MAX_WATERMARK,
  type SerializedError,
  type StreamEvent,
  StreamRecord,
  serializeError,
} from '../../core/index.ts';
import type { JobVertex, StreamGraph, StreamNode } from '../../plan/index.ts';
import { HeapKeyedStateBackend, keyGroupRangeForOperator, OperatorStateStore } from '../../state/index.ts';
import type { BufferCodec } from '../network/buffer-codec.ts';
import { InputChannel, InputGate } from '../network/input-gate.ts';
import type { NetworkSender } from '../network/network-message.ts';
import { OutputChannel, type OutputChannelSettings } from '../network/output-channel.ts';
import { RecordWriter } from '../network/record-writer.ts';
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
  }[];
  /** Per output JobEdge: its channels in target-subtask order. */
  readonly outputs: readonly {
    readonly edgeId: number;
    readonly channels: readonly { readonly channelId: number; readonly targetSlot: number }[];
  }[];
}

/** Lifecycle states a task reports. */
export type TaskState = 'RUNNING' | 'FINISHED' | 'FAILED' | 'CANCELED';

/** Runtime settings of a task. */
export interface TaskSettings {
  readonly bufferTimeout: number;
  readonly bufferSize: number;
  readonly creditsPerChannel: number;
  readonly autoWatermarkInterval: number;
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
  emitToClient(values: unknown[]): void;
  sendOperatorEvent(nodeId: number, event: OperatorEvent): void;
}

/** Metrics of one task. */
export interface TaskMetrics {
  numRecordsIn: number;
  numRecordsOut: number;
  numBuffersIn: number;
}

const BATCH_MILLIS = 4;

/**
 * One running subtask.
 *
 * @example
 * const task = new StreamTask(env); await task.start();
 */
export class StreamTask {
  readonly env: TaskEnvironment;
  readonly name: string;
  readonly metrics: TaskMetrics = { numRecordsIn: 0, numRecordsOut: 0, numBuffersIn: 0 };
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
      for (let i = this.#operators.length - 1; i >= 0; i--) await this.#operators[i]!.open();
      if (this.#state !== 'CREATED') return;
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
      op.setup(this.#context(node, new OutputRouter(main, sides)));
      this.#operators[i] = op;
      this.#operatorByNode.set(node.id, op);
    }
    this.#head = this.#operators[0]!;
    this.#headIsTwoInput = nodes[0]!.kind === 'two-input';
    if (this.#head instanceof SourceOperator) this.#source = this.#head as SourceOperator<unknown>;
    else {
      const channels = deployment.inputs.map((i) => new InputChannel(i.channelId, i.input, i.sourceSlot));
      this.#gate = new InputGate(channels, this.env.network);
    }
  }

  #context(node: StreamNode, output: Output): OperatorContext {
    const { vertex, deployment, settings } = this.env;
    const keyed = node.keySelectors.some((k) => k !== undefined);
    return {
      jobId: deployment.jobId,
      taskName: this.name,
      operatorName: node.name,
      uid: node.uid,
      subtaskIndex: deployment.subtaskIndex,
      parallelism: vertex.parallelism,
      maxParallelism: node.maxParallelism,
      attemptNumber: deployment.attempt,
      output,
      keySelectors: node.keySelectors,
      keyedBackend: keyed
        ? new HeapKeyedStateBackend(
            node.maxParallelism,
            keyGroupRangeForOperator(node.maxParallelism, node.parallelism, deployment.subtaskIndex),
            () => this.#pts.now(),
          )
        : undefined,
      operatorState: new OperatorStateStore(),
      processingTime: this.#pts,
      autoWatermarkInterval: settings.autoWatermarkInterval,
      mailbox: (action) => this.mailbox(action),
      failTask: (error) => this.#fail(error),
      print: (text, stream) => this.env.print(text, stream),
      emitToClient: (values) => this.env.emitToClient(values),
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

  #outputsAvailable(): boolean {
    for (const w of this.#writers) for (const c of w.channels) if (!c.available) return false;
    return true;
  }

  #run(): void {
    try {
      while (this.#mail.length > 0 && (this.#state === 'RUNNING' || this.#state === 'FINISHING')) {
        this.#mail.shift()!();
      }
      if (this.#state !== 'RUNNING') return;
      if (!this.#outputsAvailable()) {
        this.#waitingForOutput = true;
        return;
      }
      if (this.#source !== undefined) this.#runSource(this.#source);
      else this.#runInput(this.#gate!);
    } catch (e) {
      this.#fail(e);
    }
  }

  #runSource(source: SourceOperator<unknown>): void {
    const deadline = performance.now() + BATCH_MILLIS;
    const before = source.recordsOut;
    let status: string = 'MORE_AVAILABLE';
    do {
      status = source.emitNext();
    } while (status === 'MORE_AVAILABLE' && this.#outputsAvailable() && performance.now() < deadline);
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
      this.#waitingForOutput = true;
    }
  }

  #runInput(gate: InputGate): void {
    const deadline = performance.now() + BATCH_MILLIS;
    while (gate.hasData && this.#state === 'RUNNING') {
      const next = gate.next()!;
      this.#processBuffer(next.channel, next.buffer);
      gate.release(next.channel);
      if (!this.#outputsAvailable()) {
        this.#waitingForOutput = true;
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

  #processBuffer(channel: InputChannel, buffer: Uint8Array): void {
    const { values, timestamps, kinds, events } = this.env.codec.decode(buffer);
    const head = this.#head;
    const input = channel.input;
    const record = this.#record;
    const n = values.length;
    let ev = 0;
    let nextEvent = events === null ? -1 : (events[0] as number);
    let i = 0;
    try {
      for (; i < n; i++) {
        while (i === nextEvent) {
          this.#handleEvent(channel, events![ev + 1] as StreamEvent);
          ev += 2;
          nextEvent = ev < events!.length ? (events![ev] as number) : -1;
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
    }
    this.metrics.numRecordsIn += n;
    while (events !== null && ev < events.length) {
      this.#handleEvent(channel, events[ev + 1] as StreamEvent);
      ev += 2;
    }
  }

  #handleEvent(channel: InputChannel, event: StreamEvent): void {
    const gate = this.#gate!;
    const valve = gate.valves[channel.input - 1]!;
    switch (event.kind) {
      case 'watermark': {
        channel.watermark = event.timestamp;
        const wm = valve.combined();
        if (wm !== undefined) this.#head.processWatermark(wm, channel.input);
        return;
      }
      case 'watermark-status': {
        channel.idle = event.idle;
        const change = valve.idleChange();
        if (change !== undefined) this.#head.processWatermarkStatus(change, channel.input);
        const wm = valve.combined();
        if (wm !== undefined) this.#head.processWatermark(wm, channel.input);
        return;
      }
      case 'end-of-partition': {
        channel.watermark = MAX_WATERMARK;
        gate.finishChannel(channel);
        const wm = valve.combined();
        if (wm !== undefined) this.#head.processWatermark(wm, channel.input);
        return;
      }
      default: {
        const never: never = event;
        throw new Error(`unknown event ${JSON.stringify(never)}`);
      }
    }
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
    this.#state = 'FINISHING';
    try {
      for (const op of this.#operators) await op.finish();
      for (const wo of this.#writerOutputs) wo.endOfPartition();
      this.#flushAll();
      await this.#drainOutputs();
      if (this.#state !== 'FINISHING') return;
      await this.#closeAll(true);
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
    if (throwErrors && first !== undefined) throw first;
  }

  #fail(error: unknown): void {
    if (this.#state === 'FAILED' || this.#state === 'CANCELED' || this.#state === 'FINISHED') return;
    this.#state = 'FAILED';
    const serialized = serializeError(error);
    void this.#closeAll().finally(() => this.env.reportState('FAILED', serialized));
  }
}
