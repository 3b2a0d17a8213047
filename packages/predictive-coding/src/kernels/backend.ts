/**
 * The backend interface: every numeric kernel the library runs.
 *
 * Methods take flat row-major typed arrays with explicit dimensions and write
 * into a caller-supplied `out`; kernels trust their inputs (shapes, aliasing
 * and finiteness are checked once, in `ops.ts`). A backend is one object
 * satisfying this interface — there is no string-keyed registry, so a missing
 * method is a compile error. `js` (reference.ts) and `wasm` (wasm-backend.ts)
 * implement it; a native addon would be a third object of the same type.
 */
import { PcError } from '../errors.ts';

/** Element arrays a backend computes on. Only the `js` reference runs float64. */
export type FloatArray = Float32Array | Float64Array;

/**
 * An array in device memory (a GPU buffer): opaque to the host, its elements reached only through
 * the backend's operations, uploaded with `write` and downloaded with `read`.
 */
export interface DeviceArray {
  readonly length: number;
  readonly onDevice: true;
}

/** What a backend's arrays are: typed arrays in host (or wasm linear) memory, or device arrays. */
export type BackendArray = FloatArray | DeviceArray;

/** Bytes per element of a backend array: a device array's are float32. */
export function elementBytes(a: BackendArray): number {
  return 'BYTES_PER_ELEMENT' in a ? a.BYTES_PER_ELEMENT : 4;
}

/**
 * x's elements, on an immediate backend (whose arrays are host or wasm memory); PcError('config')
 * on a deferred one, whose numbers come back only through `read`. `where` names the caller.
 */
export function hostArray<T extends BackendArray>(backend: Backend<T>, x: T, where: string): FloatArray {
  if (!backend.deferred && (x instanceof Float32Array || x instanceof Float64Array)) return x;
  throw new PcError(
    'config',
    `${where}: needs the ${backend.name} backend's numbers at once, but it hands them back only asynchronously (backend.read); use an immediate backend (wasm, js) for this.`,
  );
}

/**
 * PcError('config') when `backend` is deferred (a GPU): `where` needs its numbers at once; `instead`
 * names what to call (or use) there.
 */
export function checkImmediate<T extends BackendArray>(backend: Backend<T>, where: string, instead: string): void {
  if (!backend.deferred) return;
  throw new PcError('config', `${where}: the ${backend.name} backend hands its numbers back only asynchronously, once per batch; ${instead}.`);
}

/** The index arrays (max-pool argmax) of a backend whose arrays are T: Int32Array on the host, device arrays on a device. */
export type IndexArray<T extends BackendArray> = T extends FloatArray ? Int32Array : DeviceArray;

/** Element type of a backend: `'float32'` everywhere; `'float64'` only on the `js` reference (for gradient checks). */
export type DType = 'float32' | 'float64';

/**
 * Activation functions of docs/design.md §2, each with its derivative:
 * - `'linear'`: f(x) = x;
 * - `'tanh'`;
 * - `'sigmoid'`: 1 / (1 + e^−x);
 * - `'relu'`: max(0, x), relu'(0) = 0 (as PyTorch);
 * - `'leaky-relu'`: x > 0 ? x : 0.01·x, derivative 0.01 at 0 (as PyTorch);
 * - `'gelu'`: the tanh approximation 0.5·x·(1 + tanh(√(2/π)(x + 0.044715·x³))),
 *   as JAX and PCX use; PyTorch's default exact erf form differs by up to ~5e-4;
 * - `'hard-tanh'`: clamp(x, −1, 1), derivative 0 at ±1 (as PyTorch).
 */
export type Activation = 'linear' | 'tanh' | 'sigmoid' | 'relu' | 'leaky-relu' | 'gelu' | 'hard-tanh';

/** Every activation, in the order of their numeric codes in the wasm module. */
export const ACTIVATIONS: readonly Activation[] = Object.freeze(['linear', 'tanh', 'sigmoid', 'relu', 'leaky-relu', 'gelu', 'hard-tanh']);

/** Negative-side slope of `'leaky-relu'`. */
export const LEAKY_SLOPE = 0.01;

/** Options of `matmul`: C = alpha·op(A)·op(B) + beta·C, op(X) = Xᵀ when the flag is set. */
export interface MatmulOptions {
  /** A is stored k×m and used transposed. Default false. */
  readonly transA?: boolean;
  /** B is stored n×k and used transposed. Default false. */
  readonly transB?: boolean;
  /** Default 1. */
  readonly alpha?: number;
  /** Default 0; with 0, C is not read (NaN in C does not propagate), as in BLAS. */
  readonly beta?: number;
}

/**
 * Settings of one Adam step at step count t ≥ 1: m ← β1·m + (1−β1)·g, v ← β2·v + (1−β2)·g²,
 * p ← p − lr·(m/(1−β1ᵗ)) / (√(v/(1−β2ᵗ)) + epsilon). weightDecay adds wd·p to g (Adam, L2)
 * or, when decoupled (AdamW, Loshchilov & Hutter), subtracts lr·wd·p from p directly.
 */
export interface AdamStep {
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly weightDecay: number;
  readonly decoupled: boolean;
  /** Step count t, starting at 1, for the bias corrections. */
  readonly t: number;
}

/**
 * An Adam step's scalars as the CPU kernels take them: lr, β1, β2, 1 − β1, 1 − β2, ε, weight decay,
 * decoupled (1/0), and the bias corrections 1 − β1ᵗ, 1 − β2ᵗ — the differences in float64, since
 * 1 − f32(0.999) is off by 1.3e-5 relative.
 */
export function adamScalars(s: AdamStep): [number, number, number, number, number, number, number, number, number, number] {
  return [s.lr, s.beta1, s.beta2, 1 - s.beta1, 1 - s.beta2, s.epsilon, s.weightDecay, s.decoupled ? 1 : 0, 1 - s.beta1 ** s.t, 1 - s.beta2 ** s.t];
}

/**
 * Geometry of a 2-D convolution over a batch, in NHWC: an activation array is
 * row-major [n, h, w, c] (one example is a row of the usual [batch, n_l] array,
 * n_l = h·w·c) and the weights are [kh, kw, c, k] (seen as the matrix [kh·kw·c, k]).
 * Why NHWC: the im2col rows [n·oh·ow, kh·kw·c] times W [kh·kw·c, k] are then one
 * row-major GEMM whose output [n·oh·ow, k] is already NHWC — batch and positions
 * share one large M dimension for the threads, flatten is a reinterpretation, and
 * the bias is a row vector over the n·oh·ow rows (addRowVector, columnSums). JAX,
 * Flax and PCX default to NHWC too.
 *
 * Output size: oh = ⌊(h + 2·pad − kh) / stride⌋ + 1, ow likewise (see conv2dOutputSize);
 * padding is zeros. Needs stride ≥ 1, pad ≥ 0, kh ≤ h + 2·pad and kw ≤ w + 2·pad (ops.ts checks).
 */
export interface Conv2dGeometry {
  /** Examples in the batch. */
  readonly n: number;
  /** Input height, width and channels. */
  readonly h: number;
  readonly w: number;
  readonly c: number;
  /** Output channels. */
  readonly k: number;
  /** Kernel height and width. */
  readonly kh: number;
  readonly kw: number;
  readonly stride: number;
  readonly pad: number;
}

/**
 * Geometry of a 2-D pooling (average or max) over windows of window×window
 * positions, per channel, in NHWC: x [n, h, w, c] → out [n, oh, ow, c] with
 * oh = ⌊(h − window) / stride⌋ + 1, ow likewise (no padding; see pool2dOutputSize).
 */
export interface Pool2dGeometry {
  readonly n: number;
  readonly h: number;
  readonly w: number;
  readonly c: number;
  readonly window: number;
  /** Step between windows; default `window` (disjoint windows). */
  readonly stride?: number;
}

/** Output height and width of a convolution: ⌊(h + 2·pad − kh) / stride⌋ + 1 and ⌊(w + 2·pad − kw) / stride⌋ + 1. */
export function conv2dOutputSize(g: Conv2dGeometry): { oh: number; ow: number } {
  return { oh: Math.floor((g.h + 2 * g.pad - g.kh) / g.stride) + 1, ow: Math.floor((g.w + 2 * g.pad - g.kw) / g.stride) + 1 };
}

/** Output height and width of a pooling, and its stride (`window` when unset). */
export function pool2dOutputSize(g: Pool2dGeometry): { oh: number; ow: number; stride: number } {
  const stride = g.stride ?? g.window;
  return { oh: Math.floor((g.h - g.window) / stride) + 1, ow: Math.floor((g.w - g.window) / stride) + 1, stride };
}

/** The one kernel interface every backend implements (js reference, wasm, native, webgpu): allocation, host transfers and the numeric operations core and train are written in. Arrays are row-major float32 (or int32 indices); `T` is the backend's array type. Operations mutate only their output arguments and throw PcError('shape') for inconsistent sizes. */
export interface Backend<T extends BackendArray = Float32Array> {
  /** `'js'`, `'wasm'`, or a third implementation's name. */
  readonly name: string;
  readonly dtype: DType;
  /** Threads a large matmul may use (1 = the calling thread only). */
  readonly threads: number;

  /** Returns `length` zeroed elements of backend-owned memory (a view into linear memory for wasm). */
  alloc(length: number): T;
  /** `length` zeroed indices for maxPool's argmax (an Int32Array on the host, a device array on a device). */
  allocIndices(length: number): IndexArray<T>;
  /** Returns memory from `alloc` to the backend; the array must not be used afterwards. */
  free(array: T): void;
  /**
   * The identity of the memory behind `array`, for aliasing checks: two views
   * overlap only if this is the same object and their byte ranges meet. (A
   * grown wasm memory hands out a new buffer object for the same bytes.)
   */
  memoryOf(array: ArrayBufferView): object;

  /**
   * C = alpha·op(A)·op(B) + beta·C with op(A): m×k, op(B): k×n, C: m×n.
   * A is stored m×k (k×m when transA), B k×n (n×k when transB). C must not overlap A or B.
   */
  matmul(a: T, b: T, c: T, m: number, k: number, n: number, options?: MatmulOptions): void;

  /** out[i] = f(x[i]) for i < n; out may be x. */
  activate(kind: Activation, x: T, out: T, n: number): void;
  /** out[i] = f'(x[i]) for i < n; out may be x. */
  activateDerivative(kind: Activation, x: T, out: T, n: number): void;
  /** fx[i] = f(x[i]) and dfx[i] = f'(x[i]) in one pass; x must differ from both outputs. */
  activateBoth(kind: Activation, x: T, fx: T, dfx: T, n: number): void;

  /** y[i] += alpha·x[i] for i < n. */
  axpy(alpha: number, x: T, y: T, n: number): void;
  /** x[i] *= alpha for i < n (in place). */
  scale(alpha: number, x: T, n: number): void;
  /** out[i] = a[i] − b[i]; out may be a or b. */
  sub(a: T, b: T, out: T, n: number): void;
  /** out[i] = a[i]·b[i]; out may be a or b. */
  mul(a: T, b: T, out: T, n: number): void;
  /** out[r, c] = x[r, c] + v[c] for a rows×cols x; out may be x. */
  addRowVector(x: T, v: T, out: T, rows: number, cols: number): void;

  /** out[r] = Σ_c x[r, c]. */
  rowSums(x: T, out: T, rows: number, cols: number): void;
  /** out[c] = Σ_r x[r, c] (the batch sum, used for bias gradients). */
  columnSums(x: T, out: T, rows: number, cols: number): void;
  /** out[r] = max_c x[r, c] (NaN if the row holds NaN). */
  rowMax(x: T, out: T, rows: number, cols: number): void;
  /** out[r] = the first c at which x[r, c] is largest. */
  rowArgmax(x: T, out: Int32Array, rows: number, cols: number): void;
  /** out[r, :] = softmax(x[r, :]), computed as exp(x − max) / Σ exp(x − max); out may be x. */
  softmax(x: T, out: T, rows: number, cols: number): void;
  /** Σ_i x[i]² for i < n, accumulated in float64. */
  sumSquares(x: T, n: number): number;

  // Convolution and pooling, NHWC (see Conv2dGeometry). The bias of a convolution is a row vector
  // over its n·oh·ow output rows: addRowVector adds it and columnSums gives its gradient.

  /**
   * out[n, oh, ow, k] = Σ_{i, j, c} x[n, oh·s + i − p, ow·s + j − p, c] · w[i, j, c, k] (zero outside x).
   * x: [n, h, w, c], w: [kh, kw, c, k], out: [n, oh, ow, k]; out must not overlap x or w.
   */
  conv2d(x: T, w: T, out: T, g: Conv2dGeometry): void;
  /**
   * The transposed product (the bottom-up message, and conv2d-transpose's forward):
   * gx[n, y, x, c] = Σ gy[n, oh, ow, k] · w[i, j, c, k] over y = oh·s + i − p, x = ow·s + j − p,
   * then gx ← that + beta·gx (beta 0, the default, does not read gx). gy: [n, oh, ow, k],
   * gx: [n, h, w, c]; gx must not overlap gy or w.
   */
  conv2dInputGrad(gy: T, w: T, gx: T, g: Conv2dGeometry, beta?: number): void;
  /**
   * The Hebbian product: gw[i, j, c, k] = alpha · Σ_{n, oh, ow} x[n, oh·s + i − p, ow·s + j − p, c] · gy[n, oh, ow, k],
   * the post-synaptic error map correlated with the pre-synaptic activity map. gw: [kh, kw, c, k]
   * (overwritten); it must not overlap gy or x.
   */
  conv2dWeightGrad(gy: T, x: T, gw: T, g: Conv2dGeometry, alpha: number): void;
  /** out[n, oh, ow, c] = mean over the window at (oh·s, ow·s) of x[n, ·, ·, c]. out must not overlap x. */
  avgPool(x: T, out: T, g: Pool2dGeometry): void;
  /** gx = avgPool's transpose: each gy[n, oh, ow, c] / window² added to every x position of its window (gx overwritten). */
  avgPoolBackward(gy: T, gx: T, g: Pool2dGeometry): void;
  /**
   * out[n, oh, ow, c] = max over the window of x[n, ·, ·, c], and argmax = its flat index into x.
   * Ties go to the first position in row-major window order; a NaN in the window wins (the first one), so NaN propagates.
   */
  maxPool(x: T, out: T, argmax: IndexArray<T>, g: Pool2dGeometry): void;
  /** gx = 0, then gx[argmax[o]] += gy[o] for every output o (maxPool's transpose; gx overwritten). */
  maxPoolBackward(gy: T, argmax: IndexArray<T>, gx: T, g: Pool2dGeometry): void;

  // Fused passes for predictive coding (docs/design.md §2); each replaces 2–4 of the maps above.

  /** out[r, c] = x[r, c] − mu[r, c] − b[c]: the error neurons ε = x − (μ + b). out may be x or mu. */
  predictionError(x: T, mu: T, b: T, out: T, rows: number, cols: number): void;
  /**
   * One relaxation step on n values: d = ε − f'(x) ⊙ g (a null ε or g drops its term),
   * v ← momentum·v + d, x ← x − eta·v. With momentum 0 this is the Euler step.
   */
  valueStep(x: T, v: T, eps: T | null, dfx: T | null, g: T | null, eta: number, momentum: number, n: number): void;
  /** One Adam or AdamW step on n parameters p with gradient g and moments m, v (see AdamStep). */
  adamStep(p: T, g: T, m: T, v: T, n: number, step: AdamStep): void;
  /** p ← p − lr·u with u = g + weightDecay·p, or with momentum: v ← momentum·v + u, u = v (v null: plain SGD). */
  sgdStep(p: T, g: T, v: T | null, n: number, lr: number, momentum: number, weightDecay: number): void;

  // State passes (state-passes.ts): what core and train would otherwise loop over on the host, so that
  // a backend whose arrays live in device memory runs the whole training step.

  /** x[i] = value for i < n. */
  fill(x: T, value: number, n: number): void;
  /** dst[offset + i] = src[i] for i < src.length (rounded to the backend's dtype): an upload from host memory. */
  write(dst: T, src: ArrayLike<number>, offset?: number): void;
  /**
   * Where mask[i] ≠ 0: x[i] = data[i] and v[i] = 0 — units of a layer held at data while the rest relax (PartialClamp).
   * mask and data are host arrays (completion is their only user; a device backend uploads them per call).
   */
  holdUnits(x: T, v: T, mask: Uint8Array, data: ArrayLike<number>, n: number): void;
  /** eps[i] = weight·(x[i] − mean) for i < n (a Gaussian prior's error); returns Σ (x[i] − mean)² in float64. eps may be x. */
  priorError(x: T, eps: T, mean: number, weight: number, n: number): number;
  /** −Σ y[i]·log max(p[i], 2⁻¹²⁶) over i < n with y[i] ≠ 0, in float64: the cross-entropy of targets y against probabilities p. */
  crossEntropy(y: T, p: T, n: number): number;
  /** out[r] = Σ_c x[r, c]² (float64 sum, rounded once): each example's squared error. */
  rowSumSquares(x: T, out: T, rows: number, cols: number): void;
  /** out[r] = −Σ_c y[r, c]·log max(p[r, c], 2⁻¹²⁶) over y ≠ 0: each example's cross-entropy. */
  rowCrossEntropy(y: T, p: T, out: T, rows: number, cols: number): void;
  /** x[i] = min(max(x[i], −cap), cap) for i < n (a weight cap; NaN stays NaN). */
  clip(x: T, cap: number, n: number): void;
  /** out[i] = eps[i] / (1 + (v[i]/θ)²): errors damped where the value still moves (stillness-modulated plasticity). out may be eps. */
  stillness(eps: T, v: T, out: T, theta: number, n: number): void;

  // Deferred numbers: a backend whose arrays live in device memory cannot hand back a number synchronously.
  // Core writes energies into a ledger array with these forms and reads them once per batch (core/relax-deferred.ts).

  /**
   * True for a backend whose numbers come back only through `read` (a GPU): core never calls its
   * sumSquares, priorError or crossEntropy, and relaxes through relaxAsync. Absent or false: immediate.
   */
  readonly deferred?: boolean;
  /** out[slot] = scale·Σ x[i]² for i < n (float64 sum, rounded once). */
  sumSquaresInto(x: T, n: number, scale: number, out: T, slot: number): void;
  /** eps[i] = weight·(x[i] − mean) and out[slot] = scale·Σ (x[i] − mean)² (priorError's number, into out). */
  priorErrorInto(x: T, eps: T, mean: number, weight: number, n: number, scale: number, out: T, slot: number): void;
  /** out[slot] = scale·crossEntropy(y, p, n). */
  crossEntropyInto(y: T, p: T, n: number, scale: number, out: T, slot: number): void;
  /** out[slot] = Σ x[i] for i < n (float64 sum, rounded once): a ledger of energies into one total. out must not be x. */
  sumInto(x: T, n: number, out: T, slot: number): void;
  /**
   * out[offset + i] = x[i] for i < n: a copy kept on the device (e.g. one frame of a relaxation into a
   * buffer of frames, read once at the end). out must not be x.
   */
  copyInto(x: T, n: number, out: T, offset: number): void;
  /** x's first n elements, once every operation called before has run: the one asynchronous call (a download). */
  read(x: T, n: number): Promise<Float64Array>;

  /** Stops worker threads and releases memory; the backend must not be used afterwards. */
  dispose(): void;
}
