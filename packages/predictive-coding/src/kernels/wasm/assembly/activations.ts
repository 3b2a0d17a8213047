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

// One class per kind. The maps below are generic over it, so each kind gets its own loop: a
// `kind` argument switched inside the loop let binaryen fold the seven inlined loops back into
// one with a br_table per vector, which made even linear maps 3–6× slower than a plain pass.
// Methods never touch `this` (the maps call them on changetype<K>(0)).
@final class Linear {
  @inline f(x: v128): v128 { return x; }
  @inline d(x: v128): v128 { return f32x4.splat(1); }
  @inline both(x: v128, fx: usize, dfx: usize, lanes: i32): void { put(fx, dfx, x, f32x4.splat(1), lanes); }
}
@final class Tanh {
  @inline f(x: v128): v128 { return vtanh(x); }
  @inline d(x: v128): v128 {
    const t = vtanh(x);
    return f32x4.sub(f32x4.splat(1), f32x4.mul(t, t));
  }
  // One tanh evaluation for both.
  @inline both(x: v128, fx: usize, dfx: usize, lanes: i32): void {
    const t = vtanh(x);
    put(fx, dfx, t, f32x4.sub(f32x4.splat(1), f32x4.mul(t, t)), lanes);
  }
}
@final class Sigmoid {
  @inline f(x: v128): v128 { return vsigmoid(x); }
  @inline d(x: v128): v128 {
    const s = vsigmoid(x);
    return f32x4.mul(s, f32x4.sub(f32x4.splat(1), s));
  }
  @inline both(x: v128, fx: usize, dfx: usize, lanes: i32): void {
    const s = vsigmoid(x);
    put(fx, dfx, s, f32x4.mul(s, f32x4.sub(f32x4.splat(1), s)), lanes);
  }
}
@final class Relu {
  @inline f(x: v128): v128 { return f32x4.pmax(x, f32x4.splat(0)); } // x first: NaN propagates
  @inline d(x: v128): v128 { return v128.and(f32x4.splat(1), f32x4.gt(x, f32x4.splat(0))); }
  @inline both(x: v128, fx: usize, dfx: usize, lanes: i32): void { put(fx, dfx, this.f(x), this.d(x), lanes); }
}
@final class Leaky {
  @inline f(x: v128): v128 { return v128.bitselect(x, f32x4.mul(x, f32x4.splat(LEAKY)), f32x4.gt(x, f32x4.splat(0))); }
  @inline d(x: v128): v128 { return v128.bitselect(f32x4.splat(1), f32x4.splat(LEAKY), f32x4.gt(x, f32x4.splat(0))); }
  @inline both(x: v128, fx: usize, dfx: usize, lanes: i32): void { put(fx, dfx, this.f(x), this.d(x), lanes); }
}
@final class Gelu {
  @inline f(x: v128): v128 { return f32x4.mul(x, gelu_s(x)); }
  @inline d(x: v128): v128 { return geluDeriv(x, gelu_s(x)); }
  @inline both(x: v128, fx: usize, dfx: usize, lanes: i32): void {
    const s = gelu_s(x);
    put(fx, dfx, f32x4.mul(x, s), geluDeriv(x, s), lanes);
  }
}
@final class HardTanh {
  @inline f(x: v128): v128 { return f32x4.pmin(f32x4.pmax(x, f32x4.splat(-1)), f32x4.splat(1)); }
  @inline d(x: v128): v128 {
    const one = f32x4.splat(1);
    return v128.and(one, v128.and(f32x4.gt(x, f32x4.splat(-1)), f32x4.lt(x, one)));
  }
  @inline both(x: v128, fx: usize, dfx: usize, lanes: i32): void { put(fx, dfx, this.f(x), this.d(x), lanes); }
}

// d/dx x·σ(2u) = s + 2·x·s(1 − s)·u', s = σ(2u), u' = C(1 + 3A·x²).
// @ts-ignore: decorator
@inline function geluDeriv(x: v128, s: v128): v128 {
  const one = f32x4.splat(1);
  const du = f32x4.mul(f32x4.splat(2 * GELU_C), f32x4.add(one, f32x4.mul(f32x4.splat(3 * GELU_A), f32x4.mul(x, x))));
  return f32x4.add(s, f32x4.mul(f32x4.mul(x, f32x4.mul(s, f32x4.sub(one, s))), du));
}

// @ts-ignore: decorator
@inline function put(fx: usize, dfx: usize, f: v128, d: v128, lanes: i32): void {
  if (lanes == 4) {
    v128.store(fx, f);
    v128.store(dfx, d);
  } else {
    storeTail(fx, f, lanes);
    storeTail(dfx, d, lanes);
  }
}

// @ts-ignore: decorator
@inline function mapF<K>(x: usize, out: usize, n: i32): void {
  const k = changetype<K>(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = (i as usize) << 2;
    v128.store(out + o, k.f(v128.load(x + o)));
  }
  if (i < n) {
    const o = (i as usize) << 2;
    storeTail(out + o, k.f(loadTail(x + o, n - i)), n - i);
  }
}

// @ts-ignore: decorator
@inline function mapD<K>(x: usize, out: usize, n: i32): void {
  const k = changetype<K>(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = (i as usize) << 2;
    v128.store(out + o, k.d(v128.load(x + o)));
  }
  if (i < n) {
    const o = (i as usize) << 2;
    storeTail(out + o, k.d(loadTail(x + o, n - i)), n - i);
  }
}

// @ts-ignore: decorator
@inline function mapBoth<K>(x: usize, fx: usize, dfx: usize, n: i32): void {
  const k = changetype<K>(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = (i as usize) << 2;
    k.both(v128.load(x + o), fx + o, dfx + o, 4);
  }
  if (i < n) {
    const o = (i as usize) << 2;
    k.both(loadTail(x + o, n - i), fx + o, dfx + o, n - i);
  }
}

export function activate(kind: i32, x: usize, out: usize, n: i32): void {
  switch (kind) {
    case 1: mapF<Tanh>(x, out, n); break;
    case 2: mapF<Sigmoid>(x, out, n); break;
    case 3: mapF<Relu>(x, out, n); break;
    case 4: mapF<Leaky>(x, out, n); break;
    case 5: mapF<Gelu>(x, out, n); break;
    case 6: mapF<HardTanh>(x, out, n); break;
    default: mapF<Linear>(x, out, n);
  }
}

export function activateDerivative(kind: i32, x: usize, out: usize, n: i32): void {
  switch (kind) {
    case 1: mapD<Tanh>(x, out, n); break;
    case 2: mapD<Sigmoid>(x, out, n); break;
    case 3: mapD<Relu>(x, out, n); break;
    case 4: mapD<Leaky>(x, out, n); break;
    case 5: mapD<Gelu>(x, out, n); break;
    case 6: mapD<HardTanh>(x, out, n); break;
    default: mapD<Linear>(x, out, n);
  }
}

export function activateBoth(kind: i32, x: usize, fx: usize, dfx: usize, n: i32): void {
  switch (kind) {
    case 1: mapBoth<Tanh>(x, fx, dfx, n); break;
    case 2: mapBoth<Sigmoid>(x, fx, dfx, n); break;
    case 3: mapBoth<Relu>(x, fx, dfx, n); break;
    case 4: mapBoth<Leaky>(x, fx, dfx, n); break;
    case 5: mapBoth<Gelu>(x, fx, dfx, n); break;
    case 6: mapBoth<HardTanh>(x, fx, dfx, n); break;
    default: mapBoth<Linear>(x, fx, dfx, n);
  }
}
