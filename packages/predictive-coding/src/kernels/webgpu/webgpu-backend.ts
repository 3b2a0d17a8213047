/**
 * The `webgpu` backend (createBackend('webgpu')): every operation of Backend
 * (kernels/backend.ts) over arrays that live in GPU memory, recorded into one
 * open compute pass and submitted together — the dispatches of a relaxation
 * step go to the GPU as one command buffer.
 *
 * A deferred backend (docs/webgpu.md, "Deferred energies"): arrays are opaque
 * GpuArray handles; uploads are explicit (`write`) and downloads the only
 * asynchronous call (`read`, which submits what is pending first). The
 * operations that hand back a number or fill a host array (sumSquares,
 * priorError, crossEntropy, rowArgmax) refuse with a PcError naming their
 * device forms (sumSquaresInto and kin, rowArgmaxOnDevice), which write a
 * device array for the caller to read when it needs the number — core does,
 * once per batch (relaxAsync, trainStepAsync).
 *
 * Ordering: WebGPU runs a queue's writes before any command buffer submitted
 * after them, so `write` submits the pending pass before it writes; buffers
 * freed while a pass may still use them are destroyed only after its submission.
 */
import { PcError } from '../../errors.ts';
import type { Activation, AdamStep, Backend, Conv2dGeometry, DeviceArray, DType, MatmulOptions, Pool2dGeometry } from '../backend.ts';
import { download } from './buffers.ts';
import { GpuConv } from './conv.ts';
import { type GpuContext, requestGpu, USAGE } from './device.ts';
import { UniformPool } from './dispatch.ts';
import { GpuElementwise } from './elementwise.ts';
import { GpuMatmul } from './matmul.ts';
import { GpuReductions, sumSquaresPartials } from './reductions.ts';

/** A backend-owned array in GPU memory: `length` float32 (or int32 index) elements. */
export class GpuArray implements DeviceArray {
  readonly onDevice = true as const;
  /** @internal The buffer (internal: the shipped declarations name no WebGPU type, so they compile without @webgpu/types). */
  readonly buffer: GPUBuffer;
  readonly length: number;
  readonly kind: 'f32' | 'i32';

  /** @internal Arrays come from the backend (zeros, upload), never from user code. */
  constructor(buffer: GPUBuffer, length: number, kind: 'f32' | 'i32') {
    this.buffer = buffer;
    this.length = length;
    this.kind = kind;
  }
}

/** A WebGPU backend, or the one-line reason there is none here (no WebGPU, no adapter). */
export async function createWebGpuBackend(): Promise<WebGpuBackend | string> {
  const gpu = await requestGpu();
  return typeof gpu === 'string' ? gpu : new WebGpuBackend(gpu);
}

/** The WebGPU backend (createBackend('webgpu') or createWebGpuBackend): every Backend operation as WGSL compute shaders, recorded into one command buffer and submitted when a number is read back (deferred: use the *Async training and evaluation). */
export class WebGpuBackend implements Backend<GpuArray> {
  readonly name = 'webgpu';
  readonly dtype: DType = 'float32';
  readonly threads = 1;
  /** Numbers come back only through `read`: core relaxes through relaxAsync (core/relax-deferred.ts). */
  readonly deferred = true;
  /** The adapter's description, e.g. "SwiftShader driver 5.0.0". */
  readonly adapter: string;
  private readonly device: GPUDevice;
  private readonly mm: GpuMatmul;
  private readonly map: GpuElementwise;
  private readonly red: GpuReductions;
  private readonly conv: GpuConv;
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  /** Every dispatch's parameters, reused from one submission to the next. */
  private readonly uniforms: UniformPool;
  /** Buffers to destroy once the pending work is submitted: uploads of one call, freed arrays. */
  private doomed: GPUBuffer[] = [];
  private scratch: GpuArray | null = null;
  private partials: GpuArray | null = null;
  /** One float: a reduction's result on its way into a ledger slot. */
  private readonly one: GPUBuffer;
  private disposed = false;

  /** @internal Made by createWebGpuBackend. */
  constructor(private readonly gpu: GpuContext) {
    this.device = gpu.device;
    this.adapter = gpu.adapter;
    this.uniforms = new UniformPool(this.device);
    this.mm = new GpuMatmul(this.device, this.uniforms);
    this.map = new GpuElementwise(this.device, this.uniforms);
    this.red = new GpuReductions(this.device, this.uniforms);
    this.conv = new GpuConv(this.device, this.uniforms);
    this.one = this.make(1, 'f32').buffer;
  }

  /** Device arrays are told apart by their buffers, not by host memory. */
  memoryOf(): object {
    return this.device;
  }

  /** `length` zeroed float32 elements in GPU memory. */
  alloc(length: number): GpuArray {
    return this.make(length, 'f32');
  }

  /** `length` zeroed int32 elements (argmax outputs). */
  allocIndices(length: number): GpuArray {
    return this.make(length, 'i32');
  }

  /** Returns an array to the device; it must not be used afterwards. */
  free(array: GpuArray): void {
    this.doomed.push(array.buffer);
  }

  /** dst[offset + i] = src[i] (rounded to float32): an upload, ordered after every operation recorded before it. */
  write(dst: GpuArray, src: ArrayLike<number>, offset = 0): void {
    this.flush();
    const data = dst.kind === 'i32' ? Int32Array.from(src) : Float32Array.from(src);
    this.device.queue.writeBuffer(dst.buffer, offset * 4, data.buffer, 0, data.byteLength);
  }

  /** The first n elements of x once every operation recorded before this call has run (indices as numbers too). */
  async read(x: GpuArray, n = x.length): Promise<Float64Array> {
    this.flush();
    const got = await download(this.device, x.buffer, n);
    return Float64Array.from(x.kind === 'i32' ? new Int32Array(got.buffer, 0, n) : got);
  }

  /** Submits everything recorded so far (read and write do it themselves). */
  flush(): void {
    if (this.pass && this.encoder) {
      this.pass.end();
      this.device.queue.submit([this.encoder.finish()]);
    }
    this.pass = null;
    this.encoder = null;
    this.uniforms.reset();
    for (const b of this.doomed) b.destroy();
    this.doomed = [];
  }

  matmul(a: GpuArray, b: GpuArray, c: GpuArray, m: number, k: number, n: number, options: MatmulOptions = {}): void {
    this.record((p) => this.mm.encode(p, a.buffer, b.buffer, c.buffer, m, k, n, options));
  }

  activate(kind: Activation, x: GpuArray, out: GpuArray, n: number): void {
    this.record((p) => this.map.activate(p, kind, x.buffer, out.buffer, n));
  }

  activateDerivative(kind: Activation, x: GpuArray, out: GpuArray, n: number): void {
    this.record((p) => this.map.activateDerivative(p, kind, x.buffer, out.buffer, n));
  }

  activateBoth(kind: Activation, x: GpuArray, fx: GpuArray, dfx: GpuArray, n: number): void {
    this.record((p) => this.map.activateBoth(p, kind, x.buffer, fx.buffer, dfx.buffer, n));
  }

  axpy(alpha: number, x: GpuArray, y: GpuArray, n: number): void {
    this.record((p) => this.map.axpy(p, alpha, x.buffer, y.buffer, n));
  }

  scale(alpha: number, x: GpuArray, n: number): void {
    this.record((p) => this.map.scale(p, alpha, x.buffer, n));
  }

  sub(a: GpuArray, b: GpuArray, out: GpuArray, n: number): void {
    this.record((p) => this.map.sub(p, a.buffer, b.buffer, out.buffer, n));
  }

  mul(a: GpuArray, b: GpuArray, out: GpuArray, n: number): void {
    this.record((p) => this.map.mul(p, a.buffer, b.buffer, out.buffer, n));
  }

  addRowVector(x: GpuArray, v: GpuArray, out: GpuArray, rows: number, cols: number): void {
    this.record((p) => this.map.addRowVector(p, x.buffer, v.buffer, out.buffer, rows, cols));
  }

  rowSums(x: GpuArray, out: GpuArray, rows: number, cols: number): void {
    this.record((p) => this.red.rowSums(p, x.buffer, out.buffer, rows, cols));
  }

  columnSums(x: GpuArray, out: GpuArray, rows: number, cols: number): void {
    this.record((p) => this.red.columnSums(p, x.buffer, out.buffer, rows, cols));
  }

  rowMax(x: GpuArray, out: GpuArray, rows: number, cols: number): void {
    this.record((p) => this.red.rowMax(p, x.buffer, out.buffer, rows, cols));
  }

  /** Backend.rowArgmax fills a host array, which a GPU cannot do synchronously: PcError; see rowArgmaxOnDevice. */
  rowArgmax(): void {
    throw this.deferredOnly('rowArgmax', 'rowArgmaxOnDevice, then read');
  }

  /** out (an index array) = the first column of each row's maximum. */
  rowArgmaxOnDevice(x: GpuArray, out: GpuArray, rows: number, cols: number): void {
    this.record((p) => this.red.rowArgmax(p, x.buffer, out.buffer, rows, cols));
  }

  softmax(x: GpuArray, out: GpuArray, rows: number, cols: number): void {
    this.record((p) => this.red.softmax(p, x.buffer, out.buffer, rows, cols));
  }

  /** A number at once: not on a GPU (PcError); core uses sumSquaresInto. */
  sumSquares(): number {
    throw this.deferredOnly('sumSquares', 'sumSquaresInto, then read');
  }

  /** out[slot] = scale·Σ x[i]² for i < n (float32, two passes and a placement), left on the device. */
  sumSquaresInto(x: GpuArray, n: number, scale: number, out: GpuArray, slot: number): void {
    this.totalInto('squares', x.buffer, n, scale, out, slot);
  }

  /** out[slot] = Σ x[i] for i < n, on the device. */
  sumInto(x: GpuArray, n: number, out: GpuArray, slot: number): void {
    this.totalInto('sum', x.buffer, n, 1, out, slot);
  }

  /** out[offset + i] = x[i] for i < n, on the device; out must be another array (PcError('config')). */
  copyInto(x: GpuArray, n: number, out: GpuArray, offset: number): void {
    if (x.buffer === out.buffer) throw new PcError('config', 'webgpu backend copyInto: out must be another array than x.');
    this.record((p) => this.map.copyInto(p, x.buffer, out.buffer, n, offset));
  }

  conv2d(x: GpuArray, w: GpuArray, out: GpuArray, g: Conv2dGeometry): void {
    this.record((p) => this.conv.conv2d(p, x.buffer, w.buffer, out.buffer, g));
  }

  conv2dInputGrad(gy: GpuArray, w: GpuArray, gx: GpuArray, g: Conv2dGeometry, beta = 0): void {
    this.record((p) => this.conv.conv2dInputGrad(p, gy.buffer, w.buffer, gx.buffer, g, beta));
  }

  conv2dWeightGrad(gy: GpuArray, x: GpuArray, gw: GpuArray, g: Conv2dGeometry, alpha: number): void {
    this.record((p) => this.conv.conv2dWeightGrad(p, gy.buffer, x.buffer, gw.buffer, g, alpha));
  }

  avgPool(x: GpuArray, out: GpuArray, g: Pool2dGeometry): void {
    this.record((p) => this.conv.avgPool(p, x.buffer, out.buffer, g));
  }

  avgPoolBackward(gy: GpuArray, gx: GpuArray, g: Pool2dGeometry): void {
    this.record((p) => this.conv.avgPoolBackward(p, gy.buffer, gx.buffer, g));
  }

  /** out = the window maxima, argmax (an index array from allocIndices) = their flat indices into x. */
  maxPool(x: GpuArray, out: GpuArray, argmax: DeviceArray, g: Pool2dGeometry): void {
    const indices = this.own(argmax, 'maxPool: argmax');
    this.record((p) => this.conv.maxPool(p, x.buffer, out.buffer, indices, g));
  }

  maxPoolBackward(gy: GpuArray, argmax: DeviceArray, gx: GpuArray, g: Pool2dGeometry): void {
    const indices = this.own(argmax, 'maxPoolBackward: argmax');
    this.record((p) => this.conv.maxPoolBackward(p, gy.buffer, indices, gx.buffer, g));
  }

  predictionError(x: GpuArray, mu: GpuArray, b: GpuArray, out: GpuArray, rows: number, cols: number): void {
    this.record((p) => this.map.predictionError(p, x.buffer, mu.buffer, b.buffer, out.buffer, rows, cols));
  }

  valueStep(x: GpuArray, v: GpuArray, eps: GpuArray | null, dfx: GpuArray | null, g: GpuArray | null, eta: number, momentum: number, n: number): void {
    this.record((p) => this.map.valueStep(p, x.buffer, v.buffer, eps?.buffer ?? null, dfx?.buffer ?? null, g?.buffer ?? null, eta, momentum, n));
  }

  adamStep(p: GpuArray, g: GpuArray, m: GpuArray, v: GpuArray, n: number, step: AdamStep): void {
    this.record((pass) => this.map.adamStep(pass, p.buffer, g.buffer, m.buffer, v.buffer, n, step));
  }

  sgdStep(p: GpuArray, g: GpuArray, v: GpuArray | null, n: number, lr: number, momentum: number, weightDecay: number): void {
    this.record((pass) => this.map.sgdStep(pass, p.buffer, g.buffer, v?.buffer ?? null, n, lr, momentum, weightDecay));
  }

  fill(x: GpuArray, value: number, n: number): void {
    this.record((p) => this.map.fill(p, x.buffer, value, n));
  }

  /** Backend.holdUnits: mask and data are host arrays, uploaded for this call. */
  holdUnits(x: GpuArray, v: GpuArray, mask: Uint8Array, data: ArrayLike<number>, n: number): void {
    const m = this.upload(Float32Array.from(mask.subarray(0, n)));
    const d = this.upload(Float32Array.from({ length: n }, (_, i) => data[i]));
    this.record((p) => this.map.holdUnits(p, x.buffer, v.buffer, m, d, n));
  }

  /** A number at once: not on a GPU (PcError); core uses priorErrorInto. */
  priorError(): number {
    throw this.deferredOnly('priorError', 'priorErrorInto, then read');
  }

  /** eps = weight·(x − mean); out[slot] = scale·Σ (x − mean)² (= scale·‖eps‖²/weight²), on the device. */
  priorErrorInto(x: GpuArray, eps: GpuArray, mean: number, weight: number, n: number, scale: number, out: GpuArray, slot: number): void {
    this.record((p) => this.map.priorError(p, x.buffer, eps.buffer, mean, weight, n));
    this.sumSquaresInto(eps, n, scale / (weight * weight), out, slot);
  }

  /** A number at once: not on a GPU (PcError); core uses crossEntropyInto. */
  crossEntropy(): number {
    throw this.deferredOnly('crossEntropy', 'crossEntropyInto, then read');
  }

  /** out[slot] = −scale·Σ y·log max(p, 2⁻¹²⁶) over y ≠ 0, on the device. */
  crossEntropyInto(y: GpuArray, p: GpuArray, n: number, scale: number, out: GpuArray, slot: number): void {
    const terms = this.scratchFor(n);
    this.record((pass) => this.map.crossEntropyTerms(pass, y.buffer, p.buffer, terms, n));
    this.totalInto('sum', terms, n, scale, out, slot);
  }

  // out[slot] = scale·Σ x[i] (or x[i]²) for i < n: the two-pass total into `one`, then placed.
  private totalInto(of: 'sum' | 'squares', x: GPUBuffer, n: number, scale: number, out: GpuArray, slot: number): void {
    const partials = this.partialsFor(n);
    this.record((p) => [...this.red.total(p, of, x, partials, this.one, n), this.map.place(p, this.one, out.buffer, slot, scale)]);
  }

  clip(x: GpuArray, cap: number, n: number): void {
    this.record((p) => this.map.clip(p, x.buffer, cap, n));
  }

  rowSumSquares(x: GpuArray, out: GpuArray, rows: number, cols: number): void {
    this.record((p) => this.red.rowSumSquares(p, x.buffer, out.buffer, rows, cols));
  }

  rowCrossEntropy(y: GpuArray, p: GpuArray, out: GpuArray, rows: number, cols: number): void {
    const terms = this.scratchFor(rows * cols);
    this.record((pass) => this.map.crossEntropyTerms(pass, y.buffer, p.buffer, terms, rows * cols));
    this.record((pass) => this.red.rowSums(pass, terms, out.buffer, rows, cols));
  }

  stillness(eps: GpuArray, v: GpuArray, out: GpuArray, theta: number, n: number): void {
    this.record((p) => this.map.stillness(p, eps.buffer, v.buffer, out.buffer, theta, n));
  }

  /** Submits what is pending and releases the device; the backend must not be used afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.flush();
    this.uniforms.destroy();
    this.device.destroy();
  }

  /** @internal The GPU entry point, held as long as the device lives (device.ts says why). */
  get context(): GpuContext {
    return this.gpu;
  }

  private deferredOnly(op: string, instead: string): PcError {
    return new PcError(
      'config',
      `webgpu backend: ${op} would hand a number back at once, which a GPU cannot; use ${instead} (core does, through relaxAsync and trainStepAsync).`,
    );
  }

  // The buffer of an index array this backend made.
  private own(a: DeviceArray, what: string): GPUBuffer {
    if (a instanceof GpuArray) return a.buffer;
    throw new PcError('config', `webgpu backend: ${what} is not an array of this backend; make it with allocIndices.`);
  }

  private make(length: number, kind: 'f32' | 'i32'): GpuArray {
    const buffer = this.device.createBuffer({ size: Math.max(1, length) * 4, usage: USAGE.STORAGE | USAGE.COPY_SRC | USAGE.COPY_DST });
    return new GpuArray(buffer, length, kind);
  }

  // A storage buffer holding `data`, destroyed after the pass that uses it is submitted.
  private upload(data: Float32Array): GPUBuffer {
    const b = this.make(data.length, 'f32').buffer;
    this.device.queue.writeBuffer(b, 0, data.buffer, data.byteOffset, data.byteLength);
    this.doomed.push(b);
    return b;
  }

  // Records into the open pass (opening one); the uniform buffers the kernels return are the pool's.
  private record(encode: (pass: GPUComputePassEncoder) => GPUBuffer | GPUBuffer[]): void {
    if (this.disposed) throw new Error('webgpu backend: used after dispose()');
    if (!this.pass) {
      this.encoder = this.device.createCommandEncoder();
      this.pass = this.encoder.beginComputePass();
    }
    encode(this.pass);
  }

  // Grow-only scratch of at least n floats (the cross-entropy's terms). Reused across calls: dispatches of one
  // pass run in order, each seeing the writes of those before it.
  private scratchFor(n: number): GPUBuffer {
    if (!this.scratch || this.scratch.length < n) {
      if (this.scratch) this.free(this.scratch);
      this.scratch = this.alloc(n);
    }
    return this.scratch.buffer;
  }

  private partialsFor(n: number): GPUBuffer {
    const need = sumSquaresPartials(n);
    if (!this.partials || this.partials.length < need) {
      if (this.partials) this.free(this.partials);
      this.partials = this.alloc(need);
    }
    return this.partials.buffer;
  }
}
