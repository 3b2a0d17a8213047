// C = alpha·op(A)·op(B) + beta·C in float32, row-major.
//
// B is packed one 8-column panel at a time into a contiguous [k][8] buffer
// (zero-padded past n), so the plain and transposed layouts of B feed the same
// 4×8 register-blocked micro-kernel: 8 f32x4 accumulators, 2 panel loads and
// 4 splat loads of A per step of k. op(A) is read through two strides, which
// makes transA free. Threads split C into (row block × column block) chunks.
import { madd } from './madd';


/** Bytes a thread's pack buffer needs for depth k: the panel plus 32 bytes of scratch. */
export function packBytes(k: i32): i32 {
  return k * 32 + 32;
}

// Panel for columns j..j+nr of op(B) (nr ≤ 8) from B stored k×n.
// @ts-ignore: decorator
@inline function packPlain(b: usize, k: i32, n: i32, j: i32, nr: i32, pack: usize): void {
  let src = b + ((j as usize) << 2);
  const stride = (n as usize) << 2;
  if (nr == 8) {
    for (let p = 0; p < k; p++) {
      v128.store(pack, v128.load(src));
      v128.store(pack, v128.load(src, 16), 16);
      src += stride;
      pack += 32;
    }
  } else {
    for (let p = 0; p < k; p++) {
      for (let c = 0; c < 8; c++) store<f32>(pack + ((c as usize) << 2), c < nr ? load<f32>(src + ((c as usize) << 2)) : 0);
      src += stride;
      pack += 32;
    }
  }
}

// Panel for columns j..j+nr of op(B) = Bᵀ from B stored n×k: 4×4 SIMD transposes.
// @ts-ignore: decorator
@inline function packTransposed(b: usize, k: i32, j: i32, nr: i32, pack: usize): void {
  const row = (k as usize) << 2;
  const r0 = b + (j as usize) * row;
  let p = 0;
  if (nr == 8) {
    for (; p + 4 <= k; p += 4) {
      const o = (p as usize) << 2;
      const dst = pack + ((p as usize) << 5);
      for (let h = 0; h < 2; h++) {
        const base = r0 + ((h * 4) as usize) * row + o;
        const v0 = v128.load(base);
        const v1 = v128.load(base + row);
        const v2 = v128.load(base + 2 * row);
        const v3 = v128.load(base + 3 * row);
        const t0 = f32x4.shuffle(v0, v1, 0, 4, 1, 5);
        const t1 = f32x4.shuffle(v0, v1, 2, 6, 3, 7);
        const t2 = f32x4.shuffle(v2, v3, 0, 4, 1, 5);
        const t3 = f32x4.shuffle(v2, v3, 2, 6, 3, 7);
        const d = dst + ((h as usize) << 4);
        v128.store(d, f32x4.shuffle(t0, t2, 0, 1, 4, 5));
        v128.store(d, f32x4.shuffle(t0, t2, 2, 3, 6, 7), 32);
        v128.store(d, f32x4.shuffle(t1, t3, 0, 1, 4, 5), 64);
        v128.store(d, f32x4.shuffle(t1, t3, 2, 3, 6, 7), 96);
      }
    }
  }
  for (; p < k; p++) {
    const dst = pack + ((p as usize) << 5);
    const src = r0 + ((p as usize) << 2);
    for (let c = 0; c < 8; c++) store<f32>(dst + ((c as usize) << 2), c < nr ? load<f32>(src + (c as usize) * row) : 0);
  }
}

// Writes alpha·acc (+ beta·C) for one row of up to 8 columns (also the convolution kernels' store: conv.ts, conv-row3.ts).
// @ts-ignore: decorator
@inline export function storeRow(c: usize, acc0: v128, acc1: v128, alpha: f32, beta: f32, nr: i32, scratch: usize): void {
  const va = f32x4.splat(alpha);
  let r0 = f32x4.mul(acc0, va);
  let r1 = f32x4.mul(acc1, va);
  if (nr == 8) {
    // beta = 0 never reads C, so NaN left in C does not leak into the result (BLAS semantics).
    if (beta != 0) {
      const vb = f32x4.splat(beta);
      r0 = madd(r0, v128.load(c), vb);
      r1 = madd(r1, v128.load(c, 16), vb);
    }
    v128.store(c, r0);
    v128.store(c, r1, 16);
  } else {
    v128.store(scratch, r0);
    v128.store(scratch, r1, 16);
    for (let j = 0; j < nr; j++) {
      const o = (j as usize) << 2;
      const v = load<f32>(scratch + o);
      store<f32>(c + o, beta != 0 ? v + beta * load<f32>(c + o) : v);
    }
  }
}

/**
 * The block rows i0..i1, columns j0..j1 of C (j0 a multiple of 8). `pack` is
 * this thread's buffer of packBytes(k) bytes.
 */
export function gemmBlock(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, transA: bool, transB: bool, alpha: f32, beta: f32, pack: usize, i0: i32, i1: i32, j0: i32, j1: i32): void {
  const rs: usize = transA ? 4 : (k as usize) << 2; // bytes from row i to row i+1 of op(A)
  const ps: usize = transA ? (m as usize) << 2 : 4; // bytes from column p to p+1 of op(A)
  const ldc: usize = (n as usize) << 2;
  const scratch = pack + ((k as usize) << 5);
  for (let j = j0; j < j1; j += 8) {
    const nr = min(8, j1 - j);
    if (transB) packTransposed(b, k, j, nr, pack);
    else packPlain(b, k, n, j, nr, pack);
    const cj = c + ((j as usize) << 2);
    let i = i0;
    for (; i + 4 <= i1; i += 4) {
      let pa0 = a + (i as usize) * rs;
      let pa1 = pa0 + rs;
      let pa2 = pa1 + rs;
      let pa3 = pa2 + rs;
      let pp = pack;
      let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
      let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
      for (let p = 0; p < k; p++) {
        const b0 = v128.load(pp);
        const b1 = v128.load(pp, 16);
        let av = v128.load32_splat(pa0);
        c00 = madd(c00, av, b0);
        c01 = madd(c01, av, b1);
        av = v128.load32_splat(pa1);
        c10 = madd(c10, av, b0);
        c11 = madd(c11, av, b1);
        av = v128.load32_splat(pa2);
        c20 = madd(c20, av, b0);
        c21 = madd(c21, av, b1);
        av = v128.load32_splat(pa3);
        c30 = madd(c30, av, b0);
        c31 = madd(c31, av, b1);
        pp += 32;
        pa0 += ps;
        pa1 += ps;
        pa2 += ps;
        pa3 += ps;
      }
      const cp = cj + (i as usize) * ldc;
      storeRow(cp, c00, c01, alpha, beta, nr, scratch);
      storeRow(cp + ldc, c10, c11, alpha, beta, nr, scratch);
      storeRow(cp + 2 * ldc, c20, c21, alpha, beta, nr, scratch);
      storeRow(cp + 3 * ldc, c30, c31, alpha, beta, nr, scratch);
    }
    for (; i < i1; i++) {
      let pa = a + (i as usize) * rs;
      let pp = pack;
      let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
      for (let p = 0; p < k; p++) {
        const av = v128.load32_splat(pa);
        c00 = madd(c00, av, v128.load(pp));
        c01 = madd(c01, av, v128.load(pp, 16));
        pp += 32;
        pa += ps;
      }
      storeRow(cj + (i as usize) * ldc, c00, c01, alpha, beta, nr, scratch);
    }
  }
}

/** The whole product on the calling thread; flags: bit 0 transA, bit 1 transB. */
export function matmul(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, flags: i32, alpha: f32, beta: f32, pack: usize): void {
  gemmBlock(a, b, c, m, k, n, (flags & 1) != 0, (flags & 2) != 0, alpha, beta, pack, 0, m, 0, n);
}

// Job descriptor written by the thread pool (pool.ts keeps the same offsets, in i32 words).
const J_A = 4, J_B = 5, J_C = 6, J_M = 7, J_K = 8, J_N = 9, J_FLAGS = 10, J_ALPHA = 11, J_BETA = 12;
const J_COL_CHUNKS = 14, J_ROWS_PER = 15, J_COLS_PER = 16, J_PACK = 17, J_PACK_STRIDE = 18;

/** One chunk of the matmul job described at `job`, computed by thread `thread` (0 = caller). */
export function matmulChunk(job: usize, chunk: i32, thread: i32): void {
  const m = load<i32>(job + (J_M << 2));
  const n = load<i32>(job + (J_N << 2));
  const colChunks = load<i32>(job + (J_COL_CHUNKS << 2));
  const rowsPer = load<i32>(job + (J_ROWS_PER << 2));
  const colsPer = load<i32>(job + (J_COLS_PER << 2));
  const ri = chunk / colChunks;
  const ci = chunk % colChunks;
  const i0 = ri * rowsPer;
  const j0 = ci * colsPer;
  const flags = load<i32>(job + (J_FLAGS << 2));
  const pack = (load<i32>(job + (J_PACK << 2)) as usize) + (thread as usize) * (load<i32>(job + (J_PACK_STRIDE << 2)) as usize);
  gemmBlock(
    load<i32>(job + (J_A << 2)) as usize,
    load<i32>(job + (J_B << 2)) as usize,
    load<i32>(job + (J_C << 2)) as usize,
    m,
    load<i32>(job + (J_K << 2)),
    n,
    (flags & 1) != 0,
    (flags & 2) != 0,
    load<f32>(job + (J_ALPHA << 2)),
    load<f32>(job + (J_BETA << 2)),
    pack,
    i0,
    min(m, i0 + rowsPer),
    j0,
    min(n, j0 + colsPer),
  );
}

