/**
 * The conv2d-transpose kind (docs/design.md §4), NHWC, for generative decoders:
 * mu_l = convᵀ(f(x_{l−1}); W_l) + b_l, the exact adjoint of the conv2d that
 * maps layer l back onto layer l−1 with the same kernel, stride and padding
 * (PyTorch's ConvTranspose2d without output_padding). For x_{l−1} [h, w, c] and
 * `channels` k, layer l is [(h − 1)·s − 2p + kh, (w − 1)·s − 2p + kw, k].
 *
 * Call that conv2d G: its input is layer l ([oh, ow, k]) and its output is
 * layer l−1 ([h, w, c]). W_l is stored in G's own layout, [kh, kw, k, c] seen
 * as the matrix [kh·kw·k, c] (W[i, j, out channel, in channel] of the
 * transpose), so each product is one plain call of an existing kernel on G:
 *   prediction:       conv2dInputGrad(f(x_{l−1}), W)            [rows, oh, ow, k]
 *   message:          conv2d(eps_l, W)                           [rows, h, w, c]
 *   weight gradient:  conv2dWeightGrad(f(x_{l−1}), eps_l), alpha  [kh·kw·k, c]
 * (the weight gradient is G's with the roles swapped: eps_l sits where G's
 * input goes and f(x_{l−1}) where G's output gradient goes). One bias per
 * output channel, added at every position. B (feedback) has W's layout.
 */

import { check, shown } from '../errors.ts';
import type { Conv2dGeometry } from '../kernels/index.ts';
import type { Conv2dTransposeSpec, LayerKind, LayerSpec, Shape } from './layer-kind.ts';

function transpose(spec: LayerSpec): Conv2dTransposeSpec {
  return spec as Conv2dTransposeSpec;
}

function kernelOf(spec: Conv2dTransposeSpec): readonly [number, number] {
  return typeof spec.kernel === 'number' ? [spec.kernel, spec.kernel] : spec.kernel;
}

/**
 * G, the conv2d whose input is layer l (`output`) and whose output is layer l−1
 * (`input`), for `rows` examples: ⌊(oh + 2p − kh)/s⌋ + 1 = h exactly, since
 * oh + 2p − kh = (h − 1)·s.
 */
function adjointGeometry(spec: Conv2dTransposeSpec, input: Shape, output: Shape, rows: number): Conv2dGeometry {
  const [kh, kw] = kernelOf(spec);
  return { n: rows, h: output[0], w: output[1], c: output[2], k: input[2], kh, kw, stride: spec.stride ?? 1, pad: spec.padding ?? 0 };
}

const positive = (v: unknown): boolean => Number.isInteger(v) && (v as number) >= 1;

// The same bound deriveShapes puts on the input's height and width; it also keeps (h − 1)·s an exact integer.
const MAX_SIDE = 1 << 20;

/** The LayerKind of Conv2dTransposeSpec (see the file comment for the layout and the three products). */
export const conv2dTranspose: LayerKind = {
  fields: ['channels', 'kernel', 'stride', 'padding'],
  outputShape(spec, input) {
    const s = transpose(spec);
    check(
      typeof s.kernel === 'number' || (Array.isArray(s.kernel) && s.kernel.length === 2),
      'config',
      () => `conv2d-transpose: kernel must be one integer (square) or [height, width], got ${shown(s.kernel)}.`,
    );
    const [kh, kw] = typeof s.kernel === 'number' ? [s.kernel, s.kernel] : s.kernel;
    const stride = s.stride ?? 1;
    const pad = s.padding ?? 0;
    check(
      positive(s.channels) && positive(kh) && positive(kw) && positive(stride) && Number.isInteger(pad) && pad >= 0,
      'config',
      () =>
        `conv2d-transpose: channels, kernel and stride must be integers ≥ 1 and padding an integer ≥ 0, got ${shown({ channels: s.channels, kernel: s.kernel, stride: s.stride, padding: s.padding })}.`,
    );
    // Padding crops p rows and columns from each side of the full output; with p ≥ the kernel, the
    // border units of x_{l−1} would be cropped out entirely and predict nothing.
    check(
      pad < kh && pad < kw,
      'config',
      () =>
        `conv2d-transpose: padding ${pad} crops every output of a ${kh}×${kw} kernel at the border (the border units of the layer below would predict nothing). Use padding ≤ ${Math.min(kh, kw) - 1}, or a larger kernel.`,
    );
    const oh = (input[0] - 1) * stride - 2 * pad + kh;
    const ow = (input[1] - 1) * stride - 2 * pad + kw;
    check(
      oh >= 1 && ow >= 1,
      'config',
      () =>
        `conv2d-transpose: the ${input[0]}×${input[1]} input gives a ${oh}×${ow} output ((h − 1)·stride − 2·padding + kernel, with stride ${stride}, padding ${pad}, kernel ${kh}×${kw}); it must be at least 1×1. Use less padding, a larger kernel or a larger stride.`,
    );
    check(
      oh <= MAX_SIDE && ow <= MAX_SIDE,
      'config',
      () =>
        `conv2d-transpose: the ${input[0]}×${input[1]} input gives a ${oh}×${ow} output, over the ${MAX_SIDE} limit on a side. Use a smaller stride or kernel.`,
    );
    return [oh, ow, s.channels];
  },
  parameterShapes(spec, input) {
    const s = transpose(spec);
    const [kh, kw] = kernelOf(s);
    const weights = [kh * kw * s.channels, input[2]] as const;
    return { weights, bias: s.channels, feedback: weights };
  },
  // An output unit sums at most ⌈kh/s⌉·⌈kw/s⌉ taps per input channel (only the taps that land on
  // it). PyTorch's ConvTranspose2d init takes out_channels·kh·kw instead (its weight's second
  // axis), which is not a count of the inputs to one output once s > 1 or the channels differ.
  fanIn(spec, input) {
    const s = transpose(spec);
    const [kh, kw] = kernelOf(s);
    const stride = s.stride ?? 1;
    return input[2] * Math.ceil(kh / stride) * Math.ceil(kw / stride);
  },
  scratchSize: () => ({ values: 0, indices: 0 }),
  predict(backend, spec, input, output, weights, fxPrev, mu, rows) {
    backend.conv2dInputGrad(fxPrev, weights, mu, adjointGeometry(transpose(spec), input, output, rows));
  },
  message(backend, spec, input, output, weights, feedback, eps, out, rows) {
    backend.conv2d(eps, feedback ?? weights, out, adjointGeometry(transpose(spec), input, output, rows));
  },
  weightGradient(backend, spec, input, output, eps, fxPrev, gradW, rows, alpha) {
    backend.conv2dWeightGrad(fxPrev, eps, gradW, adjointGeometry(transpose(spec), input, output, rows), alpha);
  },
  // B has W's layout, so its increment is the same product (the mirror of W's rule).
  feedbackGradient(backend, spec, input, output, eps, fxPrev, gradB, rows, alpha) {
    backend.conv2dWeightGrad(fxPrev, eps, gradB, adjointGeometry(transpose(spec), input, output, rows), alpha);
  },
  feedbackTransposed: false,
  flops(spec, input, output, rows) {
    const [kh, kw] = kernelOf(transpose(spec));
    // Every (input position, kernel tap) pair is one multiply-add per (in, out) channel pair, cropped ones included.
    const f = 2 * rows * input[0] * input[1] * input[2] * kh * kw * output[2];
    return { predict: f, message: f, weightGradient: f };
  },
};
