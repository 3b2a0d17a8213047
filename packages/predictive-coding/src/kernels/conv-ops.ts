/**
 * Checked convolution and pooling: the boundary of those kernels, as ops.ts
 * is for the rest. Each validates the geometry, the tensors' shapes against it
 * and aliasing once, with messages that quote what was received, then calls
 * the backend. Tensors are the usual 2-D views: activations [n, h·w·c] (one
 * NHWC example per row), conv weights [kh·kw·c, k].
 */
import { check, checkObject, shown } from '../errors.ts';
import { type Backend, type Conv2dGeometry, conv2dOutputSize, type FloatArray, type IndexArray, type Pool2dGeometry, pool2dOutputSize } from './backend.ts';
import { overlaps } from './ops.ts';
import type { Tensor } from './tensor.ts';

const fmt = (t: Tensor<FloatArray>): string => `[${t.shape[0]}, ${t.shape[1]}]`;

function checkField(op: string, g: object, field: string, min: number): void {
  const v = (g as Record<string, unknown>)[field];
  check(Number.isInteger(v) && (v as number) >= min, 'config', () => `${op}: geometry.${field} must be an integer ≥ ${min}, got ${shown(v)}.`);
}

function checkConvGeometry(op: string, g: Conv2dGeometry): void {
  checkObject(g, `${op}: geometry`, 'an object { n, h, w, c, k, kh, kw, stride, pad }');
  for (const f of ['n', 'h', 'w', 'c', 'k', 'kh', 'kw', 'stride']) checkField(op, g, f, 1);
  checkField(op, g, 'pad', 0);
  const [ph, pw] = [g.h + 2 * g.pad, g.w + 2 * g.pad];
  check(
    g.kh <= ph && g.kw <= pw,
    'shape',
    () =>
      `${op}: the ${g.kh}×${g.kw} kernel is larger than the padded input ${ph}×${pw} (h ${g.h} + 2·pad ${g.pad}, w ${g.w} + 2·pad ${g.pad}). Use a smaller kernel or more padding.`,
  );
}

function checkPoolGeometry(op: string, g: Pool2dGeometry): void {
  checkObject(g, `${op}: geometry`, 'an object { n, h, w, c, window, stride? }');
  for (const f of ['n', 'h', 'w', 'c', 'window']) checkField(op, g, f, 1);
  if (g.stride !== undefined) checkField(op, g, 'stride', 1);
  check(
    g.window <= g.h && g.window <= g.w,
    'shape',
    () => `${op}: the ${g.window}×${g.window} window is larger than the input ${g.h}×${g.w}. Use a smaller window.`,
  );
}

/** The activation map [n, h·w·c] below the layer. */
function checkInputMap(op: string, name: string, t: Tensor<FloatArray>, g: { n: number; h: number; w: number; c: number }): void {
  const want = g.h * g.w * g.c;
  check(
    t.shape[0] === g.n && t.shape[1] === want,
    'shape',
    () =>
      `${op}: ${name} has shape ${fmt(t)} but the geometry (n ${g.n}, h ${g.h}, w ${g.w}, c ${g.c}) needs [${g.n}, ${want}] ([n, h·w·c]). Check h, w and c against the layer below.`,
  );
}

/** The output map [n, oh·ow·channels]. */
function checkOutputMap(op: string, name: string, t: Tensor<FloatArray>, n: number, oh: number, ow: number, channels: number, letter: string): void {
  const want = oh * ow * channels;
  check(
    t.shape[0] === n && t.shape[1] === want,
    'shape',
    () => `${op}: ${name} has shape ${fmt(t)} but the geometry needs [${n}, ${want}] ([n, oh·ow·${letter}] with oh ${oh}, ow ${ow}).`,
  );
}

function checkWeights(op: string, name: string, t: Tensor<FloatArray>, g: Conv2dGeometry): void {
  const rows = g.kh * g.kw * g.c;
  check(
    t.shape[0] === rows && t.shape[1] === g.k,
    'shape',
    () => `${op}: ${name} has shape ${fmt(t)} but the geometry (kh ${g.kh}, kw ${g.kw}, c ${g.c}, k ${g.k}) needs [${rows}, ${g.k}] ([kh·kw·c, k]).`,
  );
}

function checkSeparate(backend: Backend<FloatArray>, op: string, out: string, outData: ArrayBufferView, inputs: Record<string, ArrayBufferView>): void {
  for (const [name, data] of Object.entries(inputs))
    check(!overlaps(backend, outData, data), 'shape', () => `${op}: ${out} overlaps ${name}; the output must be a separate array.`);
}

function checkFinite(op: string, name: string, v: number): void {
  check(Number.isFinite(v), 'config', () => `${op}: ${name} must be a finite number, got ${v}.`);
}

/** out = conv2d(x, w) (Backend.conv2d). x: [n, h·w·c], w: [kh·kw·c, k], out: [n, oh·ow·k], separate from both. */
export function conv2d<T extends FloatArray>(backend: Backend<T>, x: Tensor<T>, w: Tensor<T>, out: Tensor<T>, g: Conv2dGeometry): void {
  checkConvGeometry('conv2d', g);
  const { oh, ow } = conv2dOutputSize(g);
  checkInputMap('conv2d', 'x', x, g);
  checkWeights('conv2d', 'w', w, g);
  checkOutputMap('conv2d', 'out', out, g.n, oh, ow, g.k, 'k');
  checkSeparate(backend, 'conv2d', 'out', out.data, { x: x.data, w: w.data });
  backend.conv2d(x.data, w.data, out.data, g);
}

/** gx = conv2d's transpose applied to gy, + beta·gx (Backend.conv2dInputGrad). gy: [n, oh·ow·k], gx: [n, h·w·c]. */
export function conv2dInputGrad<T extends FloatArray>(backend: Backend<T>, gy: Tensor<T>, w: Tensor<T>, gx: Tensor<T>, g: Conv2dGeometry, beta = 0): void {
  checkConvGeometry('conv2dInputGrad', g);
  const { oh, ow } = conv2dOutputSize(g);
  checkOutputMap('conv2dInputGrad', 'gy', gy, g.n, oh, ow, g.k, 'k');
  checkWeights('conv2dInputGrad', 'w', w, g);
  checkInputMap('conv2dInputGrad', 'gx', gx, g);
  checkFinite('conv2dInputGrad', 'beta', beta);
  checkSeparate(backend, 'conv2dInputGrad', 'gx', gx.data, { gy: gy.data, w: w.data });
  backend.conv2dInputGrad(gy.data, w.data, gx.data, g, beta);
}

/** gw = alpha · the Hebbian product of gy and x (Backend.conv2dWeightGrad). gw: [kh·kw·c, k]. */
export function conv2dWeightGrad<T extends FloatArray>(backend: Backend<T>, gy: Tensor<T>, x: Tensor<T>, gw: Tensor<T>, g: Conv2dGeometry, alpha = 1): void {
  checkConvGeometry('conv2dWeightGrad', g);
  const { oh, ow } = conv2dOutputSize(g);
  checkOutputMap('conv2dWeightGrad', 'gy', gy, g.n, oh, ow, g.k, 'k');
  checkInputMap('conv2dWeightGrad', 'x', x, g);
  checkWeights('conv2dWeightGrad', 'gw', gw, g);
  checkFinite('conv2dWeightGrad', 'alpha', alpha);
  checkSeparate(backend, 'conv2dWeightGrad', 'gw', gw.data, { gy: gy.data, x: x.data });
  backend.conv2dWeightGrad(gy.data, x.data, gw.data, g, alpha);
}

function checkPool(backend: Backend<FloatArray>, op: string, x: [string, Tensor<FloatArray>], y: [string, Tensor<FloatArray>], g: Pool2dGeometry): void {
  checkPoolGeometry(op, g);
  const { oh, ow } = pool2dOutputSize(g);
  checkInputMap(op, x[0], x[1], g);
  checkOutputMap(op, y[0], y[1], g.n, oh, ow, g.c, 'c');
  const [out, input] = op.endsWith('Backward') ? [x, y] : [y, x];
  checkSeparate(backend, op, out[0], out[1].data, { [input[0]]: input[1].data });
}

/** out = window means of x (Backend.avgPool). x: [n, h·w·c], out: [n, oh·ow·c]. */
export function avgPool<T extends FloatArray>(backend: Backend<T>, x: Tensor<T>, out: Tensor<T>, g: Pool2dGeometry): void {
  checkPool(backend, 'avgPool', ['x', x], ['out', out], g);
  backend.avgPool(x.data, out.data, g);
}

/** gx = avgPool's transpose applied to gy (Backend.avgPoolBackward). */
export function avgPoolBackward<T extends FloatArray>(backend: Backend<T>, gy: Tensor<T>, gx: Tensor<T>, g: Pool2dGeometry): void {
  checkPool(backend, 'avgPoolBackward', ['gx', gx], ['gy', gy], g);
  backend.avgPoolBackward(gy.data, gx.data, g);
}

/** out = window maxima of x and argmax their flat indices into x (Backend.maxPool). */
export function maxPool<T extends FloatArray>(backend: Backend<T>, x: Tensor<T>, out: Tensor<T>, argmax: Int32Array, g: Pool2dGeometry): void {
  checkPool(backend, 'maxPool', ['x', x], ['out', out], g);
  checkArgmax('maxPool', argmax, 'out', out);
  checkSeparate(backend, 'maxPool', 'argmax', argmax, { x: x.data, out: out.data });
  // T is a host array here, so its IndexArray is Int32Array; TypeScript does not resolve the conditional for a generic T.
  backend.maxPool(x.data, out.data, argmax as IndexArray<T>, g);
}

/** gx = maxPool's transpose applied to gy, routed by the argmax of the forward pass (Backend.maxPoolBackward). */
export function maxPoolBackward<T extends FloatArray>(backend: Backend<T>, gy: Tensor<T>, argmax: Int32Array, gx: Tensor<T>, g: Pool2dGeometry): void {
  checkPool(backend, 'maxPoolBackward', ['gx', gx], ['gy', gy], g);
  checkArgmax('maxPoolBackward', argmax, 'gy', gy);
  checkSeparate(backend, 'maxPoolBackward', 'gx', gx.data, { argmax });
  // The kernels trust the indices; one outside gx would write outside it (into other arrays, in wasm).
  const size = gx.data.length;
  for (let o = 0; o < argmax.length; o++) {
    const e = argmax[o];
    check(
      e >= 0 && e < size,
      'shape',
      () => `maxPoolBackward: argmax[${o}] is ${e}, outside gx (${size} elements). Pass the argmax that maxPool wrote for this geometry.`,
    );
  }
  backend.maxPoolBackward(gy.data, argmax as IndexArray<T>, gx.data, g);
}

function checkArgmax(op: string, argmax: Int32Array, name: string, y: Tensor<FloatArray>): void {
  check(
    argmax instanceof Int32Array && argmax.length === y.data.length,
    'shape',
    () =>
      `${op}: argmax has ${argmax instanceof Int32Array ? `${argmax.length} elements` : `to be an Int32Array, got ${shown(argmax)},`} but ${name} has ${y.data.length}; it needs one per output.`,
  );
}
