/**
 * The state passes of predictive coding — what core would otherwise loop over
 * on the host: fills and uploads, held units, the prior's error, the
 * cross-entropy output energy, per-example energies and stillness-scaled
 * errors (backend.ts documents each). These are one memory-bound pass each, so
 * the js and wasm backends share these loops over their arrays (a wasm kernel
 * would save nothing); a GPU backend runs them as kernels. Sums accumulate in
 * float64.
 */
import type { Backend, FloatArray } from './backend.ts';

/** Smallest normal float32: cross-entropy floors probabilities here, so p = 0 gives a large finite energy. */
export const PROBABILITY_FLOOR = 1.1754943508222875e-38;

export type StatePasses<T extends FloatArray> = Pick<
  Backend<T>,
  'fill' | 'write' | 'holdUnits' | 'priorError' | 'crossEntropy' | 'rowSumSquares' | 'rowCrossEntropy' | 'stillness'
>;

export function statePasses<T extends FloatArray>(): StatePasses<T> {
  return {
    fill(x, value, n) {
      x.fill(value, 0, n);
    },
    write(dst, src, offset = 0) {
      dst.set(src, offset);
    },
    holdUnits(x, v, mask, data, n) {
      for (let i = 0; i < n; i++) {
        if (mask[i] !== 0) {
          x[i] = data[i];
          v[i] = 0;
        }
      }
    },
    priorError(x, eps, mean, weight, n) {
      let s = 0;
      for (let i = 0; i < n; i++) {
        const d = x[i] - mean;
        eps[i] = weight * d;
        s += d * d;
      }
      return s;
    },
    crossEntropy(y, p, n) {
      let s = 0;
      for (let i = 0; i < n; i++) if (y[i] !== 0) s -= y[i] * Math.log(Math.max(p[i], PROBABILITY_FLOOR));
      return s;
    },
    rowSumSquares(x, out, rows, cols) {
      for (let r = 0; r < rows; r++) {
        let s = 0;
        for (let i = r * cols; i < (r + 1) * cols; i++) s += x[i] * x[i];
        out[r] = s;
      }
    },
    rowCrossEntropy(y, p, out, rows, cols) {
      for (let r = 0; r < rows; r++) {
        let s = 0;
        for (let i = r * cols; i < (r + 1) * cols; i++) if (y[i] !== 0) s -= y[i] * Math.log(Math.max(p[i], PROBABILITY_FLOOR));
        out[r] = s;
      }
    },
    stillness(eps, v, out, theta, n) {
      for (let i = 0; i < n; i++) {
        const r = v[i] / theta;
        out[i] = eps[i] / (1 + r * r);
      }
    },
  };
}
