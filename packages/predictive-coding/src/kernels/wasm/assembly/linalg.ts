// Elementwise arithmetic and row/column reductions on f32 arrays.
import { vexp } from './simd-math';
import { loadTail, storeTail } from './tail';

/** y += alpha·x */
export function axpy(alpha: f32, x: usize, y: usize, n: i32): void {
  const va = f32x4.splat(alpha);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = (i as usize) << 2;
    v128.store(y + o, f32x4.add(v128.load(y + o), f32x4.mul(va, v128.load(x + o))));
  }
  for (; i < n; i++) {
    const o = (i as usize) << 2;
    store<f32>(y + o, load<f32>(y + o) + alpha * load<f32>(x + o));
  }
}

/** x *= alpha */
export function scale(alpha: f32, x: usize, n: i32): void {
  const va = f32x4.splat(alpha);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = (i as usize) << 2;
    v128.store(x + o, f32x4.mul(va, v128.load(x + o)));
  }
  for (; i < n; i++) {
    const o = (i as usize) << 2;
    store<f32>(x + o, alpha * load<f32>(x + o));
  }
}

/** out = a − b */
export function sub(a: usize, b: usize, out: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = (i as usize) << 2;
    v128.store(out + o, f32x4.sub(v128.load(a + o), v128.load(b + o)));
  }
  for (; i < n; i++) {
    const o = (i as usize) << 2;
    store<f32>(out + o, load<f32>(a + o) - load<f32>(b + o));
  }
}

/** out = a ⊙ b */
export function mul(a: usize, b: usize, out: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = (i as usize) << 2;
    v128.store(out + o, f32x4.mul(v128.load(a + o), v128.load(b + o)));
  }
  for (; i < n; i++) {
    const o = (i as usize) << 2;
    store<f32>(out + o, load<f32>(a + o) * load<f32>(b + o));
  }
}

/** out[r, c] = x[r, c] + v[c] */
export function addRowVector(x: usize, v: usize, out: usize, rows: i32, cols: i32): void {
  const ld = (cols as usize) << 2;
  for (let r = 0; r < rows; r++) {
    const xr = x + (r as usize) * ld;
    const or = out + (r as usize) * ld;
    let c = 0;
    for (; c + 4 <= cols; c += 4) {
      const o = (c as usize) << 2;
      v128.store(or + o, f32x4.add(v128.load(xr + o), v128.load(v + o)));
    }
    for (; c < cols; c++) {
      const o = (c as usize) << 2;
      store<f32>(or + o, load<f32>(xr + o) + load<f32>(v + o));
    }
  }
}

// @ts-ignore: decorator
@inline function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

/** out[r] = Σ_c x[r, c] */
export function rowSums(x: usize, out: usize, rows: i32, cols: i32): void {
  const ld = (cols as usize) << 2;
  for (let r = 0; r < rows; r++) {
    const xr = x + (r as usize) * ld;
    let acc = f32x4.splat(0);
    let c = 0;
    for (; c + 4 <= cols; c += 4) acc = f32x4.add(acc, v128.load(xr + ((c as usize) << 2)));
    let s = hsum(acc);
    for (; c < cols; c++) s += load<f32>(xr + ((c as usize) << 2));
    store<f32>(out + ((r as usize) << 2), s);
  }
}

/** out[c] = Σ_r x[r, c] */
export function columnSums(x: usize, out: usize, rows: i32, cols: i32): void {
  const ld = (cols as usize) << 2;
  let c = 0;
  for (; c + 4 <= cols; c += 4) {
    const o = (c as usize) << 2;
    let acc = f32x4.splat(0);
    for (let r = 0; r < rows; r++) acc = f32x4.add(acc, v128.load(x + (r as usize) * ld + o));
    v128.store(out + o, acc);
  }
  for (; c < cols; c++) {
    const o = (c as usize) << 2;
    let s: f32 = 0;
    for (let r = 0; r < rows; r++) s += load<f32>(x + (r as usize) * ld + o);
    store<f32>(out + o, s);
  }
}

/** out[r] = max_c x[r, c]; NaN anywhere in the row gives NaN. */
export function rowMax(x: usize, out: usize, rows: i32, cols: i32): void {
  const ld = (cols as usize) << 2;
  for (let r = 0; r < rows; r++) {
    const xr = x + (r as usize) * ld;
    let best: f32 = -Infinity;
    for (let c = 0; c < cols; c++) best = max(best, load<f32>(xr + ((c as usize) << 2)));
    store<f32>(out + ((r as usize) << 2), best);
  }
}

/** out[r] = first c with the largest x[r, c] (strict > scan from c = 0, as the reference). */
export function rowArgmax(x: usize, out: usize, rows: i32, cols: i32): void {
  const ld = (cols as usize) << 2;
  for (let r = 0; r < rows; r++) {
    const xr = x + (r as usize) * ld;
    let best = 0;
    let bv = load<f32>(xr);
    for (let c = 1; c < cols; c++) {
      const v = load<f32>(xr + ((c as usize) << 2));
      if (v > bv) {
        bv = v;
        best = c;
      }
    }
    store<i32>(out + ((r as usize) << 2), best);
  }
}

/** Row-wise softmax: exp(x − max) / Σ exp(x − max). */
export function softmax(x: usize, out: usize, rows: i32, cols: i32): void {
  const ld = (cols as usize) << 2;
  for (let r = 0; r < rows; r++) {
    const xr = x + (r as usize) * ld;
    const or = out + (r as usize) * ld;
    let mx: f32 = -Infinity;
    for (let c = 0; c < cols; c++) mx = max(mx, load<f32>(xr + ((c as usize) << 2)));
    const vm = f32x4.splat(mx);
    let acc = f32x4.splat(0);
    let c = 0;
    for (; c + 4 <= cols; c += 4) {
      const o = (c as usize) << 2;
      const e = vexp(f32x4.sub(v128.load(xr + o), vm));
      v128.store(or + o, e);
      acc = f32x4.add(acc, e);
    }
    let s = hsum(acc);
    if (c < cols) {
      const o = (c as usize) << 2;
      const e = vexp(f32x4.sub(loadTail(xr + o, cols - c), vm));
      storeTail(or + o, e, cols - c);
      for (let t = c; t < cols; t++) s += load<f32>(or + ((t as usize) << 2));
    }
    const inv = f32x4.splat(s);
    c = 0;
    for (; c + 4 <= cols; c += 4) {
      const o = (c as usize) << 2;
      v128.store(or + o, f32x4.div(v128.load(or + o), inv));
    }
    for (; c < cols; c++) {
      const o = (c as usize) << 2;
      store<f32>(or + o, load<f32>(or + o) / s);
    }
  }
}

/** Σ x² accumulated in float64 lanes. */
export function sumSquares(x: usize, n: i32): f64 {
  let acc0 = f64x2.splat(0);
  let acc1 = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(x + ((i as usize) << 2));
    const lo = f64x2.promote_low_f32x4(v);
    const hi = f64x2.promote_low_f32x4(f32x4.shuffle(v, v, 2, 3, 0, 1));
    acc0 = f64x2.add(acc0, f64x2.mul(lo, lo));
    acc1 = f64x2.add(acc1, f64x2.mul(hi, hi));
  }
  const a = f64x2.add(acc0, acc1);
  let s = f64x2.extract_lane(a, 0) + f64x2.extract_lane(a, 1);
  for (; i < n; i++) {
    const v = load<f32>(x + ((i as usize) << 2)) as f64;
    s += v * v;
  }
  return s;
}
