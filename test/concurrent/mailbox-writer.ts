/** Test worker: publishes versions 1, 2, … into a mailbox, every value of version k equal to k, until told to stop. */
import { workerData } from 'node:worker_threads';
import { MailboxWriter } from '../../packages/predictive-coding/src/concurrent/mailbox.ts';

const { buffer, n, control, naive } = workerData as { buffer: SharedArrayBuffer; n: number; control: SharedArrayBuffer; naive: boolean };
const stop = new Int32Array(control);
if (naive) {
  // The control experiment: one buffer written in place, as a naive hand-off would.
  const values = new Float32Array(buffer, 0, n);
  for (let k = 1; Atomics.load(stop, 0) === 0; k++) values.fill(k);
} else {
  const writer = new MailboxWriter(buffer, n);
  for (let k = 1; Atomics.load(stop, 0) === 0; k++) {
    writer.slot.fill(k);
    writer.publish(k);
  }
}
Atomics.store(stop, 1, 1);
