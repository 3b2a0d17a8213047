import { describe, expect, it } from 'vitest';
import { ACTIVATIONS, type Activation } from '../../packages/predictive-coding/src/kernels/backend.ts';
import { createReferenceBackend } from '../../packages/predictive-coding/src/kernels/reference.ts';
import { scalarActivation, scalarDerivative } from '../../packages/predictive-coding/src/kernels/scalar-activations.ts';
import { naiveMatmul, uniform, worstRatio } from '../helpers/arrays.ts';

const f64 = createReferenceBackend('float64');
const f32 = createReferenceBackend('float32');

const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [1, 7, 3],
  [3, 1, 5],
  [17, 65, 3],
  [65, 17, 33],
  [4, 9, 1],
];

describe('js reference matmul', () => {
  for (const [m, k, n] of SHAPES) {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        for (const [alpha, beta] of [
          [1, 0],
          [-0.75, 1.5],
        ]) {
          it(`equals the float64 definition for ${m}x${k}x${n}, transA=${transA}, transB=${transB}, alpha=${alpha}, beta=${beta}`, () => {
            const a = uniform(m * k, 1);
            const b = uniform(k * n, 2);
            const c0 = uniform(m * n, 3);
            const want = naiveMatmul(a, b, c0, m, k, n, transA, transB, alpha, beta);
            const c64 = c0.slice();
            f64.matmul(a, b, c64, m, k, n, { transA, transB, alpha, beta });
            expect(worstRatio(c64, want, 1e-13, 1e-12)).toBeLessThanOrEqual(1);
            const c32 = Float32Array.from(c0);
            f32.matmul(Float32Array.from(a), Float32Array.from(b), c32, m, k, n, { transA, transB, alpha, beta });
            expect(worstRatio(c32, want, 1e-5, 1e-5)).toBeLessThanOrEqual(1);
          });
        }
      }
    }
  }

  it('ignores C when beta is 0, so NaN already in C does not propagate', () => {
    const c = new Float64Array([Number.NaN, Number.NaN]);
    f64.matmul(new Float64Array([2]), new Float64Array([3, 4]), c, 1, 1, 2);
    expect(Array.from(c)).toEqual([6, 8]);
  });
});

describe('js reference activations', () => {
  const xs = [-3, -1, -0.5, -1e-3, 0, 1e-3, 0.5, 1, 3];

  it('the derivative of every activation matches central finite differences of the activation in float64', () => {
    for (const kind of ACTIVATIONS) {
      const f = scalarActivation(kind);
      const df = scalarDerivative(kind);
      for (const x of [-2.3, -0.7, -0.2, 0.3, 0.8, 2.1]) {
        const h = 1e-6;
        const fd = (f(x + h) - f(x - h)) / (2 * h);
        expect(Math.abs(fd - df(x)), `${kind} at ${x}`).toBeLessThan(1e-8);
      }
    }
  });

  it('follows PyTorch at the kinks: relu(0)′ = 0, leaky(0)′ = 0.01, hard-tanh(±1)′ = 0', () => {
    expect(scalarDerivative('relu')(0)).toBe(0);
    expect(scalarDerivative('leaky-relu')(0)).toBe(0.01);
    expect(scalarDerivative('hard-tanh')(1)).toBe(0);
    expect(scalarDerivative('hard-tanh')(-1)).toBe(0);
  });

  it('computes the closed forms: tanh, sigmoid, GELU (tanh approximation) at known points', () => {
    expect(scalarActivation('sigmoid')(0)).toBe(0.5);
    expect(scalarActivation('sigmoid')(-800)).toBe(0);
    expect(scalarActivation('sigmoid')(800)).toBe(1);
    expect(scalarActivation('gelu')(0)).toBe(0);
    // GELU_tanh(1) = 0.5·(1 + tanh(√(2/π)·1.044715)).
    expect(scalarActivation('gelu')(1)).toBeCloseTo(0.5 * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * 1.044715)), 15);
    // The tanh form stays within 5e-4 of the exact erf GELU (as DESIGN §2 says): at x = 1 exact is 0.8413447460685429.
    expect(Math.abs(scalarActivation('gelu')(1) - 0.8413447460685429)).toBeLessThan(5e-4);
  });

  it('activate, activateDerivative and activateBoth apply the scalar definitions elementwise, in place too', () => {
    for (const kind of ACTIVATIONS as readonly Activation[]) {
      const x = Float64Array.from(xs);
      const fx = new Float64Array(xs.length);
      const dfx = new Float64Array(xs.length);
      f64.activateBoth(kind, x, fx, dfx, xs.length);
      expect(Array.from(fx)).toEqual(xs.map(scalarActivation(kind)));
      expect(Array.from(dfx)).toEqual(xs.map(scalarDerivative(kind)));
      f64.activate(kind, x, x, xs.length);
      expect(Array.from(x)).toEqual(Array.from(fx));
    }
  });
});

describe('js reference reductions and maps', () => {
  const x = Float64Array.from([1, -2, 3, 4, 5, -6]); // 2×3

  it('sums rows and columns, finds row maxima and first argmax', () => {
    const r = new Float64Array(2);
    f64.rowSums(x, r, 2, 3);
    expect(Array.from(r)).toEqual([2, 3]);
    const c = new Float64Array(3);
    f64.columnSums(x, c, 2, 3);
    expect(Array.from(c)).toEqual([5, 3, -3]);
    f64.rowMax(x, r, 2, 3);
    expect(Array.from(r)).toEqual([3, 5]);
    const idx = new Int32Array(2);
    f64.rowArgmax(Float64Array.from([2, 7, 7, 1, 0, 1]), idx, 2, 3);
    expect(Array.from(idx)).toEqual([1, 0]);
  });

  it('softmax rows sum to one and are invariant to shifting the row', () => {
    const out = new Float64Array(6);
    f64.softmax(x, out, 2, 3);
    const shifted = new Float64Array(6);
    f64.softmax(
      x.map((v) => v + 1000),
      shifted,
      2,
      3,
    );
    for (let r = 0; r < 2; r++) expect(out[r * 3] + out[r * 3 + 1] + out[r * 3 + 2]).toBeCloseTo(1, 14);
    expect(worstRatio(shifted, out, 1e-15, 1e-12)).toBeLessThanOrEqual(1);
    expect(out[0]).toBeCloseTo(Math.exp(1) / (Math.exp(1) + Math.exp(-2) + Math.exp(3)), 15);
  });

  it('axpy, scale, sub, mul, addRowVector and sumSquares follow their definitions', () => {
    const y = Float64Array.from([1, 1, 1, 1, 1, 1]);
    f64.axpy(2, x, y, 6);
    expect(Array.from(y)).toEqual([3, -3, 7, 9, 11, -11]);
    f64.scale(-1, y, 6);
    expect(Array.from(y)).toEqual([-3, 3, -7, -9, -11, 11]);
    const o = new Float64Array(6);
    f64.sub(x, y, o, 6);
    expect(Array.from(o)).toEqual([4, -5, 10, 13, 16, -17]);
    f64.mul(x, y, o, 6);
    expect(Array.from(o)).toEqual([-3, -6, -21, -36, -55, -66]);
    f64.addRowVector(x, Float64Array.from([10, 20, 30]), o, 2, 3);
    expect(Array.from(o)).toEqual([11, 18, 33, 14, 25, 24]);
    expect(f64.sumSquares(x, 6)).toBe(1 + 4 + 9 + 16 + 25 + 36);
  });
});

describe('js reference fused kernels', () => {
  it('predictionError is x − mu − b with b broadcast over rows', () => {
    const out = new Float64Array(4);
    f64.predictionError(Float64Array.from([5, 6, 7, 8]), Float64Array.from([1, 1, 2, 2]), Float64Array.from([0.5, -1]), out, 2, 2);
    expect(Array.from(out)).toEqual([3.5, 6, 4.5, 7]);
  });

  it('valueStep moves x by −eta·(m·v + ε − f′⊙g) and keeps the new velocity', () => {
    const x = Float64Array.from([1, 2]);
    const v = Float64Array.from([0.5, -0.5]);
    f64.valueStep(x, v, Float64Array.from([0.2, 0.4]), Float64Array.from([2, 3]), Float64Array.from([1, -1]), 0.1, 0.9, 2);
    // d = [0.2 − 2·1, 0.4 + 3·1] = [−1.8, 3.4]; v = [0.45 − 1.8, −0.45 + 3.4] = [−1.35, 2.95]
    expect(v[0]).toBeCloseTo(-1.35, 14);
    expect(v[1]).toBeCloseTo(2.95, 14);
    expect(x[0]).toBeCloseTo(1.135, 14);
    expect(x[1]).toBeCloseTo(1.705, 14);
  });
});
