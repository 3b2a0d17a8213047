/**
 * The WebGPU rows of the kernel benchmark (bench/kernels.ts --backends webgpu): matmul GFLOP/s on the
 * same shapes as the CPU backends plus 1024² and 2048² squares (a GPU's peak needs large products),
 * and the convolutions of CONV_CASES. Each timed batch records `reps` dispatches into one compute
 * pass, submits it and waits for the queue; the figure is the median batch, after a warm-up batch
 * that also compiles the pipelines. Float32, as WGSL computes.
 *
 * On a Linux machine without a GPU, Dawn finds an adapter only through Chromium's SwiftShader driver:
 *   npx tsx scripts/with-swiftshader.ts npx tsx bench/kernels.ts --backends webgpu
 * (SwiftShader runs the shaders on the CPU, about 0.25 GFLOP/s on a 2-core machine: its figures say
 * nothing of a GPU's, and the squares are left out there.)
 */
import { conv2dOutputSize } from '../packages/predictive-coding/src/kernels/backend.ts';
import { createArray, upload } from '../packages/predictive-coding/src/kernels/webgpu/buffers.ts';
import { GpuConv } from '../packages/predictive-coding/src/kernels/webgpu/conv.ts';
import { requestGpu } from '../packages/predictive-coding/src/kernels/webgpu/device.ts';
import { GpuMatmul } from '../packages/predictive-coding/src/kernels/webgpu/matmul.ts';
import { createRng } from '../packages/predictive-coding/src/random.ts';
import { CONV_CASES, MATMUL_CASES, type Row } from './kernels.ts';

const SQUARES = [1024, 2048];
/** Adapters that run shaders on the CPU. */
const CPU_ADAPTER = /swiftshader|llvmpipe|lavapipe/i;

function random(n: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => rng.next() * 2 - 1);
}

/** Median seconds per dispatch: batches of `reps` dispatches of `record` in one pass, reps grown until a batch takes minBatch s. */
async function timeGpu(device: GPUDevice, record: (pass: GPUComputePassEncoder) => GPUBuffer, minBatch: number, batches: number): Promise<number> {
  const run = async (reps: number): Promise<number> => {
    const t0 = performance.now();
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    const uniforms = Array.from({ length: reps }, () => record(pass));
    pass.end();
    device.queue.submit([encoder.finish()]);
    await device.queue.onSubmittedWorkDone();
    const s = (performance.now() - t0) / 1000;
    for (const u of uniforms) u.destroy();
    return s / reps;
  };
  await run(1);
  let reps = 1;
  while ((await run(reps)) * reps < minBatch && reps < 4096) reps *= 2;
  const times: number[] = [];
  for (let i = 0; i < batches; i++) times.push(await run(reps));
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

/** Emits the webgpu rows; throws an Error naming why where this environment has no WebGPU adapter. */
export async function benchWebGpu(ops: ReadonlySet<string>, quick: boolean, emit: (r: Row) => void): Promise<string> {
  const gpu = await requestGpu();
  if (typeof gpu === 'string')
    throw new Error(`--backends webgpu: ${gpu}. On Linux without a GPU: npx tsx scripts/with-swiftshader.ts npx tsx bench/kernels.ts --backends webgpu`);
  const { device } = gpu;
  const minBatch = quick ? 0.05 : 0.2;
  const batches = quick ? 3 : 5;
  const base = { backend: 'webgpu', threads: 1, adapter: gpu.adapter };
  try {
    if (ops.has('matmul')) {
      const mm = new GpuMatmul(device);
      // A CPU driver (SwiftShader: 0.25 GFLOP/s here) would take minutes per square: those are for GPUs.
      const squares = CPU_ADAPTER.test(gpu.adapter) ? [] : SQUARES;
      const cases = [...MATMUL_CASES, ...squares.map((s) => ({ m: s, k: s, n: s, transA: false, transB: false, label: `${s}x${s} · ${s}x${s}` }))];
      for (const c of cases) {
        const a = upload(device, random(c.m * c.k, 1));
        const b = upload(device, random(c.k * c.n, 2));
        const out = createArray(device, c.m * c.n);
        const s = await timeGpu(device, (pass) => mm.encode(pass, a, b, out, c.m, c.k, c.n, { transA: c.transA, transB: c.transB }), minBatch, batches);
        emit({ ...base, op: 'matmul', m: c.m, k: c.k, n: c.n, transA: c.transA, transB: c.transB, gflops: round((2 * c.m * c.k * c.n) / s / 1e9) });
        for (const x of [a, b, out]) x.destroy();
      }
    }
    if (ops.has('conv')) {
      const conv = new GpuConv(device);
      for (const g of CONV_CASES) {
        const { oh, ow } = conv2dOutputSize(g);
        const x = upload(device, random(g.n * g.h * g.w * g.c, 5));
        const w = upload(device, random(g.kh * g.kw * g.c * g.k, 6));
        const y = upload(device, random(g.n * oh * ow * g.k, 7));
        const gx = createArray(device, g.n * g.h * g.w * g.c);
        const gw = createArray(device, g.kh * g.kw * g.c * g.k);
        const flops = 2 * g.n * oh * ow * g.k * g.kh * g.kw * g.c;
        const passes = {
          forward: (p: GPUComputePassEncoder) => conv.conv2d(p, x, w, y, g),
          'input-grad': (p: GPUComputePassEncoder) => conv.conv2dInputGrad(p, y, w, gx, g),
          'weight-grad': (p: GPUComputePassEncoder) => conv.conv2dWeightGrad(p, y, x, gw, g, 1),
        } as const;
        for (const [pass, record] of Object.entries(passes) as [keyof typeof passes, (p: GPUComputePassEncoder) => GPUBuffer][]) {
          const s = await timeGpu(device, record, minBatch, batches);
          const { n, c, h, w: width, k, kh, kw } = g;
          emit({ ...base, op: 'conv2d', n, c, h, w: width, k, kh, kw, pass, gflops: round(flops / s / 1e9) });
        }
        for (const a of [x, w, y, gx, gw]) a.destroy();
      }
    }
  } finally {
    device.destroy();
  }
  return gpu.adapter;
}

// Two decimals below 10 GFLOP/s: a CPU driver's figures are fractions of one.
function round(v: number): number {
  return v < 10 ? Math.round(v * 100) / 100 : Math.round(v * 10) / 10;
}
