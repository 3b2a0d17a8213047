/**
 * Backend selection: the one asynchronous step (the wasm module compiles and
 * the thread support is detected here); every kernel call after it is sync.
 */
import { checkObject, PcError } from '../errors.ts';
import type { Backend } from './backend.ts';
import { cpuBackendName, createNativeBackend } from './native/native-backend.ts';
import { createReferenceBackend } from './reference.ts';
import { hasWasmSimd } from './wasm/loader.ts';
import { createWasmBackend, type WasmBackendOptions } from './wasm/wasm-backend.ts';
import { createWebGpuBackend, type GpuArray } from './webgpu/webgpu-backend.ts';

/**
 * Which backend to create:
 * - `'auto'`: in Node `native` where its addon is built, else `wasm` where WebAssembly SIMD exists
 *   (Node >= 20, current browsers), else `js` (what the CLI calls `--backend cpu`);
 * - `'wasm'`: the simd128 kernels, optionally multi-threaded; fails where SIMD is missing;
 * - `'js'`: the plain TypeScript reference (float32; see createReferenceBackend for float64);
 * - `'native'` (Node): the CPU kernels in a C++ addon built at install (AVX-512, AVX2 + FMA or
 *   portable, by the CPU; see native/native-backend.ts); fails with the reason where it is not built;
 * - `'webgpu'`: the GPU through WebGPU (`navigator.gpu` in a browser, the optional package `webgpu`
 *   in Node); a deferred backend — its arrays are device arrays, its numbers come back once per
 *   batch (trainStepAsync, fit). Fails with the reason where there is no adapter. `'auto'` does not
 *   pick it: a library call should not load a GPU stack unasked (`pcn train --backend auto` measures,
 *   cli/backend-choice.ts).
 */
export type BackendName = 'auto' | 'js' | 'wasm' | 'native' | 'webgpu';

/** Options of createBackend: the wasm backend's (threads, relaxed SIMD), also read by the native backend (threads). */
export type BackendOptions = WasmBackendOptions;

/**
 * Creates a float32 backend: 'auto' (the default: native where its addon was
 * built at install, else wasm SIMD, else the js reference), 'native', 'wasm',
 * 'js' or 'webgpu' (deferred: train and evaluate with the *Async functions).
 * `options.threads` applies to wasm and native. Call `dispose()` when done.
 * Throws PcError('config') for an unknown name, bad options, a native addon
 * that is not built, or no WebGPU adapter (the message says why).
 */
export async function createBackend(name: 'webgpu'): Promise<Backend<GpuArray>>;
export async function createBackend(name?: 'auto' | 'js' | 'wasm' | 'native', options?: BackendOptions): Promise<Backend<Float32Array>>;
export async function createBackend(name: BackendName = 'auto', options: BackendOptions = {}): Promise<Backend<Float32Array> | Backend<GpuArray>> {
  checkObject(options, 'createBackend: options', 'an object { threads?, memoryMB?, … } or left out');
  switch (name) {
    case 'webgpu': {
      const gpu = await createWebGpuBackend();
      if (typeof gpu === 'string') throw new PcError('config', `createBackend('webgpu'): no WebGPU here: ${gpu}. Use 'wasm'.`);
      return gpu;
    }
    case 'js':
      return createReferenceBackend('float32');
    case 'wasm':
      return createWasmBackend(options);
    case 'native':
      return createNativeBackend(options);
    case 'auto':
      if ((await cpuBackendName()) === 'native') return createNativeBackend(options);
      return hasWasmSimd() ? createWasmBackend(options) : createReferenceBackend('float32');
    default:
      throw new PcError(
        'config',
        `createBackend: unknown backend '${String(name)}'; expected 'auto', 'wasm', 'native', 'js' or 'webgpu'${name === 'cpu' ? " ('auto' is what the CLI calls cpu)" : ''}.`,
      );
  }
}
