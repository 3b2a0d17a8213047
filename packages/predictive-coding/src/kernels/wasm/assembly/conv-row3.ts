// The weight gradient of a convolution whose kernel rows are three floats wide (kw·c = 3: a 3-wide
// kernel over one channel, the first layer of a greyscale net), for conv.ts's convWeightBlock.
//
// The general kernel takes four taps at a time, so a 3×3 kernel's nine go 4 + 4 + 1, the last pass
// at a quarter of the work per row read; and it packs gy into a panel first. Here one pass takes a
// kernel row's three taps, read at constant offsets 0, 4 and 8 bytes, and reads gy where it lies:
// 1.15× the general kernel on the cnn's first layer (one thread, interleaved A/B). The same unrolling
// for the forward pass was 0.82× its general loop, so that stays.

import { madd } from './madd';
import { storeRow as storeOut } from './matmul';


/**
 * gw[3i + t, 0..nr) = alpha·Σ_{r < rows} P[bases[r] + i·rs + t] · src[r][0..nr) (+ beta·gw) for i < kh,
 * t < 3: one 8-column panel of the weight gradient, src holding gy's rows ld bytes apart (gy itself,
 * or a packed panel when fewer than 8 columns are left). gw points at tap 0 of the panel, ldg bytes per tap.
 */
export function weightRows3(bases: usize, rows: i32, src: usize, ld: usize, gw: usize, ldg: usize, kh: i32, rsb: usize, alpha: f32, beta: f32, nr: i32, lanes: usize): void {
  for (let i = 0; i < kh; i++) {
    const off = (i as usize) * rsb;
    let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
    let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
    let bp = bases;
    let g = src;
    for (let r = 0; r < rows; r++) {
      const a = (load<u32>(bp) as usize) + off;
      const b0 = v128.load(g);
      const b1 = v128.load(g, 16);
      let av = v128.load32_splat(a);
      c00 = madd(c00, av, b0);
      c01 = madd(c01, av, b1);
      av = v128.load32_splat(a, 4);
      c10 = madd(c10, av, b0);
      c11 = madd(c11, av, b1);
      av = v128.load32_splat(a, 8);
      c20 = madd(c20, av, b0);
      c21 = madd(c21, av, b1);
      bp += 4;
      g += ld;
    }
    const o = gw + 3 * (i as usize) * ldg;
    storeOut(o, c00, c01, alpha, beta, nr, lanes);
    storeOut(o + ldg, c10, c11, alpha, beta, nr, lanes);
    storeOut(o + 2 * ldg, c20, c21, alpha, beta, nr, lanes);
  }
}
