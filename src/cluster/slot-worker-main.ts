// The program of a slot's worker thread: a SlotRuntime connected to its TaskManager through the
// parent port, to every other slot of its TaskManager through a direct MessagePort, and (in a
// standalone cluster) to slots of other TaskManagers through the TaskManager's network port.
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { SluiceError } from '../core/index.ts';
import type { NetworkMessage } from '../runtime/index.ts';
import type { SlotCommand } from './protocol.ts';
import { SlotRuntime } from './slot-runtime.ts';

interface SlotWorkerData {
  readonly slot: number;
}

/** Control messages of the TaskManager to its worker that are not slot commands. */
type WorkerControl =
  | { t: 'connect'; slot: number; port: MessagePort }
  /** Data-plane address of local slot 0 and the port to the TaskManager's network (remote slots). */
  | { t: 'network'; base: number; slots: number; port: MessagePort };

const { slot } = workerData as SlotWorkerData;
const control = parentPort;
if (control === null)
  throw new SluiceError('NOT_A_WORKER', 'slot-worker-main must run in a worker thread', {
    origin: 'internal',
  });

const peers = new Map<number, MessagePort>();
const local: NetworkMessage[] = [];
let localScheduled = false;
// Slot addresses in deployments are global (TaskManager base + local index); base 0 and no
// network port in the embedded cluster.
let base = 0;
let localSlots = Number.POSITIVE_INFINITY;
let network: MessagePort | undefined;

const runtime = new SlotRuntime(
  slot,
  {
    isLocal: (targetSlot) => targetSlot - base === slot,
    send(targetSlot, message) {
      const target = targetSlot - base;
      if (target === slot) {
        local.push(message);
        if (!localScheduled) {
          localScheduled = true;
          setImmediate(() => {
            localScheduled = false;
            for (const m of local.splice(0)) runtime.onNetworkMessage(m);
          });
        }
        return;
      }
      const port = target >= 0 && target < localSlots ? peers.get(target) : network;
      if (port === undefined)
        throw new SluiceError('NO_PEER', `slot ${slot} has no connection to slot ${targetSlot}`, {
          origin: 'internal',
        });
      // Remote messages carry their target address; the TaskManager routes them to its peer.
      const m = port === network ? { ...message, to: targetSlot } : message;
      if (message.t !== 'credit') port.postMessage(m, [message.buf.buffer as ArrayBuffer]);
      else port.postMessage(m);
    },
  },
  (report) => control.postMessage(report),
);

control.on('message', (msg: SlotCommand | WorkerControl) => {
  if (msg.t === 'connect') {
    peers.set(msg.slot, msg.port);
    msg.port.on('message', (m: NetworkMessage) => runtime.onNetworkMessage(m));
    return;
  }
  if (msg.t === 'network') {
    base = msg.base;
    localSlots = msg.slots;
    network = msg.port;
    network.on('message', (m: NetworkMessage) => runtime.onNetworkMessage(m));
    return;
  }
  runtime.onCommand(msg).catch((e: unknown) => {
    process.stderr.write(`slot ${slot}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  });
});
control.postMessage({ t: 'slot-ready', slot });
