/**
 * Compiles the shipped kernel binaries (module.ts) and instantiates them over
 * a memory the caller creates, so worker threads can share it.
 */
import { KERNELS_PLAIN, KERNELS_PLAIN_RELAXED, KERNELS_SHARED, KERNELS_SHARED_RELAXED } from './module.ts';

/** The functions the kernel module exports; pointers are byte offsets into its memory. */
export interface KernelExports {
  activate(kind: number, x: number, out: number, n: number): void;
  activateDerivative(kind: number, x: number, out: number, n: number): void;
  activateBoth(kind: number, x: number, fx: number, dfx: number, n: number): void;
  axpy(alpha: number, x: number, y: number, n: number): void;
  scale(alpha: number, x: number, n: number): void;
  sub(a: number, b: number, out: number, n: number): void;
  mul(a: number, b: number, out: number, n: number): void;
  addRowVector(x: number, v: number, out: number, rows: number, cols: number): void;
  rowSums(x: number, out: number, rows: number, cols: number): void;
  columnSums(x: number, out: number, rows: number, cols: number): void;
  rowMax(x: number, out: number, rows: number, cols: number): void;
  rowArgmax(x: number, out: number, rows: number, cols: number): void;
  softmax(x: number, out: number, rows: number, cols: number): void;
  sumSquares(x: number, n: number): number;
  predictionError(x: number, mu: number, b: number, out: number, rows: number, cols: number): void;
  valueStep(x: number, v: number, eps: number, dfx: number, g: number, eta: number, momentum: number, n: number): void;
  adamStep(
    p: number,
    g: number,
    m: number,
    v: number,
    n: number,
    lr: number,
    beta1: number,
    beta2: number,
    a1: number,
    a2: number,
    epsilon: number,
    wd: number,
    decoupled: number,
    c1: number,
    c2: number,
  ): void;
  sgdStep(p: number, g: number, v: number, n: number, lr: number, momentum: number, wd: number): void;
  matmul(a: number, b: number, c: number, m: number, k: number, n: number, flags: number, alpha: number, beta: number, pack: number): void;
  matmulChunk(job: number, chunk: number, thread: number): void;
  runChunk(job: number, chunk: number, thread: number): void;
  packBytes(k: number): number;
  packConvWeights(w: number, pack: number, kh: number, kw: number, c: number, k: number, transposed: number): void;
  spreadInto(src: number, dst: number, nb: number, h: number, w: number, c: number, hd: number, wd: number, top: number, left: number, s: number): void;
  convScratchBytes(): number;
  convBlock(
    p: number,
    pack: number,
    out: number,
    cols: number,
    kh: number,
    seg: number,
    rs: number,
    ows: number,
    ohs: number,
    ow: number,
    oh: number,
    exs: number,
    beta: number,
    scratch: number,
    r0: number,
    r1: number,
    j0: number,
    j1: number,
  ): void;
  convWeightBlock(
    p: number,
    gy: number,
    gw: number,
    cols: number,
    seg: number,
    rs: number,
    ows: number,
    ohs: number,
    ow: number,
    oh: number,
    exs: number,
    r0: number,
    r1: number,
    alpha: number,
    accumulate: number,
    scratch: number,
    q0: number,
    q1: number,
    j0: number,
    j1: number,
  ): void;
  sumPartials(parts: number, groups: number, len: number, out: number, accumulate: number): void;
  avgPool(x: number, out: number, n: number, h: number, w: number, c: number, win: number, s: number, oh: number, ow: number): void;
  avgPoolBackward(gy: number, gx: number, n: number, h: number, w: number, c: number, win: number, s: number, oh: number, ow: number): void;
  maxPool(x: number, out: number, argmax: number, n: number, h: number, w: number, c: number, win: number, s: number, oh: number, ow: number): void;
  maxPoolBackward(gy: number, argmax: number, gx: number, outputs: number, size: number): void;
}

/** The smallest module that uses a v128 instruction: validates only where WebAssembly SIMD exists. */
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);

/** Whether this engine runs WebAssembly SIMD (simd128). */
export function hasWasmSimd(): boolean {
  return typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
}

/** The smallest module that uses f32x4.relaxed_madd: validates only where relaxed SIMD exists (Node ≥ 22, current browsers). */
const RELAXED_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 6, 1, 96, 1, 123, 1, 123, 3, 2, 1, 0, 10, 13, 1, 11, 0, 32, 0, 32, 0, 32, 0, 253, 133, 2, 11,
]);

/** Whether this engine runs WebAssembly relaxed SIMD (the kernels then fuse their multiply-adds). */
export function hasRelaxedSimd(): boolean {
  return typeof WebAssembly === 'object' && WebAssembly.validate(RELAXED_PROBE);
}

const compiled = new Map<string, Promise<WebAssembly.Module>>();

/**
 * @internal
 * The compiled kernel module (compiled once per process and variant): for imported shared or plain
 * memory, with relaxed SIMD (default: where the engine has it) or without.
 */
export function compileKernels(variant: 'plain' | 'shared', relaxed = hasRelaxedSimd()): Promise<WebAssembly.Module> {
  const key = `${variant}${relaxed ? '-relaxed' : ''}`;
  let m = compiled.get(key);
  if (!m) {
    const source = variant === 'shared' ? (relaxed ? KERNELS_SHARED_RELAXED : KERNELS_SHARED) : relaxed ? KERNELS_PLAIN_RELAXED : KERNELS_PLAIN;
    m = WebAssembly.compile(decodeBase64(source));
    compiled.set(key, m);
  }
  return m;
}

/** @internal Instantiates the module over `memory` (synchronous: the module is already compiled). */
export function instantiateKernels(module: WebAssembly.Module, memory: WebAssembly.Memory): KernelExports {
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  return instance.exports as unknown as KernelExports;
}

function decodeBase64(s: string): Uint8Array<ArrayBuffer> {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
