/**
 * The `native` backend (Node only): the wasm backend with its hot path — the
 * matrix product — replaced by a Node-API addon built from native/ at install
 * (C++, an AVX-512, AVX2 + FMA or portable micro-kernel picked at load by the
 * CPU's features, on its own threads). Arrays are the wasm backend's (views of
 * its linear memory) or any Float32Array: the addon reads and writes them in
 * place, so nothing is copied between JS and the kernels. The other operations
 * are wasm's, memory-bound passes where native code gains little; they move
 * into the addon as they are measured to matter (issue 13).
 *
 * Threads: `threads` (default 'auto': the machine's cores, at most 8) for the
 * addon's GEMM, and the same for the wasm operations — only one of the two
 * pools works at a time, since every call is synchronous.
 */
import { PcError, shown } from '../../errors.ts';
import type { Backend, MatmulOptions } from '../backend.ts';
import { createWasmBackend, type WasmBackendOptions } from '../wasm/wasm-backend.ts';

interface NativeAddon {
  matmul(a: Float32Array, b: Float32Array, c: Float32Array, m: number, k: number, n: number, flags: number, alpha: number, beta: number): void;
  setThreads(threads: number, minMacs: number, spinMicros: number): void;
  info(): { kernel: string; threads: number; cores: number };
}

export interface NativeBackendOptions extends WasmBackendOptions {
  /** Products of fewer multiply-adds than this run on the calling thread (default 262,144; tests set 1). */
  readonly nativeMinMacs?: number;
}

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
      ? 'the native addon is not built (npm install builds it where a C++ compiler is found: npm run build:native)'
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

/** Creates the native backend; PcError('config') naming why where the addon is unavailable. */
export async function createNativeBackend(options: NativeBackendOptions = {}): Promise<Backend<Float32Array>> {
  const addon = await loadNativeAddon();
  if (typeof addon === 'string') throw new PcError('config', `createBackend('native'): ${addon}. Use 'wasm'.`);
  const cores = addon.info().cores;
  const requested = options.threads ?? 'auto';
  const threads = requested === 'auto' ? Math.max(1, Math.min(8, cores)) : requested;
  if (!(Number.isInteger(threads) && threads >= 1 && threads <= 256))
    throw new PcError('config', `createBackend('native'): threads must be 'auto' or an integer in 1..256, got ${shown(requested)}.`);
  const wasm = await createWasmBackend({ ...options, threads });
  addon.setThreads(threads, options.nativeMinMacs ?? 262_144, Number(process.env.PCN_SPIN ?? 200));
  const matmul = (a: Float32Array, b: Float32Array, c: Float32Array, m: number, k: number, n: number, o?: MatmulOptions): void => {
    const flags = (o?.transA ? 1 : 0) | (o?.transB ? 2 : 0);
    try {
      addon.matmul(a, b, c, m, k, n, flags, o?.alpha ?? 1, o?.beta ?? 0);
    } catch (e) {
      throw new PcError('shape', `native matmul: ${e instanceof Error ? e.message : String(e)} (m ${m}, k ${k}, n ${n}).`);
    }
  };
  return { ...wasm, name: 'native', threads, matmul };
}
