/**
 * Layout of the job block in shared memory (i32 words). The wasm export
 * `runChunk` reads words 4–18, 21 and 25–43 (assembly/matmul.ts, conv.ts and
 * jobs.ts keep the same offsets); the control words are touched only with Atomics. An
 * elementwise job uses A = x, B = first output, C = second output, K = the
 * activation code, N = the length, and COLS_PER = elements per chunk.
 */
export const JOB_BYTES = 512;
export const JOB_WORDS = JOB_BYTES / 4;

/**
 * Most threads a pool runs (the caller and MAX_THREADS − 1 workers). A job has
 * at most 8 chunks per thread (pool.ts: planMatmul), so MAX_THREADS · 8 = 512
 * chunks stay well inside the ticket's 12-bit fields.
 */
export const MAX_THREADS = 64;

/** (gen << 24) | (next chunk << 12) | total chunks: claiming a chunk is one compareExchange. */
export const TICKET = 0;
/** Bits of the ticket's `total` and `next` fields, and so the most chunks one job may have. */
export const CHUNK_BITS = 12;
export const MAX_CHUNKS = (1 << CHUNK_BITS) - 1;
/** Added to the ticket to claim its next chunk. */
export const TICKET_NEXT = 1 << CHUNK_BITS;
export const TICKET_GEN_SHIFT = 2 * CHUNK_BITS;
/** The ticket keeps 7 bits of the generation, so it stays a non-negative i32. */
export const TICKET_GEN_MASK = 0x7f;
/** Chunks finished in the current job; a failing worker also sets DONE_FAILED, so the caller stops waiting at once. */
export const DONE = 1;
export const DONE_FAILED = 1 << 30;
/** Generation of the newest job (a 31-bit counter); workers wait on this word. */
export const WAKE = 2;
/** Non-zero asks workers to exit. */
export const SHUTDOWN = 3;
export const J_A = 4;
export const J_B = 5;
export const J_C = 6;
export const J_M = 7;
export const J_K = 8;
export const J_N = 9;
export const J_FLAGS = 10;
export const J_ALPHA = 11;
export const J_BETA = 12;
export const J_ROW_CHUNKS = 13;
export const J_COL_CHUNKS = 14;
export const J_ROWS_PER = 15;
export const J_COLS_PER = 16;
export const J_PACK = 17;
export const J_PACK_STRIDE = 18;
/** Workers currently blocked in Atomics.wait (the caller notifies only when some are). */
export const SLEEPERS = 19;
/** Chunks computed by worker threads since the pool started, modulo 2^32 (observability for tests and benchmarks). */
export const WORKER_CHUNKS = 20;
/** Which job: OP_MATMUL or an elementwise map (assembly/jobs.ts keeps the same codes). */
export const J_OP = 21;
/** 0 until a worker claims the (single) failure report; the claimant then writes FAIL_TEXT, FAIL_LEN and FAILED. */
export const FAIL_CLAIM = 22;
/** The failed worker's thread number (≥ 1), stored last: non-zero means the report is complete. Never cleared. */
export const FAILED = 23;
/** Length of the failure text, in UTF-16 code units. */
export const FAIL_LEN = 24;
/**
 * A convolution job's geometry (assembly/conv.ts): kernel rows, segment length kw·c, row stride of the
 * padded input, its steps per output column and row, the output width and height, and its example stride.
 */
export const J_KH = 25;
export const J_SEG = 26;
export const J_RS = 27;
export const J_OWS = 28;
export const J_OHS = 29;
export const J_OW = 30;
export const J_OH = 31;
export const J_EXS = 32;
/**
 * A convolution over an input padded chunk by chunk (OP_CONV_SPREAD): the unpadded source's height,
 * width and channels, the padded tile's height and width, the offsets and step it is spread with
 * (assembly/conv.ts: spreadInto), examples per chunk and in all, and the byte offset of the tile in
 * each thread's scratch.
 */
export const J_SP_H = 33;
export const J_SP_W = 34;
export const J_SP_C = 35;
export const J_SP_HD = 36;
export const J_SP_WD = 37;
export const J_SP_TOP = 38;
export const J_SP_LEFT = 39;
export const J_SP_STEP = 40;
export const J_SP_PER = 41;
export const J_SP_N = 42;
export const J_SP_TILE = 43;
/** The failure text (UTF-16), in the block's bytes FAIL_TEXT_BYTE to JOB_BYTES. */
export const FAIL_TEXT_BYTE = 192;
export const FAIL_TEXT_CHARS = (JOB_BYTES - FAIL_TEXT_BYTE) / 2;
export const OP_MATMUL = 0;
export const OP_ACTIVATE = 1;
export const OP_DERIVATIVE = 2;
export const OP_BOTH = 3;
/** A convolution (forward, or the input gradient): A = padded input, B = packed weights, C = out, M×N output, BETA. */
export const OP_CONV = 4;
/** A convolution's weight gradient: A = padded input, B = gy, C = gw (M×N), K = rows reduced, ALPHA, FLAGS = accumulate. */
export const OP_CONV_WEIGHT = 5;
/**
 * A weight gradient in partial sums: chunk g reduces rows [g·ROWS_PER, (g + 1)·ROWS_PER) of the K rows
 * into C + g·M·N (A, B, ALPHA as OP_CONV_WEIGHT); the caller adds the partials (assembly/conv.ts: sumPartials).
 */
export const OP_CONV_WEIGHT_GROUPS = 6;
/**
 * A convolution whose chunk e spreads examples [e·SP_PER, (e + 1)·SP_PER) of A (unpadded) into the
 * thread's tile, then convolves them (B, C, N, BETA and the geometry words as OP_CONV): the padding
 * is done by all threads, and each chunk's tile is still in cache when it is read.
 */
export const OP_CONV_SPREAD = 7;
