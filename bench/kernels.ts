/**
 * Kernel benchmark: matmul GFLOP/s on the shapes PC training uses, and
 * elements/s for tanh, tanh' and axpy on 1M floats, for every backend and
 * thread count.
 *
 *   npm run bench:kernels [-- --json] [--backends js,wasm] [--threads 1,2] [--quick]
 *
 * Each figure is the median of several timed batches after a warm-up.
 */
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import type { Backend, MatmulOptions } from '../src/kernels/backend.ts';
import { createReferenceBackend } from '../src/kernels/reference.ts';
import { createWasmBackend } from '../src/kernels/wasm/wasm-backend.ts';
import { createRng } from '../src/random.ts';

interface MatmulCase {
  m: number;
  k: number;
  n: number;
  transA: boolean;
  transB: boolean;
  label: string;
}

export const MATMUL_CASES: readonly MatmulCase[] = [
  { m: 256, k: 784, n: 256, transA: false, transB: false, label: '256x784 · 784x256' },
  { m: 256, k: 256, n: 256, transA: false, transB: false, label: '256x256 · 256x256' },
  { m: 256, k: 256, n: 10, transA: false, transB: false, label: '256x256 · 256x10' },
  { m: 128, k: 784, n: 128, transA: false, transB: false, label: '128x784 · 784x128' },
  { m: 256, k: 784, n: 256, transA: true, transB: false, label: 'Aᵀ·B, A 784x256, B 784x256' },
  { m: 256, k: 256, n: 784, transA: false, transB: true, label: 'A·Bᵀ, A 256x256, B 784x256' },
];

const ELEMS = 1 << 20;

/** Median seconds per call of `fn`, over batches of at least `minBatch` seconds. */
function timeIt(fn: () => void, minBatch: number, batches: number): number {
  fn();
  let reps = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) fn();
    if ((performance.now() - t0) / 1000 >= minBatch) break;
    reps *= 2;
  }
  const times: number[] = [];
  for (let b = 0; b < batches; b++) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) fn();
    times.push((performance.now() - t0) / 1000 / reps);
  }
  times.sort((x, y) => x - y);
  return times[Math.floor(times.length / 2)];
}

function filled(backend: Backend<Float32Array>, n: number, seed: number): Float32Array {
  const rng = createRng(seed);
  const a = backend.alloc(n);
  for (let i = 0; i < n; i++) a[i] = rng.next() * 2 - 1;
  return a;
}

export interface Row {
  backend: string;
  threads: number;
  op: string;
  m?: number;
  k?: number;
  n: number;
  transA?: boolean;
  transB?: boolean;
  gflops?: number;
  melems?: number;
}

function benchBackend(backend: Backend<Float32Array>, quick: boolean, emit: (r: Row) => void): void {
  const minBatch = quick ? 0.02 : backend.name === 'js' ? 0.1 : 0.05;
  const batches = quick ? 3 : 7;
  for (const c of MATMUL_CASES) {
    const a = filled(backend, c.m * c.k, 1);
    const b = filled(backend, c.k * c.n, 2);
    const out = backend.alloc(c.m * c.n);
    const opts: MatmulOptions = { transA: c.transA, transB: c.transB };
    const s = timeIt(() => backend.matmul(a, b, out, c.m, c.k, c.n, opts), minBatch, batches);
    emit({
      backend: backend.name,
      threads: backend.threads,
      op: 'matmul',
      m: c.m,
      k: c.k,
      n: c.n,
      transA: c.transA,
      transB: c.transB,
      gflops: round((2 * c.m * c.k * c.n) / s / 1e9),
    });
    for (const x of [a, b, out]) backend.free(x);
  }
  const x = filled(backend, ELEMS, 3);
  const y = filled(backend, ELEMS, 4);
  const out = backend.alloc(ELEMS);
  const ops: [string, () => void][] = [
    ['tanh', () => backend.activate('tanh', x, out, ELEMS)],
    ['tanh_derivative', () => backend.activateDerivative('tanh', x, out, ELEMS)],
    ['axpy', () => backend.axpy(1e-3, x, y, ELEMS)],
  ];
  for (const [op, fn] of ops)
    emit({ backend: backend.name, threads: backend.threads, op, n: ELEMS, melems: round(ELEMS / timeIt(fn, minBatch, batches) / 1e6) });
  for (const a of [x, y, out]) backend.free(a);
}

function round(v: number): number {
  return Math.round(v * 10) / 10;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      json: { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      backends: { type: 'string', default: 'js,wasm' },
      threads: { type: 'string', default: '1,2' },
    },
    strict: true,
  });
  const backends = values.backends.split(',');
  const threads = values.threads.split(',').map(Number);
  for (const b of backends) if (b !== 'js' && b !== 'wasm') throw new Error(`--backends: unknown backend '${b}'; expected js and/or wasm.`);
  for (const t of threads) if (!Number.isInteger(t) || t < 1) throw new Error(`--threads: expected a list of positive integers, got '${values.threads}'.`);

  const rows: Row[] = [];
  const emit = (r: Row): void => {
    rows.push(r);
    if (values.json) console.log(JSON.stringify(r));
    else if (r.op === 'matmul')
      console.log(`${r.backend.padEnd(5)} ${String(r.threads).padStart(2)}T  matmul ${describe(r).padEnd(30)} ${r.gflops?.toFixed(1).padStart(7)} GFLOP/s`);
    else console.log(`${r.backend.padEnd(5)} ${String(r.threads).padStart(2)}T  ${r.op.padEnd(37)} ${r.melems?.toFixed(0).padStart(7)} M elem/s`);
  };
  if (!values.json) console.log(`kernel benchmark — ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, Node ${process.version}\n`);

  if (backends.includes('js')) {
    const js = createReferenceBackend('float32');
    benchBackend(js, values.quick, emit);
  }
  if (backends.includes('wasm')) {
    for (const t of threads) {
      const w = await createWasmBackend({ threads: t });
      benchBackend(w, values.quick, emit);
      w.dispose();
    }
  }
  if (!values.json) {
    const best = Math.max(...rows.filter((r) => r.op === 'matmul').map((r) => r.gflops ?? 0));
    console.log(`\npeak matmul measured: ${best.toFixed(1)} GFLOP/s`);
  }
}

function describe(r: Row): string {
  return MATMUL_CASES.find((c) => c.m === r.m && c.k === r.k && c.n === r.n && c.transA === r.transA && c.transB === r.transB)?.label ?? '';
}

main().catch((e: unknown) => {
  console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
