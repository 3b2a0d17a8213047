/**
 * The `webgpu` backend's elementwise kernels (issue 12): activations and their
 * derivatives (fused, one pass for both), axpy, scale, sub, mul, the row-vector
 * add, the fused PC and optimiser steps — the prediction error
 * eps = x − mu − b, the value step of the relaxation, Adam(W) and SGD — and
 * the elementwise state passes (fill, held units, a prior's errors,
 * cross-entropy terms, stillness) in
 * WGSL, as Backend defines them (kernels/backend.ts), outputs aliasing inputs
 * where Backend allows it.
 *
 * Each is one invocation per element (256 per workgroup; a second grid
 * dimension past 65,535 workgroups). The activations follow
 * scalar-activations.ts branch for branch, NaN included: WGSL's min, max and
 * clamp may drop a NaN, so they are written as selects, and tanh is built from
 * exp(−2|x|), which cannot overflow (some drivers' tanh returns NaN for large |x|).
 * Numerics: float32 throughout; exp is the GPU's, within a few ulp.
 */
import { type Activation, type AdamStep, LEAKY_SLOPE } from '../backend.ts';
import { GELU_A, GELU_C } from '../scalar-activations.ts';
import { Dispatcher, type UniformPool } from './dispatch.ts';

const GROUP = 256;

/** WGSL of f(x) and f'(x) for an activation. */
function activationWgsl(kind: Activation): { f: string; df: string } {
  const f32 = (v: number) => v.toPrecision(9);
  const common = /* wgsl */ `
fn sigm(x: f32) -> f32 { if (x >= 0.0) { return 1.0 / (1.0 + exp(-x)); } let e = exp(x); return e / (1.0 + e); }
fn tanhSafe(x: f32) -> f32 { let e = exp(-2.0 * abs(x)); let t = (1.0 - e) / (1.0 + e); return select(t, -t, x < 0.0); }
fn geluArg(x: f32) -> f32 { return 2.0 * ${f32(GELU_C)} * (x + ${f32(GELU_A)} * x * x * x); }`;
  const bodies: Record<Activation, [string, string]> = {
    linear: ['x', '1.0'],
    tanh: ['tanhSafe(x)', '1.0 - tanhSafe(x) * tanhSafe(x)'],
    sigmoid: ['sigm(x)', 'sigm(x) * (1.0 - sigm(x))'],
    relu: ['select(x, 0.0, x < 0.0)', 'select(0.0, 1.0, x > 0.0)'],
    'leaky-relu': [`select(${f32(LEAKY_SLOPE)} * x, x, x > 0.0)`, `select(${f32(LEAKY_SLOPE)}, 1.0, x > 0.0)`],
    gelu: [
      'x * sigm(geluArg(x))',
      `sigm(geluArg(x)) + 2.0 * x * sigm(geluArg(x)) * (1.0 - sigm(geluArg(x))) * ${f32(GELU_C)} * (1.0 + 3.0 * ${f32(GELU_A)} * x * x)`,
    ],
    'hard-tanh': ['select(select(x, -1.0, x < -1.0), 1.0, x > 1.0)', 'select(0.0, 1.0, x > -1.0 && x < 1.0)'],
  };
  const [f, df] = bodies[kind];
  return { f: `${common}\nfn act(x: f32) -> f32 { return ${f}; }`, df: `fn dact(x: f32) -> f32 { return ${df}; }` };
}

/** One elementwise kernel: its storage arrays (read-only or not) and the WGSL body for element i. */
interface MapKernel {
  readonly arrays: readonly ('read' | 'read_write')[];
  readonly body: string;
  readonly helpers?: string;
}

/**
 * The WGSL of kernel k when its logical arrays a0, a1, … lie in buffers `slot[i]`: arrays sharing a
 * buffer (out = x, as Backend allows) share one binding, read_write if either is written — WebGPU
 * refuses one buffer bound twice where one binding writes.
 */
function shader(k: MapKernel, slot: readonly number[]): string {
  const slots = Math.max(...slot) + 1;
  const modes = Array.from({ length: slots }, (_, b) => (k.arrays.some((mode, i) => slot[i] === b && mode === 'read_write') ? 'read_write' : 'read'));
  const arrays = modes.map((mode, b) => `@group(0) @binding(${b}) var<storage, ${mode}> s${b}: array<f32>;`).join('\n');
  const body = k.body.replace(/\ba(\d+)\[/g, (_, i: string) => `s${slot[Number(i)]}[`);
  return /* wgsl */ `
struct Params { n: u32, cols: u32, f0: f32, f1: f32, f2: f32, f3: f32, f4: f32, f5: f32 }
${arrays}
@group(0) @binding(${slots}) var<uniform> p: Params;
${k.helpers ?? ''}
@compute @workgroup_size(${GROUP})
fn main(@builtin(global_invocation_id) id: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = id.x + id.y * groups.x * ${GROUP}u;
  if (i >= p.n) { return; }
  ${body}
}`;
}

/** The kernels by name: what each computes is Backend's method of the same name. */
const KERNELS = {
  activate: (kind: Activation): MapKernel => ({ arrays: ['read', 'read_write'], body: 'a1[i] = act(a0[i]);', helpers: activationWgsl(kind).f }),
  activateDerivative: (kind: Activation): MapKernel => {
    const w = activationWgsl(kind);
    return { arrays: ['read', 'read_write'], body: 'a1[i] = dact(a0[i]);', helpers: `${w.f}\n${w.df}` };
  },
  activateBoth: (kind: Activation): MapKernel => {
    const w = activationWgsl(kind);
    return { arrays: ['read', 'read_write', 'read_write'], body: 'let x = a0[i]; a1[i] = act(x); a2[i] = dact(x);', helpers: `${w.f}\n${w.df}` };
  },
  axpy: (): MapKernel => ({ arrays: ['read', 'read_write'], body: 'a1[i] = a1[i] + p.f0 * a0[i];' }),
  scale: (): MapKernel => ({ arrays: ['read_write'], body: 'a0[i] = p.f0 * a0[i];' }),
  sub: (): MapKernel => ({ arrays: ['read', 'read', 'read_write'], body: 'a2[i] = a0[i] - a1[i];' }),
  mul: (): MapKernel => ({ arrays: ['read', 'read', 'read_write'], body: 'a2[i] = a0[i] * a1[i];' }),
  addRowVector: (): MapKernel => ({ arrays: ['read', 'read', 'read_write'], body: 'a2[i] = a0[i] + a1[i % p.cols];' }),
  // u = g + wd·p (f2), with momentum (f1): v = momentum·v + u, u = v; p −= lr (f0)·u.
  sgdStep: (momentum: boolean): MapKernel =>
    momentum
      ? { arrays: ['read_write', 'read', 'read_write'], body: 'let v = p.f1 * a2[i] + (a1[i] + p.f2 * a0[i]); a2[i] = v; a0[i] = a0[i] - p.f0 * v;' }
      : { arrays: ['read_write', 'read'], body: 'a0[i] = a0[i] - p.f0 * (a1[i] + p.f2 * a0[i]);' },
  // out = x − mu − b[column]
  predictionError: (): MapKernel => ({ arrays: ['read', 'read', 'read', 'read_write'], body: 'a3[i] = a0[i] - a1[i] - a2[i % p.cols];' }),
  // v = momentum·v + (eps − dfx ⊙ g); x −= eta·v. Which of eps and (dfx, g) are present is the variant.
  valueStep: (eps: boolean, drive: boolean): MapKernel => {
    const arrays: ('read' | 'read_write')[] = ['read_write', 'read_write'];
    const own = eps ? `a${arrays.push('read') - 1}[i]` : '0.0';
    const g = drive ? `a${arrays.push('read') - 1}[i] * a${arrays.push('read') - 1}[i]` : '0.0';
    return { arrays, body: `let v = p.f1 * a1[i] + (${own} - ${g}); a1[i] = v; a0[i] = a0[i] - p.f0 * v;` };
  },
  // Adam(W) with bias corrections c1 = f3, c2 = f4: f0 lr, f1 beta1, f2 beta2, f5 epsilon; cols = weight decay mode.
  adamStep: (decoupled: boolean): MapKernel => ({
    arrays: ['read_write', 'read', 'read_write', 'read_write'],
    body: `let wd = bitcast<f32>(p.cols);
  let gi = ${decoupled ? 'a1[i]' : 'a1[i] + wd * a0[i]'};
  let m = p.f1 * a2[i] + (1.0 - p.f1) * gi;
  let v = p.f2 * a3[i] + (1.0 - p.f2) * gi * gi;
  a2[i] = m; a3[i] = v;
  let update = m / p.f3 / (sqrt(v / p.f4) + p.f5);
  a0[i] = a0[i] - p.f0 * ${decoupled ? '(update + wd * a0[i])' : 'update'};`,
  }),
  // The state passes (Backend.fill, holdUnits, priorError's errors, crossEntropy's terms, stillness).
  fill: (): MapKernel => ({ arrays: ['read_write'], body: 'a0[i] = p.f0;' }),
  // mask (a2) as float32, 0 where free.
  holdUnits: (): MapKernel => ({ arrays: ['read_write', 'read_write', 'read', 'read'], body: 'if (a2[i] != 0.0) { a0[i] = a3[i]; a1[i] = 0.0; }' }),
  // eps = weight (f1)·(x − mean (f0)); eps may be x.
  priorError: (): MapKernel => ({ arrays: ['read', 'read_write'], body: 'a1[i] = p.f1 * (a0[i] - p.f0);' }),
  // −y·log max(p, 2⁻¹²⁶), 0 where y = 0 (whatever p holds); a select, not max, so a NaN p stays NaN.
  crossEntropyTerms: (): MapKernel => ({
    arrays: ['read', 'read', 'read_write'],
    body: 'let q = select(a1[i], 1.17549435e-38, a1[i] < 1.17549435e-38); a2[i] = select(-a0[i] * log(q), 0.0, a0[i] == 0.0);',
  }),
  // out[slot (cols)] = scale (f0)·src[0]: a reduction's one number into its slot of a ledger (n = 1).
  place: (): MapKernel => ({ arrays: ['read', 'read_write'], body: 'a1[p.cols] = p.f0 * a0[0];' }),
  // out[offset (cols) + i] = x[i] (Backend.copyInto).
  copyInto: (): MapKernel => ({ arrays: ['read', 'read_write'], body: 'a1[i + p.cols] = a0[i];' }),
  // A weight cap (f0): selects, not min/max, so NaN stays NaN.
  clip: (): MapKernel => ({ arrays: ['read_write'], body: 'let w = a0[i]; a0[i] = select(select(w, -p.f0, w < -p.f0), p.f0, w > p.f0);' }),
  stillness: (): MapKernel => ({ arrays: ['read', 'read', 'read_write'], body: 'let r = a1[i] / p.f0; a2[i] = a0[i] / (1.0 + r * r);' }),
} as const;

export type MapKernelName = keyof typeof KERNELS;

/** Encodes elementwise kernels on one device; each pipeline is compiled on first use and kept. */
export class GpuElementwise {
  private readonly kernels: Dispatcher;

  /** `uniforms`: where dispatches take their parameter buffers (a backend's pool), else a new buffer each, for the caller to destroy. */
  constructor(device: GPUDevice, uniforms?: UniformPool) {
    this.kernels = new Dispatcher(device, uniforms);
  }

  /**
   * Records one kernel over n elements into `pass`: `arrays` in the kernel's binding order, `cols`
   * (a u32, or a float's bits for adamStep's weight decay) and up to six float parameters. Returns
   * the uniform buffer it made, for the caller to destroy once the work is done.
   */
  private encode(pass: GPUComputePassEncoder, key: string, kernel: () => MapKernel, arrays: GPUBuffer[], n: number, cols: number, floats: number[]): GPUBuffer {
    const buffers: GPUBuffer[] = [];
    const slot = arrays.map((b) => {
      const at = buffers.indexOf(b);
      return at >= 0 ? at : buffers.push(b) - 1;
    });
    const words = new ArrayBuffer(32);
    new Uint32Array(words, 0, 2).set([n, cols]);
    new Float32Array(words, 8, 6).set(floats);
    const pipe = this.kernels.pipeline(`${key} [${slot.join(',')}]`, () => shader(kernel(), slot));
    return this.kernels.dispatch(pass, pipe, buffers, words, Math.ceil(n / GROUP));
  }

  /** out = f(x) over n elements; out may be x (Backend.activate). */
  activate(pass: GPUComputePassEncoder, kind: Activation, x: GPUBuffer, out: GPUBuffer, n: number): GPUBuffer {
    return this.encode(pass, `activate ${kind}`, () => KERNELS.activate(kind), [x, out], n, 0, []);
  }

  /** out = f'(x); out may be x (Backend.activateDerivative). */
  activateDerivative(pass: GPUComputePassEncoder, kind: Activation, x: GPUBuffer, out: GPUBuffer, n: number): GPUBuffer {
    return this.encode(pass, `derivative ${kind}`, () => KERNELS.activateDerivative(kind), [x, out], n, 0, []);
  }

  /** fx = f(x) and dfx = f'(x) in one pass (Backend.activateBoth). */
  activateBoth(pass: GPUComputePassEncoder, kind: Activation, x: GPUBuffer, fx: GPUBuffer, dfx: GPUBuffer, n: number): GPUBuffer {
    return this.encode(pass, `both ${kind}`, () => KERNELS.activateBoth(kind), [x, fx, dfx], n, 0, []);
  }

  /** y += alpha·x (Backend.axpy). */
  axpy(pass: GPUComputePassEncoder, alpha: number, x: GPUBuffer, y: GPUBuffer, n: number): GPUBuffer {
    return this.encode(pass, 'axpy', KERNELS.axpy, [x, y], n, 0, [alpha]);
  }

  /** x *= alpha (Backend.scale). */
  scale(pass: GPUComputePassEncoder, alpha: number, x: GPUBuffer, n: number): GPUBuffer {
    return this.encode(pass, 'scale', KERNELS.scale, [x], n, 0, [alpha]);
  }

  /** out = a − b; out may be a or b (Backend.sub). */
  sub(pass: GPUComputePassEncoder, a: GPUBuffer, b: GPUBuffer, out: GPUBuffer, n: number): GPUBuffer {
    return this.encode(pass, 'sub', KERNELS.sub, [a, b, out], n, 0, []);
  }

  /** out = a ⊙ b; out may be a or b (Backend.mul). */
  mul(pass: GPUComputePassEncoder, a: GPUBuffer, b: GPUBuffer, out: GPUBuffer, n: number): GPUBuffer {
    return this.encode(pass, 'mul', KERNELS.mul, [a, b, out], n, 0, []);
  }

  /** out[r, c] = x[r, c] + v[c]; out may be x (Backend.addRowVector). */
  addRowVector(pass: GPUComputePassEncoder, x: GPUBuffer, v: GPUBuffer, out: GPUBuffer, rows: number, cols: number): GPUBuffer {
    return this.encode(pass, 'addRowVector', KERNELS.addRowVector, [x, v, out], rows * cols, cols, []);
  }

  /** One SGD step, with momentum buffer v or without (Backend.sgdStep). */
  sgdStep(
    pass: GPUComputePassEncoder,
    p: GPUBuffer,
    g: GPUBuffer,
    v: GPUBuffer | null,
    n: number,
    lr: number,
    momentum: number,
    weightDecay: number,
  ): GPUBuffer {
    return this.encode(pass, `sgd ${v !== null}`, () => KERNELS.sgdStep(v !== null), v ? [p, g, v] : [p, g], n, 0, [lr, momentum, weightDecay]);
  }

  /** out[r, c] = x[r, c] − mu[r, c] − b[c]; out may be x or mu (Backend.predictionError). */
  predictionError(pass: GPUComputePassEncoder, x: GPUBuffer, mu: GPUBuffer, b: GPUBuffer, out: GPUBuffer, rows: number, cols: number): GPUBuffer {
    return this.encode(pass, 'predictionError', KERNELS.predictionError, [x, mu, b, out], rows * cols, cols, []);
  }

  /** v = momentum·v + (eps − dfx ⊙ g), x −= eta·v (Backend.valueStep; eps or dfx/g may be absent). */
  valueStep(
    pass: GPUComputePassEncoder,
    x: GPUBuffer,
    v: GPUBuffer,
    eps: GPUBuffer | null,
    dfx: GPUBuffer | null,
    g: GPUBuffer | null,
    eta: number,
    momentum: number,
    n: number,
  ): GPUBuffer {
    const drive = dfx !== null && g !== null;
    const arrays = [x, v, ...(eps ? [eps] : []), ...(drive ? [dfx, g] : [])];
    return this.encode(pass, `valueStep ${eps !== null} ${drive}`, () => KERNELS.valueStep(eps !== null, drive), arrays, n, 0, [eta, momentum]);
  }

  /** x = value over n elements (Backend.fill). */
  fill(pass: GPUComputePassEncoder, x: GPUBuffer, value: number, n: number): GPUBuffer {
    return this.encode(pass, 'fill', KERNELS.fill, [x], n, 0, [value]);
  }

  /** Where mask[i] ≠ 0 (a float32 array here): x[i] = data[i], v[i] = 0 (Backend.holdUnits). */
  holdUnits(pass: GPUComputePassEncoder, x: GPUBuffer, v: GPUBuffer, mask: GPUBuffer, data: GPUBuffer, n: number): GPUBuffer {
    return this.encode(pass, 'holdUnits', KERNELS.holdUnits, [x, v, mask, data], n, 0, []);
  }

  /** eps = weight·(x − mean); eps may be x (Backend.priorError's errors; its energy is ‖eps‖²/weight²). */
  priorError(pass: GPUComputePassEncoder, x: GPUBuffer, eps: GPUBuffer, mean: number, weight: number, n: number): GPUBuffer {
    return this.encode(pass, 'priorError', KERNELS.priorError, [x, eps], n, 0, [mean, weight]);
  }

  /** out = −y·log max(p, 2⁻¹²⁶), 0 where y = 0: the terms Backend.crossEntropy and rowCrossEntropy sum. */
  crossEntropyTerms(pass: GPUComputePassEncoder, y: GPUBuffer, p: GPUBuffer, out: GPUBuffer, n: number): GPUBuffer {
    return this.encode(pass, 'crossEntropyTerms', KERNELS.crossEntropyTerms, [y, p, out], n, 0, []);
  }

  /** out[slot] = scale·src[0]: a reduction's number into a ledger slot (Backend.sumSquaresInto and its kin). */
  place(pass: GPUComputePassEncoder, src: GPUBuffer, out: GPUBuffer, slot: number, scale: number): GPUBuffer {
    return this.encode(pass, 'place', KERNELS.place, [src, out], 1, slot, [scale]);
  }

  /** out[offset + i] = x[i] over n elements; out must be another buffer (Backend.copyInto). */
  copyInto(pass: GPUComputePassEncoder, x: GPUBuffer, out: GPUBuffer, n: number, offset: number): GPUBuffer {
    return this.encode(pass, 'copyInto', KERNELS.copyInto, [x, out], n, offset, []);
  }

  /** x = min(max(x, −cap), cap), NaN kept (Backend.clip). */
  clip(pass: GPUComputePassEncoder, x: GPUBuffer, cap: number, n: number): GPUBuffer {
    return this.encode(pass, 'clip', KERNELS.clip, [x], n, 0, [cap]);
  }

  /** out = eps / (1 + (v/θ)²); out may be eps (Backend.stillness). */
  stillness(pass: GPUComputePassEncoder, eps: GPUBuffer, v: GPUBuffer, out: GPUBuffer, theta: number, n: number): GPUBuffer {
    return this.encode(pass, 'stillness', KERNELS.stillness, [eps, v, out], n, 0, [theta]);
  }

  /** One Adam(W) step of p from g, with moments m and v (Backend.adamStep). */
  adamStep(pass: GPUComputePassEncoder, p: GPUBuffer, g: GPUBuffer, m: GPUBuffer, v: GPUBuffer, n: number, s: AdamStep): GPUBuffer {
    const wdBits = new Uint32Array(Float32Array.of(s.weightDecay).buffer)[0];
    const corrections = [1 - s.beta1 ** s.t, 1 - s.beta2 ** s.t];
    return this.encode(pass, `adam ${s.decoupled}`, () => KERNELS.adamStep(s.decoupled), [p, g, m, v], n, wdBits, [
      s.lr,
      s.beta1,
      s.beta2,
      ...corrections,
      s.epsilon,
    ]);
  }
}
