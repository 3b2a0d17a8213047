/**
 * The source of a kernel worker thread, as a string: Node runs it with
 * `new Worker(src, { eval: true })`, browsers from a Blob URL, so no separate
 * file has to be found at run time in either. The worker instantiates the
 * kernels over the shared memory it is sent, then claims chunks of posted jobs until
 * told to shut down. Word offsets come from job.ts.
 */
import { DONE, SHUTDOWN, SLEEPERS, TICKET, WAKE, WORKER_CHUNKS } from './job.ts';

/** Spins on the wake word this many times before sleeping in Atomics.wait (~0.5 ms). */
export const SPIN_LIMIT = 200_000;

export const WORKER_SOURCE = `
'use strict';
function run(msg) {
  const { module, memory, job, thread } = msg;
  const ex = new WebAssembly.Instance(module, { env: { memory } }).exports;
  const ctl = new Int32Array(memory.buffer, job, 32);
  let seen = Atomics.load(ctl, ${WAKE});
  for (;;) {
    let spins = 0;
    while (Atomics.load(ctl, ${WAKE}) === seen) {
      if (++spins < ${SPIN_LIMIT}) continue;
      Atomics.add(ctl, ${SLEEPERS}, 1);
      Atomics.wait(ctl, ${WAKE}, seen);
      Atomics.sub(ctl, ${SLEEPERS}, 1);
      spins = 0;
    }
    seen = Atomics.load(ctl, ${WAKE});
    if (Atomics.load(ctl, ${SHUTDOWN}) !== 0) return;
    const gen = seen & 0x7fff;
    for (;;) {
      const t = Atomics.load(ctl, ${TICKET});
      if ((t >>> 16) !== gen) break;
      const next = (t >>> 8) & 255;
      if (next >= (t & 255)) break;
      if (Atomics.compareExchange(ctl, ${TICKET}, t, t + 256) !== t) continue;
      ex.runChunk(job, next, thread);
      Atomics.add(ctl, ${WORKER_CHUNKS}, 1);
      Atomics.add(ctl, ${DONE}, 1);
    }
  }
}
if (typeof self === 'object' && typeof self.postMessage === 'function' && typeof require === 'undefined') {
  self.onmessage = (e) => { self.onmessage = null; run(e.data); self.close(); };
} else {
  const { parentPort } = require('node:worker_threads');
  parentPort.once('message', (msg) => { run(msg); parentPort.close(); });
}
`;
