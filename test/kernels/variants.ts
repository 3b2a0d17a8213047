/**
 * The backend variants every conformance table runs on: js float32, wasm on
 * one thread, wasm on two threads with every product sent through the pool,
 * and wasm given arrays outside its linear memory (staged per call) — the
 * plain simd128 build — then its relaxed-SIMD build (fused multiply-adds) on two
 * threads where the engine runs it (vitest.config.ts enables it on Node 20);
 * and, where its addon is built, native likewise.
 */
import { afterAll, beforeAll } from 'vitest';
import type { Backend } from '../../packages/predictive-coding/src/kernels/backend.ts';
import { cpuBackendName, createNativeBackend } from '../../packages/predictive-coding/src/kernels/native/native-backend.ts';
import { createReferenceBackend } from '../../packages/predictive-coding/src/kernels/reference.ts';
import { hasRelaxedSimd } from '../../packages/predictive-coding/src/kernels/wasm/loader.ts';
import { createWasmBackend } from '../../packages/predictive-coding/src/kernels/wasm/wasm-backend.ts';

export interface Variant {
  name: string;
  backend: Backend<Float32Array>;
  /** Where the variant's arrays live: the backend's memory, or the plain JS heap (staged per call). */
  array(n: number): Float32Array;
}

/** Registers hooks that create the variants before the file's tests and dispose of them after; the array fills in beforeAll. */
export function useVariants(): Variant[] {
  const variants: Variant[] = [];
  beforeAll(async () => {
    const js = createReferenceBackend('float32');
    const w1 = await createWasmBackend({ threads: 1, relaxedSimd: false });
    // parallelMinMacs/Elements 1 send every product and activation map, however small, through the thread pool.
    const w2 = await createWasmBackend({ threads: 2, parallelMinMacs: 1, parallelMinElements: 1, relaxedSimd: false });
    const w1foreign = await createWasmBackend({ threads: 1, relaxedSimd: false });
    variants.push(
      { name: 'js float32', backend: js, array: (n) => new Float32Array(n) },
      { name: 'wasm 1 thread', backend: w1, array: (n) => w1.alloc(n) },
      { name: 'wasm 2 threads', backend: w2, array: (n) => w2.alloc(n) },
      { name: 'wasm, arrays outside linear memory', backend: w1foreign, array: (n) => new Float32Array(n) },
    );
    if (hasRelaxedSimd()) {
      const r2 = await createWasmBackend({ threads: 2, parallelMinMacs: 1, parallelMinElements: 1, relaxedSimd: true });
      variants.push({ name: 'wasm relaxed SIMD, 2 threads', backend: r2, array: (n) => r2.alloc(n) });
    }
    // Where the addon is built (test/kernels/native.test.ts says whether it must be): every product through its threads.
    if ((await cpuBackendName()) === 'native') {
      const n2 = await createNativeBackend({ threads: 2, nativeMinMacs: 1, nativeMinElements: 1, parallelMinMacs: 1, parallelMinElements: 1 });
      const n1foreign = await createNativeBackend({ threads: 1 });
      variants.push(
        { name: 'native 2 threads', backend: n2, array: (n) => n2.alloc(n) },
        { name: 'native, arrays outside linear memory', backend: n1foreign, array: (n) => new Float32Array(n) },
      );
    }
  });
  afterAll(() => {
    for (const v of variants) v.backend.dispose();
  });
  return variants;
}

/** A copy of `values` in the variant's memory. */
export function load(v: Variant, values: ArrayLike<number>): Float32Array {
  const a = v.array(values.length);
  a.set(values);
  return a;
}
