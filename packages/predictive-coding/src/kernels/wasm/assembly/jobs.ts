// The entry point of pool threads: one chunk of whichever job is posted.
// Word offsets match ../job.ts. Elementwise jobs split the array into
// equal runs of J_COLS_PER elements (a multiple of 4).
import { activate, activateBoth, activateDerivative } from './activations';
import { convChunk } from './conv';
import { matmulChunk } from './matmul';

const J_A = 4, J_B = 5, J_C = 6, J_K = 8, J_N = 9, J_COLS_PER = 16, J_OP = 21;
const OP_MATMUL = 0, OP_ACTIVATE = 1, OP_DERIVATIVE = 2, OP_CONV = 4;

export function runChunk(job: usize, chunk: i32, thread: i32): void {
  const op = load<i32>(job + (J_OP << 2));
  if (op == OP_MATMUL) {
    matmulChunk(job, chunk, thread);
    return;
  }
  if (op >= OP_CONV) {
    convChunk(job, chunk, thread);
    return;
  }
  const n = load<i32>(job + (J_N << 2));
  const per = load<i32>(job + (J_COLS_PER << 2));
  const start = chunk * per;
  const len = min(per, n - start);
  if (len <= 0) return;
  const off = (start as usize) << 2;
  const kind = load<i32>(job + (J_K << 2));
  const x = (load<i32>(job + (J_A << 2)) as usize) + off;
  const out = (load<i32>(job + (J_B << 2)) as usize) + off;
  if (op == OP_ACTIVATE) activate(kind, x, out, len);
  else if (op == OP_DERIVATIVE) activateDerivative(kind, x, out, len);
  else activateBoth(kind, x, out, (load<i32>(job + (J_C << 2)) as usize) + off, len);
}
