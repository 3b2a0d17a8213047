// Direct ("implicit GEMM") convolution in NHWC over a zero-padded input P.
//
// Output row r is an output position (n, a, b); its im2col row is never built:
// it is kh segments of seg = kw·c contiguous floats of P, starting at
// base(r) = n·exs + a·ohs + b·ows and i·rs apart. The forward pass and the
// input gradient (a stride-1 convolution of the spread-out gy with the flipped
// kernel, see ../conv.ts) run the same 4×8 register-blocked micro-kernel as
// matmul.ts, with the weights packed once into 8-column panels. The weight
// gradient is Pᵀ·gy through the same bases. Rows go in blocks of RB whose
// bases are computed once into the thread's scratch.

import { madd } from './madd';
import { NARROW, narrowRows } from './conv-narrow';
import { storeRow as storeOut } from './matmul';
import { weightRows3 } from './conv-row3';

/** Output rows per block: their bases are computed once, and the weight gradient packs gy one RB×8 panel at a time. */
const RB = 256;

/** Bytes of per-thread scratch the kernels need: RB bases, 32 bytes for partial panels, and a packed RB×8 panel of gy. */
export function convScratchBytes(): i32 {
  return RB * 4 + 32 + RB * 32;
}

/**
 * Packs the weights into panels of 8 columns, zero past the last: pack[(panel·rows + row)·8 + lane];
 * at most NARROW columns go column by column instead, pack[col·rows + row] (conv-narrow.ts), in no
 * more bytes. transposed = 0: rows (i, j, c), columns k of w [kh, kw, c, k]. transposed = 1: rows
 * (i, j, k), columns c of the flipped kernel w[kh−1−i, kw−1−j, c, k], the input gradient's weights.
 */
export function packConvWeights(w: usize, pack: usize, kh: i32, kw: i32, c: i32, k: i32, transposed: i32): void {
  const rows = kh * kw * (transposed != 0 ? k : c);
  const cols = transposed != 0 ? c : k;
  if (cols <= NARROW) {
    let dst = pack;
    for (let col = 0; col < cols; col++) {
      for (let r = 0; r < rows; r++) {
        store<f32>(dst, weightAt(w, r, col, kh, kw, c, k, transposed));
        dst += 4;
      }
    }
    return;
  }
  const panels = (cols + 7) >> 3;
  let dst = pack;
  for (let p = 0; p < panels; p++) {
    for (let r = 0; r < rows; r++) {
      for (let l = 0; l < 8; l++) {
        const col = (p << 3) + l;
        store<f32>(dst, col < cols ? weightAt(w, r, col, kh, kw, c, k, transposed) : 0);
        dst += 4;
      }
    }
  }
}

// Row r, column col of the packed matrix packConvWeights describes.
// @ts-ignore: decorator
@inline function weightAt(w: usize, r: i32, col: i32, kh: i32, kw: i32, c: i32, k: i32, transposed: i32): f32 {
  if (transposed == 0) return load<f32>(w + (((r * k + col) as usize) << 2));
  const kk = r % k;
  const t = r / k;
  const i = kh - 1 - t / kw;
  const j = kw - 1 - (t % kw);
  return load<f32>(w + (((((i * kw + j) * c + col) * k + kk) as usize) << 2));
}

/**
 * dst[e, y·s + top, z·s + left, :] = src[e, y, z, :] for e < nb, y < h, z < w (positions outside
 * dst are dropped); the rest of dst, [nb, hd, wd, c], is zero. With s = 1 only the border is
 * zeroed, not the whole of dst before the copy: for a large map that halves the bytes written.
 */
export function spreadInto(src: usize, dst: usize, nb: i32, h: i32, w: i32, c: i32, hd: i32, wd: i32, top: i32, left: i32, s: i32): void {
  // Columns z with 0 ≤ z·s + left < wd, and rows y with 0 ≤ y·s + top < hd.
  const z0 = left >= 0 ? 0 : (-left + s - 1) / s;
  const z1 = min(w, (wd - left + s - 1) / s);
  const y0 = top >= 0 ? 0 : (-top + s - 1) / s;
  const y1 = min(h, (hd - top + s - 1) / s);
  const pixel = (c as usize) << 2;
  const rowBytes = (wd as usize) * pixel;
  if (s != 1 || z1 <= z0 || y1 <= y0) {
    memory.fill(dst, 0, (nb as usize) * (hd as usize) * rowBytes);
    if (z1 <= z0 || y1 <= y0) return;
  }
  // With s = 1: the copied columns are [z0 + left, z1 + left) of rows [y0 + top, y1 + top).
  const head = ((z0 + left) as usize) * pixel;
  const tail = ((z1 + left) as usize) * pixel;
  for (let e = 0; e < nb; e++) {
    const ex = dst + ((e * hd) as usize) * rowBytes;
    if (s == 1) {
      memory.fill(ex, 0, ((y0 + top) as usize) * rowBytes);
      memory.fill(ex + ((y1 + top) as usize) * rowBytes, 0, ((hd - y1 - top) as usize) * rowBytes);
    }
    for (let y = y0; y < y1; y++) {
      const from = src + (((e * h + y) * w + z0) as usize) * pixel;
      const row = ex + ((y * s + top) as usize) * rowBytes;
      if (s == 1) {
        memory.fill(row, 0, head);
        memory.copy(row + head, from, ((z1 - z0) as usize) * pixel);
        memory.fill(row + tail, 0, rowBytes - tail);
      } else for (let z = z0; z < z1; z++) memory.copy(row + (((z * s + left) as usize) * pixel), from + ((z - z0) as usize) * pixel, pixel);
    }
  }
}

// Byte addresses in P of rows r0..r1's segments, into bases[0..r1−r0).
// @ts-ignore: decorator
@inline function computeBases(bases: usize, p: usize, r0: i32, r1: i32, ows: i32, ohs: i32, ow: i32, oh: i32, exs: i32): void {
  const per = oh * ow;
  let n = r0 / per;
  const rem = r0 % per;
  let a = rem / ow;
  let b = rem % ow;
  let dst = bases;
  for (let r = r0; r < r1; r++) {
    store<u32>(dst, (p + ((((n * exs + a * ohs + b * ows) as usize)) << 2)) as u32);
    dst += 4;
    if (++b == ow) {
      b = 0;
      if (++a == oh) {
        a = 0;
        n++;
      }
    }
  }
}

/**
 * out[r, j] = Σ_{i < kh, q < seg} P[base(r) + i·rs + q] · W[i·seg + q, j] + beta·out[r, j] for rows
 * r0..r1 and columns j0..j1 of out (cols wide; j0 a multiple of 8), W packed by packConvWeights
 * (conv-narrow.ts takes outputs at most NARROW wide).
 * Strides are in elements; `scratch` is convScratchBytes() bytes of this thread's own.
 */
export function convBlock(p: usize, pack: usize, out: usize, cols: i32, kh: i32, seg: i32, rs: i32, ows: i32, ohs: i32, ow: i32, oh: i32, exs: i32, beta: f32, scratch: usize, r0: i32, r1: i32, j0: i32, j1: i32): void {
  const bases = scratch;
  const lanes = scratch + RB * 4;
  const kdim = kh * seg;
  const rsb = (rs as usize) << 2;
  const ldo = (cols as usize) << 2;
  for (let rb = r0; rb < r1; rb += RB) {
    const re = min(r1, rb + RB);
    computeBases(bases, p, rb, re, ows, ohs, ow, oh, exs);
    if (cols <= NARROW) {
      narrowRows(bases, re - rb, pack, out + (rb as usize) * ldo, ldo, j0, j1, kh, seg, rsb, beta);
      continue;
    }
    for (let j = j0; j < j1; j += 8) {
      const nr = min(8, j1 - j);
      const panel = pack + (((j >> 3) * kdim) as usize) * 32;
      const oj = out + ((j as usize) << 2);
      let r = rb;
      for (; r + 4 <= re; r += 4) {
        const bp = bases + (((r - rb) as usize) << 2);
        let s0 = load<u32>(bp) as usize;
        let s1 = load<u32>(bp, 4) as usize;
        let s2 = load<u32>(bp, 8) as usize;
        let s3 = load<u32>(bp, 12) as usize;
        let pw = panel;
        let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
        let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
        for (let i = 0; i < kh; i++) {
          let a0 = s0, a1 = s1, a2 = s2, a3 = s3;
          for (let q = 0; q < seg; q++) {
            const b0 = v128.load(pw);
            const b1 = v128.load(pw, 16);
            let av = v128.load32_splat(a0);
            c00 = madd(c00, av, b0);
            c01 = madd(c01, av, b1);
            av = v128.load32_splat(a1);
            c10 = madd(c10, av, b0);
            c11 = madd(c11, av, b1);
            av = v128.load32_splat(a2);
            c20 = madd(c20, av, b0);
            c21 = madd(c21, av, b1);
            av = v128.load32_splat(a3);
            c30 = madd(c30, av, b0);
            c31 = madd(c31, av, b1);
            pw += 32;
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
        const o = oj + (r as usize) * ldo;
        storeOut(o, c00, c01, 1, beta, nr, lanes);
        storeOut(o + ldo, c10, c11, 1, beta, nr, lanes);
        storeOut(o + 2 * ldo, c20, c21, 1, beta, nr, lanes);
        storeOut(o + 3 * ldo, c30, c31, 1, beta, nr, lanes);
      }
      for (; r < re; r++) {
        let s0 = load<u32>(bases + (((r - rb) as usize) << 2)) as usize;
        let pw = panel;
        let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
        for (let i = 0; i < kh; i++) {
          let a0 = s0;
          for (let q = 0; q < seg; q++) {
            const av = v128.load32_splat(a0);
            c00 = madd(c00, av, v128.load(pw));
            c01 = madd(c01, av, v128.load(pw, 16));
            pw += 32;
            a0 += 4;
          }
          s0 += rsb;
        }
        storeOut(oj + (r as usize) * ldo, c00, c01, 1, beta, nr, lanes);
      }
    }
  }
}

// Copies gy[r0..r1, j..j+nr) (nr ≤ 8, rows cols wide) into panel[r − r0][0..8), zero past nr.
// @ts-ignore: decorator
@inline function packRows(gy: usize, cols: i32, r0: i32, r1: i32, j: i32, nr: i32, panel: usize): void {
  let src = gy + (((r0 * cols + j) as usize) << 2);
  const ld = (cols as usize) << 2;
  let dst = panel;
  if (nr == 8) {
    for (let r = r0; r < r1; r++) {
      v128.store(dst, v128.load(src));
      v128.store(dst, v128.load(src, 16), 16);
      src += ld;
      dst += 32;
    }
    return;
  }
  for (let r = r0; r < r1; r++) {
    for (let l = 0; l < 8; l++) store<f32>(dst + ((l as usize) << 2), l < nr ? load<f32>(src + ((l as usize) << 2)) : 0);
    src += ld;
    dst += 32;
  }
}

/**
 * gw[q, j] = alpha·Σ_{r0 ≤ r < r1} P[base(r) + off(q)] · gy[r, j] (+ gw[q, j] when accumulate ≠ 0), for
 * rows q0..q1 of gw (off(q) = ⌊q / seg⌋·rs + q mod seg) and columns j0..j1 (cols wide; j0 a multiple of 8).
 * Each block of RB rows of gy is packed one 8-column panel at a time, so the loop reads it contiguously.
 */
export function convWeightBlock(p: usize, gy: usize, gw: usize, cols: i32, seg: i32, rs: i32, ows: i32, ohs: i32, ow: i32, oh: i32, exs: i32, r0: i32, r1: i32, alpha: f32, accumulate: i32, scratch: usize, q0: i32, q1: i32, j0: i32, j1: i32): void {
  const bases = scratch;
  const lanes = scratch + RB * 4;
  const panel = lanes + 32;
  const ldg = (cols as usize) << 2;
  for (let rb = r0; rb < r1; rb += RB) {
    const re = min(r1, rb + RB);
    computeBases(bases, p, rb, re, ows, ohs, ow, oh, exs);
    const beta: f32 = accumulate != 0 || rb > r0 ? 1 : 0;
    for (let j = j0; j < j1; j += 8) {
      const nr = min(8, j1 - j);
      if (seg == 3 && q0 == 0 && q1 % 3 == 0) {
        // Whole kernel rows: gy read in place where a full panel is there to read.
        const full = nr == 8;
        if (!full) packRows(gy, cols, rb, re, j, nr, panel);
        const src = full ? gy + (((rb * cols + j) as usize) << 2) : panel;
        weightRows3(bases, re - rb, src, full ? ldg : 32, gw + ((j as usize) << 2), ldg, q1 / 3, (rs as usize) << 2, alpha, beta, nr, lanes);
        continue;
      }
      packRows(gy, cols, rb, re, j, nr, panel);
      // Tap (i, t) of gw row q: off(q) = i·rs + t, walked without dividing.
      let ti = q0 / seg;
      let tt = q0 % seg;
      let q = q0;
      for (; q + 4 <= q1; q += 4) {
        // Byte offsets of the four gw rows' taps.
        const o0 = ((ti * rs + tt) as usize) << 2;
        if (++tt == seg) { tt = 0; ti++; }
        const o1 = ((ti * rs + tt) as usize) << 2;
        if (++tt == seg) { tt = 0; ti++; }
        const o2 = ((ti * rs + tt) as usize) << 2;
        if (++tt == seg) { tt = 0; ti++; }
        const o3 = ((ti * rs + tt) as usize) << 2;
        if (++tt == seg) { tt = 0; ti++; }
        let pp = panel;
        let bp = bases;
        let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
        let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
        for (let r = rb; r < re; r++) {
          const b0 = v128.load(pp);
          const b1 = v128.load(pp, 16);
          const s = load<u32>(bp) as usize;
          let av = v128.load32_splat(s + o0);
          c00 = madd(c00, av, b0);
          c01 = madd(c01, av, b1);
          av = v128.load32_splat(s + o1);
          c10 = madd(c10, av, b0);
          c11 = madd(c11, av, b1);
          av = v128.load32_splat(s + o2);
          c20 = madd(c20, av, b0);
          c21 = madd(c21, av, b1);
          av = v128.load32_splat(s + o3);
          c30 = madd(c30, av, b0);
          c31 = madd(c31, av, b1);
          pp += 32;
          bp += 4;
        }
        const o = gw + (((q * cols + j) as usize) << 2);
        storeOut(o, c00, c01, alpha, beta, nr, lanes);
        storeOut(o + ldg, c10, c11, alpha, beta, nr, lanes);
        storeOut(o + 2 * ldg, c20, c21, alpha, beta, nr, lanes);
        storeOut(o + 3 * ldg, c30, c31, alpha, beta, nr, lanes);
      }
      // The last (up to three) gw rows one tap at a time: a 4-tap pass with repeated taps would cost as much as
      // four (a 3×3 one-channel kernel has 9 rows: 4 + 4 + 1, so a quarter of its work went to discarded rows).
      for (; q < q1; q++) {
        const o0 = ((ti * rs + tt) as usize) << 2;
        if (++tt == seg) { tt = 0; ti++; }
        let pp = panel;
        let bp = bases;
        let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
        for (let r = rb; r < re; r++) {
          const av = v128.load32_splat((load<u32>(bp) as usize) + o0);
          c00 = madd(c00, av, v128.load(pp));
          c01 = madd(c01, av, v128.load(pp, 16));
          pp += 32;
          bp += 4;
        }
        storeOut(gw + (((q * cols + j) as usize) << 2), c00, c01, alpha, beta, nr, lanes);
      }
    }
  }
}

/**
 * out[i] = Σ_{g < groups} parts[g·len + i] (+ out[i] when accumulate ≠ 0), summed in the order of g: the
 * partial weight gradients of convWeightBlock over groups of rows, added the same way on any thread count.
 */
export function sumPartials(parts: usize, groups: i32, len: i32, out: usize, accumulate: i32): void {
  const stride = (len as usize) << 2;
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    const o = (i as usize) << 2;
    let acc = accumulate != 0 ? v128.load(out + o) : f32x4.splat(0);
    for (let g = 0; g < groups; g++) acc = f32x4.add(acc, v128.load(parts + (g as usize) * stride + o));
    v128.store(out + o, acc);
  }
  for (; i < len; i++) {
    const o = (i as usize) << 2;
    let acc: f32 = accumulate != 0 ? load<f32>(out + o) : 0;
    for (let g = 0; g < groups; g++) acc += load<f32>(parts + (g as usize) * stride + o);
    store<f32>(out + o, acc);
  }
}

// Job words (../job.ts keeps the same offsets, in i32 words).
const J_A = 4, J_B = 5, J_C = 6, J_M = 7, J_K = 8, J_N = 9, J_FLAGS = 10, J_ALPHA = 11, J_BETA = 12;
const J_COL_CHUNKS = 14, J_ROWS_PER = 15, J_COLS_PER = 16, J_PACK = 17, J_PACK_STRIDE = 18, J_OP = 21;
const J_KH = 25, J_SEG = 26, J_RS = 27, J_OWS = 28, J_OHS = 29, J_OW = 30, J_OH = 31, J_EXS = 32;
const J_SP_H = 33, J_SP_W = 34, J_SP_C = 35, J_SP_HD = 36, J_SP_WD = 37, J_SP_TOP = 38, J_SP_LEFT = 39, J_SP_STEP = 40;
const J_SP_PER = 41, J_SP_N = 42, J_SP_TILE = 43;
const OP_CONV_WEIGHT = 5, OP_CONV_WEIGHT_GROUPS = 6, OP_CONV_SPREAD = 7;

// @ts-ignore: decorator
@inline function word(job: usize, w: i32): i32 {
  return load<i32>(job + ((w as usize) << 2));
}

/** One chunk (a block of output rows × columns) of the convolution job at `job`, on thread `thread` (0 = caller). */
export function convChunk(job: usize, chunk: i32, thread: i32): void {
  const m = word(job, J_M);
  const n = word(job, J_N);
  if (word(job, J_OP) == OP_CONV_SPREAD) {
    spreadChunk(job, chunk, (word(job, J_PACK) as usize) + (thread as usize) * (word(job, J_PACK_STRIDE) as usize));
    return;
  }
  if (word(job, J_OP) == OP_CONV_WEIGHT_GROUPS) {
    // Chunk g: the partial gradient of rows [g·ROWS_PER, (g + 1)·ROWS_PER) of the K, into C + g·m·n.
    const per = word(job, J_ROWS_PER);
    const r0 = chunk * per;
    const scratch = (word(job, J_PACK) as usize) + (thread as usize) * (word(job, J_PACK_STRIDE) as usize);
    const part = (word(job, J_C) as usize) + (((chunk * m * n) as usize) << 2);
    convWeightBlock(word(job, J_A) as usize, word(job, J_B) as usize, part, n, word(job, J_SEG), word(job, J_RS), word(job, J_OWS), word(job, J_OHS), word(job, J_OW), word(job, J_OH), word(job, J_EXS), r0, min(word(job, J_K), r0 + per), load<f32>(job + (J_ALPHA << 2)), 0, scratch, 0, m, 0, n);
    return;
  }
  const colChunks = word(job, J_COL_CHUNKS);
  const rowsPer = word(job, J_ROWS_PER);
  const colsPer = word(job, J_COLS_PER);
  const i0 = (chunk / colChunks) * rowsPer;
  const j0 = (chunk % colChunks) * colsPer;
  const i1 = min(m, i0 + rowsPer);
  const j1 = min(n, j0 + colsPer);
  const scratch = (word(job, J_PACK) as usize) + (thread as usize) * (word(job, J_PACK_STRIDE) as usize);
  const p = word(job, J_A) as usize;
  const b = word(job, J_B) as usize;
  const c = word(job, J_C) as usize;
  const seg = word(job, J_SEG), rs = word(job, J_RS), ows = word(job, J_OWS), ohs = word(job, J_OHS);
  const ow = word(job, J_OW), oh = word(job, J_OH), exs = word(job, J_EXS);
  if (word(job, J_OP) == OP_CONV_WEIGHT)
    convWeightBlock(p, b, c, n, seg, rs, ows, ohs, ow, oh, exs, 0, word(job, J_K), load<f32>(job + (J_ALPHA << 2)), word(job, J_FLAGS), scratch, i0, i1, j0, j1);
  else convBlock(p, b, c, n, word(job, J_KH), seg, rs, ows, ohs, ow, oh, exs, load<f32>(job + (J_BETA << 2)), scratch, i0, i1, j0, j1);
}

/**
 * Chunk e of an OP_CONV_SPREAD job (../job.ts): examples [e·per, e·per + count) of the source spread
 * into this thread's tile, then convolved into their rows of C. `scratch` is the thread's own block:
 * convScratchBytes() for convBlock, then the tile at J_SP_TILE.
 */
export function spreadChunk(job: usize, chunk: i32, scratch: usize): void {
  const per = word(job, J_SP_PER);
  const e0 = chunk * per;
  const count = min(per, word(job, J_SP_N) - e0);
  if (count <= 0) return;
  const h = word(job, J_SP_H), w = word(job, J_SP_W), c = word(job, J_SP_C);
  const tile = scratch + (word(job, J_SP_TILE) as usize);
  const src = (word(job, J_A) as usize) + (((e0 * h * w * c) as usize) << 2);
  spreadInto(src, tile, count, h, w, c, word(job, J_SP_HD), word(job, J_SP_WD), word(job, J_SP_TOP), word(job, J_SP_LEFT), word(job, J_SP_STEP));
  const ow = word(job, J_OW), oh = word(job, J_OH), n = word(job, J_N);
  const out = (word(job, J_C) as usize) + (((e0 * oh * ow * n) as usize) << 2);
  convBlock(tile, word(job, J_B) as usize, out, n, word(job, J_KH), word(job, J_SEG), word(job, J_RS), word(job, J_OWS), word(job, J_OHS), ow, oh, word(job, J_EXS), load<f32>(job + (J_BETA << 2)), scratch, 0, count * oh * ow, 0, n);
}
