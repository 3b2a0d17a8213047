/**
 * Splits large matrix products and convolutions (and expensive activation maps) across
 * worker threads that share the wasm memory. The calling thread publishes a job, then claims chunks itself next
 * to the workers (work stealing through one atomic ticket), so a worker that
 * is slow to wake — or not started yet — only means the caller does more.
 * Workers start lazily on the first product and are unref'd, so the pool
 * never keeps a Node process alive.
 *
 * Failure: a worker that dies is reported, never waited on forever. While the
 * caller spins it cannot run event handlers, so a dying worker says why in
 * shared memory (worker-source.ts); a death that runs no JavaScript
 * (terminate(), out of memory) shows as a stall — no chunk finishing for
 * `stallMs` — which the spin checks every 4096 turns, off the fast path.
 * Failures seen between calls arrive through the spawn's `onFailure`. Any of
 * them throws PcError('config') — the remedy is a configuration one, threads: 1
 * — and leaves the pool unusable: workers still running chunks of the failed
 * job may write into its output for a moment after the throw, so no later
 * result could be trusted. The backend turns every later call into the same error.
 */

import { PcError } from '../../errors.ts';
import { oneLine } from '../../printable.ts';
import type { LinearHeap } from './heap.ts';
import {
  CHUNK_BITS,
  DONE,
  FAIL_LEN,
  FAIL_TEXT_BYTE,
  FAILED,
  J_A,
  J_ALPHA,
  J_B,
  J_BETA,
  J_C,
  J_COL_CHUNKS,
  J_COLS_PER,
  J_FLAGS,
  J_K,
  J_KH,
  J_M,
  J_N,
  J_OP,
  J_PACK,
  J_PACK_STRIDE,
  J_ROW_CHUNKS,
  J_ROWS_PER,
  J_SEG,
  JOB_BYTES,
  JOB_WORDS,
  MAX_CHUNKS,
  MAX_THREADS,
  OP_CONV,
  OP_CONV_SPREAD,
  OP_CONV_WEIGHT,
  OP_CONV_WEIGHT_GROUPS,
  OP_MATMUL,
  SHUTDOWN,
  SLEEPERS,
  TICKET,
  TICKET_GEN_MASK,
  TICKET_GEN_SHIFT,
  TICKET_NEXT,
  WAKE,
  WORKER_CHUNKS,
} from './job.ts';
import type { KernelExports } from './loader.ts';
import { planConv, planConvWeight, planMatmul } from './plans.ts';
import { WORKER_SOURCE } from './worker-source.ts';

/** A started worker, as Node's worker_threads and browsers both provide it. */
export interface WorkerHandle {
  postMessage(message: unknown): void;
  terminate(): unknown;
}

/**
 * Starts one worker running `source` (see threads.ts for Node and browsers).
 * `onFailure` is called, from the event loop, with why the worker stopped
 * (an error it threw, or its exit); the pool ignores calls after it stopped the workers itself.
 */
export type SpawnWorker = (source: string, onFailure: (reason: string) => void) => WorkerHandle;

export interface PoolOptions {
  /** A job whose in-flight chunks make no progress for this long (or longer, for big chunks) fails. Default STALL_MIN_MS. */
  readonly stallMs?: number;
}

/** Chunks take microseconds to a second; ten seconds without one finishing means a worker died. */
export const STALL_MIN_MS = 10_000;
/** …and a bigger chunk gets longer: 10⁴ multiply-adds per ms is ~1/2000 of one core's SIMD rate, so an overloaded machine still makes it. */
const SLOWEST_MACS_PER_MS = 1e4;
/** An activation map costs about this many multiply-adds per element (the polynomial and the division). */
const MAP_MACS = 32;

export class MatmulPool {
  private workers: WorkerHandle[] = [];
  private readonly job: number;
  private readonly ctl: Int32Array;
  private readonly ctlF32: Float32Array;
  private readonly stallMinMs: number;
  private pack = 0;
  private packCapacity = 0;
  private wake = 0;
  /** Longest a job may go without a chunk finishing (set per job from its chunk size). */
  private stallMs = 0;
  /** Set once the workers are stopped, by dispose() or a failure; later events from them are expected. */
  private stopped = false;
  private failure: string | null = null;

  /** @internal Made by the wasm backend. */
  constructor(
    readonly threads: number,
    private readonly ex: KernelExports,
    private readonly heap: LinearHeap,
    private readonly module: WebAssembly.Module,
    private readonly spawn: SpawnWorker,
    options: PoolOptions = {},
  ) {
    // planMatmul makes at most 2·CHUNKS_PER_THREAD chunks per thread (plans.ts); the ticket holds MAX_CHUNKS.
    if (!(Number.isInteger(threads) && threads >= 1 && threads <= MAX_THREADS))
      throw new PcError('config', `MatmulPool: threads must be an integer in 1..${MAX_THREADS}, got ${threads}.`);
    this.stallMinMs = options.stallMs ?? STALL_MIN_MS;
    this.job = heap.alloc(JOB_BYTES);
    this.ctl = new Int32Array(heap.memory.buffer, this.job, JOB_WORDS);
    this.ctlF32 = new Float32Array(heap.memory.buffer, this.job, JOB_WORDS);
  }

  /** C = alpha·op(A)·op(B) + beta·C over all threads; arguments are byte offsets, as for the `matmul` export. */
  run(a: number, b: number, c: number, m: number, k: number, n: number, flags: number, alpha: number, beta: number): void {
    const { rowsPer, colsPer, rowChunks, colChunks } = planMatmul(m, n, this.threads);
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
    this.stallMs = Math.max(this.stallMinMs, (rowsPer * colsPer * k) / SLOWEST_MACS_PER_MS);
    this.execute(rowChunks * colChunks);
  }

  /**
   * A convolution job (op OP_CONV or OP_CONV_WEIGHT of job.ts; assembly/conv.ts: convChunk) over all
   * threads: `words` are the job words to set, as [word, value] pairs, with J_M×J_N the output and
   * J_K the multiply-adds per output, which is cut by planConv (planConvWeight for a weight gradient). Each thread gets
   * `scratchBytes` of its own scratch.
   */
  runConv(op: number, words: readonly (readonly [number, number])[], alpha: number, beta: number, scratchBytes: number): void {
    const ctl = this.ctl;
    ctl[J_OP] = op;
    for (const [w, v] of words) ctl[w] = v;
    this.ctlF32[J_ALPHA] = alpha;
    this.ctlF32[J_BETA] = beta;
    const plan = op === OP_CONV_WEIGHT ? planConvWeight : planConv;
    const { rowsPer, colsPer, rowChunks, colChunks } = plan(ctl[J_M], ctl[J_N], this.threads);
    ctl[J_ROW_CHUNKS] = rowChunks;
    ctl[J_COL_CHUNKS] = colChunks;
    ctl[J_ROWS_PER] = rowsPer;
    ctl[J_COLS_PER] = colsPer;
    const stride = Math.ceil(scratchBytes / 64) * 64;
    this.reservePack(stride * this.threads);
    ctl[J_PACK] = this.pack;
    ctl[J_PACK_STRIDE] = stride;
    this.stallMs = Math.max(this.stallMinMs, (rowsPer * colsPer * ctl[J_K]) / SLOWEST_MACS_PER_MS);
    this.execute(rowChunks * colChunks);
  }

  /**
   * A convolution over an input padded chunk by chunk (op OP_CONV_SPREAD of job.ts): `words` set the
   * job as for runConv plus the spread words; chunk e pads and convolves examples [e·J_SP_PER, …) in
   * the thread's own `scratchBytes` (which holds its tile at J_SP_TILE). `chunks` is the caller's cut,
   * by examples, so every output is computed the same way on any thread count.
   */
  runConvSpread(words: readonly (readonly [number, number])[], beta: number, chunks: number, scratchBytes: number): void {
    const ctl = this.ctl;
    ctl[J_OP] = OP_CONV_SPREAD;
    for (const [w, v] of words) ctl[w] = v;
    this.ctlF32[J_BETA] = beta;
    const stride = Math.ceil(scratchBytes / 64) * 64;
    this.reservePack(stride * this.threads);
    ctl[J_PACK] = this.pack;
    ctl[J_PACK_STRIDE] = stride;
    this.stallMs = Math.max(this.stallMinMs, (Math.ceil(ctl[J_M] / chunks) * ctl[J_N] * ctl[J_K]) / SLOWEST_MACS_PER_MS);
    this.execute(chunks);
  }

  /**
   * A weight gradient in `groups` partial sums (op OP_CONV_WEIGHT_GROUPS of job.ts): chunk g reduces
   * rows [g·groupRows, (g + 1)·groupRows) of the J_K rows into J_C + g·J_M·J_N. The groups are the
   * caller's, not the thread count's, so the partials and their sum are the same bits on any thread count.
   */
  runConvGroups(words: readonly (readonly [number, number])[], alpha: number, groups: number, groupRows: number, scratchBytes: number): void {
    const ctl = this.ctl;
    ctl[J_OP] = OP_CONV_WEIGHT_GROUPS;
    for (const [w, v] of words) ctl[w] = v;
    this.ctlF32[J_ALPHA] = alpha;
    ctl[J_ROW_CHUNKS] = groups;
    ctl[J_COL_CHUNKS] = 1;
    ctl[J_ROWS_PER] = groupRows;
    ctl[J_COLS_PER] = ctl[J_N];
    const stride = Math.ceil(scratchBytes / 64) * 64;
    this.reservePack(stride * this.threads);
    ctl[J_PACK] = this.pack;
    ctl[J_PACK_STRIDE] = stride;
    this.stallMs = Math.max(this.stallMinMs, (groupRows * ctl[J_M] * ctl[J_N]) / SLOWEST_MACS_PER_MS);
    this.execute(groups);
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
    this.stallMs = Math.max(this.stallMinMs, (ctl[J_COLS_PER] * MAP_MACS) / SLOWEST_MACS_PER_MS);
    this.execute(Math.ceil(n / ctl[J_COLS_PER]));
  }

  /** Why the pool stopped working, or null while it works. */
  get failed(): string | null {
    return this.failure;
  }

  /** The error every call after a failure throws. */
  unusable(): PcError {
    return new PcError('config', `wasm backend: unusable since ${this.failure}. Create a new backend (threads: 1 runs without worker threads).`);
  }

  // Publishes the job written into the block, computes chunks beside the workers, and waits for all.
  private execute(total: number): void {
    if (this.failure !== null) throw this.unusable();
    const ctl = this.ctl;
    if (Atomics.load(ctl, FAILED) !== 0) throw this.fail(this.workerReport('between products'));
    if (this.workers.length === 0) this.start();
    this.wake = (this.wake + 1) & 0x7fffffff;
    Atomics.store(ctl, DONE, 0);
    // The seq-cst store publishes the plain writes above to any worker that loads the ticket.
    Atomics.store(ctl, TICKET, ((this.wake & TICKET_GEN_MASK) << TICKET_GEN_SHIFT) | total);
    Atomics.store(ctl, WAKE, this.wake);
    if (Atomics.load(ctl, SLEEPERS) > 0) Atomics.notify(ctl, WAKE);
    try {
      for (;;) {
        const t = Atomics.load(ctl, TICKET);
        const next = (t >>> CHUNK_BITS) & MAX_CHUNKS;
        if (next >= total) break;
        if (Atomics.compareExchange(ctl, TICKET, t, t + TICKET_NEXT) !== t) continue;
        this.ex.runChunk(this.job, next, 0);
        Atomics.add(ctl, DONE, 1);
      }
    } catch (e) {
      // A trap in the caller's own chunk is a bug, thrown as it is; but workers may still hold chunks of this job.
      this.fail(`the calling thread threw ${errorText(e)} during a ${this.describeJob()}`);
      throw e;
    }
    this.waitForWorkers(total);
    if (Atomics.load(ctl, FAILED) !== 0) throw this.fail(this.workerReport(`during a ${this.describeJob()}`));
  }

  // Whatever is left is being computed by a worker right now: spin. A failing worker ends the spin
  // through DONE_FAILED; one that dies silently is caught by the clock, read only every 4096 turns.
  private waitForWorkers(total: number): void {
    const ctl = this.ctl;
    let spins = 0;
    let seen = -1;
    let since = 0;
    let last = Number.NEGATIVE_INFINITY;
    for (let done = Atomics.load(ctl, DONE); done < total; done = Atomics.load(ctl, DONE)) {
      if ((++spins & 0xfff) !== 0) continue;
      const now = performance.now();
      // 4096 turns take microseconds; a second between readings means this thread was stopped
      // (SIGSTOP, a debugger), and the workers with it: that time is no evidence against them.
      if (done !== seen || now - last > 1000) {
        seen = done;
        since = now;
      } else if (now - since > this.stallMs)
        throw this.fail(
          `no worker thread finished a chunk of a ${this.describeJob()} for ${((now - since) / 1000).toFixed(1)} s, with ${total - done} of ${total} chunks outstanding: a worker died without a word (terminated, or out of memory) or the machine is badly overloaded`,
        );
      last = now;
    }
  }

  /** Chunks the worker threads have computed so far (0 until they have started), modulo 2^32. */
  get workerChunks(): number {
    return Atomics.load(this.ctl, WORKER_CHUNKS) >>> 0;
  }

  /** Asks the workers to exit and terminates them. */
  dispose(): void {
    this.stopWorkers();
  }

  private start(): void {
    for (let t = 1; t < this.threads; t++) {
      try {
        const w = this.spawn(WORKER_SOURCE, (reason) => this.onWorkerFailure(t, reason));
        this.workers.push(w);
        w.postMessage({ module: this.module, memory: this.heap.memory, job: this.job, thread: t });
      } catch (e) {
        throw this.fail(`could not start worker thread ${t} of ${this.threads - 1}: ${errorText(e)}`);
      }
    }
  }

  // From the event loop, so never while a job runs: the next call throws.
  private onWorkerFailure(thread: number, reason: string): void {
    if (this.stopped) return;
    if (Atomics.load(this.ctl, FAILED) !== 0) this.fail(this.workerReport('between products'));
    else this.fail(`worker thread ${thread} of ${this.threads - 1} ${oneLine(reason)} between products`);
  }

  /** Records the first failure, stops the workers, and returns the error to throw now. */
  private fail(cause: string): PcError {
    this.failure ??= cause;
    this.stopWorkers();
    return new PcError('config', `wasm backend: ${cause}. This backend is now unusable: create a new one (threads: 1 runs without worker threads).`);
  }

  // The report a worker left in the job block (worker-source.ts).
  private workerReport(when: string): string {
    const thread = Atomics.load(this.ctl, FAILED);
    const len = Atomics.load(this.ctl, FAIL_LEN);
    const text = String.fromCharCode(...new Uint16Array(this.heap.memory.buffer, this.job + FAIL_TEXT_BYTE, len));
    return `worker thread ${thread} of ${this.threads - 1} ${oneLine(text)} ${when}`;
  }

  private describeJob(): string {
    const ctl = this.ctl;
    if (ctl[J_OP] === OP_MATMUL) return `${ctl[J_M]}×${ctl[J_K]} by ${ctl[J_K]}×${ctl[J_N]} matrix product`;
    if (ctl[J_OP] === OP_CONV_SPREAD) return `padded convolution into ${ctl[J_M]}×${ctl[J_N]} outputs of ${ctl[J_KH] * ctl[J_SEG]} terms`;
    if (ctl[J_OP] === OP_CONV) return `convolution into ${ctl[J_M]}×${ctl[J_N]} outputs of ${ctl[J_KH] * ctl[J_SEG]} terms`;
    if (ctl[J_OP] === OP_CONV_WEIGHT_GROUPS) return `convolution weight gradient in ${ctl[J_ROW_CHUNKS]} partial sums of ${ctl[J_M]}×${ctl[J_N]}`;
    if (ctl[J_OP] === OP_CONV_WEIGHT) return `convolution weight gradient into ${ctl[J_M]}×${ctl[J_N]} outputs of ${ctl[J_K]} terms`;
    return `${ctl[J_N]}-element activation map`;
  }

  private stopWorkers(): void {
    if (this.stopped) return;
    this.stopped = true;
    Atomics.store(this.ctl, SHUTDOWN, 1);
    Atomics.store(this.ctl, WAKE, (this.wake + 1) & 0x7fffffff);
    Atomics.notify(this.ctl, WAKE);
    for (const w of this.workers) w.terminate();
    this.workers = [];
  }

  private reservePack(bytes: number): void {
    if (bytes <= this.packCapacity) return;
    if (this.pack) this.heap.release(this.pack);
    this.pack = this.heap.alloc(bytes);
    this.packCapacity = bytes;
  }
}

function errorText(e: unknown): string {
  return oneLine(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
}
