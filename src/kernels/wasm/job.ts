/**
 * Layout of the job block in shared memory (i32 words). The wasm export
 * `runChunk` reads words 4–18 and 21 (assembly/matmul.ts and jobs.ts keep the
 * same offsets); the control words are touched only with Atomics. An
 * elementwise job uses A = x, B = first output, C = second output, K = the
 * activation code, N = the length, and COLS_PER = elements per chunk.
 */
export const JOB_BYTES = 128;

/** (gen << 16) | (next chunk << 8) | total chunks: claiming a chunk is one compareExchange. */
export const TICKET = 0;
/** Chunks finished in the current job. */
export const DONE = 1;
/** Generation of the newest job; workers wait on this word. */
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
/** Chunks computed by worker threads since the pool started (observability for tests and benchmarks). */
export const WORKER_CHUNKS = 20;
/** Which job: OP_MATMUL or an elementwise map (assembly/jobs.ts keeps the same codes). */
export const J_OP = 21;
export const OP_MATMUL = 0;
export const OP_ACTIVATE = 1;
export const OP_DERIVATIVE = 2;
export const OP_BOTH = 3;
