// A TaskManager offers task slots. Each slot is a worker thread (or, in inline mode, a SlotRuntime
// in the calling thread); slots exchange data directly with each other, and with slots of other
// TaskManagers through the network attached in a standalone cluster.
import { availableParallelism } from 'node:os';
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import { SluiceError } from '../core/index.ts';
import type { NetworkMessage } from '../runtime/index.ts';
import type { SlotCommand, SlotReport } from './protocol.ts';
import { type InlineGraphResolver, SlotRuntime } from './slot-runtime.ts';
import type { TaskManagerGateway } from './task-manager-gateway.ts';

/** How slots run. */
export type SlotMode = 'threads' | 'inline';

/** Options of a TaskManager. */
export interface TaskManagerOptions {
  readonly slots: number;
  readonly mode: SlotMode;
  /** Whether workers need a TypeScript loader (engine or job written in TypeScript). */
  readonly typescript: boolean;
  readonly inlineGraphs?: InlineGraphResolver;
  /** Stable id (default `embedded`). */
  readonly resourceId?: string;
}

/** A data-plane message for a slot of another TaskManager: `to` is its global slot address. */
export type RemoteNetworkMessage = NetworkMessage & { readonly to: number };

/** The default number of slots: one per CPU core. */
export function defaultSlotCount(): number {
  return availableParallelism();
}

/**
 * Runs slots and relays between them and the JobManager.
 *
 * @example
 * const tm = await TaskManager.start({ slots: 2, mode: 'threads', typescript: true }, onReport);
 */
export class TaskManager implements TaskManagerGateway {
  readonly slots: number;
  readonly resourceId: string;
  readonly location: string = 'embedded';
  #slotBase = 0;
  readonly #workers: Worker[] = [];
  readonly #inline: SlotRuntime[] = [];
  /** Per slot: the port to its worker for messages from and to other TaskManagers. */
  readonly #networkPorts: MessagePort[] = [];
  #deliverInline: ((slot: number, message: NetworkMessage) => void) | undefined;
  #remote: ((message: RemoteNetworkMessage) => void) | undefined;
  #onReport: (report: SlotReport) => void;
  #closed = false;

  private constructor(slots: number, resourceId: string, onReport: (r: SlotReport) => void) {
    this.slots = slots;
    this.resourceId = resourceId;
    this.#onReport = onReport;
  }

  /** Starts the slots; resolves when every slot is ready. */
  static async start(options: TaskManagerOptions, onReport: (r: SlotReport) => void): Promise<TaskManager> {
    const tm = new TaskManager(options.slots, options.resourceId ?? 'embedded', onReport);
    if (options.mode === 'inline') tm.#startInline(options);
    else await tm.#startThreads(options);
    return tm;
  }

  get slotBase(): number {
    return this.#slotBase;
  }

  /**
   * Joins a standalone cluster's data plane: local slot `i` becomes address `base + i`, and
   * messages for addresses outside this TaskManager go to `remote` (the connections to its peers).
   * Call before any job is deployed.
   */
  attachNetwork(base: number, remote: (message: RemoteNetworkMessage) => void): void {
    this.#slotBase = base;
    this.#remote = remote;
    for (const port of this.#networkPorts) port.close();
    this.#workers.forEach((worker, slot) => {
      const { port1, port2 } = new MessageChannel();
      worker.postMessage({ t: 'network', base, slots: this.slots, port: port1 }, [port1]);
      port2.on('message', (m: RemoteNetworkMessage) => this.#remote?.(m));
      port2.unref();
      this.#networkPorts[slot] = port2;
    });
  }

  /** A data-plane message from another TaskManager for the slot at global `address`. */
  deliver(address: number, message: NetworkMessage): void {
    const slot = address - this.#slotBase;
    if (slot < 0 || slot >= this.slots) return;
    if (this.#deliverInline !== undefined) {
      this.#deliverInline(slot, message);
      return;
    }
    const port = this.#networkPorts[slot];
    if (port === undefined) return;
    if (message.t !== 'credit') port.postMessage(message, [message.buf.buffer as ArrayBuffer]);
    else port.postMessage(message);
  }

  /** Replaces the report handler (the JobManager's). */
  setReportHandler(handler: (r: SlotReport) => void): void {
    this.#onReport = handler;
  }

  #startInline(options: TaskManagerOptions): void {
    const queues = new Map<number, NetworkMessage[]>();
    let scheduled = false;
    const flush = (): void => {
      scheduled = false;
      for (const [slot, messages] of queues) {
        queues.delete(slot);
        for (const m of messages) this.#inline[slot]!.onNetworkMessage(m);
      }
    };
    const enqueue = (slot: number, message: NetworkMessage): void => {
      const q = queues.get(slot);
      if (q === undefined) queues.set(slot, [message]);
      else q.push(message);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    };
    this.#deliverInline = enqueue;
    for (let i = 0; i < options.slots; i++) {
      this.#inline.push(
        new SlotRuntime(
          i,
          {
            // Every slot of an inline TaskManager runs in this thread: batches between them skip
            // serialization (see LocalBatch); other TaskManagers are remote.
            isLocal: (address) => address - this.#slotBase >= 0 && address - this.#slotBase < this.slots,
            send: (address, message) => {
              const target = address - this.#slotBase;
              if (target < 0 || target >= this.slots) {
                this.#remote?.({ ...message, to: address });
                return;
              }
              enqueue(target, message);
            },
          },
          (report) => queueMicrotask(() => this.#onReport(report)),
          options.inlineGraphs,
        ),
      );
    }
  }

  #workerOptions: { typescript: boolean; mainUrl: string; bootstrap: URL } | undefined;

  /** Starts a slot's worker thread; resolves when it reports ready. */
  #spawnWorker(slot: number): Promise<Worker> {
    const o = this.#workerOptions!;
    const worker = new Worker(o.bootstrap, {
      workerData: { slot, typescript: o.typescript, mainUrl: o.mainUrl },
      // Slots share the process' stdio; job output travels as 'print' reports instead.
      stdout: false,
      stderr: false,
    });
    return new Promise<Worker>((resolve, reject) => {
      const onMessage = (m: SlotReport): void => {
        if (m.t === 'slot-ready') {
          worker.off('message', onMessage);
          worker.off('error', reject);
          resolve(worker);
        }
      };
      worker.on('message', onMessage);
      worker.once('error', reject);
    });
  }

  /** Wires a ready worker into the slot mesh and the report stream. */
  #attachWorker(slot: number, worker: Worker): void {
    this.#workers[slot] = worker;
    this.#workers.forEach((other, j) => {
      if (j === slot || other === undefined) return;
      const { port1, port2 } = new MessageChannel();
      worker.postMessage({ t: 'connect', slot: j, port: port1 }, [port1]);
      other.postMessage({ t: 'connect', slot, port: port2 }, [port2]);
    });
    worker.on('message', (m: SlotReport) => this.#onReport(m));
    worker.on('error', (e) => this.#onSlotLost(slot, e));
    worker.on('exit', (code) => {
      if (this.#closed || this.#workers[slot] !== worker) return;
      this.#onSlotLost(slot, new Error(`worker thread exited with code ${code}`));
      void this.#replaceWorker(slot);
    });
    if (this.#remote !== undefined) {
      const { port1, port2 } = new MessageChannel();
      worker.postMessage({ t: 'network', base: this.#slotBase, slots: this.slots, port: port1 }, [port1]);
      port2.on('message', (m: RemoteNetworkMessage) => this.#remote?.(m));
      port2.unref();
      this.#networkPorts[slot]?.close();
      this.#networkPorts[slot] = port2;
    }
  }

  /** Commands for slots whose worker is being replaced, sent once the new worker is ready. */
  readonly #queued = new Map<number, SlotCommand[]>();

  /** A slot's worker died: start a new one in its place (a restarted job can use it again). */
  async #replaceWorker(slot: number): Promise<void> {
    if (this.#closed) return;
    this.#queued.set(slot, this.#queued.get(slot) ?? []);
    try {
      const worker = await this.#spawnWorker(slot);
      if (this.#closed) {
        await worker.terminate();
        return;
      }
      this.#attachWorker(slot, worker);
      const queued = this.#queued.get(slot) ?? [];
      this.#queued.delete(slot);
      for (const command of queued) worker.postMessage(command);
    } catch (e) {
      this.#queued.delete(slot);
      this.#onSlotLost(slot, e);
    }
  }

  async #startThreads(options: TaskManagerOptions): Promise<void> {
    const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
    this.#workerOptions = {
      typescript: options.typescript || ext === '.ts',
      mainUrl: new URL(`./slot-worker-main${ext}`, import.meta.url).href,
      bootstrap: new URL('./slot-worker-bootstrap.mjs', import.meta.url),
    };
    const spawned = await Promise.allSettled(
      Array.from({ length: options.slots }, (_, i) => this.#spawnWorker(i)),
    );
    const failed = spawned.find((r) => r.status === 'rejected');
    if (failed !== undefined) {
      await Promise.all(spawned.flatMap((r) => (r.status === 'fulfilled' ? [r.value.terminate()] : [])));
      throw new SluiceError(
        'SLOT_START_FAILED',
        `a task slot's worker thread failed to start: ${String(failed.reason)}`,
        {
          origin: 'internal',
          cause: failed.reason,
        },
      );
    }
    spawned.forEach((r, slot) => {
      if (r.status === 'fulfilled') this.#attachWorker(slot, r.value);
    });
  }

  #onSlotLost(slot: number, error: unknown): void {
    if (this.#closed) return;
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    this.#onReport({
      t: 'slot-lost',
      slot,
      error: {
        name: 'SlotLostError',
        message: `task slot ${slot} (worker thread) was lost: ${message}`,
        stack: message,
      },
    });
  }

  /** Sends a command to a slot. */
  send(slot: number, command: SlotCommand): void {
    if (this.#inline.length > 0) {
      const runtime = this.#inline[slot]!;
      queueMicrotask(() => {
        void runtime.onCommand(command);
      });
    } else {
      const queued = this.#queued.get(slot);
      if (queued !== undefined) queued.push(command);
      else this.#workers[slot]!.postMessage(command);
    }
  }

  /** Stops every slot. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const port of this.#networkPorts) port.close();
    await Promise.all(this.#workers.map((w) => w.terminate()));
  }
}
