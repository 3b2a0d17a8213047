/**
 * The `webgpu` backend's convolution and pooling (issue 12), NHWC as
 * Backend defines them (kernels/backend.ts: Conv2dGeometry, Pool2dGeometry).
 *
 * Direct kernels, one invocation per output element, each summing its own
 * terms in a fixed order: correct on any shape and deterministic (no float
 * atomics; every transpose — the input gradient, the pooling backwards — is
 * a gather over the outputs that read an element, not a scatter). They are the
 * reference-shaped first version: the weight gradient gives each of kh·kw·c·k
 * invocations a whole batch to sum, which a GPU fills poorly for small kernels;
 * im2col through the tiled matmul is the fast path to come.
 */
import type { Conv2dGeometry, Pool2dGeometry } from '../backend.ts';
import { conv2dOutputSize, pool2dOutputSize } from '../backend.ts';
import { Dispatcher, type UniformPool } from './dispatch.ts';

const GROUP = 256;

const PARAMS = /* wgsl */ `
struct Params { n: u32, h: u32, w: u32, c: u32, k: u32, kh: u32, kw: u32, s: u32, pad: u32, oh: u32, ow: u32, total: u32, scale: f32 }`;

/** The WGSL prologue: bindings in order (storage arrays, then the uniform) and the element index i. */
function kernel(arrays: readonly [string, 'read' | 'read_write', 'f32' | 'i32'][], body: string): string {
  const bindings = arrays.map(([name, mode, type], b) => `@group(0) @binding(${b}) var<storage, ${mode}> ${name}: array<${type}>;`).join('\n');
  return /* wgsl */ `${PARAMS}
${bindings}
@group(0) @binding(${arrays.length}) var<uniform> p: Params;
fn isNan(a: f32) -> bool { return (bitcast<u32>(a) & 0x7fffffffu) > 0x7f800000u; }
// Element i of an output map [n, oh, ow, ch] or of an input map [n, h, w, c], as (n, row, column, channel).
fn outAt(i: u32, ch: u32) -> vec4u { return vec4u(i / (ch * p.ow * p.oh), (i / (ch * p.ow)) % p.oh, (i / ch) % p.ow, i % ch); }
fn inAt(i: u32) -> vec4u { return vec4u(i / (p.c * p.w * p.h), (i / (p.c * p.w)) % p.h, (i / p.c) % p.w, i % p.c); }
// The input row (or column) tap t of output row o reads: o·s + t − pad, negative above x.
fn tapAt(o: u32, t: u32) -> i32 { return i32(o * p.s + t) - i32(p.pad); }
@compute @workgroup_size(${GROUP})
fn main(@builtin(global_invocation_id) id: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = id.x + id.y * groups.x * ${GROUP}u;
  if (i >= p.total) { return; }
  ${body}
}`;
}

const SHADERS = {
  // out[n, a, b, kk] = Σ_{t, u, c} x[n, a·s + t − pad, b·s + u − pad, c] · w[t, u, c, kk]
  forward: kernel(
    [
      ['x', 'read', 'f32'],
      ['wt', 'read', 'f32'],
      ['out', 'read_write', 'f32'],
    ],
    `let o = outAt(i, p.k); let n = o.x; let a = o.y; let b = o.z; let kk = o.w;
  var acc = 0.0;
  for (var t = 0u; t < p.kh; t++) {
    let y = tapAt(a, t);
    if (y < 0 || y >= i32(p.h)) { continue; }
    for (var u = 0u; u < p.kw; u++) {
      let z = tapAt(b, u);
      if (z < 0 || z >= i32(p.w)) { continue; }
      let xo = ((n * p.h + u32(y)) * p.w + u32(z)) * p.c;
      let wo = (t * p.kw + u) * p.c * p.k + kk;
      for (var c = 0u; c < p.c; c++) { acc += x[xo + c] * wt[wo + c * p.k]; }
    }
  }
  out[i] = acc;`,
  ),
  // gx[n, y, z, c] = Σ gy[n, a, b, kk] · w[t, u, c, kk] over a·s + t − pad = y, b·s + u − pad = z; + scale·gx
  inputGrad: kernel(
    [
      ['gy', 'read', 'f32'],
      ['wt', 'read', 'f32'],
      ['gx', 'read_write', 'f32'],
    ],
    `let e = inAt(i); let n = e.x; let y = e.y; let z = e.z; let c = e.w;
  var acc = 0.0;
  for (var t = 0u; t < p.kh; t++) {
    let ys = i32(y + p.pad) - i32(t);
    if (ys < 0 || ys % i32(p.s) != 0 || u32(ys) / p.s >= p.oh) { continue; }
    let a = u32(ys) / p.s;
    for (var u = 0u; u < p.kw; u++) {
      let zs = i32(z + p.pad) - i32(u);
      if (zs < 0 || zs % i32(p.s) != 0 || u32(zs) / p.s >= p.ow) { continue; }
      let b = u32(zs) / p.s;
      let go = ((n * p.oh + a) * p.ow + b) * p.k;
      let wo = ((t * p.kw + u) * p.c + c) * p.k;
      for (var kk = 0u; kk < p.k; kk++) { acc += gy[go + kk] * wt[wo + kk]; }
    }
  }
  if (p.scale == 0.0) { gx[i] = acc; } else { gx[i] = acc + p.scale * gx[i]; }`,
  ),
  // gw[t, u, c, kk] = scale · Σ_{n, a, b} x[n, a·s + t − pad, b·s + u − pad, c] · gy[n, a, b, kk]
  weightGrad: kernel(
    [
      ['gy', 'read', 'f32'],
      ['x', 'read', 'f32'],
      ['gw', 'read_write', 'f32'],
    ],
    `let kk = i % p.k; let c = (i / p.k) % p.c; let u = (i / (p.k * p.c)) % p.kw; let t = i / (p.k * p.c * p.kw);
  var acc = 0.0;
  for (var n = 0u; n < p.n; n++) {
    for (var a = 0u; a < p.oh; a++) {
      let y = tapAt(a, t);
      if (y < 0 || y >= i32(p.h)) { continue; }
      for (var b = 0u; b < p.ow; b++) {
        let z = tapAt(b, u);
        if (z < 0 || z >= i32(p.w)) { continue; }
        acc += x[((n * p.h + u32(y)) * p.w + u32(z)) * p.c + c] * gy[((n * p.oh + a) * p.ow + b) * p.k + kk];
      }
    }
  }
  gw[i] = p.scale * acc;`,
  ),
  // Pooling: window kh (= kw), stride s, over [n, h, w, c] (k = c).
  avgPool: kernel(
    [
      ['x', 'read', 'f32'],
      ['out', 'read_write', 'f32'],
    ],
    `let o = outAt(i, p.c); let n = o.x; let a = o.y; let b = o.z; let c = o.w;
  var acc = 0.0;
  for (var t = 0u; t < p.kh; t++) { for (var u = 0u; u < p.kh; u++) { acc += x[((n * p.h + a * p.s + t) * p.w + b * p.s + u) * p.c + c]; } }
  out[i] = acc / f32(p.kh * p.kh);`,
  ),
  // gx[n, y, z, c] = Σ over the windows holding (y, z) of gy / window²
  avgPoolBackward: kernel(
    [
      ['gy', 'read', 'f32'],
      ['gx', 'read_write', 'f32'],
    ],
    `let e = inAt(i); let n = e.x; let y = e.y; let z = e.z; let c = e.w;
  var acc = 0.0;
  for (var a = 0u; a < p.oh; a++) {
    if (y < a * p.s || y >= a * p.s + p.kh) { continue; }
    for (var b = 0u; b < p.ow; b++) {
      if (z < b * p.s || z >= b * p.s + p.kh) { continue; }
      acc += gy[((n * p.oh + a) * p.ow + b) * p.c + c];
    }
  }
  gx[i] = acc / f32(p.kh * p.kh);`,
  ),
  // The first largest in row-major window order; the first NaN wins and stays.
  maxPool: kernel(
    [
      ['x', 'read', 'f32'],
      ['out', 'read_write', 'f32'],
      ['arg', 'read_write', 'i32'],
    ],
    `let o = outAt(i, p.c); let n = o.x; let a = o.y; let b = o.z; let c = o.w;
  var best = ((n * p.h + a * p.s) * p.w + b * p.s) * p.c + c;
  for (var t = 0u; t < p.kh; t++) {
    for (var u = 0u; u < p.kh; u++) {
      let at = ((n * p.h + a * p.s + t) * p.w + b * p.s + u) * p.c + c;
      let v = x[at];
      if (!isNan(x[best]) && (v > x[best] || isNan(v))) { best = at; }
    }
  }
  out[i] = x[best];
  arg[i] = i32(best);`,
  ),
  // gx[e] = Σ gy[o] over the outputs o whose argmax is e (a gather over the windows holding e)
  maxPoolBackward: kernel(
    [
      ['gy', 'read', 'f32'],
      ['arg', 'read', 'i32'],
      ['gx', 'read_write', 'f32'],
    ],
    `let e = inAt(i); let n = e.x; let y = e.y; let z = e.z; let c = e.w;
  var acc = 0.0;
  for (var a = 0u; a < p.oh; a++) {
    if (y < a * p.s || y >= a * p.s + p.kh) { continue; }
    for (var b = 0u; b < p.ow; b++) {
      if (z < b * p.s || z >= b * p.s + p.kh) { continue; }
      let o = ((n * p.oh + a) * p.ow + b) * p.c + c;
      if (u32(arg[o]) == i) { acc += gy[o]; }
    }
  }
  gx[i] = acc;`,
  ),
} as const;

type ShaderName = keyof typeof SHADERS;

/** Encodes convolutions and poolings on one device; pipelines compiled on first use and kept. */
export class GpuConv {
  private readonly kernels: Dispatcher;

  /** `uniforms`: where dispatches take their parameter buffers (a backend's pool), else a new buffer each, for the caller to destroy. */
  constructor(device: GPUDevice, uniforms?: UniformPool) {
    this.kernels = new Dispatcher(device, uniforms);
  }

  private encode(pass: GPUComputePassEncoder, name: ShaderName, arrays: GPUBuffer[], dims: number[], total: number, scale: number): GPUBuffer {
    const words = new ArrayBuffer(52);
    new Uint32Array(words, 0, 12).set([...dims, total]);
    new Float32Array(words, 48, 1)[0] = scale;
    return this.kernels.dispatch(
      pass,
      this.kernels.pipeline(name, () => SHADERS[name]),
      arrays,
      words,
      Math.ceil(total / GROUP),
    );
  }

  private convDims(g: Conv2dGeometry): number[] {
    const { oh, ow } = conv2dOutputSize(g);
    return [g.n, g.h, g.w, g.c, g.k, g.kh, g.kw, g.stride, g.pad, oh, ow];
  }

  private poolDims(g: Pool2dGeometry): { dims: number[]; outputs: number } {
    const { oh, ow, stride } = pool2dOutputSize(g);
    return { dims: [g.n, g.h, g.w, g.c, g.c, g.window, g.window, stride, 0, oh, ow], outputs: g.n * oh * ow * g.c };
  }

  /** out = conv2d(x, w) (Backend.conv2d). Returns the uniform buffer to destroy after the work. */
  conv2d(pass: GPUComputePassEncoder, x: GPUBuffer, w: GPUBuffer, out: GPUBuffer, g: Conv2dGeometry): GPUBuffer {
    const { oh, ow } = conv2dOutputSize(g);
    return this.encode(pass, 'forward', [x, w, out], this.convDims(g), g.n * oh * ow * g.k, 0);
  }

  /** gx = the transposed convolution of gy, + beta·gx (Backend.conv2dInputGrad). */
  conv2dInputGrad(pass: GPUComputePassEncoder, gy: GPUBuffer, w: GPUBuffer, gx: GPUBuffer, g: Conv2dGeometry, beta = 0): GPUBuffer {
    return this.encode(pass, 'inputGrad', [gy, w, gx], this.convDims(g), g.n * g.h * g.w * g.c, beta);
  }

  /** gw = alpha · the correlation of x with gy (Backend.conv2dWeightGrad). */
  conv2dWeightGrad(pass: GPUComputePassEncoder, gy: GPUBuffer, x: GPUBuffer, gw: GPUBuffer, g: Conv2dGeometry, alpha: number): GPUBuffer {
    return this.encode(pass, 'weightGrad', [gy, x, gw], this.convDims(g), g.kh * g.kw * g.c * g.k, alpha);
  }

  /** Backend.avgPool. */
  avgPool(pass: GPUComputePassEncoder, x: GPUBuffer, out: GPUBuffer, g: Pool2dGeometry): GPUBuffer {
    const { dims, outputs } = this.poolDims(g);
    return this.encode(pass, 'avgPool', [x, out], dims, outputs, 0);
  }

  /** Backend.avgPoolBackward (gx overwritten). */
  avgPoolBackward(pass: GPUComputePassEncoder, gy: GPUBuffer, gx: GPUBuffer, g: Pool2dGeometry): GPUBuffer {
    return this.encode(pass, 'avgPoolBackward', [gy, gx], this.poolDims(g).dims, g.n * g.h * g.w * g.c, 0);
  }

  /** Backend.maxPool: `argmax` holds i32 flat indices into x. */
  maxPool(pass: GPUComputePassEncoder, x: GPUBuffer, out: GPUBuffer, argmax: GPUBuffer, g: Pool2dGeometry): GPUBuffer {
    const { dims, outputs } = this.poolDims(g);
    return this.encode(pass, 'maxPool', [x, out, argmax], dims, outputs, 0);
  }

  /** Backend.maxPoolBackward (gx overwritten). */
  maxPoolBackward(pass: GPUComputePassEncoder, gy: GPUBuffer, argmax: GPUBuffer, gx: GPUBuffer, g: Pool2dGeometry): GPUBuffer {
    return this.encode(pass, 'maxPoolBackward', [gy, argmax, gx], this.poolDims(g).dims, g.n * g.h * g.w * g.c, 0);
  }
}
