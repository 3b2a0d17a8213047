// The thread pool under faults (issue 10, item 5): thread counts past an
// 8-bit ticket, workers that die while holding a chunk, and worker errors.
// Each scenario runs in a child process (fixtures/pool-faults.ts) with a
// timeout, because these faults used to hang the calling thread forever.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { PcError } from '../../packages/predictive-coding/src/errors.ts';
import { createBackend } from '../../packages/predictive-coding/src/kernels/select.ts';
import { LinearHeap } from '../../packages/predictive-coding/src/kernels/wasm/heap.ts';
import { MAX_CHUNKS, MAX_THREADS } from '../../packages/predictive-coding/src/kernels/wasm/job.ts';
import { compileKernels, instantiateKernels } from '../../packages/predictive-coding/src/kernels/wasm/loader.ts';
import { planConv, planConvWeight, planMatmul } from '../../packages/predictive-coding/src/kernels/wasm/plans.ts';
import { MatmulPool, type SpawnWorker } from '../../packages/predictive-coding/src/kernels/wasm/pool.ts';
import { detectThreads } from '../../packages/predictive-coding/src/kernels/wasm/threads.ts';
import { catchPcError } from '../helpers/errors.ts';

const fixture = fileURLToPath(new URL('../fixtures/pool-faults.ts', import.meta.url));

interface Outcome {
  pcError: boolean;
  code: string;
  message: string;
}

/** Runs one scenario; a hang shows as a failed (killed) child, not a stuck suite. */
async function scenario(args: string[], timeoutMs: number): Promise<unknown> {
  const run = promisify(execFile);
  const r = await run(process.execPath, ['--import', 'tsx', fixture, ...args], { encoding: 'utf8', timeout: timeoutMs }).catch(
    (e: Error & { killed?: boolean; stderr?: string }) => {
      throw new Error(`scenario ${args.join(' ')} ${e.killed ? `did not finish within ${timeoutMs / 1000} s (a hang)` : 'failed'}: ${e.stderr ?? e.message}`);
    },
  );
  return JSON.parse(r.stdout.trim().split('\n').at(-1) ?? 'null');
}

describe('thread counts', () => {
  for (const threads of [33, 64]) {
    it(`a ${threads}-thread backend computes products cut into more than 255 chunks, matching float64`, async () => {
      // 256×1024 with 33 threads is 256 chunks: it overflowed the old 8-bit ticket and spun forever.
      const r = (await scenario(['threads', String(threads)], 50_000)) as { threads: number; worst: number; tanh: number[] };
      expect(r.threads).toBe(threads);
      expect(r.worst).toBeLessThanOrEqual(1);
      for (const v of r.tanh) expect(v).toBeCloseTo(Math.tanh(0.5), 6);
    });
  }

  it(`threads: ${MAX_THREADS + 1} is refused with a config error naming the value, the maximum and what 'auto' picks`, async () => {
    const err = await createBackend('wasm', { threads: MAX_THREADS + 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PcError);
    expect((err as PcError).code).toBe('config');
    expect((err as PcError).message).toMatch(new RegExp(`1\\.\\.${MAX_THREADS}, got ${MAX_THREADS + 1}\\. 'auto' picks \\d+ here`));
  });

  it(`the pool itself refuses ${MAX_THREADS + 1} threads`, async () => {
    const memory = new WebAssembly.Memory({ initial: 16, maximum: 64, shared: true });
    const module = await compileKernels('shared');
    const heap = new LinearHeap(memory, 1024, true, 64 * 65536);
    const spawn = (await detectThreads()).spawn!;
    expect(() => new MatmulPool(MAX_THREADS + 1, instantiateKernels(module, memory), heap, module, spawn)).toThrow(
      /threads must be an integer in 1\.\.64, got 65/,
    );
  });

  it('every plan (products, convolutions and weight gradients) for up to MAX_THREADS threads fits the ticket and tiles the product exactly', () => {
    for (let threads = 1; threads <= MAX_THREADS; threads++) {
      for (const m of [1, 3, 4, 9, 17, 65, 256, 1000, 4097]) {
        for (const n of [1, 7, 8, 9, 32, 65, 1024, 2000, 8193]) {
          for (const [plan, p] of [
            ['planMatmul', planMatmul(m, n, threads)],
            ['planConvWeight', planConvWeight(m, n, threads)],
            ['planConv', planConv(m, n, threads)],
          ] as const) {
            const where = `${plan} ${m}x${n} on ${threads} threads`;
            expect(p.rowChunks * p.colChunks, where).toBeLessThanOrEqual(Math.min(MAX_CHUNKS, 8 * threads));
            // Every row and column in exactly one chunk: the last chunk starts inside the matrix and the chunks reach its end.
            expect((p.rowChunks - 1) * p.rowsPer, where).toBeLessThan(m);
            expect(p.rowChunks * p.rowsPer, where).toBeGreaterThanOrEqual(m);
            expect((p.colChunks - 1) * p.colsPer, where).toBeLessThan(n);
            expect(p.colChunks * p.colsPer, where).toBeGreaterThanOrEqual(n);
            expect(p.rowsPer % 4, where).toBe(0);
            expect(p.colsPer % 8, where).toBe(0);
          }
          // A weight-gradient chunk streams all of gy: at most 2 per thread, a 64-byte line of gy wide where n allows.
          const w = planConvWeight(m, n, threads);
          expect(w.rowChunks * w.colChunks, `${m}x${n} on ${threads} threads`).toBeLessThanOrEqual(2 * threads);
          if (n >= 16) expect(w.colsPer, `${m}x${n} on ${threads} threads`).toBeGreaterThanOrEqual(16);
          // A convolution with rows enough for every chunk is cut by rows only: no two chunks write one output row.
          if (m >= 16 * threads) expect(planConv(m, n, threads).colChunks, `${m}x${n} on ${threads} threads`).toBe(1);
        }
      }
    }
  });
});

describe('a worker that cannot start', () => {
  it('spawn or the start message throwing is a config error naming the thread, and the pool stays refused', async () => {
    const memory = new WebAssembly.Memory({ initial: 16, maximum: 64, shared: true });
    const module = await compileKernels('shared');
    const ex = instantiateKernels(module, memory);
    const heap = new LinearHeap(memory, 1024, true, 64 * 65536);
    const spawns: SpawnWorker[] = [
      () => {
        throw new Error('Workers are blocked here');
      },
      () => ({
        postMessage: () => {
          throw new Error('could not clone the memory');
        },
        terminate: () => undefined,
      }),
    ];
    for (const [i, spawn] of spawns.entries()) {
      const pool = new MatmulPool(2, ex, heap, module, spawn);
      const [pa, pb, pc] = [heap.alloc(64 * 64 * 4), heap.alloc(64 * 64 * 4), heap.alloc(64 * 64 * 4)];
      const first = catchPcError(() => pool.run(pa, pb, pc, 64, 64, 64, 0, 1, 0), 'config');
      expect(first.message).toMatch(
        new RegExp(`^wasm backend: could not start worker thread 1 of 1: Error: ${i === 0 ? 'Workers are blocked here' : 'could not clone the memory'}\\.`),
      );
      expect(catchPcError(() => pool.run(pa, pb, pc, 64, 64, 64, 0, 1, 0), 'config').message).toMatch(
        /^wasm backend: unusable since could not start worker thread 1/,
      );
      pool.dispose();
    }
  });
});

describe.concurrent('a worker that fails is reported, and the pool refuses work from then on', () => {
  const job = '256×256 by 256×256 matrix product';
  // How long the pool waited before giving up depends on the machine's load (CI saw 1.1 s): the message says it, the test does not time it.
  const stall = new RegExp(`no worker thread finished a chunk of a ${job} for \\d+\\.\\d s`);
  const cases: [string, string, RegExp][] = [
    ['throws mid-chunk', 'throw', new RegExp(`worker thread 1 of 1 threw Error: injected chunk failure during a ${job}\\.`)],
    ['calls process.exit mid-chunk', 'exit', new RegExp(`worker thread 1 of 1 exited with code 3 during a ${job}\\.`)],
    ['exits mid-chunk and no hook runs', 'silent-exit', stall],
    ['blocks forever mid-chunk', 'hang', stall],
    ['runs out of memory mid-chunk', 'oom', stall],
    // The worker fails at start-up, on its own clock: if its report lands while the caller is inside a product, the
    // caller finds it when that product ends ("during"); otherwise the next call, or the event loop, finds it ("between").
    // Both are correct, and which one depends on load: assert the cause, and that it is one of the two.
    [
      'fails to instantiate the kernels',
      'instantiate',
      new RegExp(`worker thread 1 of 1 threw Error: injected instantiate failure (between products|during a ${job})\\.`),
    ],
    ['is terminated between products', 'terminate-idle', /worker thread 1 of 1 exited with code \d+ between products\./],
  ];
  for (const [what, fault, cause] of cases) {
    it(`a worker that ${what}: the caller throws PcError('config') and later calls throw too`, async () => {
      const r = (await scenario([fault], 30_000)) as { error: Outcome | null; later: Outcome | null; ms: number };
      expect(r.error, 'no call failed').not.toBeNull();
      expect(r.error).toMatchObject({ pcError: true, code: 'config' });
      expect(r.error?.message).toMatch(cause);
      expect(r.error?.message).toMatch(/threads: 1 runs without worker threads\)\.$/);
      expect(r.later).toMatchObject({ pcError: true, code: 'config' });
      expect(r.later?.message).toMatch(/^wasm backend: unusable since /);
      expect(r.later?.message).toMatch(cause);
      // The failing call returns at once, or (silent deaths) after the fixture's 0.5 s stall limit — not the default 10 s.
      expect(r.ms).toBeLessThan(8_000);
    });
  }

  it('after a worker failure the backend refuses every kernel, threaded or not', async () => {
    const r = (await scenario(['backend'], 30_000)) as (Outcome | null)[];
    expect(r).toHaveLength(4);
    expect(r[0]?.message).toMatch(new RegExp(`^wasm backend: worker thread 1 of 1 threw Error: injected chunk failure during a ${job}\\.`));
    for (const e of r) {
      expect(e).toMatchObject({ pcError: true, code: 'config' });
      expect(e?.message).toMatch(/injected chunk failure/);
    }
    for (const e of r.slice(1)) expect(e?.message).toMatch(/^wasm backend: unusable since /);
  });
});
