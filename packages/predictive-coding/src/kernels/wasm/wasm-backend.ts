/**
 * The `wasm` backend: the simd128 kernels of ./assembly over one linear
 * memory, optionally shared with worker threads that split large products.
 *
 * `alloc` hands out views of linear memory, which the kernels use in place.
 * Any other Float32Array works too: it is copied into linear memory for the
 * call (and back, if written) — correct, but slower, so hot loops should use
 * `alloc`.
 */
import { PcError, shown } from '../../errors.ts';
import { ACTIVATIONS, type Activation, adamScalars, type Backend, type MatmulOptions } from '../backend.ts';
import { statePasses } from '../state-passes.ts';
import { wasmConvKernels } from './conv.ts';
import { LinearHeap } from './heap.ts';
import { MAX_THREADS, OP_ACTIVATE, OP_BOTH, OP_DERIVATIVE } from './job.ts';
import { compileKernels, hasRelaxedSimd, hasWasmSimd, instantiateKernels } from './loader.ts';
import { MatmulPool } from './pool.ts';
import { detectThreads, type ThreadSupport } from './threads.ts';

/** Options of the wasm backend (and of the native one, which reads `threads`). */
export interface WasmBackendOptions {
  /**
   * Threads for large products: a count in 1..64 (MAX_THREADS), or 'auto': min(4, cores) where workers
   * can share memory, else 1. Default 'auto'. A worker thread that fails makes the backend throw
   * PcError('config') from then on (see pool.ts).
   */
  readonly threads?: number | 'auto';
  /**
   * Linear memory limit in MiB. Shared memory (threads, Node) grows up to it;
   * non-shared memory (browsers without cross-origin isolation) is created at
   * this size and never grows, since growing would detach every view.
   * Default 1024 when shared, 256 otherwise.
   */
  readonly memoryMB?: number;
  /** Products with at least this many multiply-adds (m·k·n) are split across threads. Default 2^18. */
  readonly parallelMinMacs?: number;
  /** tanh, sigmoid and GELU maps over at least this many elements are split across threads. Default 8192. */
  readonly parallelMinElements?: number;
  /**
   * Use the kernels built with relaxed SIMD, whose matrix products and convolutions fuse each
   * multiply-add (one rounding, and faster) where the engine has it. Default: where the engine
   * validates relaxed SIMD (Node ≥ 22, current browsers; not Node 20). true where it has not: PcError('config').
   */
  readonly relaxedSimd?: boolean;
}

const PAGE = 65536;
/** Offsets below this stay unused, so no array ever sits at address 0. */
const HEAP_BASE = 1024;
const CODE: Record<Activation, number> = Object.fromEntries(ACTIVATIONS.map((a, i) => [a, i])) as Record<Activation, number>;

interface Staged {
  array: Float32Array | Int32Array;
  ptr: number;
  n: number;
  copyBack: boolean;
}

/**
 * Creates the wasm backend; throws PcError('config') where WebAssembly SIMD is missing.
 * `support` replaces the detected thread support (tests inject failing workers through it).
 */
export async function createWasmBackend(options: WasmBackendOptions = {}, support?: ThreadSupport): Promise<Backend<Float32Array>> {
  if (!hasWasmSimd())
    throw new PcError('config', 'createBackend: this engine has no WebAssembly SIMD (simd128). Use the js backend, or Node >= 20 / a current browser.');
  support ??= await detectThreads();
  const threads = resolveThreads(options, support.cores, support.spawn !== null, support.reason);
  const shared = support.spawn !== null;
  const limitMB = options.memoryMB ?? (shared ? 1024 : 256);
  if (!(Number.isInteger(limitMB) && limitMB >= 1 && limitMB <= 4096))
    throw new PcError('config', `createBackend: memoryMB must be an integer in 1..4096, got ${shown(limitMB)}.`);
  const maxPages = Math.min(65536, limitMB * 16);
  const memory = shared
    ? new WebAssembly.Memory({ initial: Math.min(maxPages, 256), maximum: maxPages, shared: true })
    : new WebAssembly.Memory({ initial: maxPages, maximum: maxPages });
  const engineRelaxed = hasRelaxedSimd();
  const relaxed = options.relaxedSimd ?? engineRelaxed;
  if (relaxed && !engineRelaxed)
    throw new PcError('config', 'createBackend: relaxedSimd: true, but this engine has no WebAssembly relaxed SIMD (Node >= 22 and current browsers have it).');
  const module = await compileKernels(shared ? 'shared' : 'plain', relaxed);
  const ex = instantiateKernels(module, memory);
  const heap = new LinearHeap(memory, HEAP_BASE, shared, maxPages * PAGE);
  const pool = threads > 1 && support.spawn ? new MatmulPool(threads, ex, heap, module, support.spawn) : null;
  const minMacs = options.parallelMinMacs ?? 2 ** 18;
  const minElems = options.parallelMinElements ?? 8192;
  // Only the transcendental maps are worth a thread hand-off; relu-like ones are memory-bound.
  const splitMap = (kind: Activation, n: number): boolean => pool !== null && n >= minElems && (kind === 'tanh' || kind === 'sigmoid' || kind === 'gelu');

  let pack = 0;
  let packCapacity = 0;
  const packFor = (k: number): number => {
    const bytes = ex.packBytes(k);
    if (bytes > packCapacity) {
      if (pack) heap.release(pack);
      pack = heap.alloc(bytes);
      packCapacity = bytes;
    }
    return pack;
  };

  const staged: Staged[] = [];
  /** Byte offset of x's first n elements, staging a copy when x lives outside linear memory. */
  const at = (x: Float32Array | Int32Array, n: number, mode: 'in' | 'out' | 'inout'): number => {
    // Every kernel call passes its arrays through here, so this one check makes the whole backend
    // refuse work after a worker failure (pool.ts says why nothing after it can be trusted).
    if (pool?.failed) throw pool.unusable();
    if (!(Number.isInteger(n) && n >= 0 && n <= x.length)) {
      // Drop what this call staged so far (not copied back), so the next call starts clean.
      for (const s of staged.splice(0)) heap.release(s.ptr);
      throw new PcError(
        'shape',
        `wasm backend: a call needs ${shown(n)} elements of an array that has ${x.length} (the raw Backend methods trust the lengths they are given; the checked operations in ops.ts name the argument).`,
      );
    }
    if (heap.owns(x)) return x.byteOffset;
    for (const s of staged) {
      if (s.array !== x) continue;
      s.copyBack ||= mode !== 'in';
      return s.ptr;
    }
    const ptr = heap.alloc(Math.max(1, n) * 4);
    if (mode !== 'out') new Float32Array(memory.buffer, ptr, n).set(new Float32Array(x.buffer, x.byteOffset, n));
    staged.push({ array: x, ptr, n, copyBack: mode !== 'in' });
    return ptr;
  };
  const unstage = (): void => {
    for (const s of staged) {
      if (s.copyBack) new Float32Array(s.array.buffer, s.array.byteOffset, s.n).set(new Float32Array(memory.buffer, s.ptr, s.n));
      heap.release(s.ptr);
    }
    staged.length = 0;
  };

  const matmul = (a: Float32Array, b: Float32Array, c: Float32Array, m: number, k: number, n: number, options?: MatmulOptions): void => {
    if (m === 0 || n === 0) return;
    const transA = options?.transA ?? false;
    const transB = options?.transB ?? false;
    const alpha = options?.alpha ?? 1;
    const beta = options?.beta ?? 0;
    const flags = (transA ? 1 : 0) | (transB ? 2 : 0);
    const pa = at(a, m * k, 'in');
    const pb = at(b, k * n, 'in');
    const pc = at(c, m * n, beta === 0 ? 'out' : 'inout');
    if (pool && m * k * n >= minMacs) pool.run(pa, pb, pc, m, k, n, flags, alpha, beta);
    else ex.matmul(pa, pb, pc, m, k, n, flags, alpha, beta, packFor(k));
    unstage();
  };
  const conv = wasmConvKernels({ ex, heap, pool, minMacs, at, unstage, matmul });
  const passes = statePasses<Float32Array>();
  // Like `at`, refuses work after a worker failure.
  const guard =
    <A extends unknown[], R>(f: (...args: A) => R) =>
    (...args: A): R => {
      if (pool?.failed) throw pool.unusable();
      return f(...args);
    };

  let disposed = false;
  return {
    name: 'wasm',
    dtype: 'float32',
    threads,
    alloc(length) {
      const ptr = heap.alloc(Math.max(1, length) * 4);
      return new Float32Array(memory.buffer, ptr, length);
    },
    free(array) {
      if (!heap.owns(array)) throw new PcError('config', 'wasm backend free: this array was not allocated by this backend.');
      heap.release(array.byteOffset);
    },
    memoryOf(array) {
      return heap.owns(array) ? memory : array.buffer;
    },
    matmul,
    activate(kind, x, out, n) {
      const [px, po] = [at(x, n, 'in'), at(out, n, 'out')];
      if (splitMap(kind, n)) pool!.runElementwise(OP_ACTIVATE, CODE[kind], px, po, 0, n);
      else ex.activate(CODE[kind], px, po, n);
      unstage();
    },
    activateDerivative(kind, x, out, n) {
      const [px, po] = [at(x, n, 'in'), at(out, n, 'out')];
      if (splitMap(kind, n)) pool!.runElementwise(OP_DERIVATIVE, CODE[kind], px, po, 0, n);
      else ex.activateDerivative(CODE[kind], px, po, n);
      unstage();
    },
    activateBoth(kind, x, fx, dfx, n) {
      const [px, pf, pd] = [at(x, n, 'in'), at(fx, n, 'out'), at(dfx, n, 'out')];
      if (splitMap(kind, n)) pool!.runElementwise(OP_BOTH, CODE[kind], px, pf, pd, n);
      else ex.activateBoth(CODE[kind], px, pf, pd, n);
      unstage();
    },
    axpy(alpha, x, y, n) {
      ex.axpy(alpha, at(x, n, 'in'), at(y, n, 'inout'), n);
      unstage();
    },
    scale(alpha, x, n) {
      ex.scale(alpha, at(x, n, 'inout'), n);
      unstage();
    },
    sub(a, b, out, n) {
      ex.sub(at(a, n, 'in'), at(b, n, 'in'), at(out, n, 'out'), n);
      unstage();
    },
    mul(a, b, out, n) {
      ex.mul(at(a, n, 'in'), at(b, n, 'in'), at(out, n, 'out'), n);
      unstage();
    },
    addRowVector(x, v, out, rows, cols) {
      ex.addRowVector(at(x, rows * cols, 'in'), at(v, cols, 'in'), at(out, rows * cols, 'out'), rows, cols);
      unstage();
    },
    rowSums(x, out, rows, cols) {
      ex.rowSums(at(x, rows * cols, 'in'), at(out, rows, 'out'), rows, cols);
      unstage();
    },
    columnSums(x, out, rows, cols) {
      ex.columnSums(at(x, rows * cols, 'in'), at(out, cols, 'out'), rows, cols);
      unstage();
    },
    rowMax(x, out, rows, cols) {
      ex.rowMax(at(x, rows * cols, 'in'), at(out, rows, 'out'), rows, cols);
      unstage();
    },
    rowArgmax(x, out, rows, cols) {
      ex.rowArgmax(at(x, rows * cols, 'in'), at(out, rows, 'out'), rows, cols);
      unstage();
    },
    softmax(x, out, rows, cols) {
      ex.softmax(at(x, rows * cols, 'in'), at(out, rows * cols, 'out'), rows, cols);
      unstage();
    },
    sumSquares(x, n) {
      const s = ex.sumSquares(at(x, n, 'in'), n);
      unstage();
      return s;
    },
    predictionError(x, mu, b, out, rows, cols) {
      ex.predictionError(at(x, rows * cols, 'in'), at(mu, rows * cols, 'in'), at(b, cols, 'in'), at(out, rows * cols, 'out'), rows, cols);
      unstage();
    },
    valueStep(x, v, eps, dfx, g, eta, momentum, n) {
      const pe = eps ? at(eps, n, 'in') : 0;
      const pg = g && dfx ? at(g, n, 'in') : 0;
      const pd = g && dfx ? at(dfx, n, 'in') : 0;
      ex.valueStep(at(x, n, 'inout'), at(v, n, 'inout'), pe, pd, pg, eta, momentum, n);
      unstage();
    },
    adamStep(p, g, m, v, n, s) {
      ex.adamStep(at(p, n, 'inout'), at(g, n, 'in'), at(m, n, 'inout'), at(v, n, 'inout'), n, ...adamScalars(s));
      unstage();
    },
    sgdStep(p, g, v, n, lr, momentum, weightDecay) {
      ex.sgdStep(at(p, n, 'inout'), at(g, n, 'in'), v ? at(v, n, 'inout') : 0, n, lr, momentum, weightDecay);
      unstage();
    },
    // Argmax indices stay on the JS heap: the pooling kernels stage them per call.
    allocIndices: (n) => new Int32Array(n),
    ...conv,
    // The state passes are one memory-bound loop each: the shared JS loops over the views (state-passes.ts).
    fill: guard(passes.fill),
    write: guard(passes.write),
    holdUnits: guard(passes.holdUnits),
    priorError: guard(passes.priorError),
    crossEntropy: guard(passes.crossEntropy),
    rowSumSquares: guard(passes.rowSumSquares),
    rowCrossEntropy: guard(passes.rowCrossEntropy),
    stillness: guard(passes.stillness),
    clip: guard(passes.clip),
    sumSquaresInto: guard(passes.sumSquaresInto),
    priorErrorInto: guard(passes.priorErrorInto),
    crossEntropyInto: guard(passes.crossEntropyInto),
    sumInto: guard(passes.sumInto),
    copyInto: guard(passes.copyInto),
    read: guard(passes.read),
    dispose() {
      if (disposed) return;
      disposed = true;
      pool?.dispose();
    },
  };
}

function resolveThreads(options: WasmBackendOptions, cores: number, canShare: boolean, reason: string): number {
  const requested = options.threads ?? 'auto';
  const auto = canShare ? Math.max(1, Math.min(4, cores)) : 1;
  if (requested === 'auto') return auto;
  if (!(Number.isInteger(requested) && requested >= 1 && requested <= MAX_THREADS))
    throw new PcError(
      'config',
      `createBackend: threads must be 'auto' or an integer in 1..${MAX_THREADS}, got ${shown(requested)}. 'auto' picks ${auto} here (min(4, cores) where workers can share memory, else 1).`,
    );
  if (requested > 1 && !canShare)
    throw new PcError('config', `createBackend: threads: ${requested} needs shared memory, but ${reason}. Use threads: 1 or 'auto'.`);
  return requested;
}
