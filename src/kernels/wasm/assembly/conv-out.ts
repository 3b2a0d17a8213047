// The store every convolution micro-kernel ends with (conv.ts, conv-row3.ts).

// Writes alpha·acc (+ beta·dst) to nr ≤ 8 floats at dst; beta = 0 never reads dst. `lanes` is 32 bytes of scratch.
// @ts-ignore: decorator
@inline export function storeOut(dst: usize, acc0: v128, acc1: v128, alpha: f32, beta: f32, nr: i32, lanes: usize): void {
  const va = f32x4.splat(alpha);
  let r0 = f32x4.mul(acc0, va);
  let r1 = f32x4.mul(acc1, va);
  if (nr == 8) {
    if (beta != 0) {
      const vb = f32x4.splat(beta);
      r0 = f32x4.add(r0, f32x4.mul(v128.load(dst), vb));
      r1 = f32x4.add(r1, f32x4.mul(v128.load(dst, 16), vb));
    }
    v128.store(dst, r0);
    v128.store(dst, r1, 16);
    return;
  }
  v128.store(lanes, r0);
  v128.store(lanes, r1, 16);
  for (let l = 0; l < nr; l++) {
    const o = (l as usize) << 2;
    const v = load<f32>(lanes + o);
    store<f32>(dst + o, beta != 0 ? v + beta * load<f32>(dst + o) : v);
  }
}
