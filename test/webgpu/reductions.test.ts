/**
 * The WebGPU reductions against the float64 reference on rows narrower and wider than a workgroup
 * (1, 3, 17, 300, 6272 columns): sums, maxima (NaN wins), first argmax (ties, −∞), softmax (also in
 * place), column sums, and the sum of squares through its two passes.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createReferenceBackend } from '../../packages/predictive-coding/src/kernels/reference.ts';
import { createArray, upload } from '../../packages/predictive-coding/src/kernels/webgpu/buffers.ts';
import { GpuReductions, sumSquaresPartials } from '../../packages/predictive-coding/src/kernels/webgpu/reductions.ts';
import { uniform, worstRatio } from '../helpers/arrays.ts';
import { runPass, useGpu } from './gpu.ts';

const gpu = useGpu();
let red: GpuReductions;
beforeAll(() => {
  red = new GpuReductions(gpu().device);
});

const ref = createReferenceBackend('float64');

const once = async (record: (pass: GPUComputePassEncoder) => GPUBuffer | GPUBuffer[], out: GPUBuffer, n: number): Promise<Float32Array> =>
  (await runPass(gpu().device, record, [[out, n]]))[0];

const SHAPES: [number, number][] = [
  [1, 1],
  [3, 3],
  [5, 17],
  [2, 300],
  [3, 6272],
];

describe('webgpu reductions', () => {
  it('row sums, row maxima and column sums', async () => {
    const { device } = gpu();
    for (const [rows, cols] of SHAPES) {
      const xs = Float32Array.from(uniform(rows * cols, rows + cols));
      const x = upload(device, xs);
      const out = createArray(device, Math.max(rows, cols));
      const x64 = Float64Array.from(xs);
      const want = new Float64Array(Math.max(rows, cols));
      ref.rowSums(x64, want, rows, cols);
      const sums = await once((p) => [red.rowSums(p, x, out, rows, cols)], out, rows);
      expect(worstRatio(sums, want.subarray(0, rows), 2e-7 * cols, 1e-6), `rowSums ${rows}×${cols}`).toBeLessThanOrEqual(1);
      ref.rowMax(x64, want, rows, cols);
      const maxima = await once((p) => [red.rowMax(p, x, out, rows, cols)], out, rows);
      expect(Array.from(maxima), `rowMax ${rows}×${cols}`).toEqual(Array.from(want.subarray(0, rows), Math.fround));
      ref.columnSums(x64, want, rows, cols);
      const columns = await once((p) => [red.columnSums(p, x, out, rows, cols)], out, cols);
      expect(worstRatio(columns, want.subarray(0, cols), 2e-7 * rows, 1e-6), `columnSums ${rows}×${cols}`).toBeLessThanOrEqual(1);
      x.destroy();
      out.destroy();
    }
  });

  it('a NaN anywhere in a row makes its maximum NaN', async () => {
    const xs = Float32Array.from(uniform(2 * 300, 9));
    xs[417] = Number.NaN;
    const [x, out] = [upload(gpu().device, xs), createArray(gpu().device, 2)];
    const got = await once((p) => [red.rowMax(p, x, out, 2, 300)], out, 2);
    expect(Number.isNaN(got[0])).toBe(false);
    expect(Number.isNaN(got[1])).toBe(true);
  });

  it('argmax takes the first of equal maxima, across invocations, and column 0 of a row of −∞', async () => {
    const cols = 700;
    const xs = new Float32Array(4 * cols).fill(-1);
    xs[0 * cols + 600] = 3; // one maximum, far from invocation 0's columns
    xs[1 * cols + 513] = 2; // a tie: columns 513 and 257 (different invocations), the first wins
    xs[1 * cols + 257] = 2;
    xs.fill(Number.NEGATIVE_INFINITY, 2 * cols, 3 * cols);
    xs[3 * cols + cols - 1] = 5;
    const [x, out] = [upload(gpu().device, xs), createArray(gpu().device, 4)];
    const got = new Int32Array((await once((p) => [red.rowArgmax(p, x, out, 4, cols)], out, 4)).buffer);
    const want = new Int32Array(4);
    ref.rowArgmax(Float64Array.from(xs), want, 4, cols);
    expect(Array.from(got)).toEqual(Array.from(want));
    expect(Array.from(got)).toEqual([600, 257, 0, cols - 1]);
  });

  it('softmax, into another array and in place, rows summing to 1 even for large logits', async () => {
    const { device } = gpu();
    for (const [rows, cols] of SHAPES) {
      const xs = Float32Array.from(uniform(rows * cols, 3 * cols, -40, 40));
      const want = new Float64Array(rows * cols);
      ref.softmax(Float64Array.from(xs), want, rows, cols);
      const [x, out] = [upload(device, xs), createArray(device, rows * cols)];
      const got = await once((p) => [red.softmax(p, x, out, rows, cols)], out, rows * cols);
      expect(worstRatio(got, want, 1e-7, 1e-5), `softmax ${rows}×${cols}`).toBeLessThanOrEqual(1);
      const inPlace = await once((p) => [red.softmax(p, x, x, rows, cols)], x, rows * cols);
      expect(Array.from(inPlace), `in place ${rows}×${cols}`).toEqual(Array.from(got));
      x.destroy();
      out.destroy();
    }
  });

  it('sum of squares over 1, 1000 and 200,003 elements (several partials)', async () => {
    const { device } = gpu();
    for (const n of [1, 1000, 200_003]) {
      const xs = Float32Array.from(uniform(n, n));
      const [x, partials, out] = [upload(device, xs), createArray(device, sumSquaresPartials(n)), createArray(device, 1)];
      const [got] = await once((p) => red.sumSquares(p, x, partials, out, n), out, 1);
      const want = ref.sumSquares(Float64Array.from(xs), n);
      expect(Math.abs(got - want), `n ${n}`).toBeLessThanOrEqual(1e-6 * want + 1e-7);
      for (const b of [x, partials, out]) b.destroy();
    }
  });
});
