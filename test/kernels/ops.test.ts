import { describe, expect, it } from 'vitest';
import { cpuBackendName } from '../../packages/predictive-coding/src/kernels/native/native-backend.ts';
import { activate, activateBoth, addRowVector, axpy, columnSums, matmul, rowArgmax, softmax, sub } from '../../packages/predictive-coding/src/kernels/ops.ts';
import { createReferenceBackend } from '../../packages/predictive-coding/src/kernels/reference.ts';
import { createBackend } from '../../packages/predictive-coding/src/kernels/select.ts';
import { type Tensor, tensor, zeros } from '../../packages/predictive-coding/src/kernels/tensor.ts';
import { createWasmBackend } from '../../packages/predictive-coding/src/kernels/wasm/wasm-backend.ts';
import { catchPcError } from '../helpers/errors.ts';

const js = createReferenceBackend('float32');

const pcError = catchPcError;

describe('tensor construction', () => {
  it('rejects data whose length does not match the shape, naming both', () => {
    const e = pcError(() => tensor(new Float32Array(11), [3, 4], 'weights'));
    expect(e.code).toBe('shape');
    expect(e.message).toBe('weights: data has 11 elements but shape [3, 4] needs 12.');
  });

  it('rejects negative or fractional dimensions', () => {
    expect(pcError(() => tensor(new Float32Array(0), [-1, 0])).code).toBe('shape');
    expect(pcError(() => zeros(js, 2.5, 2)).code).toBe('shape');
  });
});

describe('checked matmul', () => {
  const a = zeros(js, 3, 4);
  const b = zeros(js, 5, 6);

  it('rejects mismatched inner sizes with both shapes and a hint about the transpose flags', () => {
    const e = pcError(() => matmul(js, a, b, zeros(js, 3, 6)));
    expect(e.code).toBe('shape');
    expect(e.message).toBe('matmul: a is 3×4 (a has shape [3, 4]) but b is 5×6 (b has shape [5, 6]); the inner sizes must agree. Check transA/transB.');
  });

  it('rejects an output of the wrong shape, naming the transposed operands', () => {
    const e = pcError(() => matmul(js, a, zeros(js, 6, 4), zeros(js, 3, 5), { transB: true }));
    expect(e.message).toBe('matmul: c has shape [3, 5] but a·bᵀ is 3×6.');
  });

  it('accepts transposed operands whose stored shapes differ from the plain product', () => {
    const at = tensor(Float32Array.from([1, 2, 3, 4, 5, 6]), [3, 2]); // aᵀ is 2×3
    const bt = tensor(Float32Array.from([1, 0, 0, 1, 1, 1]), [2, 3]); // bᵀ is 3×2
    const c = zeros(js, 2, 2);
    matmul(js, at, bt, c, { transA: true, transB: true });
    // aᵀ = [[1,3,5],[2,4,6]], bᵀ = [[1,1],[0,1],[0,1]] → [[1,9],[2,12]]
    expect(Array.from(c.data)).toEqual([1, 9, 2, 12]);
  });

  it('rejects an output that overlaps an operand, even a partial view of the same buffer', () => {
    const buf = new Float32Array(32);
    const x = tensor(buf.subarray(0, 16), [4, 4]);
    const y = tensor(buf.subarray(8, 24), [4, 4]);
    const e = pcError(() => matmul(js, x, zeros(js, 4, 4), y));
    expect(e.code).toBe('shape');
    expect(e.message).toContain('c overlaps a');
    expect(() => matmul(js, tensor(buf.subarray(0, 16), [4, 4]), zeros(js, 4, 4), tensor(buf.subarray(16, 32), [4, 4]))).not.toThrow();
  });

  it('rejects non-finite alpha and beta', () => {
    expect(pcError(() => matmul(js, a, zeros(js, 4, 2), zeros(js, 3, 2), { alpha: Number.NaN })).code).toBe('config');
    expect(pcError(() => matmul(js, a, zeros(js, 4, 2), zeros(js, 3, 2), { beta: Number.POSITIVE_INFINITY })).message).toBe(
      'matmul: options.beta must be a finite number, got Infinity.',
    );
  });

  it('detects overlap between wasm views made before and after the memory grew', async () => {
    const w = await createWasmBackend({ threads: 1 });
    const early = tensor(w.alloc(64), [8, 8]);
    const big = w.alloc(64 * 2 ** 20); // 256 MiB: forces the shared memory to grow
    const mem = w.memoryOf(early.data);
    const late = tensor(new Float32Array(new WebAssembly.Memory({ initial: 1 }).buffer, 0, 64), [8, 8]);
    expect(w.memoryOf(big)).toBe(mem);
    // A fresh view of the same bytes through the grown buffer is the same memory.
    const again = new Float32Array((mem as WebAssembly.Memory).buffer, early.data.byteOffset, 64);
    expect(again.buffer).not.toBe(early.data.buffer);
    const e = pcError(() => matmul(w, early, late, tensor(again, [8, 8])));
    expect(e.message).toContain('c overlaps a');
    w.dispose();
  });
});

describe('checked elementwise ops and reductions', () => {
  const x = zeros(js, 2, 3);

  it('rejects an unknown activation, listing the valid ones', () => {
    const e = pcError(() => activate(js, 'swish' as never, x, x));
    expect(e.code).toBe('config');
    expect(e.message).toBe("activate: unknown activation 'swish'; expected one of linear, tanh, sigmoid, relu, leaky-relu, gelu, hard-tanh.");
  });

  it('allows exact in-place use but rejects a partial overlap', () => {
    const buf = new Float32Array(12);
    const t1 = tensor(buf.subarray(0, 6), [2, 3]);
    const t2 = tensor(buf.subarray(3, 9), [2, 3]);
    expect(() => activate(js, 'tanh', t1, t1)).not.toThrow();
    expect(pcError(() => activate(js, 'tanh', t1, t2)).message).toBe('activate: out partly overlaps x. Pass the same array (in place) or a separate one.');
    expect(pcError(() => sub(js, t1, x, t2)).code).toBe('shape');
  });

  it('rejects mismatched shapes, naming the arguments', () => {
    expect(pcError(() => axpy(js, 1, x, zeros(js, 3, 2))).message).toBe('axpy: y has shape [3, 2] but x has [2, 3]; they must match.');
    expect(pcError(() => addRowVector(js, x, zeros(js, 1, 2), x)).message).toBe('addRowVector: v has shape [1, 2] but x has 3 columns; v must be [1, 3].');
    expect(pcError(() => columnSums(js, x, zeros(js, 1, 2))).message).toBe(
      'columnSums: out has 2 elements but x has shape [2, 3], so it needs 3 (one per column).',
    );
    expect(pcError(() => rowArgmax(js, x, new Int32Array(3))).code).toBe('shape');
    expect(pcError(() => softmax(js, x, zeros(js, 3, 2))).code).toBe('shape');
  });

  it('activateBoth needs three separate arrays', () => {
    const fx: Tensor = zeros(js, 2, 3);
    expect(pcError(() => activateBoth(js, 'tanh', x, fx, fx)).message).toBe('activateBoth: x, fx and dfx overlap; pass three separate arrays.');
  });
});

describe('backend selection', () => {
  it('auto picks native where its addon is built, else wasm where SIMD exists; an unknown name is a config error', async () => {
    const b = await createBackend('auto', { threads: 1 });
    expect(b.name).toBe(await cpuBackendName());
    b.dispose();
    await expect(createBackend('gpu' as never)).rejects.toMatchObject({ code: 'config' });
  });

  it('rejects invalid thread counts and memory limits', async () => {
    await expect(createWasmBackend({ threads: 0 })).rejects.toMatchObject({ code: 'config' });
    await expect(createWasmBackend({ threads: 1.5 })).rejects.toThrow("threads must be 'auto' or an integer in 1..64, got 1.5");
    await expect(createWasmBackend({ memoryMB: 0 })).rejects.toMatchObject({ code: 'config' });
  });

  it('the wasm backend reports running out of its memory limit clearly', async () => {
    const w = await createWasmBackend({ threads: 1, memoryMB: 16 });
    const e = pcError(() => w.alloc(8 * 2 ** 20));
    expect(e.code).toBe('config');
    expect(e.message).toMatch(/^wasm backend: out of memory: need 32\.\d MiB of linear memory but the limit is 16\.0 MiB\./);
    w.dispose();
  });
});
