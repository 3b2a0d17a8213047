/**
 * The `js` backend: plain loops, generic over Float32Array and Float64Array.
 * It is the oracle every other backend is tested against and the fallback
 * where WebAssembly SIMD is missing. Sums accumulate in float64 (JS numbers),
 * so float32 results are the exact result rounded once per element.
 */
import { checkChoice } from '../errors.ts';
import type { Activation, AdamStep, Backend, DType, FloatArray, IndexArray, MatmulOptions } from './backend.ts';
import { convKernels } from './reference-conv.ts';
import { scalarActivation, scalarDerivative } from './scalar-activations.ts';
import { statePasses } from './state-passes.ts';

/** Creates the reference backend in float32 (default) or float64. */
export function createReferenceBackend(dtype: 'float64'): Backend<Float64Array>;
export function createReferenceBackend(dtype?: 'float32'): Backend<Float32Array>;
export function createReferenceBackend(dtype: DType = 'float32'): Backend<Float32Array> | Backend<Float64Array> {
  checkChoice(dtype, DTYPES, 'createReferenceBackend: dtype');
  return dtype === 'float64'
    ? referenceBackend<Float64Array>('float64', (n) => new Float64Array(n))
    : referenceBackend<Float32Array>('float32', (n) => new Float32Array(n));
}

const DTYPES: readonly DType[] = ['float32', 'float64'];

function referenceBackend<T extends FloatArray>(dtype: DType, make: (n: number) => T): Backend<T> {
  return {
    name: 'js',
    dtype,
    threads: 1,
    alloc: make,
    // T is a host array here, so its IndexArray is Int32Array (a conditional TypeScript leaves open for a generic T).
    allocIndices: (n) => new Int32Array(n) as IndexArray<T>,
    free: () => {},
    memoryOf: (array) => array.buffer,
    matmul,
    activate(kind: Activation, x: T, out: T, n: number) {
      const f = scalarActivation(kind);
      for (let i = 0; i < n; i++) out[i] = f(x[i]);
    },
    activateDerivative(kind: Activation, x: T, out: T, n: number) {
      const df = scalarDerivative(kind);
      for (let i = 0; i < n; i++) out[i] = df(x[i]);
    },
    activateBoth(kind: Activation, x: T, fx: T, dfx: T, n: number) {
      const f = scalarActivation(kind);
      const df = scalarDerivative(kind);
      for (let i = 0; i < n; i++) {
        fx[i] = f(x[i]);
        dfx[i] = df(x[i]);
      }
    },
    axpy(alpha, x, y, n) {
      for (let i = 0; i < n; i++) y[i] += alpha * x[i];
    },
    scale(alpha, x, n) {
      for (let i = 0; i < n; i++) x[i] *= alpha;
    },
    sub(a, b, out, n) {
      for (let i = 0; i < n; i++) out[i] = a[i] - b[i];
    },
    mul(a, b, out, n) {
      for (let i = 0; i < n; i++) out[i] = a[i] * b[i];
    },
    addRowVector(x, v, out, rows, cols) {
      for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[r * cols + c] = x[r * cols + c] + v[c];
    },
    rowSums(x, out, rows, cols) {
      for (let r = 0; r < rows; r++) {
        let s = 0;
        for (let c = 0; c < cols; c++) s += x[r * cols + c];
        out[r] = s;
      }
    },
    columnSums(x, out, rows, cols) {
      const s = new Float64Array(cols);
      for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) s[c] += x[r * cols + c];
      for (let c = 0; c < cols; c++) out[c] = s[c];
    },
    rowMax(x, out, rows, cols) {
      for (let r = 0; r < rows; r++) {
        let best = -Infinity;
        for (let c = 0; c < cols; c++) best = Math.max(best, x[r * cols + c]);
        out[r] = best;
      }
    },
    rowArgmax(x, out, rows, cols) {
      for (let r = 0; r < rows; r++) {
        let best = 0;
        for (let c = 1; c < cols; c++) if (x[r * cols + c] > x[r * cols + best]) best = c;
        out[r] = best;
      }
    },
    softmax(x, out, rows, cols) {
      for (let r = 0; r < rows; r++) {
        const o = r * cols;
        let max = -Infinity;
        for (let c = 0; c < cols; c++) max = Math.max(max, x[o + c]);
        let sum = 0;
        for (let c = 0; c < cols; c++) {
          const e = Math.exp(x[o + c] - max);
          out[o + c] = e;
          sum += e;
        }
        for (let c = 0; c < cols; c++) out[o + c] /= sum;
      }
    },
    sumSquares(x, n) {
      let s = 0;
      for (let i = 0; i < n; i++) s += x[i] * x[i];
      return s;
    },
    predictionError(x, mu, b, out, rows, cols) {
      for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[r * cols + c] = x[r * cols + c] - mu[r * cols + c] - b[c];
    },
    valueStep(x, v, eps, dfx, g, eta, momentum, n) {
      for (let i = 0; i < n; i++) {
        const d = (eps ? eps[i] : 0) - (g && dfx ? dfx[i] * g[i] : 0);
        v[i] = momentum * v[i] + d;
        x[i] -= eta * v[i];
      }
    },
    adamStep(p: T, g: T, m: T, v: T, n: number, s: AdamStep) {
      const c1 = 1 - s.beta1 ** s.t;
      const c2 = 1 - s.beta2 ** s.t;
      for (let i = 0; i < n; i++) {
        const gi = s.decoupled ? g[i] : g[i] + s.weightDecay * p[i];
        m[i] = s.beta1 * m[i] + (1 - s.beta1) * gi;
        v[i] = s.beta2 * v[i] + (1 - s.beta2) * gi * gi;
        const update = m[i] / c1 / (Math.sqrt(v[i] / c2) + s.epsilon);
        p[i] -= s.lr * (s.decoupled ? update + s.weightDecay * p[i] : update);
      }
    },
    sgdStep(p, g, v, n, lr, momentum, weightDecay) {
      for (let i = 0; i < n; i++) {
        let u = g[i] + weightDecay * p[i];
        if (v) {
          v[i] = momentum * v[i] + u;
          u = v[i];
        }
        p[i] -= lr * u;
      }
    },
    ...convKernels<T>(),
    ...statePasses<T>(),
    dispose: () => {},
  };
}

function matmul<T extends FloatArray>(a: T, b: T, c: T, m: number, k: number, n: number, options?: MatmulOptions): void {
  const transA = options?.transA ?? false;
  const transB = options?.transB ?? false;
  const alpha = options?.alpha ?? 1;
  const beta = options?.beta ?? 0;
  // One float64 row of C at a time: accumulation never rounds to float32.
  const acc = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    acc.fill(0);
    for (let p = 0; p < k; p++) {
      const aip = transA ? a[p * m + i] : a[i * k + p];
      if (transB) for (let j = 0; j < n; j++) acc[j] += aip * b[j * k + p];
      else for (let j = 0, o = p * n; j < n; j++) acc[j] += aip * b[o + j];
    }
    for (let j = 0, o = i * n; j < n; j++) c[o + j] = beta === 0 ? alpha * acc[j] : alpha * acc[j] + beta * c[o + j];
  }
}
