/**
 * Convolution and pooling for the `js` reference backend, in NHWC (see
 * Conv2dGeometry in backend.ts): direct loops over the output positions, with
 * every sum accumulated in float64 and rounded once when written, like the
 * reference matmul. The transposed products scatter into a float64 buffer.
 */
import { type Conv2dGeometry, conv2dOutputSize, type FloatArray, type Pool2dGeometry, pool2dOutputSize } from './backend.ts';

/** The reference backend's convolution and pooling methods. */
export interface ConvKernels<T extends FloatArray> {
  conv2d(x: T, w: T, out: T, g: Conv2dGeometry): void;
  conv2dInputGrad(gy: T, w: T, gx: T, g: Conv2dGeometry, beta?: number): void;
  conv2dWeightGrad(gy: T, x: T, gw: T, g: Conv2dGeometry, alpha: number): void;
  avgPool(x: T, out: T, g: Pool2dGeometry): void;
  avgPoolBackward(gy: T, gx: T, g: Pool2dGeometry): void;
  maxPool(x: T, out: T, argmax: Int32Array, g: Pool2dGeometry): void;
  maxPoolBackward(gy: T, argmax: Int32Array, gx: T, g: Pool2dGeometry): void;
}

/**
 * Calls visit(xo, wo, yo) for every (example, output position, tap) whose input position lies
 * inside x: xo is the offset of x[n, y, z, 0], wo of w[i, j, 0, 0], yo of out[n, oh, ow, 0].
 */
function forEachTap(g: Conv2dGeometry, visit: (xo: number, wo: number, yo: number) => void): void {
  const { oh, ow } = conv2dOutputSize(g);
  for (let n = 0; n < g.n; n++)
    for (let a = 0; a < oh; a++)
      for (let b = 0; b < ow; b++) {
        const yo = ((n * oh + a) * ow + b) * g.k;
        for (let i = 0; i < g.kh; i++) {
          const y = a * g.stride + i - g.pad;
          if (y < 0 || y >= g.h) continue;
          for (let j = 0; j < g.kw; j++) {
            const z = b * g.stride + j - g.pad;
            if (z >= 0 && z < g.w) visit(((n * g.h + y) * g.w + z) * g.c, (i * g.kw + j) * g.c * g.k, yo);
          }
        }
      }
}

/** Writes acc (+ beta·out when beta ≠ 0) into out, rounding once to out's precision. */
function store<T extends FloatArray>(acc: Float64Array, out: T, offset: number, beta: number): void {
  for (let e = 0; e < acc.length; e++) out[offset + e] = beta === 0 ? acc[e] : acc[e] + beta * out[offset + e];
}

export function convKernels<T extends FloatArray>(): ConvKernels<T> {
  return {
    conv2d(x, w, out, g) {
      const { c, k } = g;
      const acc = new Float64Array(out.length);
      forEachTap(g, (xo, wo, yo) => {
        for (let cc = 0; cc < c; cc++) {
          const xv = x[xo + cc];
          const wr = wo + cc * k;
          for (let kk = 0; kk < k; kk++) acc[yo + kk] += xv * w[wr + kk];
        }
      });
      store(acc, out, 0, 0);
    },
    conv2dInputGrad(gy, w, gx, g, beta = 0) {
      const { c, k } = g;
      const acc = new Float64Array(gx.length);
      forEachTap(g, (xo, wo, yo) => {
        for (let cc = 0; cc < c; cc++) {
          const wr = wo + cc * k;
          let s = 0;
          for (let kk = 0; kk < k; kk++) s += gy[yo + kk] * w[wr + kk];
          acc[xo + cc] += s;
        }
      });
      store(acc, gx, 0, beta);
    },
    conv2dWeightGrad(gy, x, gw, g, alpha) {
      const { c, k } = g;
      const acc = new Float64Array(gw.length);
      forEachTap(g, (xo, wo, yo) => {
        for (let cc = 0; cc < c; cc++) {
          const xv = x[xo + cc];
          const wr = wo + cc * k;
          for (let kk = 0; kk < k; kk++) acc[wr + kk] += xv * gy[yo + kk];
        }
      });
      for (let e = 0; e < acc.length; e++) gw[e] = alpha * acc[e];
    },
    avgPool(x, out, g) {
      const inv = 1 / (g.window * g.window);
      const acc = new Float64Array(out.length);
      forEachWindow(g, (xo, o) => {
        for (let cc = 0; cc < g.c; cc++) acc[o + cc] += x[xo + cc];
      });
      for (let e = 0; e < acc.length; e++) out[e] = acc[e] * inv;
    },
    avgPoolBackward(gy, gx, g) {
      const inv = 1 / (g.window * g.window);
      const acc = new Float64Array(gx.length);
      forEachWindow(g, (xo, o) => {
        for (let cc = 0; cc < g.c; cc++) acc[xo + cc] += gy[o + cc];
      });
      for (let e = 0; e < acc.length; e++) gx[e] = acc[e] * inv;
    },
    maxPool(x, out, argmax, g) {
      argmax.fill(-1);
      forEachWindow(g, (xo, o) => {
        for (let cc = 0; cc < g.c; cc++) {
          const best = argmax[o + cc];
          const v = x[xo + cc];
          // The first NaN wins and stays: v > NaN is false, and a NaN best is never replaced.
          if (best < 0 || v > x[best] || (Number.isNaN(v) && !Number.isNaN(x[best]))) argmax[o + cc] = xo + cc;
        }
      });
      for (let o = 0; o < out.length; o++) out[o] = x[argmax[o]];
    },
    maxPoolBackward(gy, argmax, gx, g) {
      const acc = new Float64Array(g.n * g.h * g.w * g.c);
      for (let o = 0; o < argmax.length; o++) acc[argmax[o]] += gy[o];
      for (let e = 0; e < acc.length; e++) gx[e] = acc[e];
    },
  };
}

/**
 * Calls visit(xo, o) for every window position in row-major window order: xo is the
 * offset of x[n, y, z, 0] and o of out[n, oh, ow, 0].
 */
function forEachWindow(g: Pool2dGeometry, visit: (xo: number, o: number) => void): void {
  const { oh, ow, stride } = pool2dOutputSize(g);
  for (let n = 0; n < g.n; n++)
    for (let a = 0; a < oh; a++)
      for (let b = 0; b < ow; b++) {
        const o = ((n * oh + a) * ow + b) * g.c;
        for (let i = 0; i < g.window; i++) for (let j = 0; j < g.window; j++) visit(((n * g.h + a * stride + i) * g.w + b * stride + j) * g.c, o);
      }
}
