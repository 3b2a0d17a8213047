/**
 * Kernel benchmark: matmul GFLOP/s on the shapes PC training uses,
 * elements/s for tanh, tanh' and axpy on 1M floats, and convolution GFLOP/s
 * (forward, input gradient, weight gradient) on the `cnn` preset's layers and a
 * CIFAR-like one, for every backend and thread count.
 *
 *   npm run bench:kernels [-- --json] [--backends js,wasm,native,numpy,webgpu] [--threads 1,2] [--ops matmul,map,conv] [--quick]
 *
 * The default is js,wasm,native,numpy (native where its addon is built): numpy's matmul (its BLAS, on
 * the same thread counts) is the reference the CPU backends are compared with, as a ratio per shape.
 * (--backend is the same option.) webgpu rows come from bench/kernels-webgpu.ts: matmul and
 * convolution, with the adapter's name; the CPU's thread counts do not apply to them.
 *
 * Each figure is the median of several timed batches after a warm-up. A
 * convolution row also gives the GFLOP/s of the reference product (the first
 * matmul case) timed in batches alternating with the convolution's, and the
 * ratio of the two medians, so a machine busy with other work moves both.
 */
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { type Backend, type Conv2dGeometry, conv2dOutputSize, type MatmulOptions } from '../packages/predictive-coding/src/kernels/backend.ts';
import { createNativeBackend, loadNativeAddon } from '../packages/predictive-coding/src/kernels/native/native-backend.ts';
import { createReferenceBackend } from '../packages/predictive-coding/src/kernels/reference.ts';
import { createWasmBackend } from '../packages/predictive-coding/src/kernels/wasm/wasm-backend.ts';
import { createRng } from '../packages/predictive-coding/src/random.ts';
import { benchNumpy } from './kernels-numpy.ts';
import { benchWebGpu } from './kernels-webgpu.ts';

export type MatmulCaseLike = Pick<MatmulCase, 'm' | 'k' | 'n' | 'transA' | 'transB'>;

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

interface ConvCase extends Conv2dGeometry {
  label: string;
}

/** The `cnn` preset's two convolutions and a CIFAR-like first layer, batch 128, 3×3, pad 1. */
export const CONV_CASES: readonly ConvCase[] = [
  { n: 128, h: 28, w: 28, c: 1, k: 32, kh: 3, kw: 3, stride: 1, pad: 1, label: 'cnn conv1 28x28x1→32' },
  { n: 128, h: 14, w: 14, c: 32, k: 64, kh: 3, kw: 3, stride: 1, pad: 1, label: 'cnn conv2 14x14x32→64' },
  { n: 128, h: 32, w: 32, c: 3, k: 64, kh: 3, kw: 3, stride: 1, pad: 1, label: 'cifar 32x32x3→64' },
];

const PASSES = ['forward', 'input-grad', 'weight-grad'] as const;

/** Calls per batch so that one batch of `fn` takes at least `minBatch` seconds (after a warm-up call). */
function repsFor(fn: () => void, minBatch: number): number {
  fn();
  let reps = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) fn();
    if ((performance.now() - t0) / 1000 >= minBatch) return reps;
    reps *= 2;
  }
}

/** Seconds per call of one batch of `reps` calls. */
function batch(fn: () => void, reps: number): number {
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) fn();
  return (performance.now() - t0) / 1000 / reps;
}

function median(xs: number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.floor(s.length / 2)];
}

/** Median seconds per call of `fn`, over batches of at least `minBatch` seconds. */
function timeIt(fn: () => void, minBatch: number, batches: number): number {
  const reps = repsFor(fn, minBatch);
  return median(Array.from({ length: batches }, () => batch(fn, reps)));
}

/** Median seconds per call of `a` and of `b`, timed in alternating batches. */
function timePair(a: () => void, b: () => void, minBatch: number, batches: number): [number, number] {
  const [ra, rb] = [repsFor(a, minBatch), repsFor(b, minBatch)];
  const ta: number[] = [];
  const tb: number[] = [];
  for (let i = 0; i < batches; i++) {
    ta.push(batch(a, ra));
    tb.push(batch(b, rb));
  }
  return [median(ta), median(tb)];
}

function filled(backend: Backend<Float32Array>, n: number, seed: number): Float32Array {
  const rng = createRng(seed);
  const a = backend.alloc(n);
  for (let i = 0; i < n; i++) a[i] = rng.next() * 2 - 1;
  return a;
}

export interface Row {
  backend: string;
  /** webgpu rows: the adapter that ran them (e.g. "SwiftShader …"). */
  adapter?: string;
  threads: number;
  op: string;
  m?: number;
  k?: number;
  n: number;
  c?: number;
  h?: number;
  w?: number;
  kh?: number;
  kw?: number;
  pass?: (typeof PASSES)[number];
  transA?: boolean;
  transB?: boolean;
  gflops?: number;
  melems?: number;
  /** Convolution rows: the reference product's GFLOP/s timed alongside, and gflops / matmulGflops. */
  matmulGflops?: number;
  ratio?: number;
}

type Ops = ReadonlySet<string>;

function benchBackend(backend: Backend<Float32Array>, quick: boolean, ops: Ops, emit: (r: Row) => void): void {
  const minBatch = quick ? 0.02 : backend.name === 'js' ? 0.1 : 0.05;
  const batches = quick ? 3 : 7;
  if (ops.has('matmul')) benchMatmul(backend, minBatch, batches, emit);
  if (ops.has('map')) benchMaps(backend, minBatch, batches, emit);
  if (ops.has('conv')) benchConv(backend, minBatch, backend.name === 'js' || quick ? 3 : batches, emit);
}

function benchMatmul(backend: Backend<Float32Array>, minBatch: number, batches: number, emit: (r: Row) => void): void {
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
}

function benchMaps(backend: Backend<Float32Array>, minBatch: number, batches: number, emit: (r: Row) => void): void {
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

function benchConv(backend: Backend<Float32Array>, minBatch: number, batches: number, emit: (r: Row) => void): void {
  const ref = MATMUL_CASES[0];
  const ra = filled(backend, ref.m * ref.k, 1);
  const rb = filled(backend, ref.k * ref.n, 2);
  const rc = backend.alloc(ref.m * ref.n);
  const product = (): void => backend.matmul(ra, rb, rc, ref.m, ref.k, ref.n);
  for (const g of CONV_CASES) {
    const { oh, ow } = conv2dOutputSize(g);
    const x = filled(backend, g.n * g.h * g.w * g.c, 5);
    const w = filled(backend, g.kh * g.kw * g.c * g.k, 6);
    const y = filled(backend, g.n * oh * ow * g.k, 7);
    const gx = backend.alloc(x.length);
    const gw = backend.alloc(w.length);
    const flops = 2 * g.n * oh * ow * g.k * g.kh * g.kw * g.c;
    const run: Record<(typeof PASSES)[number], () => void> = {
      forward: () => backend.conv2d(x, w, y, g),
      'input-grad': () => backend.conv2dInputGrad(y, w, gx, g),
      'weight-grad': () => backend.conv2dWeightGrad(y, x, gw, g, 1),
    };
    for (const pass of PASSES) {
      const [tc, tm] = timePair(run[pass], product, minBatch, batches);
      const gflops = flops / tc / 1e9;
      const matmulGflops = (2 * ref.m * ref.k * ref.n) / tm / 1e9;
      const { n, c, h, w: width, k, kh, kw } = g;
      emit({
        backend: backend.name,
        threads: backend.threads,
        op: 'conv2d',
        n,
        c,
        h,
        w: width,
        k,
        kh,
        kw,
        pass,
        gflops: round(gflops),
        matmulGflops: round(matmulGflops),
        ratio: Math.round((gflops / matmulGflops) * 100) / 100,
      });
    }
    for (const a of [x, w, y, gx, gw]) backend.free(a);
  }
  for (const a of [ra, rb, rc]) backend.free(a);
}

function round(v: number): number {
  return Math.round(v * 10) / 10;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      json: { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      backends: { type: 'string', default: 'js,wasm,native,numpy' },
      backend: { type: 'string' },
      threads: { type: 'string', default: '1,2' },
      ops: { type: 'string', default: 'matmul,map,conv' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(
      'usage: npm run bench:kernels [-- --json] [--backends js,wasm,native,numpy,webgpu] [--threads 1,2] [--ops matmul,map,conv] [--quick]\n' +
        '  numpy: matmul only, its BLAS on the same thread counts (the reference); native: where its addon is built\n' +
        '  webgpu rows: matmul and conv on the adapter Dawn (or the browser) finds; without a GPU on Linux run through\n' +
        '  npx tsx scripts/with-swiftshader.ts npx tsx bench/kernels.ts --backends webgpu (SwiftShader: the CPU, slowly)',
    );
    return;
  }
  const backends = (values.backend ?? values.backends).split(',');
  const threads = values.threads.split(',').map(Number);
  for (const b of backends)
    if (!['js', 'wasm', 'native', 'numpy', 'webgpu'].includes(b))
      throw new Error(`--backends: unknown backend '${b}'; expected js, wasm, native, numpy and/or webgpu.`);
  for (const t of threads) if (!Number.isInteger(t) || t < 1) throw new Error(`--threads: expected a list of positive integers, got '${values.threads}'.`);
  const ops = new Set(values.ops.split(','));
  for (const o of ops) if (!['matmul', 'map', 'conv'].includes(o)) throw new Error(`--ops: unknown group '${o}'; expected matmul, map and/or conv.`);

  const rows: Row[] = [];
  const emit = (r: Row): void => {
    rows.push(r);
    if (values.json) console.log(JSON.stringify(r));
    else if (r.op === 'matmul') console.log(`${who(r)}  matmul ${describe(r).padEnd(32)} ${gflops(r.gflops)} GFLOP/s`);
    else if (r.op === 'conv2d' && r.ratio === undefined) console.log(`${who(r)}  conv2d ${describeConv(r).padEnd(32)} ${gflops(r.gflops)} GFLOP/s`);
    else if (r.op === 'conv2d')
      console.log(
        `${who(r)}  conv2d ${describeConv(r).padEnd(32)} ${gflops(r.gflops)} GFLOP/s  (matmul ${r.matmulGflops?.toFixed(1)}, ratio ${r.ratio?.toFixed(2)})`,
      );
    else console.log(`${who(r)}  ${r.op.padEnd(39)} ${r.melems?.toFixed(0).padStart(7)} M elem/s`);
  };
  if (!values.json) console.log(`kernel benchmark — ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, Node ${process.version}\n`);

  if (backends.includes('js')) {
    const js = createReferenceBackend('float32');
    benchBackend(js, values.quick, ops, emit);
  }
  if (backends.includes('wasm')) {
    for (const t of threads) {
      const w = await createWasmBackend({ threads: t });
      benchBackend(w, values.quick, ops, emit);
      w.dispose();
    }
  }
  if (backends.includes('native')) {
    const addon = await loadNativeAddon();
    if (typeof addon === 'string') console.log(`(native: ${addon})`);
    else
      for (const t of threads) {
        const nat = await createNativeBackend({ threads: t });
        benchBackend(nat, values.quick, ops, emit);
        nat.dispose();
      }
  }
  if (backends.includes('numpy') && ops.has('matmul')) {
    for (const t of threads) {
      const got = benchNumpy(MATMUL_CASES, t, values.quick ? 0.02 : 0.05, values.quick ? 3 : 7);
      if (typeof got === 'string') {
        console.log(`(numpy: ${got})`);
        break;
      }
      for (const r of got) emit(r);
    }
    if (!values.json) printRatios(rows);
  }
  if (backends.includes('webgpu')) {
    const adapter = await benchWebGpu(ops, values.quick, emit);
    if (!values.json) console.log(`(webgpu rows: ${adapter})`);
  }
  if (!values.json && ops.has('matmul')) {
    const best = Math.max(...rows.filter((r) => r.op === 'matmul').map((r) => r.gflops ?? 0));
    console.log(`\npeak matmul measured: ${best.toFixed(1)} GFLOP/s`);
  }
}

// Each CPU backend's matmul as a fraction of numpy's on the same shape and threads.
function printRatios(rows: readonly Row[]): void {
  const numpy = rows.filter((r) => r.backend === 'numpy');
  console.log('\nmatmul / numpy, same shape and threads:');
  for (const r of rows.filter((x) => x.op === 'matmul' && x.backend !== 'numpy' && x.backend !== 'js')) {
    const ref = numpy.find((x) => x.threads === r.threads && x.m === r.m && x.k === r.k && x.n === r.n && x.transA === r.transA && x.transB === r.transB);
    if (ref?.gflops && r.gflops) console.log(`${who(r)}  ${describe(r).padEnd(32)} ${(r.gflops / ref.gflops).toFixed(2)}  (numpy ${ref.gflops.toFixed(1)})`);
  }
}

// The backend and its threads (a GPU's rows have none).
function who(r: Row): string {
  return `${r.backend.padEnd(6)} ${r.backend === 'webgpu' ? '   ' : `${String(r.threads).padStart(2)}T`}`;
}

// Two decimals below 10 GFLOP/s, so a CPU driver's 0.04 does not print as 0.0.
function gflops(v: number | undefined): string {
  return (v === undefined ? '' : v < 10 ? v.toFixed(2) : v.toFixed(1)).padStart(7);
}

function describe(r: Row): string {
  const known = MATMUL_CASES.find((c) => c.m === r.m && c.k === r.k && c.n === r.n && c.transA === r.transA && c.transB === r.transB);
  return known?.label ?? `${r.m}x${r.k} · ${r.k}x${r.n}`;
}

function describeConv(r: Row): string {
  return `${CONV_CASES.find((c) => c.n === r.n && c.h === r.h && c.w === r.w && c.c === r.c && c.k === r.k)?.label ?? ''} ${r.pass}`;
}

main().catch((e: unknown) => {
  console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
