/**
 * The WebGPU state passes (fill, held units, a prior's error, cross-entropy, per-example energies,
 * stillness) against the float64 reference's, on odd lengths and the edge cases Backend names:
 * y = 0 skips its term even over a NaN p, p = 0 is floored at 2⁻¹²⁶, outputs in place.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createReferenceBackend } from '../../packages/predictive-coding/src/kernels/reference.ts';
import { createArray, upload } from '../../packages/predictive-coding/src/kernels/webgpu/buffers.ts';
import { GpuElementwise } from '../../packages/predictive-coding/src/kernels/webgpu/elementwise.ts';
import { GpuReductions, sumSquaresPartials } from '../../packages/predictive-coding/src/kernels/webgpu/reductions.ts';
import { uniform, worstRatio } from '../helpers/arrays.ts';
import { runPass, useGpu } from './gpu.ts';

const gpu = useGpu();
let map: GpuElementwise;
let red: GpuReductions;
beforeAll(() => {
  map = new GpuElementwise(gpu().device);
  red = new GpuReductions(gpu().device);
});

const ref = createReferenceBackend('float64');
const LENGTHS = [1, 3, 17, 1003, 70_001];

describe('webgpu state passes', () => {
  it('fill and holdUnits', async () => {
    const { device } = gpu();
    for (const n of LENGTHS) {
      const x0 = Float32Array.from(uniform(n, n));
      const v0 = Float32Array.from(uniform(n, n + 1));
      const data = Float32Array.from(uniform(n, n + 2));
      const mask = Uint8Array.from({ length: n }, (_, i) => (i % 3 === 1 ? 1 : 0));
      const [x, v, m, d] = [upload(device, x0), upload(device, v0), upload(device, Float32Array.from(mask)), upload(device, data)];
      const [gx, gv] = await runPass(device, (p) => map.holdUnits(p, x, v, m, d, n), [
        [x, n],
        [v, n],
      ]);
      const [wx, wv] = [Float64Array.from(x0), Float64Array.from(v0)];
      ref.holdUnits(wx, wv, mask, data, n);
      expect(Array.from(gx), `holdUnits x n ${n}`).toEqual(Array.from(wx));
      expect(Array.from(gv), `holdUnits v n ${n}`).toEqual(Array.from(wv));
      const [filled] = await runPass(device, (p) => map.fill(p, v, -0.5, n), [[v, n]]);
      expect(
        filled.every((a) => a === -0.5),
        `fill n ${n}`,
      ).toBe(true);
      for (const b of [x, v, m, d]) b.destroy();
    }
  });

  it("priorError's errors (also in place) and energy, and stillness (also in place)", async () => {
    const { device } = gpu();
    for (const n of LENGTHS) {
      const xs = Float32Array.from(uniform(n, 3 * n));
      const vs = Float32Array.from(uniform(n, 3 * n + 1, -2, 2));
      const want = new Float64Array(n);
      const energy = ref.priorError(Float64Array.from(xs), want, 0.1, 3, n);
      const x = upload(device, xs);
      const eps = createArray(device, n);
      const partials = createArray(device, sumSquaresPartials(n));
      const total = createArray(device, 1);
      const [got, sq] = await runPass(device, (p) => [map.priorError(p, x, eps, 0.1, 3, n), ...red.sumSquares(p, eps, partials, total, n)], [
        [eps, n],
        [total, 1],
      ]);
      expect(worstRatio(got, want, 1e-6, 1e-6), `priorError n ${n}`).toBeLessThanOrEqual(1);
      // The backend's energy is ‖eps‖² / weight².
      expect(Math.abs(sq[0] / 9 - energy), `prior energy n ${n}`).toBeLessThanOrEqual(2e-6 * energy + 1e-7);
      const [inPlace] = await runPass(device, (p) => map.priorError(p, x, x, 0.1, 3, n), [[x, n]]);
      expect(worstRatio(inPlace, want, 1e-6, 1e-6), `priorError in place n ${n}`).toBeLessThanOrEqual(1);
      const e = upload(device, xs);
      const v = upload(device, vs);
      const still = new Float64Array(n);
      ref.stillness(Float64Array.from(xs), Float64Array.from(vs), still, 0.5, n);
      const [damped] = await runPass(device, (p) => map.stillness(p, e, v, e, 0.5, n), [[e, n]]);
      expect(worstRatio(damped, still, 1e-7, 1e-6), `stillness in place n ${n}`).toBeLessThanOrEqual(1);
      for (const b of [x, eps, partials, total, e, v]) b.destroy();
    }
  });

  it('crossEntropy, rowCrossEntropy and rowSumSquares', async () => {
    const { device } = gpu();
    for (const [rows, cols] of [
      [1, 1],
      [3, 7],
      [17, 10],
      [2, 6272],
    ]) {
      const n = rows * cols;
      const ys = Float32Array.from(uniform(n, n, 0, 1)).map((a, i) => (i % 4 === 0 ? 0 : a));
      const ps = Float32Array.from(uniform(n, n + 1, 0, 1));
      if (n > 1) ps[0] = Number.NaN; // y = 0 there: skipped
      if (n > 2) ps[1] = 0; // floored
      const [y64, p64] = [Float64Array.from(ys), Float64Array.from(ps)];
      const total = ref.crossEntropy(y64, p64, n);
      const perRow = new Float64Array(rows);
      ref.rowCrossEntropy(y64, p64, perRow, rows, cols);
      const squares = new Float64Array(rows);
      ref.rowSumSquares(
        p64.map((a) => (Number.isNaN(a) ? 0 : a)),
        squares,
        rows,
        cols,
      );
      const [y, p] = [upload(device, ys), upload(device, ps)];
      const terms = createArray(device, n);
      const partials = createArray(device, sumSquaresPartials(n));
      const sum = createArray(device, 1);
      const out = createArray(device, rows);
      const [gotSum, gotRows] = await runPass(
        device,
        (pass) => [map.crossEntropyTerms(pass, y, p, terms, n), ...red.sum(pass, terms, partials, sum, n), red.rowSums(pass, terms, out, rows, cols)],
        [
          [sum, 1],
          [out, rows],
        ],
      );
      expect(Math.abs(gotSum[0] - total), `crossEntropy ${rows}×${cols}`).toBeLessThanOrEqual(1e-5 * Math.abs(total) + 1e-6);
      expect(worstRatio(gotRows, perRow, 1e-5, 1e-5), `rowCrossEntropy ${rows}×${cols}`).toBeLessThanOrEqual(1);
      const clean = upload(
        device,
        ps.map((a) => (Number.isNaN(a) ? 0 : a)),
      );
      const [gotSquares] = await runPass(device, (pass) => red.rowSumSquares(pass, clean, out, rows, cols), [[out, rows]]);
      expect(worstRatio(gotSquares, squares, 2e-7 * cols, 1e-6), `rowSumSquares ${rows}×${cols}`).toBeLessThanOrEqual(1);
      for (const b of [y, p, terms, partials, sum, out, clean]) b.destroy();
    }
  });
});
