/**
 * The webgpu backend object: a relaxation step and a learning step of a small dense layer, a conv
 * with max pooling, and the energies, recorded through its methods into one pass and read back once,
 * against the float64 reference doing the same; and its ordering promises (a write after recorded
 * work, a free while work is pending).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdamStep, MatmulOptions } from '../../packages/predictive-coding/src/kernels/backend.ts';
import { createReferenceBackend } from '../../packages/predictive-coding/src/kernels/reference.ts';
import { createWebGpuBackend, type WebGpuBackend } from '../../packages/predictive-coding/src/kernels/webgpu/webgpu-backend.ts';
import { uniform, worstRatio } from '../helpers/arrays.ts';

/** The operations the step below uses, as both backends spell them, over their own arrays. */
type StepOps<A> = {
  activateBoth(kind: 'tanh', x: A, fx: A, dfx: A, n: number): void;
  matmul(a: A, b: A, c: A, m: number, k: number, n: number, options?: MatmulOptions): void;
  predictionError(x: A, mu: A, b: A, out: A, rows: number, cols: number): void;
  valueStep(x: A, v: A, eps: A | null, dfx: A | null, g: A | null, eta: number, momentum: number, n: number): void;
  columnSums(x: A, out: A, rows: number, cols: number): void;
  adamStep(p: A, g: A, m: A, v: A, n: number, step: AdamStep): void;
};
type StepArrays<A> = Record<'x0' | 'x1' | 'w' | 'b' | 'fx0' | 'dfx0' | 'mu1' | 'eps1' | 'g0' | 'v0' | 'gw' | 'gb' | 'm' | 'v', A>;

const ADAM: AdamStep = { lr: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01, decoupled: true, t: 1 };

// f(x0), mu1 = f(x0)·Wᵀ, eps1 = x1 − mu1 − b, g0 = eps1·W, one x0 step, gradW = −eps1ᵀ·f(x0)/rows, gradB, AdamW on W.
function step<A>(k: StepOps<A>, a: StepArrays<A>, rows: number, n0: number, n1: number): void {
  k.activateBoth('tanh', a.x0, a.fx0, a.dfx0, rows * n0);
  k.matmul(a.fx0, a.w, a.mu1, rows, n0, n1, { transB: true });
  k.predictionError(a.x1, a.mu1, a.b, a.eps1, rows, n1);
  k.matmul(a.eps1, a.w, a.g0, rows, n1, n0);
  k.valueStep(a.x0, a.v0, null, a.dfx0, a.g0, 0.1, 0.5, rows * n0);
  k.matmul(a.eps1, a.fx0, a.gw, n1, rows, n0, { transA: true, alpha: -1 / rows });
  k.columnSums(a.eps1, a.gb, rows, n1);
  k.adamStep(a.w, a.gw, a.m, a.v, n1 * n0, ADAM);
}

let gpu: WebGpuBackend;
beforeAll(async () => {
  const got = await createWebGpuBackend();
  if (typeof got === 'string') throw new Error(`no WebGPU device: ${got}`);
  gpu = got;
});
afterAll(() => gpu?.dispose());

const ref = createReferenceBackend('float64');
const f32 = (a: ArrayLike<number>) => Float64Array.from(Float32Array.from(a));

describe('webgpu backend object', () => {
  it('runs a relaxation step, the Hebbian gradient, an AdamW step and the energies as the reference does', async () => {
    const [rows, n0, n1] = [5, 7, 9];
    const x0h = f32(uniform(rows * n0, 1));
    const x1h = f32(uniform(rows * n1, 2));
    const wh = f32(uniform(n1 * n0, 3));
    const bh = f32(uniform(n1, 4));
    const up = (h: Float64Array) => {
      const a = gpu.alloc(h.length);
      gpu.write(a, h);
      return a;
    };
    const [x0, x1, w, b] = [up(x0h), up(x1h), up(wh), up(bh)];
    const [fx0, dfx0, mu1, eps1, g0, v0, gw, gb, m, v, energy, idx] = [
      ...[n0, n0, n1, n1, n0, n0].map((c) => gpu.alloc(rows * c)),
      gpu.alloc(n1 * n0),
      gpu.alloc(n1),
      gpu.alloc(n1 * n0),
      gpu.alloc(n1 * n0),
      gpu.alloc(2),
      gpu.allocIndices(rows),
    ];
    const R = { fx0: new Float64Array(rows * n0), dfx0: new Float64Array(rows * n0), mu1: new Float64Array(rows * n1), eps1: new Float64Array(rows * n1) };
    const Rg0 = new Float64Array(rows * n0);
    const [Rx0, Rv0, Rgw, Rgb, Rw, Rm, Rv] = [
      Float64Array.from(x0h),
      new Float64Array(rows * n0),
      new Float64Array(n1 * n0),
      new Float64Array(n1),
      Float64Array.from(wh),
      new Float64Array(n1 * n0),
      new Float64Array(n1 * n0),
    ];
    step(gpu, { x0, x1, w, b, fx0, dfx0, mu1, eps1, g0, v0, gw, gb, m, v }, rows, n0, n1);
    step(
      ref,
      { x0: Rx0, x1: x1h, w: Rw, b: bh, fx0: R.fx0, dfx0: R.dfx0, mu1: R.mu1, eps1: R.eps1, g0: Rg0, v0: Rv0, gw: Rgw, gb: Rgb, m: Rm, v: Rv },
      rows,
      n0,
      n1,
    );
    // Into slot 1 of a 2-float ledger, halved: the form core's energies take.
    gpu.sumSquaresInto(eps1, rows * n1, 0.5, energy, 1);
    gpu.rowArgmaxOnDevice(x1, idx, rows, n1);
    const want = ref.sumSquares(R.eps1, rows * n1);
    const wantIdx = new Int32Array(rows);
    ref.rowArgmax(x1h, wantIdx, rows, n1);
    expect(worstRatio(await gpu.read(eps1), R.eps1, 1e-6, 1e-5), 'eps1').toBeLessThanOrEqual(1);
    expect(worstRatio(await gpu.read(x0), Rx0, 1e-6, 1e-5), 'x0 after the step').toBeLessThanOrEqual(1);
    expect(worstRatio(await gpu.read(gw), Rgw, 1e-6, 1e-5), 'gradW').toBeLessThanOrEqual(1);
    expect(worstRatio(await gpu.read(gb), Rgb, 1e-6, 1e-5), 'gradB').toBeLessThanOrEqual(1);
    expect(worstRatio(await gpu.read(w), Rw, 1e-6, 1e-5), 'W after AdamW').toBeLessThanOrEqual(1);
    const ledger = await gpu.read(energy);
    expect(ledger[0], 'the slot left alone').toBe(0);
    expect(Math.abs(ledger[1] - 0.5 * want), 'energy').toBeLessThanOrEqual(1e-5 * want);
    expect(Array.from(await gpu.read(idx)), 'argmax').toEqual(Array.from(wantIdx));
  });

  it('a convolution with max pooling, the cross-entropy and the prior energy, read back once', async () => {
    const g = { n: 2, h: 5, w: 6, c: 3, k: 4, kh: 3, kw: 3, stride: 1, pad: 1 };
    const pg = { n: 2, h: 5, w: 6, c: 4, window: 2 };
    const xh = f32(uniform(2 * 5 * 6 * 3, 5));
    const wh = f32(uniform(3 * 3 * 3 * 4, 6));
    const [x, w, y, pooled, arg, ce, prior, eps] = [
      gpu.alloc(xh.length),
      gpu.alloc(wh.length),
      gpu.alloc(2 * 5 * 6 * 4),
      gpu.alloc(2 * 2 * 3 * 4),
      gpu.allocIndices(2 * 2 * 3 * 4),
      gpu.alloc(1),
      gpu.alloc(1),
      gpu.alloc(xh.length),
    ];
    gpu.write(x, xh);
    gpu.write(w, wh);
    gpu.conv2d(x, w, y, g);
    gpu.maxPool(y, pooled, arg, pg);
    gpu.softmax(pooled, pooled, 2 * 2 * 3, 4);
    gpu.crossEntropyInto(pooled, pooled, 2 * 2 * 3 * 4, 1, ce, 0);
    gpu.priorErrorInto(x, eps, 0.25, 2, xh.length, 1, prior, 0);
    const Ry = new Float64Array(2 * 5 * 6 * 4);
    ref.conv2d(xh, wh, Ry, g);
    const Rp = new Float64Array(2 * 2 * 3 * 4);
    const Ra = new Int32Array(Rp.length);
    ref.maxPool(Ry, Rp, Ra, pg);
    ref.softmax(Rp, Rp, 2 * 2 * 3, 4);
    const wantCe = ref.crossEntropy(Rp, Rp, Rp.length);
    const wantPrior = ref.priorError(xh, new Float64Array(xh.length), 0.25, 2, xh.length);
    expect(worstRatio(await gpu.read(pooled), Rp, 1e-6, 1e-5), 'pooled softmax').toBeLessThanOrEqual(1);
    expect(Array.from(await gpu.read(arg)), 'argmax of the pools').toEqual(Array.from(Ra));
    expect(Math.abs((await gpu.read(ce))[0] - wantCe), 'cross-entropy').toBeLessThanOrEqual(1e-5 * wantCe);
    expect(Math.abs((await gpu.read(prior))[0] - wantPrior), 'prior energy').toBeLessThanOrEqual(1e-5 * wantPrior);
  });

  it('clip caps, and sumInto totals a ledger into a slot', async () => {
    const x = gpu.alloc(5);
    gpu.write(x, [-3, -1, 0.5, 2, 7]);
    gpu.clip(x, 1.5, 4);
    const totals = gpu.alloc(3);
    gpu.sumInto(x, 5, totals, 2);
    expect(Array.from(await gpu.read(x))).toEqual([-1.5, -1, 0.5, 1.5, 7]);
    expect(Array.from(await gpu.read(totals))).toEqual([0, 0, 6.5]);
  });

  it('copyInto places n elements at an offset on odd lengths, and refuses to copy an array onto itself', async () => {
    for (const n of [1, 3, 17, 1003, 70_001]) {
      const src = Float32Array.from(uniform(n + 1, n));
      const dst = Float32Array.from(uniform(2 * n + 3, n + 1));
      const [x, out] = [gpu.alloc(n + 1), gpu.alloc(2 * n + 3)];
      gpu.write(x, src);
      gpu.write(out, dst);
      gpu.copyInto(x, n, out, n + 2);
      dst.set(src.subarray(0, n), n + 2);
      expect(Array.from(await gpu.read(out, 2 * n + 3)), `n ${n}`).toEqual(Array.from(dst));
      expect(() => gpu.copyInto(x, n, x, 1)).toThrow(/another array/);
      gpu.free(x);
      gpu.free(out);
    }
  });

  it('the number-returning operations refuse with a PcError naming their device forms', () => {
    const x = gpu.alloc(3);
    expect(() => gpu.sumSquares()).toThrow(/sumSquaresInto/);
    expect(() => gpu.rowArgmax()).toThrow(/rowArgmaxOnDevice/);
    gpu.free(x);
  });

  it('a write after recorded work does not reach that work, and a free while work is pending is safe', async () => {
    const x = gpu.alloc(4);
    const y = gpu.alloc(4);
    gpu.write(x, [1, 2, 3, 4]);
    gpu.axpy(2, x, y, 4);
    gpu.write(x, [100, 100, 100, 100]);
    gpu.axpy(1, x, y, 4);
    const tmp = gpu.alloc(4);
    gpu.axpy(1, tmp, y, 4);
    gpu.free(tmp);
    expect(Array.from(await gpu.read(y))).toEqual([102, 104, 106, 108]);
  });
});
