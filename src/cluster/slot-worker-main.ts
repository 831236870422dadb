// The program of a slot's worker thread: a SlotRuntime connected to its TaskManager through the
// parent port and to every other slot through a direct MessagePort (the data plane).
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { SluiceError } from '../core/index.ts';
import type { NetworkMessage } from '../runtime/index.ts';
import type { SlotCommand } from './protocol.ts';
import { SlotRuntime } from './slot-runtime.ts';

interface SlotWorkerData {
  readonly slot: number;
}

const { slot } = workerData as SlotWorkerData;
const control = parentPort;
if (control === null)
  throw new SluiceError('NOT_A_WORKER', 'slot-worker-main must run in a worker thread', {
    origin: 'internal',
  });

const peers = new Map<number, MessagePort>();
const local: NetworkMessage[] = [];
let localScheduled = false;

const runtime = new SlotRuntime(
  slot,
  {
    send(targetSlot, message) {
      if (targetSlot === slot) {
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
      const port = peers.get(targetSlot);
      if (port === undefined)
        throw new SluiceError('NO_PEER', `slot ${slot} has no connection to slot ${targetSlot}`, {
          origin: 'internal',
        });
      if (message.t === 'data') port.postMessage(message, [message.buf.buffer as ArrayBuffer]);
      else port.postMessage(message);
    },
  },
  (report) => control.postMessage(report),
);

control.on('message', (msg: SlotCommand | { t: 'connect'; slot: number; port: MessagePort }) => {
  if (msg.t === 'connect') {
    peers.set(msg.slot, msg.port);
    msg.port.on('message', (m: NetworkMessage) => runtime.onNetworkMessage(m));
    return;
  }
  runtime.onCommand(msg).catch((e: unknown) => {
    process.stderr.write(`slot ${slot}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  });
});
control.postMessage({ t: 'slot-ready', slot });
