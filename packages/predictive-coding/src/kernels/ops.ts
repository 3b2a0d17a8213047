/**
 * Checked operations on tensors: the public boundary of the kernels. Each
 * validates shapes, aliasing and arguments once, with a message that names
 * the argument, what it got and what it needed, then calls the backend,
 * whose kernels trust their inputs.
 */
import { check, checkObject } from '../errors.ts';
import { ACTIVATIONS, type Activation, type Backend, type FloatArray, type MatmulOptions } from './backend.ts';
import type { Tensor } from './tensor.ts';

const fmt = (t: Tensor<FloatArray>): string => `[${t.shape[0]}, ${t.shape[1]}]`;

/** Whether two views share at least one byte of the same memory. */
export function overlaps(backend: Backend<FloatArray>, a: ArrayBufferView, b: ArrayBufferView): boolean {
  if (a.byteLength === 0 || b.byteLength === 0) return false;
  if (backend.memoryOf(a) !== backend.memoryOf(b)) return false;
  return a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength;
}

/** Same bytes exactly (allowed in-place), or no shared byte at all. */
function sameOrDisjoint(backend: Backend<FloatArray>, a: ArrayBufferView, b: ArrayBufferView): boolean {
  const same = backend.memoryOf(a) === backend.memoryOf(b) && a.byteOffset === b.byteOffset && a.byteLength === b.byteLength;
  return same || !overlaps(backend, a, b);
}

function checkKind(op: string, kind: Activation): void {
  check(ACTIVATIONS.includes(kind), 'config', () => `${op}: unknown activation '${String(kind)}'; expected one of ${ACTIVATIONS.join(', ')}.`);
}

function checkSameShape(op: string, names: readonly string[], ts: readonly Tensor<FloatArray>[]): void {
  for (let i = 1; i < ts.length; i++) {
    check(
      ts[i].shape[0] === ts[0].shape[0] && ts[i].shape[1] === ts[0].shape[1],
      'shape',
      () => `${op}: ${names[i]} has shape ${fmt(ts[i])} but ${names[0]} has ${fmt(ts[0])}; they must match.`,
    );
  }
}

function checkInPlace(backend: Backend<FloatArray>, op: string, out: string, outT: Tensor<FloatArray>, inputs: Record<string, Tensor<FloatArray>>): void {
  for (const [name, t] of Object.entries(inputs)) {
    check(
      sameOrDisjoint(backend, outT.data, t.data),
      'shape',
      () => `${op}: ${out} partly overlaps ${name}. Pass the same array (in place) or a separate one.`,
    );
  }
}

function checkScalar(op: string, name: string, v: number): void {
  check(Number.isFinite(v), 'config', () => `${op}: ${name} must be a finite number, got ${v}.`);
}

/**
 * c = alpha·op(a)·op(b) + beta·c, with op(x) = xᵀ where options.transA/transB is set.
 * Shapes: op(a) m×k, op(b) k×n, c m×n. c must not overlap a or b.
 */
export function matmul<T extends FloatArray>(backend: Backend<T>, a: Tensor<T>, b: Tensor<T>, c: Tensor<T>, options: MatmulOptions = {}): void {
  checkObject(options, 'matmul: options', 'an object { transA?, transB?, alpha?, beta? } or left out');
  const transA = options.transA ?? false;
  const transB = options.transB ?? false;
  const [m, k] = transA ? [a.shape[1], a.shape[0]] : a.shape;
  const [kb, n] = transB ? [b.shape[1], b.shape[0]] : b.shape;
  const opA = transA ? 'aᵀ' : 'a';
  const opB = transB ? 'bᵀ' : 'b';
  check(
    k === kb,
    'shape',
    () =>
      `matmul: ${opA} is ${m}×${k} (a has shape ${fmt(a)}) but ${opB} is ${kb}×${n} (b has shape ${fmt(b)}); the inner sizes must agree. Check transA/transB.`,
  );
  check(c.shape[0] === m && c.shape[1] === n, 'shape', () => `matmul: c has shape ${fmt(c)} but ${opA}·${opB} is ${m}×${n}.`);
  check(
    !overlaps(backend, c.data, a.data) && !overlaps(backend, c.data, b.data),
    'shape',
    () => `matmul: c overlaps ${overlaps(backend, c.data, a.data) ? 'a' : 'b'}; the output of a product must be a separate array.`,
  );
  checkScalar('matmul', 'options.alpha', options.alpha ?? 1);
  checkScalar('matmul', 'options.beta', options.beta ?? 0);
  backend.matmul(a.data, b.data, c.data, m, k, n, options);
}

/** out = f(x) elementwise; out may be x. */
export function activate<T extends FloatArray>(backend: Backend<T>, kind: Activation, x: Tensor<T>, out: Tensor<T>): void {
  checkKind('activate', kind);
  checkSameShape('activate', ['x', 'out'], [x, out]);
  checkInPlace(backend, 'activate', 'out', out, { x });
  backend.activate(kind, x.data, out.data, x.data.length);
}

/** out = f'(x) elementwise; out may be x. */
export function activateDerivative<T extends FloatArray>(backend: Backend<T>, kind: Activation, x: Tensor<T>, out: Tensor<T>): void {
  checkKind('activateDerivative', kind);
  checkSameShape('activateDerivative', ['x', 'out'], [x, out]);
  checkInPlace(backend, 'activateDerivative', 'out', out, { x });
  backend.activateDerivative(kind, x.data, out.data, x.data.length);
}

/** fx = f(x) and dfx = f'(x) in one pass; x, fx and dfx must be three separate arrays. */
export function activateBoth<T extends FloatArray>(backend: Backend<T>, kind: Activation, x: Tensor<T>, fx: Tensor<T>, dfx: Tensor<T>): void {
  checkKind('activateBoth', kind);
  checkSameShape('activateBoth', ['x', 'fx', 'dfx'], [x, fx, dfx]);
  check(
    !overlaps(backend, x.data, fx.data) && !overlaps(backend, x.data, dfx.data) && !overlaps(backend, fx.data, dfx.data),
    'shape',
    () => 'activateBoth: x, fx and dfx overlap; pass three separate arrays.',
  );
  backend.activateBoth(kind, x.data, fx.data, dfx.data, x.data.length);
}

/** y += alpha·x. */
export function axpy<T extends FloatArray>(backend: Backend<T>, alpha: number, x: Tensor<T>, y: Tensor<T>): void {
  checkScalar('axpy', 'alpha', alpha);
  checkSameShape('axpy', ['x', 'y'], [x, y]);
  checkInPlace(backend, 'axpy', 'y', y, { x });
  backend.axpy(alpha, x.data, y.data, x.data.length);
}

/** x *= alpha, in place. */
export function scale<T extends FloatArray>(backend: Backend<T>, alpha: number, x: Tensor<T>): void {
  checkScalar('scale', 'alpha', alpha);
  backend.scale(alpha, x.data, x.data.length);
}

/** out = a − b; out may be a or b. */
export function sub<T extends FloatArray>(backend: Backend<T>, a: Tensor<T>, b: Tensor<T>, out: Tensor<T>): void {
  checkSameShape('sub', ['a', 'b', 'out'], [a, b, out]);
  checkInPlace(backend, 'sub', 'out', out, { a, b });
  backend.sub(a.data, b.data, out.data, a.data.length);
}

/** out = a ⊙ b; out may be a or b. */
export function mul<T extends FloatArray>(backend: Backend<T>, a: Tensor<T>, b: Tensor<T>, out: Tensor<T>): void {
  checkSameShape('mul', ['a', 'b', 'out'], [a, b, out]);
  checkInPlace(backend, 'mul', 'out', out, { a, b });
  backend.mul(a.data, b.data, out.data, a.data.length);
}

/** out[r, :] = x[r, :] + v, for v of shape [1, cols]; out may be x. */
export function addRowVector<T extends FloatArray>(backend: Backend<T>, x: Tensor<T>, v: Tensor<T>, out: Tensor<T>): void {
  const [rows, cols] = x.shape;
  check(v.shape[0] === 1 && v.shape[1] === cols, 'shape', () => `addRowVector: v has shape ${fmt(v)} but x has ${cols} columns; v must be [1, ${cols}].`);
  checkSameShape('addRowVector', ['x', 'out'], [x, out]);
  checkInPlace(backend, 'addRowVector', 'out', out, { x, v });
  check(!overlaps(backend, out.data, v.data), 'shape', () => 'addRowVector: out overlaps v; pass a separate array.');
  backend.addRowVector(x.data, v.data, out.data, rows, cols);
}

function checkReduction(
  backend: Backend<FloatArray>,
  op: string,
  x: Tensor<FloatArray>,
  out: ArrayBufferView & { length: number },
  want: number,
  along: string,
): void {
  check(out.length === want, 'shape', () => `${op}: out has ${out.length} elements but x has shape ${fmt(x)}, so it needs ${want} (one per ${along}).`);
  check(!overlaps(backend, x.data, out), 'shape', () => `${op}: out overlaps x; pass a separate array.`);
}

/** out[r] = Σ_c x[r, c]; out has shape [rows, 1]. */
export function rowSums<T extends FloatArray>(backend: Backend<T>, x: Tensor<T>, out: Tensor<T>): void {
  checkReduction(backend, 'rowSums', x, out.data, x.shape[0], 'row');
  backend.rowSums(x.data, out.data, x.shape[0], x.shape[1]);
}

/** out[c] = Σ_r x[r, c]; out has shape [1, cols]. */
export function columnSums<T extends FloatArray>(backend: Backend<T>, x: Tensor<T>, out: Tensor<T>): void {
  checkReduction(backend, 'columnSums', x, out.data, x.shape[1], 'column');
  backend.columnSums(x.data, out.data, x.shape[0], x.shape[1]);
}

/** out[r] = max_c x[r, c]. */
export function rowMax<T extends FloatArray>(backend: Backend<T>, x: Tensor<T>, out: Tensor<T>): void {
  checkReduction(backend, 'rowMax', x, out.data, x.shape[0], 'row');
  check(x.shape[1] > 0, 'shape', () => 'rowMax: x has 0 columns; a row maximum needs at least one.');
  backend.rowMax(x.data, out.data, x.shape[0], x.shape[1]);
}

/** out[r] = index of the first largest x[r, c]. */
export function rowArgmax<T extends FloatArray>(backend: Backend<T>, x: Tensor<T>, out: Int32Array): void {
  checkReduction(backend, 'rowArgmax', x, out, x.shape[0], 'row');
  check(x.shape[1] > 0, 'shape', () => 'rowArgmax: x has 0 columns; an argmax needs at least one.');
  backend.rowArgmax(x.data, out, x.shape[0], x.shape[1]);
}

/** out = row-wise softmax(x); out may be x. */
export function softmax<T extends FloatArray>(backend: Backend<T>, x: Tensor<T>, out: Tensor<T>): void {
  checkSameShape('softmax', ['x', 'out'], [x, out]);
  checkInPlace(backend, 'softmax', 'out', out, { x });
  backend.softmax(x.data, out.data, x.shape[0], x.shape[1]);
}

/** Σ x², accumulated in float64. */
export function sumSquares<T extends FloatArray>(backend: Backend<T>, x: Tensor<T>): number {
  return backend.sumSquares(x.data, x.data.length);
}
