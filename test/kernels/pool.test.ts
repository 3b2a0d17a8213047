import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createReferenceBackend } from '../../packages/predictive-coding/src/kernels/reference.ts';
import { LinearHeap } from '../../packages/predictive-coding/src/kernels/wasm/heap.ts';
import { compileKernels, instantiateKernels } from '../../packages/predictive-coding/src/kernels/wasm/loader.ts';
import { MatmulPool } from '../../packages/predictive-coding/src/kernels/wasm/pool.ts';
import { detectThreads } from '../../packages/predictive-coding/src/kernels/wasm/threads.ts';
import { uniform, worstRatio } from '../helpers/arrays.ts';

const fixture = fileURLToPath(new URL('../fixtures/pool-exit.ts', import.meta.url));

describe('thread pool', () => {
  it('splits products between the caller and a worker, and the results match the reference', async () => {
    const support = await detectThreads();
    expect(support.spawn).not.toBeNull();
    const memory = new WebAssembly.Memory({ initial: 64, maximum: 1024, shared: true });
    const module = await compileKernels('shared');
    const ex = instantiateKernels(module, memory);
    const heap = new LinearHeap(memory, 1024, true, 1024 * 65536);
    const pool = new MatmulPool(2, ex, heap, module, support.spawn!);
    const ref = createReferenceBackend('float64');
    const view = (off: number, n: number) => new Float32Array(memory.buffer, off, n);
    try {
      // Shapes that split by columns, by rows (n < 8), and both.
      for (const [m, k, n] of [
        [200, 150, 96],
        [3001, 100, 5],
        [33, 77, 250],
      ]) {
        const a = Float32Array.from(uniform(m * k, m));
        const b = Float32Array.from(uniform(k * n, n));
        const want = new Float64Array(m * n);
        ref.matmul(Float64Array.from(a), Float64Array.from(b), want, m, k, n);
        const pa = heap.alloc(a.length * 4);
        const pb = heap.alloc(b.length * 4);
        const pc = heap.alloc(m * n * 4);
        view(pa, a.length).set(a);
        view(pb, b.length).set(b);
        // The worker starts lazily with the first product; keep going until it has taken chunks.
        const before = pool.workerChunks;
        for (let round = 0; round < 200 && pool.workerChunks === before; round++) {
          // Back-to-back products: the second finds the worker awake, spinning for work.
          for (let rep = 0; rep < 3; rep++) {
            view(pc, m * n).fill(Number.NaN);
            pool.run(pa, pb, pc, m, k, n, 0, 1, 0);
            expect(worstRatio(view(pc, m * n), want, 1e-6 * k, 1e-5)).toBeLessThanOrEqual(1);
          }
          await new Promise((r) => setTimeout(r, 5));
        }
        expect(pool.workerChunks, `${m}x${k}x${n}`).toBeGreaterThan(before);
      }
    } finally {
      pool.dispose();
    }
  });

  for (const mode of ['without dispose()', 'after dispose()']) {
    it(`a process that used two threads exits by itself ${mode}`, () => {
      const args = ['--import', 'tsx', fixture, ...(mode === 'after dispose()' ? ['--dispose'] : [])];
      const r = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 20_000 });
      expect(r.error, 'the child process did not exit within 20 s').toBeUndefined();
      expect(r.status, r.stderr).toBe(0);
      // 128 rows × 128 columns, each Σ over 256 of 1 · 0.5 = 128.
      expect(r.stdout.trim()).toBe(`sum=${128 * 128 * 128}`);
    });
  }
});
