/**
 * Convolution and pooling for the wasm backend (kernels in assembly/conv.ts
 * and assembly/pooling.ts).
 *
 * A convolution runs as a direct ("implicit GEMM") kernel over a zero-padded
 * copy of its input, never building the im2col matrix. The forward pass and the
 * input gradient pad a few examples at a time on each thread (CHUNK_TILE_BYTES)
 * and convolve them while they are in that core's cache; the weight gradient
 * (and a batch too small to give every thread chunks) pads one tile of examples
 * at a time, at most TILE_BYTES (or one example, if larger), so the scratch
 * stays bounded whatever the batch. The input gradient is the
 * stride-1 convolution of gy spread out (by the stride) and padded (by
 * kh − 1 − pad, cropping where that is negative) with the flipped, transposed
 * kernel — the same kernel again; for stride s it multiplies (s² − 1)/s² zeros, the
 * price of one code path. A 1×1, stride-1, unpadded convolution is a plain
 * matmul of [n·h·w, c] by [c, k]. Large convolutions are cut by output rows and
 * columns across the matmul pool's threads, so every output is computed by the
 * same operations on any thread count: the results are the same bits.
 * Pooling is memory-bound and stays on the calling thread.
 */
import { type Backend, type Conv2dGeometry, conv2dOutputSize, pool2dOutputSize } from '../backend.ts';
import type { LinearHeap } from './heap.ts';
import {
  J_A,
  J_B,
  J_C,
  J_EXS,
  J_FLAGS,
  J_K,
  J_KH,
  J_M,
  J_N,
  J_OH,
  J_OHS,
  J_OW,
  J_OWS,
  J_RS,
  J_SEG,
  J_SP_C,
  J_SP_H,
  J_SP_HD,
  J_SP_LEFT,
  J_SP_N,
  J_SP_PER,
  J_SP_STEP,
  J_SP_TILE,
  J_SP_TOP,
  J_SP_W,
  J_SP_WD,
  MAX_CHUNKS,
  OP_CONV,
  OP_CONV_WEIGHT,
} from './job.ts';
import type { KernelExports } from './loader.ts';
import type { MatmulPool } from './pool.ts';

/** Bytes of padded input (or spread-out gy) one tile holds: the convolution's scratch is this plus the packed weights. */
export const TILE_BYTES = 4 * 2 ** 20;

/**
 * Bytes of padded input one chunk of a padded convolution spreads and then reads, on one thread: small
 * enough to stay in that core's cache in between. On the cnn's first layer the padding, done once for
 * the whole tile on the calling thread, was a quarter of the input gradient's time on two threads.
 */
export const CHUNK_TILE_BYTES = 256 * 1024;

/** Chunks per pool thread a padded convolution aims at, where the batch has examples enough. */
const CHUNKS_PER_THREAD = 4;

/**
 * A weight gradient of at most GROUPED_MAX weights (kh·kw·c·k) is reduced over rows of gy in groups of
 * GROUP_ROWS, one partial sum each, then added in order: its taps and channels are too few to share
 * among threads (a 3×3 one-channel kernel has 9 × 32), so the rows are shared instead. The groups depend
 * on the shapes only, never on the threads: the same bits on any thread count.
 */
export const GROUPED_MAX = 4096;
export const GROUP_ROWS = 4096;

/** What the convolution kernels need from the backend that owns them. */
export interface ConvContext {
  readonly ex: KernelExports;
  readonly heap: LinearHeap;
  readonly pool: MatmulPool | null;
  /** Products with at least this many multiply-adds go to the pool. */
  readonly minMacs: number;
  /** Byte offset of x's first n elements in linear memory, staging a copy if x lives outside it. */
  at(x: Float32Array | Int32Array, n: number, mode: 'in' | 'out' | 'inout'): number;
  /** Copies staged outputs back and frees the staging. */
  unstage(): void;
  /** The backend's own matmul (for 1×1 convolutions). */
  matmul: Backend<Float32Array>['matmul'];
}

export type ConvMethods = Pick<
  Backend<Float32Array>,
  'conv2d' | 'conv2dInputGrad' | 'conv2dWeightGrad' | 'avgPool' | 'avgPoolBackward' | 'maxPool' | 'maxPoolBackward'
>;

/** How an unpadded NHWC source is spread into a kernel's input (assembly/conv.ts: spreadInto). */
interface Spread {
  h: number;
  w: number;
  c: number;
  hd: number;
  wd: number;
  top: number;
  left: number;
  step: number;
}

/** The input a convolution kernel reads: a padded NHWC array, as assembly/conv.ts describes it (strides in elements). */
interface Implicit {
  /** Kernel rows and the length of one row's segment (kw·channels). */
  kh: number;
  seg: number;
  /** Row stride of the padded array, its steps per output column and row, and its example stride. */
  rs: number;
  ows: number;
  ohs: number;
  exs: number;
  /** Output width and height. */
  ow: number;
  oh: number;
}

const isPointwise = (g: Conv2dGeometry): boolean => g.kh === 1 && g.kw === 1 && g.stride === 1 && g.pad === 0;

/** A grow-only block of linear memory. */
function growable(heap: LinearHeap): (bytes: number) => number {
  let ptr = 0;
  let capacity = 0;
  return (bytes) => {
    if (bytes > capacity) {
      if (ptr) heap.release(ptr);
      ptr = heap.alloc(bytes);
      capacity = bytes;
    }
    return ptr;
  };
}

export function wasmConvKernels(cx: ConvContext): ConvMethods {
  const { ex, pool } = cx;
  const tile = growable(cx.heap);
  const packed = growable(cx.heap);
  const ownScratch = growable(cx.heap);
  const partials = growable(cx.heap);
  const scratchBytes = ex.convScratchBytes();

  /** Examples per tile when one padded example takes `bytes`. */
  const perTile = (bytes: number): number => Math.max(1, Math.floor(TILE_BYTES / bytes));

  const pack = (pw: number, g: Conv2dGeometry, transposed: boolean): number => {
    const cols = transposed ? g.c : g.k;
    const ptr = packed(g.kh * g.kw * (transposed ? g.k : g.c) * Math.ceil(cols / 8) * 32);
    ex.packConvWeights(pw, ptr, g.kh, g.kw, g.c, g.k, transposed ? 1 : 0);
    return ptr;
  };

  // out[rows, cols] = the implicit rows of P times the packed weights, + beta·out.
  const convolve = (p: number, w: number, out: number, rows: number, cols: number, im: Implicit, beta: number): void => {
    if (pool && rows * cols * im.kh * im.seg >= cx.minMacs) {
      const words = [[J_A, p], [J_B, w], [J_C, out], [J_M, rows], [J_N, cols], [J_K, im.kh * im.seg], ...geometryWords(im)] as const;
      pool.runConv(OP_CONV, words, 1, beta, scratchBytes);
    } else ex.convBlock(p, w, out, cols, im.kh, im.seg, im.rs, im.ows, im.ohs, im.ow, im.oh, im.exs, beta, ownScratch(scratchBytes), 0, rows, 0, cols);
  };

  // out (rows of n examples, cols wide) = the convolution of src (n unpadded examples) spread by sp, + beta·out:
  // chunk by chunk of examples, each thread padding the examples it then convolves (see CHUNK_TILE_BYTES). Returns
  // false, having done nothing, when the examples are too few or too large to give every thread two chunks.
  const spreadConvolve = (src: number, n: number, sp: Spread, pw: number, out: number, cols: number, im: Implicit, beta: number): boolean => {
    const exBytes = im.exs * 4;
    const rowsPerEx = im.oh * im.ow;
    const parallel = pool !== null && n * rowsPerEx * cols * im.kh * im.seg >= cx.minMacs;
    // Examples per chunk: a tile that stays in cache, and (on the pool) CHUNKS_PER_THREAD chunks a thread where
    // the batch has them. The cut changes which thread computes a row, never how: the same bits on any count.
    const fit = Math.max(1, Math.floor(CHUNK_TILE_BYTES / exBytes));
    const per = Math.max(parallel ? Math.min(fit, Math.ceil(n / (CHUNKS_PER_THREAD * pool.threads))) : fit, Math.ceil(n / MAX_CHUNKS));
    const chunks = Math.ceil(n / per);
    if (parallel && chunks < 2 * pool.threads) return false;
    if (parallel) {
      const tileAt = Math.ceil(scratchBytes / 64) * 64;
      const words = [
        [J_A, src],
        [J_B, pw],
        [J_C, out],
        [J_M, n * rowsPerEx],
        [J_N, cols],
        [J_K, im.kh * im.seg],
        ...geometryWords(im),
        ...spreadWords(sp),
        [J_SP_PER, per],
        [J_SP_N, n],
        [J_SP_TILE, tileAt],
      ] as const;
      pool.runConvSpread(words, beta, chunks, tileAt + per * exBytes);
      return true;
    }
    const t = tile(per * exBytes);
    const own = ownScratch(scratchBytes);
    for (let e0 = 0; e0 < n; e0 += per) {
      const count = Math.min(per, n - e0);
      ex.spreadInto(src + e0 * sp.h * sp.w * sp.c * 4, t, count, sp.h, sp.w, sp.c, sp.hd, sp.wd, sp.top, sp.left, sp.step);
      const o = out + e0 * rowsPerEx * cols * 4;
      ex.convBlock(t, pw, o, cols, im.kh, im.seg, im.rs, im.ows, im.ohs, im.ow, im.oh, im.exs, beta, own, 0, count * rowsPerEx, 0, cols);
    }
    return true;
  };

  // gw[kdim, cols] (+)= alpha · the implicit rows of P (transposed) times gy[rows, cols].
  const correlate = (p: number, gy: number, gw: number, rows: number, kdim: number, cols: number, im: Implicit, alpha: number, accumulate: boolean): void => {
    // Rows r0..r1 of gy into out (+ out when add), on this thread.
    const here = (out: number, r0: number, r1: number, add: boolean): void =>
      ex.convWeightBlock(
        p,
        gy,
        out,
        cols,
        im.seg,
        im.rs,
        im.ows,
        im.ohs,
        im.ow,
        im.oh,
        im.exs,
        r0,
        r1,
        alpha,
        add ? 1 : 0,
        ownScratch(scratchBytes),
        0,
        kdim,
        0,
        cols,
      );
    if (kdim * cols <= GROUPED_MAX && rows >= 2 * GROUP_ROWS) {
      const groups = Math.ceil(rows / GROUP_ROWS);
      const parts = partials(groups * kdim * cols * 4);
      if (pool) {
        const words = [[J_A, p], [J_B, gy], [J_C, parts], [J_M, kdim], [J_N, cols], [J_K, rows], ...geometryWords(im)] as const;
        pool.runConvGroups(words, alpha, groups, GROUP_ROWS, scratchBytes);
      } else for (let g = 0; g < groups; g++) here(parts + g * kdim * cols * 4, g * GROUP_ROWS, Math.min(rows, (g + 1) * GROUP_ROWS), false);
      ex.sumPartials(parts, groups, kdim * cols, gw, accumulate ? 1 : 0);
      return;
    }
    if (pool && rows * cols * kdim >= cx.minMacs) {
      const words = [[J_A, p], [J_B, gy], [J_C, gw], [J_M, kdim], [J_N, cols], [J_K, rows], [J_FLAGS, accumulate ? 1 : 0], ...geometryWords(im)] as const;
      pool.runConv(OP_CONV_WEIGHT, words, alpha, 0, scratchBytes);
    } else here(gw, 0, rows, accumulate);
  };

  // Calls body(P, e0, nb) for tiles of the batch, P holding examples e0..e0+nb of x zero-padded (x itself when pad is 0).
  const paddedTiles = (px: number, g: Conv2dGeometry, body: (p: number, e0: number, nb: number, im: Implicit) => void): void => {
    const im = paddedGeometry(g);
    const [hp, wp] = [g.h + 2 * g.pad, g.w + 2 * g.pad];
    if (g.pad === 0) {
      body(px, 0, g.n, im);
      return;
    }
    const nb = Math.min(g.n, perTile(im.exs * 4));
    const p = tile(nb * im.exs * 4);
    for (let e0 = 0; e0 < g.n; e0 += nb) {
      const count = Math.min(nb, g.n - e0);
      ex.spreadInto(px + e0 * g.h * g.w * g.c * 4, p, count, g.h, g.w, g.c, hp, wp, g.pad, g.pad, 1);
      body(p, e0, count, im);
    }
  };

  return {
    conv2d(x, w, out, g) {
      const { oh, ow } = conv2dOutputSize(g);
      if (isPointwise(g)) return cx.matmul(x, w, out, g.n * oh * ow, g.c, g.k);
      const px = cx.at(x, g.n * g.h * g.w * g.c, 'in');
      const pw = pack(cx.at(w, g.kh * g.kw * g.c * g.k, 'in'), g, false);
      const po = cx.at(out, g.n * oh * ow * g.k, 'out');
      const [hp, wp] = [g.h + 2 * g.pad, g.w + 2 * g.pad];
      const sp: Spread = { h: g.h, w: g.w, c: g.c, hd: hp, wd: wp, top: g.pad, left: g.pad, step: 1 };
      const im = paddedGeometry(g);
      if (g.pad === 0 || !spreadConvolve(px, g.n, sp, pw, po, g.k, im, 0))
        paddedTiles(px, g, (p, e0, nb, im) => convolve(p, pw, po + e0 * oh * ow * g.k * 4, nb * oh * ow, g.k, im, 0));
      cx.unstage();
    },
    conv2dInputGrad(gy, w, gx, g, beta = 0) {
      const { oh, ow } = conv2dOutputSize(g);
      if (isPointwise(g)) return cx.matmul(gy, w, gx, g.n * g.h * g.w, g.k, g.c, { transB: true, beta });
      const pgy = cx.at(gy, g.n * oh * ow * g.k, 'in');
      const pw = pack(cx.at(w, g.kh * g.kw * g.c * g.k, 'in'), g, true);
      const pgx = cx.at(gx, g.n * g.h * g.w * g.c, beta === 0 ? 'out' : 'inout');
      // gy spread out by the stride into [ht, wt, k], offset by kh − 1 − pad: the flipped kernel's valid convolution gives gx.
      const [ht, wt] = [g.h + g.kh - 1, g.w + g.kw - 1];
      const im: Implicit = { kh: g.kh, seg: g.kw * g.k, rs: wt * g.k, ows: g.k, ohs: wt * g.k, exs: ht * wt * g.k, ow: g.w, oh: g.h };
      const sp: Spread = { h: oh, w: ow, c: g.k, hd: ht, wd: wt, top: g.kh - 1 - g.pad, left: g.kw - 1 - g.pad, step: g.stride };
      if (spreadConvolve(pgy, g.n, sp, pw, pgx, g.c, im, beta)) {
        cx.unstage();
        return;
      }
      const nb = Math.min(g.n, perTile(im.exs * 4));
      const t = tile(nb * im.exs * 4);
      for (let e0 = 0; e0 < g.n; e0 += nb) {
        const count = Math.min(nb, g.n - e0);
        ex.spreadInto(pgy + e0 * oh * ow * g.k * 4, t, count, sp.h, sp.w, sp.c, sp.hd, sp.wd, sp.top, sp.left, sp.step);
        convolve(t, pw, pgx + e0 * g.h * g.w * g.c * 4, count * g.h * g.w, g.c, im, beta);
      }
      cx.unstage();
    },
    conv2dWeightGrad(gy, x, gw, g, alpha) {
      const { oh, ow } = conv2dOutputSize(g);
      if (isPointwise(g)) return cx.matmul(x, gy, gw, g.c, g.n * g.h * g.w, g.k, { transA: true, alpha });
      const pgy = cx.at(gy, g.n * oh * ow * g.k, 'in');
      const px = cx.at(x, g.n * g.h * g.w * g.c, 'in');
      const pgw = cx.at(gw, g.kh * g.kw * g.c * g.k, 'out');
      const kdim = g.kh * g.kw * g.c;
      paddedTiles(px, g, (p, e0, nb, im) => correlate(p, pgy + e0 * oh * ow * g.k * 4, pgw, nb * oh * ow, kdim, g.k, im, alpha, e0 > 0));
      cx.unstage();
    },
    avgPool(x, out, g) {
      const { oh, ow, stride } = pool2dOutputSize(g);
      ex.avgPool(cx.at(x, g.n * g.h * g.w * g.c, 'in'), cx.at(out, g.n * oh * ow * g.c, 'out'), g.n, g.h, g.w, g.c, g.window, stride, oh, ow);
      cx.unstage();
    },
    avgPoolBackward(gy, gx, g) {
      const { oh, ow, stride } = pool2dOutputSize(g);
      ex.avgPoolBackward(cx.at(gy, g.n * oh * ow * g.c, 'in'), cx.at(gx, g.n * g.h * g.w * g.c, 'out'), g.n, g.h, g.w, g.c, g.window, stride, oh, ow);
      cx.unstage();
    },
    maxPool(x, out, argmax, g) {
      const { oh, ow, stride } = pool2dOutputSize(g);
      const outputs = g.n * oh * ow * g.c;
      const px = cx.at(x, g.n * g.h * g.w * g.c, 'in');
      ex.maxPool(px, cx.at(out, outputs, 'out'), cx.at(argmax, outputs, 'out'), g.n, g.h, g.w, g.c, g.window, stride, oh, ow);
      cx.unstage();
    },
    maxPoolBackward(gy, argmax, gx, g) {
      const { oh, ow } = pool2dOutputSize(g);
      const outputs = g.n * oh * ow * g.c;
      const size = g.n * g.h * g.w * g.c;
      ex.maxPoolBackward(cx.at(gy, outputs, 'in'), cx.at(argmax, outputs, 'in'), cx.at(gx, size, 'out'), outputs, size);
      cx.unstage();
    },
  };
}

/** The kernel's view of x zero-padded by g.pad on every side. */
function paddedGeometry(g: Conv2dGeometry): Implicit {
  const { oh, ow } = conv2dOutputSize(g);
  const rs = (g.w + 2 * g.pad) * g.c;
  return { kh: g.kh, seg: g.kw * g.c, rs, ows: g.stride * g.c, ohs: g.stride * rs, exs: (g.h + 2 * g.pad) * rs, ow, oh };
}

function spreadWords(sp: Spread): [number, number][] {
  return [
    [J_SP_H, sp.h],
    [J_SP_W, sp.w],
    [J_SP_C, sp.c],
    [J_SP_HD, sp.hd],
    [J_SP_WD, sp.wd],
    [J_SP_TOP, sp.top],
    [J_SP_LEFT, sp.left],
    [J_SP_STEP, sp.step],
  ];
}

function geometryWords(im: Implicit): [number, number][] {
  return [
    [J_KH, im.kh],
    [J_SEG, im.seg],
    [J_RS, im.rs],
    [J_OWS, im.ows],
    [J_OHS, im.ohs],
    [J_OW, im.ow],
    [J_OH, im.oh],
    [J_EXS, im.exs],
  ];
}
