/**
 * The WebGPU elementwise kernels against the float64 reference backend on the same float32 inputs:
 * every activation and derivative (and both in one pass) over values from −60 to 60, the kinks and
 * NaN; the prediction error's row-broadcast bias; every variant of the value step; Adam and AdamW.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ACTIVATIONS, type AdamStep } from '../../packages/predictive-coding/src/kernels/backend.ts';
import { createReferenceBackend } from '../../packages/predictive-coding/src/kernels/reference.ts';
import { upload } from '../../packages/predictive-coding/src/kernels/webgpu/buffers.ts';
import { GpuElementwise } from '../../packages/predictive-coding/src/kernels/webgpu/elementwise.ts';
import { uniform, worstRatio } from '../helpers/arrays.ts';
import { runPass, useGpu } from './gpu.ts';

const gpu = useGpu();
let kernels: GpuElementwise;
beforeAll(() => {
  kernels = new GpuElementwise(gpu().device);
});

const ref = createReferenceBackend('float64');
const f32 = (a: ArrayLike<number>) => Float32Array.from(a);
const f64 = (a: ArrayLike<number>) => Float64Array.from(a);
const run = (record: (pass: GPUComputePassEncoder) => GPUBuffer[], outs: [GPUBuffer, number][]) => runPass(gpu().device, record, outs);

// Values across every branch: wide uniform, the kinks (0, ±1), tiny, large enough to saturate exp, and NaN.
const X = f32([...uniform(997, 7, -8, 8), 0, -0, 1, -1, 1e-3, -1e-3, 30, -30, 60, -60, 88, -88, Number.NaN]);

describe('webgpu elementwise kernels', () => {
  it('every activation, its derivative, and both in one pass, as the reference computes them in float64', async () => {
    const { device } = gpu();
    const n = X.length;
    const x = upload(device, X);
    for (const kind of ACTIVATIONS) {
      const [out, d, fx, dfx] = [0, 1, 2, 3].map(() => upload(device, new Float32Array(n)));
      const [gf, gd, gfx, gdfx] = await run(
        (pass) => [kernels.activate(pass, kind, x, out, n), kernels.activateDerivative(pass, kind, x, d, n), kernels.activateBoth(pass, kind, x, fx, dfx, n)],
        [
          [out, n],
          [d, n],
          [fx, n],
          [dfx, n],
        ],
      );
      const wf = new Float64Array(n);
      const wd = new Float64Array(n);
      ref.activate(kind, f64(X), wf, n);
      ref.activateDerivative(kind, f64(X), wd, n);
      expect(worstRatio(gf, wf, 1e-6, 1e-5), `${kind} f`).toBeLessThanOrEqual(1);
      expect(worstRatio(gd, wd, 1e-6, 1e-5), `${kind} f'`).toBeLessThanOrEqual(1);
      // The fused pass gives the same bits as the two separate ones.
      expect(Array.from(gfx), `${kind} both f`).toEqual(Array.from(gf));
      expect(Array.from(gdfx), `${kind} both f'`).toEqual(Array.from(gd));
      for (const b of [out, d, fx, dfx]) b.destroy();
    }
    x.destroy();
  });

  it('axpy, scale, sub, mul, addRowVector and SGD with and without momentum', async () => {
    const { device } = gpu();
    const [rows, cols] = [9, 37];
    const n = rows * cols;
    const vals = [1, 2, 3].map((s) => f32(uniform(n, 20 + s)));
    const [w0, w1, w2] = vals.map(f64);
    const fresh = () => vals.map((a) => upload(device, a));
    // The array f wrote into, after f ran.
    const written = (a: Float64Array, f: (a: Float64Array) => void): Float64Array => {
      f(a);
      return a;
    };
    const cases: [string, (b: GPUBuffer[], pass: GPUComputePassEncoder) => GPUBuffer, number, () => Float64Array][] = [
      ['axpy', (b, pass) => kernels.axpy(pass, -0.3, b[0], b[1], n), 1, () => written(w1.slice(), (y) => ref.axpy(-0.3, w0, y, n))],
      ['scale', (b, pass) => kernels.scale(pass, 1.7, b[0], n), 0, () => written(w0.slice(), (x) => ref.scale(1.7, x, n))],
      ['sub', (b, pass) => kernels.sub(pass, b[0], b[1], b[2], n), 2, () => written(new Float64Array(n), (o) => ref.sub(w0, w1, o, n))],
      ['mul', (b, pass) => kernels.mul(pass, b[0], b[1], b[2], n), 2, () => written(new Float64Array(n), (o) => ref.mul(w0, w1, o, n))],
      [
        'addRowVector',
        (b, pass) => kernels.addRowVector(pass, b[0], b[1], b[2], rows, cols),
        2,
        () => written(new Float64Array(n), (o) => ref.addRowVector(w0, w1, o, rows, cols)),
      ],
      [
        'sgd',
        (b, pass) => kernels.sgdStep(pass, b[0], b[1], null, n, 0.1, 0, 0.01),
        0,
        () => written(w0.slice(), (q) => ref.sgdStep(q, w1, null, n, 0.1, 0, 0.01)),
      ],
      [
        'sgd momentum',
        (b, pass) => kernels.sgdStep(pass, b[0], b[1], b[2], n, 0.1, 0.9, 0.01),
        0,
        () => written(w0.slice(), (q) => ref.sgdStep(q, w1, w2.slice(), n, 0.1, 0.9, 0.01)),
      ],
    ];
    for (const [name, record, outIndex, want] of cases) {
      const b = fresh();
      const [got] = await run((pass) => [record(b, pass)], [[b[outIndex], n]]);
      expect(worstRatio(got, want(), 1e-7, 1e-6), name).toBeLessThanOrEqual(1);
      for (const x of b) x.destroy();
    }
  });

  it('in place, as Backend allows: sub and mul into either input, addRowVector, activate and predictionError into x', async () => {
    const { device } = gpu();
    const [rows, cols] = [5, 11];
    const n = rows * cols;
    const [xs, ys] = [f32(uniform(n, 31)), f32(uniform(n, 32))];
    const bias = f32(uniform(cols, 33));
    const expectInPlace = async (
      name: string,
      record: (x: GPUBuffer, y: GPUBuffer, b: GPUBuffer, pass: GPUComputePassEncoder) => GPUBuffer,
      out: 'x' | 'y',
      want: (x: Float64Array, y: Float64Array) => Float64Array,
    ) => {
      const [x, y, b] = [upload(device, xs), upload(device, ys), upload(device, bias)];
      const [got] = await run((pass) => [record(x, y, b, pass)], [[out === 'x' ? x : y, n]]);
      expect(worstRatio(got, want(f64(xs), f64(ys)), 1e-7, 1e-6), name).toBeLessThanOrEqual(1);
      for (const a of [x, y, b]) a.destroy();
    };
    const refOut = (f: (x: Float64Array, y: Float64Array, o: Float64Array) => void) => (x: Float64Array, y: Float64Array) => {
      const o = new Float64Array(n);
      f(x, y, o);
      return o;
    };
    await expectInPlace(
      'sub into a',
      (x, y, _b, pass) => kernels.sub(pass, x, y, x, n),
      'x',
      refOut((x, y, o) => ref.sub(x, y, o, n)),
    );
    await expectInPlace(
      'sub into b',
      (x, y, _b, pass) => kernels.sub(pass, x, y, y, n),
      'y',
      refOut((x, y, o) => ref.sub(x, y, o, n)),
    );
    await expectInPlace(
      'mul into b',
      (x, y, _b, pass) => kernels.mul(pass, x, y, y, n),
      'y',
      refOut((x, y, o) => ref.mul(x, y, o, n)),
    );
    await expectInPlace(
      'addRowVector into x',
      (x, _y, b, pass) => kernels.addRowVector(pass, x, b, x, rows, cols),
      'x',
      refOut((x, _y, o) => ref.addRowVector(x, f64(bias), o, rows, cols)),
    );
    await expectInPlace(
      'tanh into x',
      (x, _y, _b, pass) => kernels.activate(pass, 'tanh', x, x, n),
      'x',
      refOut((x, _y, o) => ref.activate('tanh', x, o, n)),
    );
    await expectInPlace(
      'prediction error into mu',
      (x, y, b, pass) => kernels.predictionError(pass, x, y, b, y, rows, cols),
      'y',
      refOut((x, y, o) => ref.predictionError(x, y, f64(bias), o, rows, cols)),
    );
  });

  it('prediction error eps = x − mu − b broadcasts b over the rows (7 × 13)', async () => {
    const [rows, cols] = [7, 13];
    const [xv, mv, bv] = [f32(uniform(rows * cols, 1)), f32(uniform(rows * cols, 2)), f32(uniform(cols, 3))];
    const { device } = gpu();
    const [x, mu, b, out] = [upload(device, xv), upload(device, mv), upload(device, bv), upload(device, new Float32Array(rows * cols))];
    const [got] = await run((pass) => [kernels.predictionError(pass, x, mu, b, out, rows, cols)], [[out, rows * cols]]);
    const want = new Float64Array(rows * cols);
    ref.predictionError(f64(xv), f64(mv), f64(bv), want, rows, cols);
    expect(worstRatio(got, want, 1e-7, 1e-6)).toBeLessThanOrEqual(1);
  });

  it('the value step with and without its own error and its drive, x and v both updated', async () => {
    const n = 1031;
    const { device } = gpu();
    for (const [withEps, withDrive] of [
      [true, true],
      [true, false],
      [false, true],
      [false, false],
    ]) {
      const vals = [1, 2, 3, 4, 5].map((s) => f32(uniform(n, s)));
      const [x, v, eps, dfx, g] = vals.map((a) => upload(device, a));
      const [gx, gv] = await run(
        (pass) => [kernels.valueStep(pass, x, v, withEps ? eps : null, withDrive ? dfx : null, withDrive ? g : null, 0.05, 0.9, n)],
        [
          [x, n],
          [v, n],
        ],
      );
      const [wx, wv, we, wdfx, wg] = vals.map(f64);
      ref.valueStep(wx, wv, withEps ? we : null, withDrive ? wdfx : null, withDrive ? wg : null, 0.05, 0.9, n);
      expect(worstRatio(gx, wx, 1e-7, 1e-6), `eps ${withEps}, drive ${withDrive}: x`).toBeLessThanOrEqual(1);
      expect(worstRatio(gv, wv, 1e-7, 1e-6), `eps ${withEps}, drive ${withDrive}: v`).toBeLessThanOrEqual(1);
      for (const b of [x, v, eps, dfx, g]) b.destroy();
    }
  });

  it('Adam and AdamW steps (step 3, weight decay 0.01) update p, m and v as the reference does', async () => {
    const n = 517;
    const { device } = gpu();
    for (const decoupled of [false, true]) {
      const s: AdamStep = { lr: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01, decoupled, t: 3 };
      const vals = [f32(uniform(n, 11)), f32(uniform(n, 12)), f32(uniform(n, 13, -0.1, 0.1)), f32(uniform(n, 14, 0, 0.01))];
      const [p, g, m, v] = vals.map((a) => upload(device, a));
      const [gp, gm, gv] = await run(
        (pass) => [kernels.adamStep(pass, p, g, m, v, n, s)],
        [
          [p, n],
          [m, n],
          [v, n],
        ],
      );
      const [wp, wg, wm, wv] = vals.map(f64);
      ref.adamStep(wp, wg, wm, wv, n, s);
      expect(worstRatio(gp, wp, 1e-7, 1e-6), `decoupled ${decoupled}: p`).toBeLessThanOrEqual(1);
      expect(worstRatio(gm, wm, 1e-7, 1e-6), `decoupled ${decoupled}: m`).toBeLessThanOrEqual(1);
      // 1 − beta2 from float32's 0.999 (0.99900001…) is 1.3e-5 off 0.001, relatively: v's tolerance.
      expect(worstRatio(gv, wv, 1e-9, 3e-5), `decoupled ${decoupled}: v`).toBeLessThanOrEqual(1);
      for (const b of [p, g, m, v]) b.destroy();
    }
  });
});
