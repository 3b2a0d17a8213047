/**
 * Splits large matrix products (and expensive activation maps) across
 * worker threads that share the wasm memory. The calling thread publishes a job, then claims chunks itself next
 * to the workers (work stealing through one atomic ticket), so a worker that
 * is slow to wake — or not started yet — only means the caller does more.
 * Workers start lazily on the first product and are unref'd, so the pool
 * never keeps a Node process alive.
 */

import type { LinearHeap } from './heap.ts';
import {
  DONE,
  J_A,
  J_ALPHA,
  J_B,
  J_BETA,
  J_C,
  J_COL_CHUNKS,
  J_COLS_PER,
  J_FLAGS,
  J_K,
  J_M,
  J_N,
  J_OP,
  J_PACK,
  J_PACK_STRIDE,
  J_ROW_CHUNKS,
  J_ROWS_PER,
  JOB_BYTES,
  OP_MATMUL,
  SHUTDOWN,
  SLEEPERS,
  TICKET,
  WAKE,
  WORKER_CHUNKS,
} from './job.ts';
import type { KernelExports } from './loader.ts';
import { WORKER_SOURCE } from './worker-source.ts';

/** A started worker, as Node's worker_threads and browsers both provide it. */
export interface WorkerHandle {
  postMessage(message: unknown): void;
  terminate(): unknown;
}

/** Starts one worker running `source` (see threads.ts for Node and browsers). */
export type SpawnWorker = (source: string) => WorkerHandle;

/** Chunks per thread: enough to rebalance around a late worker, few enough to keep each chunk long. */
const CHUNKS_PER_THREAD = 4;

export class MatmulPool {
  private workers: WorkerHandle[] = [];
  private readonly job: number;
  private readonly ctl: Int32Array;
  private readonly ctlF32: Float32Array;
  private pack = 0;
  private packCapacity = 0;
  private gen = 0;

  constructor(
    readonly threads: number,
    private readonly ex: KernelExports,
    private readonly heap: LinearHeap,
    private readonly module: WebAssembly.Module,
    private readonly spawn: SpawnWorker,
  ) {
    this.job = heap.alloc(JOB_BYTES);
    this.ctl = new Int32Array(heap.memory.buffer, this.job, JOB_BYTES / 4);
    this.ctlF32 = new Float32Array(heap.memory.buffer, this.job, JOB_BYTES / 4);
  }

  /** C = alpha·op(A)·op(B) + beta·C over all threads; arguments are byte offsets, as for the `matmul` export. */
  run(a: number, b: number, c: number, m: number, k: number, n: number, flags: number, alpha: number, beta: number): void {
    const target = this.threads * CHUNKS_PER_THREAD;
    const panels = Math.ceil(n / 8);
    const colsPer = Math.ceil(panels / Math.min(panels, target)) * 8;
    const colChunks = Math.ceil(n / colsPer);
    const quads = Math.ceil(m / 4);
    const rowsPer = Math.ceil(quads / Math.max(1, Math.min(quads, Math.ceil(target / colChunks)))) * 4;
    const rowChunks = Math.ceil(m / rowsPer);
    const stride = Math.ceil(this.ex.packBytes(k) / 64) * 64;
    this.reservePack(stride * this.threads);
    const ctl = this.ctl;
    ctl[J_OP] = OP_MATMUL;
    ctl[J_A] = a;
    ctl[J_B] = b;
    ctl[J_C] = c;
    ctl[J_M] = m;
    ctl[J_K] = k;
    ctl[J_N] = n;
    ctl[J_FLAGS] = flags;
    this.ctlF32[J_ALPHA] = alpha;
    this.ctlF32[J_BETA] = beta;
    ctl[J_ROW_CHUNKS] = rowChunks;
    ctl[J_COL_CHUNKS] = colChunks;
    ctl[J_ROWS_PER] = rowsPer;
    ctl[J_COLS_PER] = colsPer;
    ctl[J_PACK] = this.pack;
    ctl[J_PACK_STRIDE] = stride;
    this.execute(rowChunks * colChunks);
  }

  /**
   * An activation map over n elements split into equal runs across threads:
   * op OP_ACTIVATE (out = f(x)), OP_DERIVATIVE (out = f'(x)) or OP_BOTH (out, out2).
   */
  runElementwise(op: number, kind: number, x: number, out: number, out2: number, n: number): void {
    const chunks = Math.min(this.threads * 2, Math.ceil(n / 4));
    const ctl = this.ctl;
    ctl[J_OP] = op;
    ctl[J_A] = x;
    ctl[J_B] = out;
    ctl[J_C] = out2;
    ctl[J_K] = kind;
    ctl[J_N] = n;
    ctl[J_COLS_PER] = Math.ceil(n / chunks / 4) * 4;
    this.execute(Math.ceil(n / ctl[J_COLS_PER]));
  }

  // Publishes the job written into the block, computes chunks beside the workers, and waits for all.
  private execute(total: number): void {
    if (this.workers.length === 0) this.start();
    const ctl = this.ctl;
    this.gen = (this.gen + 1) & 0x7fff;
    Atomics.store(ctl, DONE, 0);
    // The seq-cst store publishes the plain writes above to any worker that loads the ticket.
    Atomics.store(ctl, TICKET, (this.gen << 16) | total);
    Atomics.store(ctl, WAKE, this.gen);
    if (Atomics.load(ctl, SLEEPERS) > 0) Atomics.notify(ctl, WAKE);
    for (;;) {
      const t = Atomics.load(ctl, TICKET);
      const next = (t >>> 8) & 255;
      if (next >= total) break;
      if (Atomics.compareExchange(ctl, TICKET, t, t + 256) !== t) continue;
      this.ex.runChunk(this.job, next, 0);
      Atomics.add(ctl, DONE, 1);
    }
    // Whatever is left is being computed by a worker right now: spin briefly.
    while (Atomics.load(ctl, DONE) < total) {}
  }

  /** Chunks the worker threads have computed so far (0 until they have started). */
  get workerChunks(): number {
    return Atomics.load(this.ctl, WORKER_CHUNKS);
  }

  /** Asks the workers to exit and terminates them. */
  dispose(): void {
    Atomics.store(this.ctl, SHUTDOWN, 1);
    Atomics.store(this.ctl, WAKE, (this.gen + 1) & 0x7fff);
    Atomics.notify(this.ctl, WAKE);
    for (const w of this.workers) w.terminate();
    this.workers = [];
  }

  private start(): void {
    for (let t = 1; t < this.threads; t++) {
      const w = this.spawn(WORKER_SOURCE);
      w.postMessage({ module: this.module, memory: this.heap.memory, job: this.job, thread: t });
      this.workers.push(w);
    }
  }

  private reservePack(bytes: number): void {
    if (bytes <= this.packCapacity) return;
    if (this.pack) this.heap.release(this.pack);
    this.pack = this.heap.alloc(bytes);
    this.packCapacity = bytes;
  }
}
