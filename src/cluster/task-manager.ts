// A TaskManager offers task slots. In the embedded cluster each slot is a worker thread (or, in
// inline mode, a SlotRuntime in the calling thread); slots exchange data directly with each other.
import { availableParallelism } from 'node:os';
import { MessageChannel, Worker } from 'node:worker_threads';
import { SluiceError } from '../core/index.ts';
import type { NetworkMessage } from '../runtime/index.ts';
import type { SlotCommand, SlotReport } from './protocol.ts';
import { type InlineGraphResolver, SlotRuntime } from './slot-runtime.ts';

/** How slots run. */
export type SlotMode = 'threads' | 'inline';

/** Options of a TaskManager. */
export interface TaskManagerOptions {
  readonly slots: number;
  readonly mode: SlotMode;
  /** Whether workers need a TypeScript loader (engine or job written in TypeScript). */
  readonly typescript: boolean;
  readonly inlineGraphs?: InlineGraphResolver;
}

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
export class TaskManager {
  readonly slots: number;
  readonly #workers: Worker[] = [];
  readonly #inline: SlotRuntime[] = [];
  #onReport: (report: SlotReport) => void;
  #closed = false;

  private constructor(slots: number, onReport: (r: SlotReport) => void) {
    this.slots = slots;
    this.#onReport = onReport;
  }

  /** Starts the slots; resolves when every slot is ready. */
  static async start(options: TaskManagerOptions, onReport: (r: SlotReport) => void): Promise<TaskManager> {
    const tm = new TaskManager(options.slots, onReport);
    if (options.mode === 'inline') tm.#startInline(options);
    else await tm.#startThreads(options);
    return tm;
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
    for (let i = 0; i < options.slots; i++) {
      this.#inline.push(
        new SlotRuntime(
          i,
          {
            send(target, message) {
              const q = queues.get(target);
              if (q === undefined) queues.set(target, [message]);
              else q.push(message);
              if (!scheduled) {
                scheduled = true;
                setImmediate(flush);
              }
            },
          },
          (report) => queueMicrotask(() => this.#onReport(report)),
          options.inlineGraphs,
        ),
      );
    }
  }

  async #startThreads(options: TaskManagerOptions): Promise<void> {
    const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
    const mainUrl = new URL(`./slot-worker-main${ext}`, import.meta.url).href;
    const bootstrap = new URL('./slot-worker-bootstrap.mjs', import.meta.url);
    const ready: Promise<void>[] = [];
    for (let i = 0; i < options.slots; i++) {
      const worker = new Worker(bootstrap, {
        workerData: { slot: i, typescript: options.typescript || ext === '.ts', mainUrl },
        // Slots share the process' stdio; job output travels as 'print' reports instead.
        stdout: false,
        stderr: false,
      });
      this.#workers.push(worker);
      ready.push(
        new Promise<void>((resolve, reject) => {
          const onMessage = (m: SlotReport): void => {
            if (m.t === 'slot-ready') {
              worker.off('message', onMessage);
              worker.off('error', reject);
              resolve();
            }
          };
          worker.on('message', onMessage);
          worker.once('error', reject);
        }),
      );
    }
    try {
      await Promise.all(ready);
    } catch (e) {
      await this.close();
      throw new SluiceError(
        'SLOT_START_FAILED',
        `a task slot's worker thread failed to start: ${String(e)}`,
        {
          origin: 'internal',
          cause: e,
        },
      );
    }
    for (let i = 0; i < this.#workers.length; i++) {
      for (let j = i + 1; j < this.#workers.length; j++) {
        const { port1, port2 } = new MessageChannel();
        this.#workers[i]!.postMessage({ t: 'connect', slot: j, port: port1 }, [port1]);
        this.#workers[j]!.postMessage({ t: 'connect', slot: i, port: port2 }, [port2]);
      }
    }
    this.#workers.forEach((worker, slot) => {
      worker.on('message', (m: SlotReport) => this.#onReport(m));
      worker.on('error', (e) => this.#onSlotLost(slot, e));
      worker.on('exit', (code) => {
        if (!this.#closed) this.#onSlotLost(slot, new Error(`worker thread exited with code ${code}`));
      });
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
      this.#workers[slot]!.postMessage(command);
    }
  }

  /** Stops every slot. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.#workers.map((w) => w.terminate()));
  }
}
