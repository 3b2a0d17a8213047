/**
 * The state passes of predictive coding — what core would otherwise loop over
 * on the host: fills and uploads, held units, the prior's error, the
 * cross-entropy output energy, per-example energies, stillness-scaled
 * errors, weight caps (backend.ts documents each). These are one memory-bound pass each, so
 * the js and wasm backends share these loops over their arrays (a wasm kernel
 * would save nothing); a GPU backend runs them as kernels. Sums accumulate in
 * float64.
 */
import type { Backend, FloatArray } from './backend.ts';

/** Smallest normal float32: cross-entropy floors probabilities here, so p = 0 gives a large finite energy. */
export const PROBABILITY_FLOOR = 1.1754943508222875e-38;

export type StatePasses<T extends FloatArray> = Pick<
  Backend<T>,
  | 'fill'
  | 'write'
  | 'holdUnits'
  | 'priorError'
  | 'crossEntropy'
  | 'rowSumSquares'
  | 'rowCrossEntropy'
  | 'stillness'
  | 'clip'
  | 'sumSquaresInto'
  | 'priorErrorInto'
  | 'crossEntropyInto'
  | 'sumInto'
  | 'copyInto'
  | 'read'
>;

export function statePasses<T extends FloatArray>(): StatePasses<T> {
  const crossEntropy = (y: T, p: T, n: number): number => {
    let s = 0;
    for (let i = 0; i < n; i++) if (y[i] !== 0) s -= y[i] * Math.log(Math.max(p[i], PROBABILITY_FLOOR));
    return s;
  };
  const priorError = (x: T, eps: T, mean: number, weight: number, n: number): number => {
    let s = 0;
    for (let i = 0; i < n; i++) {
      const d = x[i] - mean;
      eps[i] = weight * d;
      s += d * d;
    }
    return s;
  };
  return {
    crossEntropy,
    priorError,
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
    sumSquaresInto(x, n, scale, out, slot) {
      let s = 0;
      for (let i = 0; i < n; i++) s += x[i] * x[i];
      out[slot] = scale * s;
    },
    priorErrorInto(x, eps, mean, weight, n, scale, out, slot) {
      out[slot] = scale * priorError(x, eps, mean, weight, n);
    },
    crossEntropyInto(y, p, n, scale, out, slot) {
      out[slot] = scale * crossEntropy(y, p, n);
    },
    sumInto(x, n, out, slot) {
      let s = 0;
      for (let i = 0; i < n; i++) s += x[i];
      out[slot] = s;
    },
    copyInto(x, n, out, offset) {
      out.set(x.subarray(0, n), offset);
    },
    async read(x, n) {
      return Float64Array.from(x.subarray(0, n));
    },
    clip(x, cap, n) {
      for (let i = 0; i < n; i++) {
        if (x[i] > cap) x[i] = cap;
        else if (x[i] < -cap) x[i] = -cap;
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
