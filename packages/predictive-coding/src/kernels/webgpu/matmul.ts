/**
 * The `webgpu` backend's matrix product (issue 12): C = alpha·op(A)·op(B) + beta·C
 * in WGSL, float32, as Backend.matmul defines it (A stored m×k, or k×m when
 * transA; B k×n, or n×k when transB; beta = 0 never reads C).
 *
 * A workgroup of 16×16 invocations computes a 64×64 tile of C, each invocation
 * a 4×4 block in registers, over 16-deep slices of A and B staged in workgroup
 * memory (the tiling of every GPU GEMM since Volkov & Demmel 2008). The
 * transposes only change how a slice is loaded, so each (transA, transB) pair
 * is its own pipeline, compiled once per device. Products are summed in k order
 * per output, in float32: the error against a float64 product grows like
 * k·2⁻²⁴·Σ|a·b| (the tests' tolerance).
 */
import { Dispatcher, type UniformPool } from './dispatch.ts';

const TILE = 64;
const DEPTH = 16;
const SIDE = 16; // invocations per workgroup side; TILE / SIDE = 4 outputs per invocation per side

/** The WGSL of one (transA, transB) variant. */
export function matmulShader(transA: boolean, transB: boolean): string {
  // Element (row, col) of op(A) (m×k) and op(B) (k×n), read from their stored layouts.
  const a = transA ? 'a[col * p.m + row]' : 'a[row * p.k + col]';
  const b = transB ? 'b[col * p.k + row]' : 'b[row * p.n + col]';
  return /* wgsl */ `
struct Params { m: u32, k: u32, n: u32, alpha: f32, beta: f32 }
@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> c: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

// As[d][i]: slice depth d, tile row i; Bs[d][j]: depth d, tile column j.
var<workgroup> As: array<array<f32, ${TILE}>, ${DEPTH}>;
var<workgroup> Bs: array<array<f32, ${TILE}>, ${DEPTH}>;

fn loadA(row: u32, col: u32) -> f32 {
  if (row >= p.m || col >= p.k) { return 0.0; }
  return ${a};
}
fn loadB(row: u32, col: u32) -> f32 {
  if (row >= p.k || col >= p.n) { return 0.0; }
  return ${b};
}

@compute @workgroup_size(${SIDE}, ${SIDE})
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let row0 = wg.y * ${TILE}u;
  let col0 = wg.x * ${TILE}u;
  let t = lid.y * ${SIDE}u + lid.x;
  var acc: array<array<f32, 4>, 4>;
  for (var d0 = 0u; d0 < p.k; d0 += ${DEPTH}u) {
    // 256 invocations stage 64×16 of A and 16×64 of B, four elements each.
    for (var e = 0u; e < 4u; e++) {
      let idx = t + e * 256u;
      let i = idx % ${TILE}u;
      let d = idx / ${TILE}u;
      As[d][i] = loadA(row0 + i, d0 + d);
      Bs[d][i] = loadB(d0 + d, col0 + i);
    }
    workgroupBarrier();
    for (var d = 0u; d < ${DEPTH}u; d++) {
      var av: array<f32, 4>;
      var bv: array<f32, 4>;
      for (var r = 0u; r < 4u; r++) {
        av[r] = As[d][lid.y + r * ${SIDE}u];
        bv[r] = Bs[d][lid.x + r * ${SIDE}u];
      }
      for (var r = 0u; r < 4u; r++) {
        for (var s = 0u; s < 4u; s++) { acc[r][s] = fma(av[r], bv[s], acc[r][s]); }
      }
    }
    workgroupBarrier();
  }
  // Rows lid.y + 16r and columns lid.x + 16s: neighbouring invocations write neighbouring columns.
  for (var r = 0u; r < 4u; r++) {
    let row = row0 + lid.y + r * ${SIDE}u;
    if (row >= p.m) { continue; }
    for (var s = 0u; s < 4u; s++) {
      let col = col0 + lid.x + s * ${SIDE}u;
      if (col >= p.n) { continue; }
      let o = row * p.n + col;
      if (p.beta == 0.0) { c[o] = p.alpha * acc[r][s]; } else { c[o] = p.alpha * acc[r][s] + p.beta * c[o]; }
    }
  }
}
`;
}

/** Encodes matmuls on one device: one pipeline per (transA, transB), compiled on first use. */
export class GpuMatmul {
  private readonly kernels: Dispatcher;

  /** `uniforms`: where dispatches take their parameter buffers (a backend's pool), else a new buffer each, for the caller to destroy. */
  constructor(device: GPUDevice, uniforms?: UniformPool) {
    this.kernels = new Dispatcher(device, uniforms);
  }

  /**
   * Records C = alpha·op(A)·op(B) + beta·C into `pass` (buffers of float32: A m×k or k×m, B k×n or n×k,
   * C m×n). The uniform buffer it creates is returned, for the caller to destroy once the work is done.
   */
  encode(
    pass: GPUComputePassEncoder,
    a: GPUBuffer,
    b: GPUBuffer,
    c: GPUBuffer,
    m: number,
    k: number,
    n: number,
    options: { transA?: boolean; transB?: boolean; alpha?: number; beta?: number } = {},
  ): GPUBuffer {
    const { transA = false, transB = false } = options;
    const words = new ArrayBuffer(20);
    new Uint32Array(words, 0, 3).set([m, k, n]);
    new Float32Array(words, 12, 2).set([options.alpha ?? 1, options.beta ?? 0]);
    const pipe = this.kernels.pipeline(`matmul ${Number(transA)}${Number(transB)}`, () => matmulShader(transA, transB));
    return this.kernels.dispatch(pass, pipe, [a, b, c], words, [Math.ceil(n / TILE), Math.ceil(m / TILE)]);
  }
}
