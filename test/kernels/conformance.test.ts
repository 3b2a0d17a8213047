/**
 * One table of cases, run on every backend variant and compared with the js
 * reference evaluated in float64 on the same float32 inputs.
 */
import { describe, expect, it } from 'vitest';
import { ACTIVATIONS } from '../../packages/predictive-coding/src/kernels/backend.ts';
import { createReferenceBackend } from '../../packages/predictive-coding/src/kernels/reference.ts';
import { uniform, worstRatio } from '../helpers/arrays.ts';
import { load, useVariants } from './variants.ts';

const oracle = createReferenceBackend('float64');
const variants = useVariants();

const DIMS = [1, 3, 17, 65];

describe('matmul conformance', () => {
  const cases: [number, number, number][] = [];
  for (const m of DIMS) for (const k of DIMS) for (const n of DIMS) cases.push([m, k, n]);
  cases.push([130, 300, 270], [256, 784, 10], [9, 0, 5]);

  for (const transA of [false, true]) {
    for (const transB of [false, true]) {
      it(`every backend agrees with the float64 reference on ${cases.length} shapes (transA=${transA}, transB=${transB}, several alpha/beta)`, () => {
        for (const v of variants) {
          let seed = 10;
          for (const [m, k, n] of cases) {
            const [alpha, beta] = seed % 3 === 0 ? [1, 0] : seed % 3 === 1 ? [0.5, -1.25] : [-2, 1];
            const a = Float32Array.from(uniform(m * k, seed++));
            const b = Float32Array.from(uniform(k * n, seed++));
            const c0 = Float32Array.from(uniform(m * n, seed++));
            const want = Float64Array.from(c0);
            oracle.matmul(Float64Array.from(a), Float64Array.from(b), want, m, k, n, { transA, transB, alpha, beta });
            const c = load(v, c0);
            v.backend.matmul(load(v, a), load(v, b), c, m, k, n, { transA, transB, alpha, beta });
            const ratio = worstRatio(c, want, 1e-6 * Math.max(1, k), 1e-5);
            expect(ratio, `${v.name} ${m}x${k}x${n}`).toBeLessThanOrEqual(1);
          }
        }
      });
    }
  }

  it('with beta = 0 no backend reads C: NaN already in C does not reach the result', () => {
    for (const v of variants) {
      const c = load(v, new Float32Array(3 * 9).fill(Number.NaN));
      v.backend.matmul(load(v, uniform(3 * 5, 1)), load(v, uniform(5 * 9, 2)), c, 3, 5, 9);
      expect(c.every(Number.isFinite), v.name).toBe(true);
    }
  });

  it('NaN in an operand propagates to the products that use it', () => {
    for (const v of variants) {
      const a = Float32Array.from(uniform(4 * 3, 1));
      a[1 * 3 + 2] = Number.NaN; // row 1 of A
      const c = v.array(4 * 5);
      v.backend.matmul(load(v, a), load(v, uniform(3 * 5, 2)), c, 4, 3, 5);
      for (let i = 0; i < 4; i++) for (let j = 0; j < 5; j++) expect(Number.isNaN(c[i * 5 + j]), `${v.name} [${i},${j}]`).toBe(i === 1);
    }
  });
});

describe('activation conformance', () => {
  const specials = [0, -0, 1, -1, 0.5, -0.5, 0.4999, 0.5001, 1e-30, -1e-30, 1e-4, 20, -20, 88, -88, 100, -100, Infinity, -Infinity, Number.NaN];
  const lengths = [1, 3, 17, 65, 1003];

  for (const kind of ACTIVATIONS) {
    it(`${kind}: f, f' and the fused pass agree with the reference on odd lengths, kinks, extremes, ±Inf and NaN`, () => {
      for (const v of variants) {
        for (const len of lengths) {
          const xs = Float32Array.from(uniform(len, len, -10, 10));
          for (let i = 0; i < Math.min(len, specials.length); i++) xs[(i * 7) % len] = specials[i];
          const fWant = new Float64Array(len);
          const dWant = new Float64Array(len);
          oracle.activateBoth(kind, Float64Array.from(xs), fWant, dWant, len);
          const x = load(v, xs);
          const f = v.array(len);
          const d = v.array(len);
          v.backend.activate(kind, x, f, len);
          expect(worstRatio(f, fWant, 1e-6, 1e-5), `${v.name} f len ${len}`).toBeLessThanOrEqual(1);
          v.backend.activateDerivative(kind, x, d, len);
          expect(worstRatio(d, dWant, 1e-6, 1e-5), `${v.name} f' len ${len}`).toBeLessThanOrEqual(1);
          const f2 = v.array(len);
          const d2 = v.array(len);
          v.backend.activateBoth(kind, x, f2, d2, len);
          expect(Array.from(f2), `${v.name} fused f`).toEqual(Array.from(f));
          expect(Array.from(d2), `${v.name} fused f'`).toEqual(Array.from(d));
          v.backend.activate(kind, x, x, len); // in place
          expect(Array.from(x), `${v.name} in place`).toEqual(Array.from(f));
        }
      }
    });
  }
});

describe('elementwise and reduction conformance', () => {
  const shapes: [number, number][] = [];
  for (const r of DIMS) for (const c of DIMS) shapes.push([r, c]);

  it('axpy, scale, sub, mul and addRowVector agree with the reference', () => {
    for (const v of variants) {
      let seed = 100;
      for (const [rows, cols] of shapes) {
        const n = rows * cols;
        const x = Float32Array.from(uniform(n, seed++));
        const y = Float32Array.from(uniform(n, seed++));
        const row = Float32Array.from(uniform(cols, seed++));
        const want = Float64Array.from(y);
        oracle.axpy(-0.3, Float64Array.from(x), want, n);
        const got = load(v, y);
        v.backend.axpy(-0.3, load(v, x), got, n);
        expect(worstRatio(got, want, 1e-6, 1e-6), `${v.name} axpy`).toBeLessThanOrEqual(1);
        oracle.scale(1.7, want, n);
        v.backend.scale(1.7, got, n);
        expect(worstRatio(got, want, 1e-6, 1e-6), `${v.name} scale`).toBeLessThanOrEqual(1);
        const out = v.array(n);
        const outWant = new Float64Array(n);
        oracle.sub(Float64Array.from(x), Float64Array.from(y), outWant, n);
        v.backend.sub(load(v, x), load(v, y), out, n);
        expect(worstRatio(out, outWant, 1e-7, 1e-7), `${v.name} sub`).toBeLessThanOrEqual(1);
        oracle.mul(Float64Array.from(x), Float64Array.from(y), outWant, n);
        v.backend.mul(load(v, x), load(v, y), out, n);
        expect(worstRatio(out, outWant, 1e-7, 1e-7), `${v.name} mul`).toBeLessThanOrEqual(1);
        oracle.addRowVector(Float64Array.from(x), Float64Array.from(row), outWant, rows, cols);
        const inPlace = load(v, x);
        v.backend.addRowVector(inPlace, load(v, row), inPlace, rows, cols);
        expect(worstRatio(inPlace, outWant, 1e-7, 1e-7), `${v.name} addRowVector`).toBeLessThanOrEqual(1);
      }
    }
  });

  it('rowSums, columnSums, rowMax, rowArgmax, softmax and sumSquares agree with the reference', () => {
    for (const v of variants) {
      let seed = 200;
      for (const [rows, cols] of shapes) {
        const n = rows * cols;
        // Small integers make ties, which argmax must break the same way (first index).
        const xs = Float32Array.from(uniform(n, seed++, -3, 3).map(Math.round));
        const x64 = Float64Array.from(xs);
        const x = load(v, xs);
        const r = v.array(rows);
        const rWant = new Float64Array(rows);
        oracle.rowSums(x64, rWant, rows, cols);
        v.backend.rowSums(x, r, rows, cols);
        expect(worstRatio(r, rWant, 1e-6, 1e-6), `${v.name} rowSums`).toBeLessThanOrEqual(1);
        const c = v.array(cols);
        const cWant = new Float64Array(cols);
        oracle.columnSums(x64, cWant, rows, cols);
        v.backend.columnSums(x, c, rows, cols);
        expect(worstRatio(c, cWant, 1e-6, 1e-6), `${v.name} columnSums`).toBeLessThanOrEqual(1);
        oracle.rowMax(x64, rWant, rows, cols);
        v.backend.rowMax(x, r, rows, cols);
        expect(Array.from(r), `${v.name} rowMax`).toEqual(Array.from(rWant));
        const idx = new Int32Array(rows);
        const idxWant = new Int32Array(rows);
        oracle.rowArgmax(x64, idxWant, rows, cols);
        v.backend.rowArgmax(x, idx, rows, cols);
        expect(Array.from(idx), `${v.name} rowArgmax`).toEqual(Array.from(idxWant));
        const sm = v.array(n);
        const smWant = new Float64Array(n);
        const wide = Float32Array.from(uniform(n, seed++, -30, 30));
        oracle.softmax(Float64Array.from(wide), smWant, rows, cols);
        v.backend.softmax(load(v, wide), sm, rows, cols);
        expect(worstRatio(sm, smWant, 1e-7, 1e-5), `${v.name} softmax`).toBeLessThanOrEqual(1);
        const s = v.backend.sumSquares(load(v, wide), n);
        expect(Math.abs(s - oracle.sumSquares(Float64Array.from(wide), n)), `${v.name} sumSquares`).toBeLessThanOrEqual(1e-12 * s);
      }
    }
  });

  it('rowMax is NaN for a row that holds NaN', () => {
    for (const v of variants) {
      const x = load(v, [1, Number.NaN, 3, 4, 5, 6]);
      const r = v.array(2);
      v.backend.rowMax(x, r, 2, 3);
      expect(Number.isNaN(r[0]), v.name).toBe(true);
      expect(r[1], v.name).toBe(6);
    }
  });
});

describe('fused predictive-coding kernels conformance', () => {
  const shapes: [number, number][] = [
    [1, 1],
    [3, 17],
    [17, 3],
    [65, 65],
  ];

  it('predictionError, in place on x or mu too, agrees with the reference', () => {
    for (const v of variants) {
      let seed = 300;
      for (const [rows, cols] of shapes) {
        const n = rows * cols;
        const x = Float32Array.from(uniform(n, seed++));
        const mu = Float32Array.from(uniform(n, seed++));
        const b = Float32Array.from(uniform(cols, seed++));
        const want = new Float64Array(n);
        oracle.predictionError(Float64Array.from(x), Float64Array.from(mu), Float64Array.from(b), want, rows, cols);
        for (const target of ['out', 'x', 'mu'] as const) {
          const xv = load(v, x);
          const muv = load(v, mu);
          const out = target === 'x' ? xv : target === 'mu' ? muv : v.array(n);
          v.backend.predictionError(xv, muv, load(v, b), out, rows, cols);
          expect(worstRatio(out, want, 1e-7, 1e-6), `${v.name} ${rows}x${cols} into ${target}`).toBeLessThanOrEqual(1);
        }
      }
    }
  });

  it('valueStep agrees with the reference with and without each term and momentum', () => {
    for (const v of variants) {
      let seed = 400;
      for (const n of [1, 3, 17, 65, 1003]) {
        for (const [useEps, useG, momentum] of [
          [true, true, 0.9],
          [true, false, 0],
          [false, true, 0.5],
        ] as const) {
          const x = Float32Array.from(uniform(n, seed++));
          const vel = Float32Array.from(uniform(n, seed++));
          const eps = Float32Array.from(uniform(n, seed++));
          const df = Float32Array.from(uniform(n, seed++));
          const g = Float32Array.from(uniform(n, seed++));
          const wx = Float64Array.from(x);
          const wv = Float64Array.from(vel);
          oracle.valueStep(wx, wv, useEps ? Float64Array.from(eps) : null, Float64Array.from(df), useG ? Float64Array.from(g) : null, 0.1, momentum, n);
          const gx = load(v, x);
          const gv = load(v, vel);
          v.backend.valueStep(gx, gv, useEps ? load(v, eps) : null, load(v, df), useG ? load(v, g) : null, 0.1, momentum, n);
          expect(worstRatio(gx, wx, 1e-6, 1e-6), `${v.name} x n=${n}`).toBeLessThanOrEqual(1);
          expect(worstRatio(gv, wv, 1e-6, 1e-6), `${v.name} v n=${n}`).toBeLessThanOrEqual(1);
        }
      }
    }
  });

  it('adamStep (Adam and AdamW) and sgdStep (with and without momentum) agree with the reference over several steps', () => {
    for (const v of variants) {
      for (const n of [1, 3, 17, 65]) {
        for (const decoupled of [false, true]) {
          const p0 = uniform(n, n);
          const wp = Float64Array.from(Float32Array.from(p0));
          const wm = new Float64Array(n);
          const wv = new Float64Array(n);
          const gp = load(v, Float32Array.from(p0));
          const gm = v.array(n);
          const gv = v.array(n);
          for (let t = 1; t <= 5; t++) {
            const g = Float32Array.from(uniform(n, 1000 + t));
            const s = { lr: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.05, decoupled, t };
            oracle.adamStep(wp, Float64Array.from(g), wm, wv, n, s);
            v.backend.adamStep(gp, load(v, g), gm, gv, n, s);
          }
          expect(worstRatio(gp, wp, 1e-6, 1e-5), `${v.name} adam decoupled=${decoupled}`).toBeLessThanOrEqual(1);
          expect(worstRatio(gv, wv, 1e-9, 1e-5), `${v.name} adam second moment`).toBeLessThanOrEqual(1);
        }
        for (const momentum of [0, 0.9]) {
          const p0 = uniform(n, n + 7);
          const wp = Float64Array.from(Float32Array.from(p0));
          const wv = new Float64Array(n);
          const gp = load(v, Float32Array.from(p0));
          const gv = v.array(n);
          for (let t = 1; t <= 3; t++) {
            const g = Float32Array.from(uniform(n, 2000 + t));
            oracle.sgdStep(wp, Float64Array.from(g), momentum ? wv : null, n, 0.1, momentum, 0.01);
            v.backend.sgdStep(gp, load(v, g), momentum ? gv : null, n, 0.1, momentum, 0.01);
          }
          expect(worstRatio(gp, wp, 1e-6, 1e-5), `${v.name} sgd momentum=${momentum}`).toBeLessThanOrEqual(1);
        }
      }
    }
  });
});
