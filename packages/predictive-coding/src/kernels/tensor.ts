/**
 * Tensors: a flat row-major array with a 2-D shape, checked once when made.
 * Vectors are 1×n or n×1. The checked operations over them are in ops.ts.
 */
import { check } from '../errors.ts';
import type { Backend, BackendArray } from './backend.ts';

/** A 2-D array in a backend's memory: `data` of rows·cols elements, row-major. */
export interface Tensor<T extends BackendArray = Float32Array> {
  readonly data: T;
  /** [rows, cols]; data.length === rows·cols. */
  readonly shape: readonly [number, number];
}

/** Wraps `data` as a rows×cols tensor; throws PcError('shape') if the sizes disagree. */
export function tensor<T extends BackendArray>(data: T, shape: readonly [number, number], name = 'tensor'): Tensor<T> {
  const [rows, cols] = shape;
  check(isDim(rows) && isDim(cols), 'shape', () => `${name}: shape must be two non-negative integers, got [${shape.join(', ')}].`);
  check(data.length === rows * cols, 'shape', () => `${name}: data has ${data.length} elements but shape [${rows}, ${cols}] needs ${rows * cols}.`);
  return { data, shape: [rows, cols] };
}

/** A zeroed rows×cols tensor in the backend's own memory (free it with `disposeTensor`). */
export function zeros<T extends BackendArray>(backend: Backend<T>, rows: number, cols: number): Tensor<T> {
  check(isDim(rows) && isDim(cols), 'shape', () => `zeros: rows and cols must be non-negative integers, got ${rows} and ${cols}.`);
  return { data: backend.alloc(rows * cols), shape: [rows, cols] };
}

/** A tensor in the backend's memory holding a copy of `values`. */
export function fromValues<T extends BackendArray>(backend: Backend<T>, values: ArrayLike<number>, rows: number, cols: number): Tensor<T> {
  const t = zeros(backend, rows, cols);
  check(values.length === rows * cols, 'shape', () => `fromValues: got ${values.length} values for shape [${rows}, ${cols}], which needs ${rows * cols}.`);
  backend.write(t.data, values);
  return t;
}

/** Returns a tensor's memory to the backend. */
export function disposeTensor<T extends BackendArray>(backend: Backend<T>, t: Tensor<T>): void {
  backend.free(t.data);
}

function isDim(n: number): boolean {
  return Number.isInteger(n) && n >= 0;
}
