// Vectorised float32 math for the kernels: exp, tanh, sigmoid on f32x4.
// Accuracy targets a few float32 ulps; the js reference (float64) is the oracle.

// ln 2 split in two (Cody–Waite) so that n·LN2_HI is exact for |n| ≤ 128.
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.12194440e-4;
const LOG2E: f32 = 1.44269504088896341;
// 1.5·2^23: adding it to |v| < 2^22 rounds v to an integer (round-to-nearest-even) held in the
// low mantissa bits, so bits(v + MAGIC) − bits(MAGIC) is that integer. Cheaper than nearest +
// trunc_sat, which V8 lowers to several instructions on x64.
const MAGIC: f32 = 12582912.0;
const MAGIC_BITS: i32 = 0x4b400000;

/** 2^n as float bits, for t = v + MAGIC where n is v rounded to an integer in [−126, 127]. */
// @ts-ignore: decorator
@inline function pow2(t: v128): v128 {
  return i32x4.shl(i32x4.sub(t, i32x4.splat(MAGIC_BITS - 127)), 23);
}

/**
 * e^x per lane: +Inf above 88.72 (overflow) and 0 below −87.33 (where float32
 * turns subnormal), like IEEE exp; NaN propagates.
 */
// @ts-ignore: decorator
@inline export function vexp(x: v128): v128 {
  // pmin/pmax are single instructions (wasm min/max need NaN fix-ups); x first keeps NaN.
  const xc = f32x4.pmin(f32x4.pmax(x, f32x4.splat(-87.33654)), f32x4.splat(88.0));
  const t = f32x4.add(f32x4.mul(xc, f32x4.splat(LOG2E)), f32x4.splat(MAGIC));
  const n = f32x4.sub(t, f32x4.splat(MAGIC));
  let r = f32x4.sub(xc, f32x4.mul(n, f32x4.splat(LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(LN2_LO)));
  // Taylor series to r^7: |r| ≤ ln2/2 bounds the truncation error by 5e-9.
  let p = f32x4.splat(1.0 / 5040.0);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0 / 720.0));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0 / 120.0));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0 / 24.0));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0 / 6.0));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(0.5));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0));
  const e = f32x4.mul(p, pow2(t));
  // Past the clamp the true value overflows or underflows float32.
  const hi = v128.bitselect(f32x4.splat(Infinity), e, f32x4.gt(x, f32x4.splat(88.72283)));
  return v128.bitselect(f32x4.splat(0), hi, f32x4.lt(x, f32x4.splat(-87.33654)));
}

/**
 * e^x − 1 per lane for 0 ≤ x ≤ 18, without cancellation near 0: with
 * x = n·ln2 + r, e^x − 1 = 2^n·q(r) + (2^n − 1) where q(r) = e^r − 1 is a
 * polynomial with no constant term (exact-ish for n = 0), and 2^n − 1 ≥ 1
 * otherwise, so no subtraction of nearly equal numbers happens.
 */
// @ts-ignore: decorator
@inline function vexpm1Small(x: v128): v128 {
  const t = f32x4.add(f32x4.mul(x, f32x4.splat(LOG2E)), f32x4.splat(MAGIC));
  const n = f32x4.sub(t, f32x4.splat(MAGIC));
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(LN2_LO)));
  // q(r) = r + r²/2 + … + r^8/8!, Taylor; truncation < 1.4e-9·|r| for |r| ≤ ln2/2.
  let q = f32x4.splat(1.0 / 40320.0);
  q = f32x4.add(f32x4.mul(q, r), f32x4.splat(1.0 / 5040.0));
  q = f32x4.add(f32x4.mul(q, r), f32x4.splat(1.0 / 720.0));
  q = f32x4.add(f32x4.mul(q, r), f32x4.splat(1.0 / 120.0));
  q = f32x4.add(f32x4.mul(q, r), f32x4.splat(1.0 / 24.0));
  q = f32x4.add(f32x4.mul(q, r), f32x4.splat(1.0 / 6.0));
  q = f32x4.add(f32x4.mul(q, r), f32x4.splat(0.5));
  q = f32x4.add(f32x4.mul(f32x4.mul(q, r), r), r);
  const p2 = pow2(t);
  return f32x4.add(f32x4.mul(p2, q), f32x4.sub(p2, f32x4.splat(1.0)));
}

/**
 * tanh per lane as m / (m + 2), m = e^{2|x|} − 1: one branch-free formula,
 * accurate near 0 because m is. |x| ≥ 9 gives ±1 in float32, so 2|x| is
 * capped at 18. The sign is restored from x; NaN propagates.
 */
// @ts-ignore: decorator
@inline export function vtanh(x: v128): v128 {
  const ax = f32x4.abs(x);
  const m = vexpm1Small(f32x4.pmin(f32x4.add(ax, ax), f32x4.splat(18.0)));
  const t = f32x4.div(m, f32x4.add(m, f32x4.splat(2.0)));
  // Copy x's sign bit onto |tanh x|.
  return v128.or(t, v128.and(x, i32x4.splat(0x80000000)));
}

/** 1 / (1 + e^−x) per lane. */
// @ts-ignore: decorator
@inline export function vsigmoid(x: v128): v128 {
  return f32x4.div(f32x4.splat(1.0), f32x4.add(f32x4.splat(1.0), vexp(f32x4.neg(x))));
}
