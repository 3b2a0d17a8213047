/**
 * The `webgpu` backend's reductions (issue 12): row sums, maxima, argmax and
 * softmax, column sums (bias gradients), and the sum of squares behind every
 * energy, in WGSL, as Backend defines them (kernels/backend.ts).
 *
 * A row is one workgroup of 256 invocations: each walks the row at a stride
 * of 256, then a tree in workgroup memory combines the 256 partials, so a
 * 6,272-wide conv activation costs no more invocations than a 10-wide label.
 * Column sums are one invocation per column (the rows are a batch, ~128).
 * The sum of squares is two such passes: rows of 65,536 elements into
 * partials, then the partials into one float the caller reads back — one
 * scalar per batch, not per step. Float32 accumulation throughout
 * (the reference accumulates sumSquares and columnSums in float64; the tests'
 * tolerances say by how much they differ).
 */
import { Dispatcher, type UniformPool } from './dispatch.ts';

const GROUP = 256;
/** Elements per row of the first sum-of-squares pass. */
const SQUARES_ROW = 65_536;

type RowOp = 'sum' | 'squares' | 'max' | 'argmax' | 'softmax' | 'softmax-in-place';

function rowShader(op: RowOp): string {
  const argmax = op === 'argmax';
  const inPlace = op === 'softmax-in-place';
  const bindings = inPlace
    ? '@group(0) @binding(0) var<storage, read_write> x: array<f32>;'
    : `@group(0) @binding(0) var<storage, read> x: array<f32>;\n@group(0) @binding(1) var<storage, read_write> out: array<${argmax ? 'i32' : 'f32'}>;`;
  const out = inPlace ? 'x' : 'out';
  // NaN wins a max (as Math.max), so a row holding NaN has max NaN. NaN is tested on the bits: a
  // compiler may fold a != a to false.
  const maxOf = `fn isNan(a: f32) -> bool { return (bitcast<u32>(a) & 0x7fffffffu) > 0x7f800000u; }
fn maxNan(a: f32, b: f32) -> f32 { return select(max(a, b), a + b, isNan(a) || isNan(b)); }`;
  // A max starts from the invocation's first element, or the row's first if it has none (which leaves the max
  // as it is): no infinity constant, which not every compiler keeps.
  const first = `var acc = ${'x'}[row * p.cols + select(0u, t, t < p.cols && row * p.cols + t < p.n)];`;
  const reduce = (combine: string) => /* wgsl */ `
  part[t] = acc;
  workgroupBarrier();
  for (var s = ${GROUP / 2}u; s > 0u; s >>= 1u) {
    if (t < s) { part[t] = ${combine}; }
    workgroupBarrier();
  }`;
  const element = (c: string) => `x[row * p.cols + ${c}]`;
  const valid = 'c < p.cols && row * p.cols + c < p.n';
  let body: string;
  switch (op) {
    case 'sum':
    case 'squares':
      body = `var acc = 0.0;
  for (var c = t; ${valid}; c += ${GROUP}u) { let v = ${element('c')}; acc += ${op === 'sum' ? 'v' : 'v * v'}; }
  ${reduce('part[t] + part[t + s]')}
  if (t == 0u) { out[row] = part[0]; }`;
      break;
    case 'max':
      body = `${first}
  for (var c = t; ${valid}; c += ${GROUP}u) { acc = maxNan(acc, ${element('c')}); }
  ${reduce('maxNan(part[t], part[t + s])')}
  if (t == 0u) { out[row] = part[0]; }`;
      break;
    case 'argmax':
      // (value, column) pairs from each invocation's first element (column 0 for one without any, a tie
      // column 0 wins anyway); a later column wins only if strictly larger, a tie goes to the first column.
      body = `${first}
  var at = select(0u, t, t < p.cols);
  for (var c = t + ${GROUP}u; ${valid}; c += ${GROUP}u) { let v = ${element('c')}; if (v > acc) { acc = v; at = c; } }
  part[t] = acc;
  idx[t] = at;
  workgroupBarrier();
  for (var s = ${GROUP / 2}u; s > 0u; s >>= 1u) {
    if (t < s) {
      let a = part[t]; let b = part[t + s];
      if (b > a || (b == a && idx[t + s] < idx[t])) { part[t] = b; idx[t] = idx[t + s]; }
    }
    workgroupBarrier();
  }
  if (t == 0u) { out[row] = i32(idx[0]); }`;
      break;
    default:
      body = `${first}
  for (var c = t; ${valid}; c += ${GROUP}u) { acc = maxNan(acc, ${element('c')}); }
  ${reduce('maxNan(part[t], part[t + s])')}
  let top = part[0];
  workgroupBarrier();
  acc = 0.0;
  for (var c = t; ${valid}; c += ${GROUP}u) { acc += exp(${element('c')} - top); }
  ${reduce('part[t] + part[t + s]')}
  let total = part[0];
  for (var c = t; ${valid}; c += ${GROUP}u) { ${out}[row * p.cols + c] = exp(${element('c')} - top) / total; }`;
  }
  return /* wgsl */ `
struct Params { rows: u32, cols: u32, n: u32 }
${bindings}
@group(0) @binding(${inPlace ? 1 : 2}) var<uniform> p: Params;
var<workgroup> part: array<f32, ${GROUP}>;
${argmax ? `var<workgroup> idx: array<u32, ${GROUP}>;` : ''}
${maxOf}
@compute @workgroup_size(${GROUP})
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let row = wg.x + wg.y * groups.x;
  let t = lid.x;
  if (row >= p.rows) { return; }
  ${body}
}`;
}

const COLUMN_SHADER = /* wgsl */ `
struct Params { rows: u32, cols: u32, n: u32 }
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;
@compute @workgroup_size(${GROUP})
fn main(@builtin(global_invocation_id) id: vec3u) {
  let c = id.x;
  if (c >= p.cols) { return; }
  var acc = 0.0;
  for (var r = 0u; r < p.rows; r++) { acc += x[r * p.cols + c]; }
  out[c] = acc;
}`;

/** Encodes reductions on one device; pipelines compiled on first use and kept. */
export class GpuReductions {
  private readonly kernels: Dispatcher;

  /** `uniforms`: where dispatches take their parameter buffers (a backend's pool), else a new buffer each, for the caller to destroy. */
  constructor(device: GPUDevice, uniforms?: UniformPool) {
    this.kernels = new Dispatcher(device, uniforms);
  }

  private rows(pass: GPUComputePassEncoder, op: RowOp, arrays: GPUBuffer[], rows: number, cols: number, n = rows * cols): GPUBuffer {
    return this.kernels.dispatch(
      pass,
      this.kernels.pipeline(op, () => rowShader(op)),
      arrays,
      Uint32Array.of(rows, cols, n).buffer,
      rows,
    );
  }

  /** out[r] = Σ_c x[r, c] (Backend.rowSums). Returns the uniform buffer to destroy after the work. */
  rowSums(pass: GPUComputePassEncoder, x: GPUBuffer, out: GPUBuffer, rows: number, cols: number): GPUBuffer {
    return this.rows(pass, 'sum', [x, out], rows, cols);
  }

  /** out[r] = Σ_c x[r, c]² (Backend.rowSumSquares). */
  rowSumSquares(pass: GPUComputePassEncoder, x: GPUBuffer, out: GPUBuffer, rows: number, cols: number): GPUBuffer {
    return this.rows(pass, 'squares', [x, out], rows, cols);
  }

  /** out[r] = max_c x[r, c], NaN if the row holds one (Backend.rowMax). */
  rowMax(pass: GPUComputePassEncoder, x: GPUBuffer, out: GPUBuffer, rows: number, cols: number): GPUBuffer {
    return this.rows(pass, 'max', [x, out], rows, cols);
  }

  /** out[r] = the first c where x[r, c] is largest (Backend.rowArgmax); `out` holds i32. */
  rowArgmax(pass: GPUComputePassEncoder, x: GPUBuffer, out: GPUBuffer, rows: number, cols: number): GPUBuffer {
    return this.rows(pass, 'argmax', [x, out], rows, cols);
  }

  /** out[r, :] = softmax(x[r, :]) by exp(x − max) / Σ exp(x − max) (Backend.softmax); out may be x. */
  softmax(pass: GPUComputePassEncoder, x: GPUBuffer, out: GPUBuffer, rows: number, cols: number): GPUBuffer {
    return x === out ? this.rows(pass, 'softmax-in-place', [x], rows, cols) : this.rows(pass, 'softmax', [x, out], rows, cols);
  }

  /** out[c] = Σ_r x[r, c] (Backend.columnSums). */
  columnSums(pass: GPUComputePassEncoder, x: GPUBuffer, out: GPUBuffer, rows: number, cols: number): GPUBuffer {
    const pipe = this.kernels.pipeline('columns', () => COLUMN_SHADER);
    return this.kernels.dispatch(pass, pipe, [x, out], Uint32Array.of(rows, cols, rows * cols).buffer, Math.ceil(cols / GROUP));
  }

  /**
   * out[0] = Σ_i x[i]² for i < n, through `partials` (at least ⌈n / 65,536⌉ floats), in two passes
   * (Backend.sumSquares, left on the device: the caller reads out[0] when it needs the number).
   * Returns the uniform buffers to destroy after the work.
   */
  sumSquares(pass: GPUComputePassEncoder, x: GPUBuffer, partials: GPUBuffer, out: GPUBuffer, n: number): GPUBuffer[] {
    return this.total(pass, 'squares', x, partials, out, n);
  }

  /** out[0] = Σ_i x[i] for i < n, as sumSquares (the cross-entropy's terms, summed on the device). */
  sum(pass: GPUComputePassEncoder, x: GPUBuffer, partials: GPUBuffer, out: GPUBuffer, n: number): GPUBuffer[] {
    return this.total(pass, 'sum', x, partials, out, n);
  }

  /** out[0] = Σ_i x[i] (or x[i]², `of` 'squares') for i < n: rows of SQUARES_ROW into partials, then the partials. */
  total(pass: GPUComputePassEncoder, of: 'sum' | 'squares', x: GPUBuffer, partials: GPUBuffer, out: GPUBuffer, n: number): GPUBuffer[] {
    const rows = Math.max(1, Math.ceil(n / SQUARES_ROW));
    return [this.rows(pass, of, [x, partials], rows, SQUARES_ROW, n), this.rows(pass, 'sum', [partials, out], 1, rows)];
  }
}

/** Floats of the partials buffer GpuReductions.sumSquares (and sum) needs for n elements. */
export function sumSquaresPartials(n: number): number {
  return Math.max(1, Math.ceil(n / SQUARES_ROW));
}
