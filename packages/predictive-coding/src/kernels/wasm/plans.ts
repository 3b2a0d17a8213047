/**
 * How the wasm pool cuts a job into chunks for its threads: products
 * (planMatmul), convolution outputs (planConv) and convolution weight
 * gradients (planConvWeight). Each chunk is a rows × columns block in
 * multiples of the 4×8 micro-kernel, and the cut depends only on the shapes
 * and the thread count, never on timing.
 */

/** Chunks per thread: enough to rebalance around a late worker, few enough to keep each chunk long. */
const CHUNKS_PER_THREAD = 4;

/** How a product is cut: rowChunks × colChunks chunks of rowsPer × colsPer (multiples of the 4×8 micro-kernel). */
export interface MatmulPlan {
  rowsPer: number;
  colsPer: number;
  rowChunks: number;
  colChunks: number;
}

/**
 * Cuts an m×n product for `threads` threads into about CHUNKS_PER_THREAD chunks each.
 * At most 2·threads·CHUNKS_PER_THREAD chunks: colChunks ≤ target and
 * rowChunks ≤ ⌈target / colChunks⌉, so their product < target + colChunks ≤ 2·target.
 */
export function planMatmul(m: number, n: number, threads: number): MatmulPlan {
  const target = threads * CHUNKS_PER_THREAD;
  const panels = Math.ceil(n / 8);
  const colsPer = Math.ceil(panels / Math.min(panels, target)) * 8;
  const colChunks = Math.ceil(n / colsPer);
  const quads = Math.ceil(m / 4);
  const rowsPer = Math.ceil(quads / Math.max(1, Math.min(quads, Math.ceil(target / colChunks)))) * 4;
  return { rowsPer, colsPer, rowChunks: Math.ceil(m / rowsPer), colChunks };
}

/**
 * Cuts a convolution's output (m positions × n channels, n small, m large) for `threads` threads: by
 * rows only while there are rows enough, so every chunk writes whole output rows. planMatmul would cut
 * 32 channels into four 8-column chunks, whose 32-byte pieces of one output row share a cache line
 * across threads, and each would recompute the row bases and re-read the input for a quarter of the
 * work (the cnn's first layer ran slower on two threads than on one). Otherwise as planMatmul.
 */
export function planConv(m: number, n: number, threads: number): MatmulPlan {
  const target = threads * CHUNKS_PER_THREAD;
  const quads = Math.ceil(m / 4);
  if (quads < target) return planMatmul(m, n, threads);
  const rowsPer = Math.ceil(quads / target) * 4;
  return { rowsPer, colsPer: Math.ceil(n / 8) * 8, rowChunks: Math.ceil(m / rowsPer), colChunks: 1 };
}

/**
 * Cuts a convolution's weight gradient gw (m taps × n channels) for `threads` threads. Every chunk
 * streams all of gy and the padded input, so chunks are few and wide: at most 2 per thread, each at
 * least 16 columns (a 64-byte line of gy) where there are that many, and taps are cut only when the
 * columns leave a thread idle. At most 2·threads chunks, so within planMatmul's bound.
 */
export function planConvWeight(m: number, n: number, threads: number): MatmulPlan {
  const panels = Math.ceil(n / 8);
  const colsPer = Math.ceil(panels / Math.max(1, Math.min(2 * threads, Math.floor(panels / 2)))) * 8;
  const colChunks = Math.ceil(n / colsPer);
  const quads = Math.ceil(m / 4);
  const rowsPer = Math.ceil(quads / Math.min(quads, Math.ceil(threads / colChunks))) * 4;
  return { rowsPer, colsPer, rowChunks: Math.ceil(m / rowsPer), colChunks };
}
