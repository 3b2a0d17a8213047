/**
 * The reference a CPU backend's matmul is held to: numpy's (OpenBLAS, or whatever BLAS numpy was
 * built with) on the same shapes, timed the same way (median of batches of at least `minBatch`
 * seconds), on `threads` BLAS threads. Benchmarks only — tests never need Python. Returns the rows,
 * or why there are none (no python3, no numpy).
 */
import { spawnSync } from 'node:child_process';
import type { MatmulCaseLike, Row } from './kernels.ts';

const SCRIPT = `
import json, sys, time
import numpy as np
cases, min_batch, batches, threads = json.loads(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rng = np.random.default_rng(0)
for c in cases:
    a = rng.uniform(-1, 1, (c['k'], c['m']) if c['transA'] else (c['m'], c['k'])).astype(np.float32)
    b = rng.uniform(-1, 1, (c['n'], c['k']) if c['transB'] else (c['k'], c['n'])).astype(np.float32)
    out = np.empty((c['m'], c['n']), np.float32)
    f = lambda: np.matmul(a.T if c['transA'] else a, b.T if c['transB'] else b, out=out)
    f()
    reps = 1
    while True:
        t = time.perf_counter()
        for _ in range(reps): f()
        if time.perf_counter() - t >= min_batch: break
        reps *= 2
    times = []
    for _ in range(batches):
        t = time.perf_counter()
        for _ in range(reps): f()
        times.append((time.perf_counter() - t) / reps)
    s = sorted(times)[len(times) // 2]
    print(json.dumps({**c, 'gflops': round(2 * c['m'] * c['k'] * c['n'] / s / 1e9, 1)}))
`;

export function benchNumpy(cases: readonly MatmulCaseLike[], threads: number, minBatch: number, batches: number): Row[] | string {
  const env = { ...process.env, OPENBLAS_NUM_THREADS: String(threads), OMP_NUM_THREADS: String(threads), MKL_NUM_THREADS: String(threads) };
  const plain = cases.map(({ m, k, n, transA, transB }) => ({ m, k, n, transA, transB }));
  const r = spawnSync('python3', ['-c', SCRIPT, JSON.stringify(plain), String(minBatch), String(batches), String(threads)], { env, encoding: 'utf8' });
  if (r.error) return `no python3 (${r.error.message})`;
  if (r.status !== 0) return `python3 could not run numpy: ${(r.stderr ?? '').trim().split('\n').at(-1)}`;
  return r.stdout
    .trim()
    .split('\n')
    .map((line) => {
      const o = JSON.parse(line) as MatmulCaseLike & { gflops: number };
      return { backend: 'numpy', threads, op: 'matmul', m: o.m, k: o.k, n: o.n, transA: o.transA, transB: o.transB, gflops: o.gflops };
    });
}
