/**
 * The oracle for the convolution and pooling kernels: each op written from its
 * definition as plain nested loops in float64, independently of src/ (the
 * transposed products gather over the outputs that read an input, where the
 * kernels scatter), plus the odd-shaped cases every backend runs.
 */

export interface ConvCase {
  n: number;
  h: number;
  w: number;
  c: number;
  k: number;
  kh: number;
  kw: number;
  stride: number;
  pad: number;
}

export interface PoolCase {
  n: number;
  h: number;
  w: number;
  c: number;
  window: number;
  stride: number;
}

/** Stride 1, 2 and 3, pad 0–2, kernels 1×1, 3×3, 2×3 and larger than the input, one channel, batch 1, odd sizes, k = 1/3/17. */
export const CONV_CASES: readonly ConvCase[] = [
  { n: 1, h: 7, w: 5, c: 1, k: 1, kh: 3, kw: 3, stride: 1, pad: 0 },
  { n: 2, h: 7, w: 5, c: 3, k: 3, kh: 3, kw: 3, stride: 1, pad: 1 },
  { n: 3, h: 7, w: 5, c: 2, k: 17, kh: 3, kw: 3, stride: 2, pad: 1 },
  { n: 2, h: 5, w: 7, c: 3, k: 17, kh: 2, kw: 3, stride: 2, pad: 0 },
  { n: 1, h: 6, w: 5, c: 17, k: 3, kh: 2, kw: 3, stride: 1, pad: 1 },
  { n: 2, h: 7, w: 5, c: 3, k: 17, kh: 1, kw: 1, stride: 1, pad: 0 },
  { n: 2, h: 7, w: 5, c: 3, k: 5, kh: 1, kw: 1, stride: 2, pad: 0 },
  { n: 2, h: 4, w: 4, c: 1, k: 3, kh: 1, kw: 1, stride: 1, pad: 1 },
  { n: 1, h: 3, w: 3, c: 2, k: 1, kh: 3, kw: 3, stride: 1, pad: 3 },
  { n: 2, h: 9, w: 8, c: 5, k: 9, kh: 3, kw: 3, stride: 3, pad: 1 },
  { n: 1, h: 1, w: 1, c: 65, k: 17, kh: 1, kw: 1, stride: 1, pad: 0 },
  { n: 2, h: 3, w: 2, c: 2, k: 3, kh: 5, kw: 4, stride: 1, pad: 1 },
  { n: 4, h: 13, w: 11, c: 8, k: 12, kh: 3, kw: 3, stride: 1, pad: 1 },
  { n: 3, h: 9, w: 9, c: 32, k: 40, kh: 3, kw: 3, stride: 1, pad: 1 },
  { n: 2, h: 10, w: 9, c: 4, k: 24, kh: 3, kw: 2, stride: 2, pad: 2 },
  // Eight channels or more: the native backend's im2col path (fewer go to wasm's direct kernel) — strided,
  // padded past the kernel's reach, and (the second) more examples than one 8 MiB lowering chunk holds.
  { n: 2, h: 9, w: 11, c: 9, k: 5, kh: 3, kw: 2, stride: 2, pad: 2 },
  { n: 9, h: 64, w: 64, c: 8, k: 3, kh: 3, kw: 3, stride: 1, pad: 1 },
];

/** Disjoint, overlapping and dropped-edge windows, one channel, batch 1. */
export const POOL_CASES: readonly PoolCase[] = [
  { n: 1, h: 7, w: 5, c: 1, window: 2, stride: 2 },
  { n: 2, h: 6, w: 6, c: 3, window: 2, stride: 2 },
  { n: 2, h: 7, w: 5, c: 17, window: 3, stride: 2 },
  { n: 3, h: 5, w: 7, c: 3, window: 3, stride: 1 },
  { n: 1, h: 4, w: 3, c: 5, window: 1, stride: 1 },
  { n: 2, h: 9, w: 8, c: 8, window: 3, stride: 3 },
  { n: 1, h: 3, w: 3, c: 65, window: 3, stride: 3 },
];

export function convOut(g: ConvCase): { oh: number; ow: number } {
  return { oh: Math.floor((g.h + 2 * g.pad - g.kh) / g.stride) + 1, ow: Math.floor((g.w + 2 * g.pad - g.kw) / g.stride) + 1 };
}

export function poolOut(g: PoolCase): { oh: number; ow: number } {
  return { oh: Math.floor((g.h - g.window) / g.stride) + 1, ow: Math.floor((g.w - g.window) / g.stride) + 1 };
}

/** out[n, a, b, k] = Σ_{i, j, c} x[n, a·s + i − p, b·s + j − p, c] · w[i, j, c, k]. */
export function naiveConv2d(x: ArrayLike<number>, w: ArrayLike<number>, g: ConvCase): Float64Array {
  const { oh, ow } = convOut(g);
  const out = new Float64Array(g.n * oh * ow * g.k);
  for (let n = 0; n < g.n; n++)
    for (let a = 0; a < oh; a++)
      for (let b = 0; b < ow; b++)
        for (let k = 0; k < g.k; k++) {
          let s = 0;
          for (let i = 0; i < g.kh; i++)
            for (let j = 0; j < g.kw; j++)
              for (let c = 0; c < g.c; c++) {
                const y = a * g.stride + i - g.pad;
                const z = b * g.stride + j - g.pad;
                if (y < 0 || y >= g.h || z < 0 || z >= g.w) continue;
                s += x[((n * g.h + y) * g.w + z) * g.c + c] * w[((i * g.kw + j) * g.c + c) * g.k + k];
              }
          out[((n * oh + a) * ow + b) * g.k + k] = s;
        }
  return out;
}

/** gx[n, y, z, c] = Σ over the outputs (a, b) and taps (i, j) with y = a·s + i − p, z = b·s + j − p of Σ_k gy[n, a, b, k] · w[i, j, c, k]. */
export function naiveConv2dInputGrad(gy: ArrayLike<number>, w: ArrayLike<number>, g: ConvCase): Float64Array {
  const { oh, ow } = convOut(g);
  const gx = new Float64Array(g.n * g.h * g.w * g.c);
  for (let n = 0; n < g.n; n++)
    for (let y = 0; y < g.h; y++)
      for (let z = 0; z < g.w; z++)
        for (let c = 0; c < g.c; c++) {
          let s = 0;
          for (let i = 0; i < g.kh; i++)
            for (let j = 0; j < g.kw; j++) {
              const ya = y + g.pad - i;
              const zb = z + g.pad - j;
              if (ya % g.stride !== 0 || zb % g.stride !== 0) continue;
              const a = ya / g.stride;
              const b = zb / g.stride;
              if (a < 0 || a >= oh || b < 0 || b >= ow) continue;
              for (let k = 0; k < g.k; k++) s += gy[((n * oh + a) * ow + b) * g.k + k] * w[((i * g.kw + j) * g.c + c) * g.k + k];
            }
          gx[((n * g.h + y) * g.w + z) * g.c + c] = s;
        }
  return gx;
}

/** gw[i, j, c, k] = alpha · Σ_{n, a, b} x[n, a·s + i − p, b·s + j − p, c] · gy[n, a, b, k]. */
export function naiveConv2dWeightGrad(gy: ArrayLike<number>, x: ArrayLike<number>, g: ConvCase, alpha: number): Float64Array {
  const { oh, ow } = convOut(g);
  const gw = new Float64Array(g.kh * g.kw * g.c * g.k);
  for (let i = 0; i < g.kh; i++)
    for (let j = 0; j < g.kw; j++)
      for (let c = 0; c < g.c; c++)
        for (let k = 0; k < g.k; k++) {
          let s = 0;
          for (let n = 0; n < g.n; n++)
            for (let a = 0; a < oh; a++)
              for (let b = 0; b < ow; b++) {
                const y = a * g.stride + i - g.pad;
                const z = b * g.stride + j - g.pad;
                if (y < 0 || y >= g.h || z < 0 || z >= g.w) continue;
                s += x[((n * g.h + y) * g.w + z) * g.c + c] * gy[((n * oh + a) * ow + b) * g.k + k];
              }
          gw[((i * g.kw + j) * g.c + c) * g.k + k] = alpha * s;
        }
  return gw;
}

/** Mean of each window, per channel. */
export function naiveAvgPool(x: ArrayLike<number>, g: PoolCase): Float64Array {
  const { oh, ow } = poolOut(g);
  const out = new Float64Array(g.n * oh * ow * g.c);
  for (let n = 0; n < g.n; n++)
    for (let a = 0; a < oh; a++)
      for (let b = 0; b < ow; b++)
        for (let c = 0; c < g.c; c++) {
          let s = 0;
          for (let i = 0; i < g.window; i++) for (let j = 0; j < g.window; j++) s += x[((n * g.h + a * g.stride + i) * g.w + b * g.stride + j) * g.c + c];
          out[((n * oh + a) * ow + b) * g.c + c] = s / (g.window * g.window);
        }
  return out;
}

/** gx[n, y, z, c] = Σ over the windows that hold (y, z) of gy / window². */
export function naiveAvgPoolBackward(gy: ArrayLike<number>, g: PoolCase): Float64Array {
  const { oh, ow } = poolOut(g);
  const gx = new Float64Array(g.n * g.h * g.w * g.c);
  for (let n = 0; n < g.n; n++)
    for (let y = 0; y < g.h; y++)
      for (let z = 0; z < g.w; z++)
        for (let c = 0; c < g.c; c++) {
          let s = 0;
          for (let a = 0; a < oh; a++)
            for (let b = 0; b < ow; b++) {
              const i = y - a * g.stride;
              const j = z - b * g.stride;
              if (i >= 0 && i < g.window && j >= 0 && j < g.window) s += gy[((n * oh + a) * ow + b) * g.c + c];
            }
          gx[((n * g.h + y) * g.w + z) * g.c + c] = s / (g.window * g.window);
        }
  return gx;
}

/** Max of each window and the flat index into x of the first largest entry (row-major window order). */
export function naiveMaxPool(x: ArrayLike<number>, g: PoolCase): { out: Float64Array; argmax: Int32Array } {
  const { oh, ow } = poolOut(g);
  const out = new Float64Array(g.n * oh * ow * g.c);
  const argmax = new Int32Array(out.length);
  for (let n = 0; n < g.n; n++)
    for (let a = 0; a < oh; a++)
      for (let b = 0; b < ow; b++)
        for (let c = 0; c < g.c; c++) {
          let best = -1;
          for (let i = 0; i < g.window; i++)
            for (let j = 0; j < g.window; j++) {
              const idx = ((n * g.h + a * g.stride + i) * g.w + b * g.stride + j) * g.c + c;
              if (best < 0 || x[idx] > x[best]) best = idx;
            }
          const o = ((n * oh + a) * ow + b) * g.c + c;
          out[o] = x[best];
          argmax[o] = best;
        }
  return { out, argmax };
}

/** gx[e] = Σ of gy[o] over the outputs o whose argmax is e. */
export function naiveMaxPoolBackward(gy: ArrayLike<number>, argmax: Int32Array, g: PoolCase): Float64Array {
  const gx = new Float64Array(g.n * g.h * g.w * g.c);
  for (let e = 0; e < gx.length; e++) {
    let s = 0;
    for (let o = 0; o < argmax.length; o++) if (argmax[o] === e) s += gy[o];
    gx[e] = s;
  }
  return gx;
}

/** Σ a[i]·b[i] in float64. */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

export function describeConv(g: ConvCase): string {
  return `n${g.n} ${g.h}×${g.w}×${g.c}→${g.k} ${g.kh}×${g.kw} s${g.stride} p${g.pad}`;
}

export function describePool(g: PoolCase): string {
  return `n${g.n} ${g.h}×${g.w}×${g.c} window ${g.window} stride ${g.stride}`;
}
