/**
 * The conv2d kind (docs/design.md §4), NHWC: mu_l = pool(conv(f(x_{l−1}); W_l)) + b_l,
 * W_l stored [kh·kw·c, k] (the [kh, kw, c, k] kernel as a matrix), one bias per
 * output channel added at every position. Pooling, when the spec has one, is
 * part of the block's prediction, so the value neurons of layer l are the
 * pooled maps — PCX's VGG blocks do the same (conv → activation → max-pool
 * inside one layer; with a monotone activation f(maxpool(z)) = maxpool(f(z)),
 * so the two orders agree for max pooling).
 *   message:          convᵀ(poolᵀ(eps_l); W)              [rows, h, w, c]
 *   weight gradient:  alpha·(f(x_{l−1}) ⋆ poolᵀ(eps_l))    [kh·kw·c, k]
 * where poolᵀ spreads an average-pooled error evenly over its window, or routes
 * a max-pooled one to the argmax recorded by the last prediction (the Jacobian
 * of the state last predicted). B (feedback) has W's layout.
 */

import { check, shown } from '../errors.ts';
import type { Backend, BackendArray, Conv2dGeometry, Pool2dGeometry } from '../kernels/index.ts';
import { conv2dOutputSize, pool2dOutputSize } from '../kernels/index.ts';
import type { Conv2dSpec, KindScratch, LayerKind, LayerSpec, Shape } from './layer-kind.ts';

function conv(spec: LayerSpec): Conv2dSpec {
  return spec as Conv2dSpec;
}

function kernelOf(spec: Conv2dSpec): readonly [number, number] {
  return typeof spec.kernel === 'number' ? [spec.kernel, spec.kernel] : spec.kernel;
}

/** The convolution's geometry for `rows` examples of `input`. */
function convGeometry(spec: Conv2dSpec, input: Shape, rows: number): Conv2dGeometry {
  const [kh, kw] = kernelOf(spec);
  return { n: rows, h: input[0], w: input[1], c: input[2], k: spec.channels, kh, kw, stride: spec.stride ?? 1, pad: spec.padding ?? 0 };
}

/** The pooling's geometry over the convolution's output, or undefined without pooling. */
function poolGeometry(spec: Conv2dSpec, input: Shape, rows: number): Pool2dGeometry | undefined {
  if (!spec.pool) return undefined;
  const { oh, ow } = conv2dOutputSize(convGeometry(spec, input, 1));
  return { n: rows, h: oh, w: ow, c: spec.channels, window: spec.pool.size, stride: spec.pool.stride };
}

const positive = (v: unknown): boolean => Number.isInteger(v) && (v as number) >= 1;

export const conv2d: LayerKind = {
  fields: ['channels', 'kernel', 'stride', 'padding', 'pool'],
  outputShape(spec, input) {
    const s = conv(spec);
    check(
      typeof s.kernel === 'number' || (Array.isArray(s.kernel) && s.kernel.length === 2),
      'config',
      () => `conv2d: kernel must be one integer (square) or [height, width], got ${shown(s.kernel)}.`,
    );
    const [kh, kw] = typeof s.kernel === 'number' ? [s.kernel, s.kernel] : s.kernel;
    check(
      positive(s.channels) && positive(kh) && positive(kw) && positive(s.stride ?? 1) && Number.isInteger(s.padding ?? 0) && (s.padding ?? 0) >= 0,
      'config',
      () =>
        `conv2d: channels, kernel and stride must be integers ≥ 1 and padding an integer ≥ 0, got ${shown({ channels: s.channels, kernel: s.kernel, stride: s.stride, padding: s.padding })}.`,
    );
    const pad = s.padding ?? 0;
    check(
      kh <= input[0] + 2 * pad && kw <= input[1] + 2 * pad,
      'config',
      () => `conv2d: a ${kh}×${kw} kernel does not fit the ${input[0]}×${input[1]} input with padding ${pad}. Use a smaller kernel or more padding.`,
    );
    const { oh, ow } = conv2dOutputSize(convGeometry(s, input, 1));
    if (!s.pool) return [oh, ow, s.channels];
    const extra = typeof s.pool === 'object' ? Object.keys(s.pool).filter((k) => !['kind', 'size', 'stride'].includes(k)) : [];
    check(extra.length === 0, 'config', () => `conv2d: pool has unknown field ${extra.map((k) => shown(k)).join(', ')}; a pool takes kind, size and stride.`);
    check(
      (s.pool.kind === 'max' || s.pool.kind === 'avg') && positive(s.pool.size) && positive(s.pool.stride ?? s.pool.size) && s.pool.size <= Math.min(oh, ow),
      'config',
      () =>
        `conv2d: pool must be { kind: 'max' | 'avg', size, stride? } with size and stride integers ≥ 1 and size ≤ the ${oh}×${ow} convolution output, got ${shown(s.pool)}.`,
    );
    const p = pool2dOutputSize({ n: 1, h: oh, w: ow, c: s.channels, window: s.pool.size, stride: s.pool.stride });
    return [p.oh, p.ow, s.channels];
  },
  parameterShapes(spec, input) {
    const s = conv(spec);
    const [kh, kw] = kernelOf(s);
    const weights = [kh * kw * input[2], s.channels] as const;
    return { weights, bias: s.channels, feedback: weights };
  },
  fanIn(spec, input) {
    const [kh, kw] = kernelOf(conv(spec));
    return kh * kw * input[2];
  },
  scratchSize(spec, input, output, rows) {
    const s = conv(spec);
    if (!s.pool) return { values: 0, indices: 0 };
    const { oh, ow } = conv2dOutputSize(convGeometry(s, input, 1));
    return { values: rows * oh * ow * s.channels, indices: s.pool.kind === 'max' ? rows * output[0] * output[1] * output[2] : 0 };
  },
  predict(backend, spec, input, _output, weights, fxPrev, mu, rows, scratch) {
    const s = conv(spec);
    const g = convGeometry(s, input, rows);
    const p = poolGeometry(s, input, rows);
    if (!p) return backend.conv2d(fxPrev, weights, mu, g);
    backend.conv2d(fxPrev, weights, scratch.values, g);
    if (s.pool?.kind === 'max') backend.maxPool(scratch.values, mu, scratch.indices, p);
    else backend.avgPool(scratch.values, mu, p);
  },
  message(backend, spec, input, _output, weights, feedback, eps, out, rows, scratch) {
    const s = conv(spec);
    backend.conv2dInputGrad(unpooled(backend, s, input, eps, rows, scratch), feedback ?? weights, out, convGeometry(s, input, rows));
  },
  weightGradient(backend, spec, input, _output, eps, fxPrev, gradW, rows, alpha, scratch) {
    const s = conv(spec);
    backend.conv2dWeightGrad(unpooled(backend, s, input, eps, rows, scratch), fxPrev, gradW, convGeometry(s, input, rows), alpha);
  },
  feedbackGradient(backend, spec, input, _output, eps, fxPrev, gradB, rows, alpha, scratch) {
    const s = conv(spec);
    backend.conv2dWeightGrad(unpooled(backend, s, input, eps, rows, scratch), fxPrev, gradB, convGeometry(s, input, rows), alpha);
  },
  feedbackTransposed: false,
  flops(spec, input, _output, rows) {
    const g = convGeometry(conv(spec), input, rows);
    const { oh, ow } = conv2dOutputSize(g);
    const f = 2 * rows * oh * ow * g.k * g.kh * g.kw * g.c;
    return { predict: f, message: f, weightGradient: f };
  },
};

/** eps_l taken back through the pooling (into the scratch), or eps_l itself without pooling. */
function unpooled<T extends BackendArray>(backend: Backend<T>, spec: Conv2dSpec, input: Shape, eps: T, rows: number, scratch: KindScratch<T>): T {
  const p = poolGeometry(spec, input, rows);
  if (!p) return eps;
  if (spec.pool?.kind === 'max') backend.maxPoolBackward(eps, scratch.indices, scratch.values, p);
  else backend.avgPoolBackward(eps, scratch.values, p);
  return scratch.values;
}
