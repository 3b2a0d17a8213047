/**
 * The `native` backend (Node only): the wasm backend with its kernels replaced
 * by a Node-API addon built from native/ at install — C++, its GEMM on an
 * AVX-512, AVX2 + FMA or portable micro-kernel picked at load by the CPU's
 * features, on its own threads. Arrays are the wasm backend's (views of
 * its linear memory) or any Float32Array: the addon reads and writes them in
 * place, so nothing is copied between JS and the kernels. The elementwise,
 * fused and row/column passes (activations, value and optimiser steps,
 * prediction errors, fills, reductions, softmax) and pooling are the addon's
 * too, vectorised for the same instruction set and split across its threads
 * when large, and so are convolutions over 8 channels or more (im2col, a
 * bounded chunk of examples at a time, and its GEMM). Thinner convolutions run
 * on wasm's direct kernel (faster there) and the state passes are the shared
 * JavaScript loops (state-passes.ts).
 *
 * Threads: `threads` (default 'auto': the machine's cores, at most 8) for the
 * addon's kernels, and the same for the operations left to wasm — only one of
 * the two pools works at a time, since every call is synchronous.
 */
import { PcError, shown } from '../../errors.ts';
import { ACTIVATIONS, type Activation, adamScalars, type Backend, type Conv2dGeometry, type MatmulOptions, type Pool2dGeometry } from '../backend.ts';
import { MAX_THREADS } from '../wasm/job.ts';
import { createWasmBackend, type WasmBackendOptions } from '../wasm/wasm-backend.ts';

type F = Float32Array;
interface NativeAddon {
  matmul(a: F, b: F, c: F, m: number, k: number, n: number, flags: number, alpha: number, beta: number): void;
  activate(kind: number, x: F, out: F, n: number): void;
  activateDerivative(kind: number, x: F, out: F, n: number): void;
  activateBoth(kind: number, x: F, fx: F, dfx: F, n: number): void;
  axpy(alpha: number, x: F, y: F, n: number): void;
  scale(alpha: number, x: F, n: number): void;
  sub(a: F, b: F, out: F, n: number): void;
  mul(a: F, b: F, out: F, n: number): void;
  fill(x: F, value: number, n: number): void;
  addRowVector(x: F, v: F, out: F, rows: number, cols: number): void;
  predictionError(x: F, mu: F, b: F, out: F, rows: number, cols: number): void;
  valueStep(x: F, v: F, eps: F | null, dfx: F | null, g: F | null, eta: number, momentum: number, n: number): void;
  // biome-ignore format: one line per argument group reads better than one per argument
  adamStep(p: F, g: F, m: F, v: F, n: number, lr: number, beta1: number, beta2: number, a1: number, a2: number, epsilon: number, weightDecay: number, decoupled: number, c1: number, c2: number): void;
  sgdStep(p: F, g: F, v: F | null, n: number, lr: number, momentum: number, weightDecay: number): void;
  sumSquares(x: F, n: number): number;
  rowSums(x: F, out: F, rows: number, cols: number): void;
  rowMax(x: F, out: F, rows: number, cols: number): void;
  rowArgmax(x: F, out: Int32Array, rows: number, cols: number): void;
  softmax(x: F, out: F, rows: number, cols: number): void;
  columnSums(x: F, out: F, rows: number, cols: number): void;
  avgPool(x: F, out: F, n: number, h: number, w: number, c: number, window: number, stride: number): void;
  avgPoolBackward(gy: F, gx: F, n: number, h: number, w: number, c: number, window: number, stride: number): void;
  maxPool(x: F, out: F, argmax: Int32Array, n: number, h: number, w: number, c: number, window: number, stride: number): void;
  maxPoolBackward(gy: F, argmax: Int32Array, gx: F, n: number, h: number, w: number, c: number, window: number, stride: number): void;
  // biome-ignore format: the geometry's nine numbers in Conv2dGeometry's order
  conv2d(x: F, w: F, out: F, n: number, h: number, width: number, c: number, k: number, kh: number, kw: number, stride: number, pad: number): void;
  // biome-ignore format: as conv2d, then beta
  conv2dInputGrad(gy: F, w: F, gx: F, n: number, h: number, width: number, c: number, k: number, kh: number, kw: number, stride: number, pad: number, beta: number): void;
  // biome-ignore format: as conv2d, then alpha
  conv2dWeightGrad(gy: F, x: F, gw: F, n: number, h: number, width: number, c: number, k: number, kh: number, kw: number, stride: number, pad: number, alpha: number): void;
  setThreads(threads: number, minMacs: number, minElements: number, spinMicros: number): void;
  info(): { kernel: string; threads: number; cores: number };
}

export interface NativeBackendOptions extends WasmBackendOptions {
  /** Products of fewer multiply-adds than this run on the calling thread (default 262,144; tests set 1). */
  readonly nativeMinMacs?: number;
  /** Elementwise passes over fewer elements than this run on the calling thread (default 32,768; tanh, sigmoid and GELU from 4,096; tests set 1). */
  readonly nativeMinElements?: number;
}

/**
 * How long an idle worker of the addon spins before it sleeps, µs. The kernels of one relaxation step
 * come microseconds apart, so a spinning worker joins the next product at once; a sleeping one takes
 * tens of µs to wake (and the caller does not wait for it: it claims the work itself, see pool.h).
 */
const SPIN_MICROS = 200;

/** Convolutions over fewer input channels than this run on wasm's direct kernel (see conv2d below). */
const NATIVE_MIN_CHANNELS = 8;

const CODE = Object.fromEntries(ACTIVATIONS.map((a, i) => [a, i])) as Record<Activation, number>;

let loaded: Promise<NativeAddon | string> | undefined;

/** The addon, or why it cannot load (not built — no compiler at install —, not Node, a broken build). */
export function loadNativeAddon(): Promise<NativeAddon | string> {
  loaded ??= load();
  return loaded;
}

async function load(): Promise<NativeAddon | string> {
  if (typeof process !== 'object' || typeof process.versions?.node !== 'string') return 'native kernels run in Node only';
  try {
    // Variable specifiers and a built path keep bundlers (the lab's vite) from resolving any of this.
    const moduleName = 'node:module';
    const { createRequire } = (await import(/* @vite-ignore */ moduleName)) as { createRequire(url: string | URL): (id: string) => unknown };
    const file = ['..', '..', '..', 'native', 'build', 'Release', 'pcn_native.node'].join('/');
    return createRequire(import.meta.url)(new URL(file, import.meta.url).pathname) as NativeAddon;
  } catch (e) {
    const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
    return /cannot find module/i.test(why)
      ? 'the native addon is not built (npm install builds it where a C++ compiler is found; to retry: npm rebuild predictive-coding, or npm run build:native in its repository)'
      : `the native addon did not load (${why})`;
  }
}

/** The CPU backend Node gets by default here: 'native' where its addon is built, else 'wasm'. */
export async function cpuBackendName(): Promise<'native' | 'wasm'> {
  return typeof (await loadNativeAddon()) === 'string' ? 'wasm' : 'native';
}

/** What the native backend runs on here: its micro-kernel ('avx512', 'avx2' or 'portable'), or why it is unavailable. */
export async function nativeKernel(): Promise<string> {
  const addon = await loadNativeAddon();
  return typeof addon === 'string' ? addon : addon.info().kernel;
}

/** Pool2dGeometry as the addon's six numbers (the stride defaults to the window). */
function poolGeometry(g: Pool2dGeometry): [number, number, number, number, number, number] {
  return [g.n, g.h, g.w, g.c, g.window, g.stride ?? g.window];
}

/** Conv2dGeometry as the addon's nine numbers. */
function geometry(g: Conv2dGeometry): [number, number, number, number, number, number, number, number, number] {
  return [g.n, g.h, g.w, g.c, g.k, g.kh, g.kw, g.stride, g.pad];
}

/** Creates the native backend; PcError('config') naming why where the addon is unavailable. */
export async function createNativeBackend(options: NativeBackendOptions = {}): Promise<Backend<Float32Array>> {
  const addon = await loadNativeAddon();
  if (typeof addon === 'string') throw new PcError('config', `createBackend('native'): ${addon}. Use 'wasm'.`);
  const cores = addon.info().cores;
  const requested = options.threads ?? 'auto';
  const auto = Math.max(1, Math.min(8, cores));
  const threads = requested === 'auto' ? auto : requested;
  // At most MAX_THREADS, the wasm pool's limit: the operations native leaves to wasm use the same count.
  if (!(Number.isInteger(threads) && threads >= 1 && threads <= MAX_THREADS))
    throw new PcError(
      'config',
      `createBackend('native'): threads must be 'auto' or an integer in 1..${MAX_THREADS}, got ${shown(requested)}. 'auto' picks ${auto} here (the cores, at most 8).`,
    );
  const wasm = await createWasmBackend({ ...options, threads });
  addon.setThreads(threads, options.nativeMinMacs ?? 262_144, options.nativeMinElements ?? 32_768, SPIN_MICROS);
  /**
   * Calls the addon, turning its argument errors (a short array, a bad count) into PcError('shape');
   * `detail` (built only on an error) adds what the message needs beyond the addon's.
   */
  const call = <R>(op: string, f: () => R, detail?: () => string): R => {
    try {
      return f();
    } catch (e) {
      // The addon's message already starts with the operation's name.
      throw new PcError('shape', `native ${e instanceof Error ? e.message : `${op}: ${String(e)}`}${detail ? ` ${detail()}` : ''}.`);
    }
  };
  const matmul = (a: F, b: F, c: F, m: number, k: number, n: number, o?: MatmulOptions): void => {
    const flags = (o?.transA ? 1 : 0) | (o?.transB ? 2 : 0);
    call(
      'matmul',
      () => addon.matmul(a, b, c, m, k, n, flags, o?.alpha ?? 1, o?.beta ?? 0),
      () => `(m ${m}, k ${k}, n ${n})`,
    );
  };
  // The passes the addon runs; the rest (the state passes, and convolutions over few channels, below) are wasm's.
  const native: Partial<Backend<F>> = {
    matmul,
    activate: (kind, x, out, n) => call('activate', () => addon.activate(CODE[kind], x, out, n)),
    activateDerivative: (kind, x, out, n) => call('activateDerivative', () => addon.activateDerivative(CODE[kind], x, out, n)),
    activateBoth: (kind, x, fx, dfx, n) => call('activateBoth', () => addon.activateBoth(CODE[kind], x, fx, dfx, n)),
    axpy: (alpha, x, y, n) => call('axpy', () => addon.axpy(alpha, x, y, n)),
    scale: (alpha, x, n) => call('scale', () => addon.scale(alpha, x, n)),
    sub: (a, b, out, n) => call('sub', () => addon.sub(a, b, out, n)),
    mul: (a, b, out, n) => call('mul', () => addon.mul(a, b, out, n)),
    fill: (x, value, n) => call('fill', () => addon.fill(x, value, n)),
    addRowVector: (x, v, out, rows, cols) => call('addRowVector', () => addon.addRowVector(x, v, out, rows, cols)),
    predictionError: (x, mu, b, out, rows, cols) => call('predictionError', () => addon.predictionError(x, mu, b, out, rows, cols)),
    valueStep: (x, v, eps, dfx, g, eta, momentum, n) => call('valueStep', () => addon.valueStep(x, v, eps, dfx, g, eta, momentum, n)),
    adamStep: (p, g, m, v, n, s) => call('adamStep', () => addon.adamStep(p, g, m, v, n, ...adamScalars(s))),
    sgdStep: (p, g, v, n, lr, momentum, weightDecay) => call('sgdStep', () => addon.sgdStep(p, g, v, n, lr, momentum, weightDecay)),
    sumSquares: (x, n) => call('sumSquares', () => addon.sumSquares(x, n)),
    rowSums: (x, out, rows, cols) => call('rowSums', () => addon.rowSums(x, out, rows, cols)),
    rowMax: (x, out, rows, cols) => call('rowMax', () => addon.rowMax(x, out, rows, cols)),
    rowArgmax: (x, out, rows, cols) => call('rowArgmax', () => addon.rowArgmax(x, out, rows, cols)),
    softmax: (x, out, rows, cols) => call('softmax', () => addon.softmax(x, out, rows, cols)),
    columnSums: (x, out, rows, cols) => call('columnSums', () => addon.columnSums(x, out, rows, cols)),
    // A convolution over few input channels (an image net's first layer) lowers to a product only
    // kh·kw·c deep, where wasm's direct kernel is faster (measured: 28x28x1→32 at 39 GFLOP/s there, 16 here).
    avgPool: (x, out, g) => call('avgPool', () => addon.avgPool(x, out, ...poolGeometry(g))),
    avgPoolBackward: (gy, gx, g) => call('avgPoolBackward', () => addon.avgPoolBackward(gy, gx, ...poolGeometry(g))),
    maxPool: (x, out, argmax, g) => call('maxPool', () => addon.maxPool(x, out, argmax, ...poolGeometry(g))),
    maxPoolBackward: (gy, argmax, gx, g) => call('maxPoolBackward', () => addon.maxPoolBackward(gy, argmax, gx, ...poolGeometry(g))),
    conv2d: (x, w, out, g) => (g.c < NATIVE_MIN_CHANNELS ? wasm.conv2d(x, w, out, g) : call('conv2d', () => addon.conv2d(x, w, out, ...geometry(g)))),
    conv2dInputGrad: (gy, w, gx, g, beta = 0) =>
      g.c < NATIVE_MIN_CHANNELS
        ? wasm.conv2dInputGrad(gy, w, gx, g, beta)
        : call('conv2dInputGrad', () => addon.conv2dInputGrad(gy, w, gx, ...geometry(g), beta)),
    conv2dWeightGrad: (gy, x, gw, g, alpha) =>
      g.c < NATIVE_MIN_CHANNELS
        ? wasm.conv2dWeightGrad(gy, x, gw, g, alpha)
        : call('conv2dWeightGrad', () => addon.conv2dWeightGrad(gy, x, gw, ...geometry(g), alpha)),
  };
  return { ...wasm, ...native, name: 'native', threads };
}
