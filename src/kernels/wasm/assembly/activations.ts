// Activations and their derivatives on f32x4 lanes, and the three maps over
// arrays (f, f', both). Kind codes follow ACTIVATIONS in ../../backend.ts:
// 0 linear, 1 tanh, 2 sigmoid, 3 relu, 4 leaky-relu, 5 gelu, 6 hard-tanh.
import { vsigmoid, vtanh } from './simd-math';
import { loadTail, storeTail } from './tail';

const LEAKY: f32 = 0.01;
const GELU_C: f32 = 0.7978845608028654; // √(2/π)
const GELU_A: f32 = 0.044715;

// GELU (tanh form) as x·σ(2u), u = C(x + A·x³): the identity 0.5(1 + tanh u) = σ(2u)
// avoids the cancellation in 1 + tanh u for very negative x.
// @ts-ignore: decorator
@inline function gelu_s(x: v128): v128 {
  const u = f32x4.mul(f32x4.splat(GELU_C), f32x4.add(x, f32x4.mul(f32x4.splat(GELU_A), f32x4.mul(x, f32x4.mul(x, x)))));
  return vsigmoid(f32x4.add(u, u));
}

// @ts-ignore: decorator
@inline function fwd(kind: i32, x: v128): v128 {
  const zero = f32x4.splat(0);
  const one = f32x4.splat(1);
  switch (kind) {
    case 1: return vtanh(x);
    case 2: return vsigmoid(x);
    case 3: return f32x4.pmax(x, zero); // x first: NaN propagates
    case 4: return v128.bitselect(x, f32x4.mul(x, f32x4.splat(LEAKY)), f32x4.gt(x, zero));
    case 5: return f32x4.mul(x, gelu_s(x));
    case 6: return f32x4.pmin(f32x4.pmax(x, f32x4.splat(-1)), one);
    default: return x;
  }
}

// @ts-ignore: decorator
@inline function deriv(kind: i32, x: v128): v128 {
  const zero = f32x4.splat(0);
  const one = f32x4.splat(1);
  switch (kind) {
    case 1: {
      const t = vtanh(x);
      return f32x4.sub(one, f32x4.mul(t, t));
    }
    case 2: {
      const s = vsigmoid(x);
      return f32x4.mul(s, f32x4.sub(one, s));
    }
    case 3: return v128.and(one, f32x4.gt(x, zero));
    case 4: return v128.bitselect(one, f32x4.splat(LEAKY), f32x4.gt(x, zero));
    case 5: return geluDeriv(x, gelu_s(x));
    case 6: return v128.and(one, v128.and(f32x4.gt(x, f32x4.splat(-1)), f32x4.lt(x, one)));
    default: return one;
  }
}

// d/dx x·σ(2u) = s + 2·x·s(1 − s)·u', s = σ(2u), u' = C(1 + 3A·x²).
// @ts-ignore: decorator
@inline function geluDeriv(x: v128, s: v128): v128 {
  const one = f32x4.splat(1);
  const du = f32x4.mul(f32x4.splat(2 * GELU_C), f32x4.add(one, f32x4.mul(f32x4.splat(3 * GELU_A), f32x4.mul(x, x))));
  return f32x4.add(s, f32x4.mul(f32x4.mul(x, f32x4.mul(s, f32x4.sub(one, s))), du));
}

// Both at once; tanh-based kinds share one tanh evaluation.
// @ts-ignore: decorator
@inline function both(kind: i32, x: v128, fx: usize, dfx: usize, lanes: i32): void {
  let f: v128, d: v128;
  const one = f32x4.splat(1);
  if (kind == 1) {
    f = vtanh(x);
    d = f32x4.sub(one, f32x4.mul(f, f));
  } else if (kind == 2) {
    f = vsigmoid(x);
    d = f32x4.mul(f, f32x4.sub(one, f));
  } else if (kind == 5) {
    const s = gelu_s(x);
    f = f32x4.mul(x, s);
    d = geluDeriv(x, s);
  } else {
    f = fwd(kind, x);
    d = deriv(kind, x);
  }
  if (lanes == 4) {
    v128.store(fx, f);
    v128.store(dfx, d);
  } else {
    storeTail(fx, f, lanes);
    storeTail(dfx, d, lanes);
  }
}

// @ts-ignore: decorator
@inline function mapF(kind: i32, x: usize, out: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = (i as usize) << 2;
    v128.store(out + o, fwd(kind, v128.load(x + o)));
  }
  if (i < n) {
    const o = (i as usize) << 2;
    storeTail(out + o, fwd(kind, loadTail(x + o, n - i)), n - i);
  }
}

// @ts-ignore: decorator
@inline function mapD(kind: i32, x: usize, out: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = (i as usize) << 2;
    v128.store(out + o, deriv(kind, v128.load(x + o)));
  }
  if (i < n) {
    const o = (i as usize) << 2;
    storeTail(out + o, deriv(kind, loadTail(x + o, n - i)), n - i);
  }
}

// @ts-ignore: decorator
@inline function mapBoth(kind: i32, x: usize, fx: usize, dfx: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = (i as usize) << 2;
    both(kind, v128.load(x + o), fx + o, dfx + o, 4);
  }
  if (i < n) {
    const o = (i as usize) << 2;
    both(kind, loadTail(x + o, n - i), fx + o, dfx + o, n - i);
  }
}

// Each switch arm passes a literal kind, so inlining specialises every loop.
export function activate(kind: i32, x: usize, out: usize, n: i32): void {
  switch (kind) {
    case 1: mapF(1, x, out, n); break;
    case 2: mapF(2, x, out, n); break;
    case 3: mapF(3, x, out, n); break;
    case 4: mapF(4, x, out, n); break;
    case 5: mapF(5, x, out, n); break;
    case 6: mapF(6, x, out, n); break;
    default: mapF(0, x, out, n);
  }
}

export function activateDerivative(kind: i32, x: usize, out: usize, n: i32): void {
  switch (kind) {
    case 1: mapD(1, x, out, n); break;
    case 2: mapD(2, x, out, n); break;
    case 3: mapD(3, x, out, n); break;
    case 4: mapD(4, x, out, n); break;
    case 5: mapD(5, x, out, n); break;
    case 6: mapD(6, x, out, n); break;
    default: mapD(0, x, out, n);
  }
}

export function activateBoth(kind: i32, x: usize, fx: usize, dfx: usize, n: i32): void {
  switch (kind) {
    case 1: mapBoth(1, x, fx, dfx, n); break;
    case 2: mapBoth(2, x, fx, dfx, n); break;
    case 3: mapBoth(3, x, fx, dfx, n); break;
    case 4: mapBoth(4, x, fx, dfx, n); break;
    case 5: mapBoth(5, x, fx, dfx, n); break;
    case 6: mapBoth(6, x, fx, dfx, n); break;
    default: mapBoth(0, x, fx, dfx, n);
  }
}
