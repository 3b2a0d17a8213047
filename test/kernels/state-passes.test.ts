/**
 * The state passes (fills, uploads, held units, the prior's error, cross-entropy, per-example
 * energies, stillness) on every backend variant, against the float64 formulas written out here
 * on odd lengths, with the edge cases each pass promises.
 */
import { describe, expect, it } from 'vitest';
import { uniform, worstRatio } from '../helpers/arrays.ts';
import { load, useVariants } from './variants.ts';

const variants = useVariants();
const LENGTHS = [1, 3, 17, 1003];
const FLOOR = 2 ** -126;

describe('state passes', () => {
  it('fill and write touch exactly the elements they name', () => {
    for (const v of variants) {
      for (const n of LENGTHS) {
        const x = load(v, uniform(n + 2, n));
        const before = Float32Array.from(x);
        v.backend.fill(x, 0.25, n);
        for (let i = 0; i < n + 2; i++) expect(x[i], `${v.name} fill n ${n} at ${i}`).toBe(i < n ? 0.25 : before[i]);
        const src = uniform(n, n + 1);
        v.backend.write(x, src, 1);
        expect(x[0], `${v.name} write keeps what precedes offset`).toBe(0.25);
        for (let i = 0; i < n; i++) expect(x[i + 1], `${v.name} write n ${n} at ${i}`).toBe(Math.fround(src[i]));
      }
    }
  });

  it('copyInto puts x[0..n) at out[offset..] and touches nothing else', () => {
    for (const v of variants) {
      for (const n of LENGTHS) {
        const x = load(v, uniform(n + 1, 5 * n));
        const out = load(v, uniform(2 * n + 3, 5 * n + 1));
        const before = Float32Array.from(out);
        v.backend.copyInto(x, n, out, n + 2);
        for (let i = 0; i < 2 * n + 3; i++) expect(out[i], `${v.name} n ${n} at ${i}`).toBe(i >= n + 2 && i < 2 * n + 2 ? x[i - n - 2] : before[i]);
      }
    }
  });

  it('holdUnits sets the held units to data and their velocity to 0, and leaves the rest', () => {
    for (const v of variants) {
      for (const n of LENGTHS) {
        const x0 = uniform(n, 3 * n);
        const v0 = uniform(n, 3 * n + 1);
        const data = uniform(n, 3 * n + 2);
        const mask = Uint8Array.from({ length: n }, (_, i) => (i % 3 === 1 ? 1 : 0));
        const x = load(v, x0);
        const vel = load(v, v0);
        v.backend.holdUnits(x, vel, mask, data, n);
        for (let i = 0; i < n; i++) {
          expect(x[i], `${v.name} x n ${n} at ${i}`).toBe(Math.fround(mask[i] ? data[i] : x0[i]));
          expect(vel[i], `${v.name} v n ${n} at ${i}`).toBe(mask[i] ? 0 : Math.fround(v0[i]));
        }
      }
    }
  });

  it('priorError writes weight·(x − mean) and returns Σ (x − mean)², also in place', () => {
    for (const v of variants) {
      for (const n of LENGTHS) {
        const xs = Float32Array.from(uniform(n, 5 * n));
        let want = 0;
        const eps = new Float64Array(n);
        for (let i = 0; i < n; i++) {
          want += (xs[i] - 0.1) ** 2;
          eps[i] = 3 * (xs[i] - 0.1);
        }
        const out = v.array(n);
        expect(Math.abs(v.backend.priorError(load(v, xs), out, 0.1, 3, n) - want), `${v.name} n ${n}`).toBeLessThanOrEqual(1e-12 * (1 + want));
        expect(worstRatio(out, eps, 1e-7, 1e-6), `${v.name} eps n ${n}`).toBeLessThanOrEqual(1);
        const same = load(v, xs);
        v.backend.priorError(same, same, 0.1, 3, n);
        expect(worstRatio(same, eps, 1e-7, 1e-6), `${v.name} in place n ${n}`).toBeLessThanOrEqual(1);
      }
    }
  });

  it('crossEntropy and rowCrossEntropy skip y = 0 (even over NaN) and floor p = 0 at 2⁻¹²⁶', () => {
    for (const v of variants) {
      for (const [rows, cols] of [
        [1, 1],
        [3, 7],
        [17, 10],
      ]) {
        const n = rows * cols;
        const y = Float32Array.from(uniform(n, n, 0, 1)).map((a, i) => (i % 4 === 0 ? 0 : a));
        const p = Float32Array.from(uniform(n, n + 1, 0, 1));
        if (n > 1) p[0] = Number.NaN; // y[0] = 0: skipped
        if (n > 2) p[1] = 0; // floored
        const perRow = new Float64Array(rows);
        for (let i = 0; i < n; i++) if (y[i] !== 0) perRow[Math.floor(i / cols)] -= y[i] * Math.log(Math.max(p[i], FLOOR));
        const want = perRow.reduce((a, b) => a + b, 0);
        const got = v.backend.crossEntropy(load(v, y), load(v, p), n);
        expect(Math.abs(got - want), `${v.name} ${rows}×${cols}`).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(want)));
        const out = v.array(rows);
        v.backend.rowCrossEntropy(load(v, y), load(v, p), out, rows, cols);
        expect(worstRatio(out, perRow, 1e-6, 1e-6), `${v.name} rows ${rows}×${cols}`).toBeLessThanOrEqual(1);
      }
    }
  });

  it('rowSumSquares gives each row its squared norm', () => {
    for (const v of variants) {
      for (const [rows, cols] of [
        [1, 1],
        [5, 3],
        [17, 65],
      ]) {
        const x = Float32Array.from(uniform(rows * cols, rows + cols, -3, 3));
        const want = Float64Array.from({ length: rows }, (_, r) => x.subarray(r * cols, (r + 1) * cols).reduce((s, a) => s + a * a, 0));
        const out = v.array(rows);
        v.backend.rowSumSquares(load(v, x), out, rows, cols);
        expect(worstRatio(out, want, 1e-7, 1e-6), `${v.name} ${rows}×${cols}`).toBeLessThanOrEqual(1);
      }
    }
  });

  it('stillness damps each error by 1 / (1 + (v/θ)²), also in place', () => {
    for (const v of variants) {
      for (const n of LENGTHS) {
        const eps = Float32Array.from(uniform(n, 7 * n));
        const vel = Float32Array.from(uniform(n, 7 * n + 1, -2, 2));
        const want = Float64Array.from(eps, (e, i) => e / (1 + (vel[i] / 0.5) ** 2));
        const out = v.array(n);
        v.backend.stillness(load(v, eps), load(v, vel), out, 0.5, n);
        expect(worstRatio(out, want, 1e-7, 1e-6), `${v.name} n ${n}`).toBeLessThanOrEqual(1);
        const same = load(v, eps);
        v.backend.stillness(same, load(v, vel), same, 0.5, n);
        expect(worstRatio(same, want, 1e-7, 1e-6), `${v.name} in place n ${n}`).toBeLessThanOrEqual(1);
      }
    }
  });

  it('clip holds every element within ±cap, NaN kept, and touches nothing past n', () => {
    for (const v of variants) {
      const xs = Float32Array.from([-3, -1, 0.5, 2, Number.NaN, 7]);
      const x = load(v, xs);
      v.backend.clip(x, 1.5, 5);
      expect(Array.from(x), v.name).toEqual([-1.5, -1, 0.5, 1.5, Number.NaN, 7]);
    }
  });
});
