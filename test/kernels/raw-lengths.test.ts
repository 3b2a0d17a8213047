/**
 * A raw Backend call given an array shorter than its counts say (or a count that is not one) is one
 * PcError('shape') on the CPU backends — and the backend is left as it was: the next correct call
 * works. (Before, wasm threw a RangeError mid-staging and every later call failed.)
 */
import { describe, expect, it } from 'vitest';
import { PcError } from '../../packages/predictive-coding/src/errors.ts';
import type { Backend } from '../../packages/predictive-coding/src/kernels/backend.ts';
import { cpuBackendName, createNativeBackend } from '../../packages/predictive-coding/src/kernels/native/native-backend.ts';
import { createWasmBackend } from '../../packages/predictive-coding/src/kernels/wasm/wasm-backend.ts';

const makers: [string, () => Promise<Backend<Float32Array>>][] = [
  ['wasm 1 thread', () => createWasmBackend({ threads: 1 })],
  ['wasm 2 threads', () => createWasmBackend({ threads: 2, parallelMinMacs: 1 })],
];
if ((await cpuBackendName()) === 'native') makers.push(['native 2 threads', () => createNativeBackend({ threads: 2, nativeMinMacs: 1 })]);

describe('raw calls with arrays shorter than their counts', () => {
  for (const [name, make] of makers)
    it(`${name}: a PcError('shape'), and the next correct call still works`, async () => {
      const b = await make();
      const a = Float32Array.from([1, 2, 3, 4, 5, 6]);
      const x = Float32Array.from([1, 0, 0, 1, 1, 1]);
      const bad = [
        () => b.matmul(a, x, new Float32Array(1), 2, 3, 2), // c outside linear memory, too short
        () => b.matmul(a, x, b.alloc(1), 2, 3, 2), // c from alloc, too short
        () => b.matmul(a, x, new Float32Array(4), 2, Number.NaN, 2),
        () => b.sub(a, x, new Float32Array(2), 6),
      ];
      for (const call of bad) expect(call).toThrow(PcError);
      for (const call of bad) expect(call).toThrow(expect.objectContaining({ code: 'shape' }));
      const c = new Float32Array(4);
      b.matmul(a, x, c, 2, 3, 2);
      expect([...c]).toEqual([4, 5, 10, 11]);
      expect([...a, ...x]).toEqual([1, 2, 3, 4, 5, 6, 1, 0, 0, 1, 1, 1]);
      b.dispose();
    });
});
