// acc + a·b per lane. In the build with relaxed SIMD (scripts/build-wasm.ts; the loader picks it where
// the engine validates it: Node ≥ 22, current browsers) this is f32x4.relaxed_madd, one fused
// multiply-add where the CPU has FMA (the engine may also round twice, the spec's "relaxed" part);
// elsewhere a multiply then an add, as simd128 alone offers.
// @ts-ignore: decorator
@inline export function madd(acc: v128, a: v128, b: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, acc);
  return f32x4.add(acc, f32x4.mul(a, b));
}
