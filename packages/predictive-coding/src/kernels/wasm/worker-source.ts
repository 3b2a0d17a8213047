/**
 * The source of a kernel worker thread, as a string: Node runs it with
 * `new Worker(src, { eval: true })`, browsers from a Blob URL, so no separate
 * file has to be found at run time in either. The worker instantiates the
 * kernels over the shared memory it is sent, then claims chunks of posted jobs until
 * told to shut down. Word offsets come from job.ts.
 *
 * If the worker fails — an exception (a wasm trap, an instantiation error) or
 * process.exit in Node — it writes why into the job block and sets DONE_FAILED
 * before it dies: the caller may be spinning on DONE and cannot run event
 * handlers, so shared memory is the only way to tell it. Deaths that run no
 * JavaScript (terminate(), out of memory) are caught by the caller's stall
 * watch instead (pool.ts).
 */
import {
  CHUNK_BITS,
  DONE,
  DONE_FAILED,
  FAIL_CLAIM,
  FAIL_LEN,
  FAIL_TEXT_BYTE,
  FAIL_TEXT_CHARS,
  FAILED,
  JOB_WORDS,
  MAX_CHUNKS,
  SHUTDOWN,
  SLEEPERS,
  TICKET,
  TICKET_GEN_MASK,
  TICKET_GEN_SHIFT,
  TICKET_NEXT,
  WAKE,
  WORKER_CHUNKS,
} from './job.ts';

/** Spins on the wake word this many times before sleeping in Atomics.wait (~0.5 ms). */
export const SPIN_LIMIT = 200_000;

export const WORKER_SOURCE = `
'use strict';
function start(msg) {
  const { memory, job, thread } = msg;
  const ctl = new Int32Array(memory.buffer, job, ${JOB_WORDS});
  let finished = false;
  const report = (what) => {
    if (finished || Atomics.compareExchange(ctl, ${FAIL_CLAIM}, 0, 1) !== 0) return;
    const text = String(what).slice(0, ${FAIL_TEXT_CHARS});
    const chars = new Uint16Array(memory.buffer, job + ${FAIL_TEXT_BYTE}, ${FAIL_TEXT_CHARS});
    for (let i = 0; i < text.length; i++) chars[i] = text.charCodeAt(i);
    Atomics.store(ctl, ${FAIL_LEN}, text.length);
    Atomics.store(ctl, ${FAILED}, thread);
    Atomics.or(ctl, ${DONE}, ${DONE_FAILED});
  };
  if (typeof process === 'object' && typeof process.on === 'function')
    process.on('exit', (code) => report('exited with code ' + code));
  try {
    run(msg, ctl);
  } catch (e) {
    report('threw ' + (e instanceof Error ? e.name + ': ' + e.message : String(e)));
    throw e;
  }
  finished = true;
}
function run(msg, ctl) {
  const { module, memory, job, thread } = msg;
  const ex = new WebAssembly.Instance(module, { env: { memory } }).exports;
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
    const gen = seen & ${TICKET_GEN_MASK};
    for (;;) {
      const t = Atomics.load(ctl, ${TICKET});
      if ((t >>> ${TICKET_GEN_SHIFT}) !== gen) break;
      const next = (t >>> ${CHUNK_BITS}) & ${MAX_CHUNKS};
      if (next >= (t & ${MAX_CHUNKS})) break;
      if (Atomics.compareExchange(ctl, ${TICKET}, t, t + ${TICKET_NEXT}) !== t) continue;
      ex.runChunk(job, next, thread);
      Atomics.add(ctl, ${WORKER_CHUNKS}, 1);
      Atomics.add(ctl, ${DONE}, 1);
    }
  }
}
if (typeof self === 'object' && typeof self.postMessage === 'function' && typeof require === 'undefined') {
  self.onmessage = (e) => { self.onmessage = null; start(e.data); self.close(); };
} else {
  const { parentPort } = require('node:worker_threads');
  parentPort.once('message', (msg) => { start(msg); parentPort.close(); });
}
`;
