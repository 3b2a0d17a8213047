/**
 * The js reference backend dressed as a deferred one — a GPU's contract on the CPU: its
 * number-returning operations and rowArgmax (which fills a host array) throw, as WebGPU's do (core
 * must not call them), and `read` copies the array at the call, as a GPU read captures the work
 * recorded before it, then resolves a turn later.
 */
import type { Backend } from '../../packages/predictive-coding/src/kernels/backend.ts';
import { createReferenceBackend } from '../../packages/predictive-coding/src/kernels/reference.ts';

export function deferredReference(): Backend<Float32Array> {
  const js = createReferenceBackend('float32');
  const refuse = (name: string) => (): never => {
    throw new Error(`${name} was called on a deferred backend`);
  };
  return {
    ...js,
    name: 'deferred-js',
    deferred: true,
    sumSquares: refuse('sumSquares'),
    priorError: refuse('priorError'),
    crossEntropy: refuse('crossEntropy'),
    rowArgmax: refuse('rowArgmax'),
    async read(x, n) {
      const copy = Float64Array.from(x.subarray(0, n));
      await new Promise((resolve) => setTimeout(resolve, 0));
      return copy;
    },
  };
}
