// Convolution rows with few output columns (cols ≤ NARROW), for conv.ts's convBlock.
//
// The 4×8 micro-kernel spreads the output columns over the lanes, so with one
// column (the input gradient of a one-channel first layer) it wastes 7 lanes
// of 8. Here the lanes run along the reduction instead: each output is a dot
// product of the row's kh segments of P with one column of the weights, packed
// column by column (pack[j·kdim + t], packConvWeights), four taps per vector
// and four rows at a time so each weight vector loaded serves four rows.
import { madd } from './madd';

/** Output columns up to which convBlock takes this path (and packConvWeights packs by column). */
export const NARROW = 4;

// The four lanes of v summed, in a fixed order.
// @ts-ignore: decorator
@inline function lanesSum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

// Stores v (+ beta·dst; beta = 0 never reads dst).
// @ts-ignore: decorator
@inline function put(dst: usize, v: f32, beta: f32): void {
  store<f32>(dst, beta != 0 ? v + beta * load<f32>(dst) : v);
}

/**
 * out[r, j] = Σ_{i < kh, q < seg} P[bases[r] + i·rs + q] · pack[j·kh·seg + i·seg + q] + beta·out[r, j]
 * for r < rows and j0 ≤ j < j1; out points at row 0, ldo bytes per row; bases are byte addresses, rsb
 * is rs in bytes.
 */
export function narrowRows(bases: usize, rows: i32, pack: usize, out: usize, ldo: usize, j0: i32, j1: i32, kh: i32, seg: i32, rsb: usize, beta: f32): void {
  const seg4 = seg & ~3;
  const wcol = ((kh * seg) as usize) << 2;
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const bp = bases + ((r as usize) << 2);
    const o = out + (r as usize) * ldo;
    for (let j = j0; j < j1; j++) {
      let w = pack + (j as usize) * wcol;
      let s0 = load<u32>(bp) as usize;
      let s1 = load<u32>(bp, 4) as usize;
      let s2 = load<u32>(bp, 8) as usize;
      let s3 = load<u32>(bp, 12) as usize;
      let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
      let t0: f32 = 0, t1: f32 = 0, t2: f32 = 0, t3: f32 = 0;
      for (let i = 0; i < kh; i++) {
        let a0 = s0, a1 = s1, a2 = s2, a3 = s3;
        let q = 0;
        for (; q < seg4; q += 4) {
          const wv = v128.load(w);
          c0 = madd(c0, v128.load(a0), wv);
          c1 = madd(c1, v128.load(a1), wv);
          c2 = madd(c2, v128.load(a2), wv);
          c3 = madd(c3, v128.load(a3), wv);
          w += 16;
          a0 += 16;
          a1 += 16;
          a2 += 16;
          a3 += 16;
        }
        for (; q < seg; q++) {
          const wq = load<f32>(w);
          t0 += load<f32>(a0) * wq;
          t1 += load<f32>(a1) * wq;
          t2 += load<f32>(a2) * wq;
          t3 += load<f32>(a3) * wq;
          w += 4;
          a0 += 4;
          a1 += 4;
          a2 += 4;
          a3 += 4;
        }
        s0 += rsb;
        s1 += rsb;
        s2 += rsb;
        s3 += rsb;
      }
      const d = o + ((j as usize) << 2);
      put(d, lanesSum(c0) + t0, beta);
      put(d + ldo, lanesSum(c1) + t1, beta);
      put(d + 2 * ldo, lanesSum(c2) + t2, beta);
      put(d + 3 * ldo, lanesSum(c3) + t3, beta);
    }
  }
  for (; r < rows; r++) {
    const o = out + (r as usize) * ldo;
    for (let j = j0; j < j1; j++) {
      let w = pack + (j as usize) * wcol;
      let s0 = load<u32>(bases + ((r as usize) << 2)) as usize;
      let c0 = f32x4.splat(0);
      let t0: f32 = 0;
      for (let i = 0; i < kh; i++) {
        let a0 = s0;
        let q = 0;
        for (; q < seg4; q += 4) {
          c0 = madd(c0, v128.load(a0), v128.load(w));
          w += 16;
          a0 += 16;
        }
        for (; q < seg; q++) {
          t0 += load<f32>(a0) * load<f32>(w);
          w += 4;
          a0 += 4;
        }
        s0 += rsb;
      }
      put(o + ((j as usize) << 2), lanesSum(c0) + t0, beta);
    }
  }
}
