/**
 * The WebGPU matrix product against the float64 definition, on odd shapes that leave partial 64×64
 * tiles and 16-deep slices, every transpose pair, alpha and beta. Runs under `npm run test:webgpu`
 * (Dawn over SwiftShader in CI); without an adapter it fails, naming why.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { upload } from '../../packages/predictive-coding/src/kernels/webgpu/buffers.ts';
import { GpuMatmul } from '../../packages/predictive-coding/src/kernels/webgpu/matmul.ts';
import { naiveMatmul, uniform, worstRatio } from '../helpers/arrays.ts';
import { runPass, useGpu } from './gpu.ts';

const gpu = useGpu();
// One per device: each (transA, transB) pipeline compiles once (seconds on SwiftShader).
let matmul: GpuMatmul;
beforeAll(() => {
  matmul = new GpuMatmul(gpu().device);
});

async function product(m: number, k: number, n: number, transA: boolean, transB: boolean, alpha: number, beta: number) {
  const a = Float32Array.from(uniform(m * k, 1 + m));
  const b = Float32Array.from(uniform(k * n, 2 + n));
  const c = Float32Array.from(uniform(m * n, 3 + k));
  if (beta === 0) c.fill(Number.NaN); // beta = 0 must not read C
  const { device } = gpu();
  const [ga, gb, gc] = [upload(device, a), upload(device, b), upload(device, c)];
  const [got] = await runPass(device, (pass) => matmul.encode(pass, ga, gb, gc, m, k, n, { transA, transB, alpha, beta }), [[gc, m * n]]);
  for (const buffer of [ga, gb, gc]) buffer.destroy();
  return { got, want: naiveMatmul(a, b, c, m, k, n, transA, transB, alpha, beta) };
}

describe('webgpu matmul', () => {
  const sizes = [1, 3, 17, 65];
  for (const [transA, transB] of [
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ] as const) {
    it(`op(A)·op(B), transA ${transA}, transB ${transB}: every m, k, n of 1, 3, 17, 65 within float32 rounding`, async () => {
      for (const m of sizes)
        for (const k of sizes)
          for (const n of sizes) {
            const { got, want } = await product(m, k, n, transA, transB, 1, 0);
            // Each output sums k products of numbers in [−1, 1] in float32.
            expect(worstRatio(got, want, 2e-7 * k, 1e-6), `${m}×${k}×${n}`).toBeLessThanOrEqual(1);
          }
    });
  }

  it('alpha and beta, across several tiles and slices (130×200 by 200×70)', async () => {
    for (const [alpha, beta] of [
      [0.5, 0],
      [1, 0.7],
      [-2, -1],
    ]) {
      const { got, want } = await product(130, 200, 70, true, false, alpha, beta);
      expect(worstRatio(got, want, 2e-7 * 200 * Math.abs(alpha), 1e-6), `alpha ${alpha}, beta ${beta}`).toBeLessThanOrEqual(1);
    }
  });
});
