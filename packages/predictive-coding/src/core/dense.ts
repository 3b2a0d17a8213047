/**
 * The dense kind (docs/design.md §2): mu_l = f(x_{l−1})·W_lᵀ + b_l with W_l stored
 * [n_l, n_{l−1}], and B_l (feedback weights) stored [n_{l−1}, n_l] like W_lᵀ.
 *   message:          eps_l·W_l            (or eps_l·B_lᵀ)         [rows, n_{l−1}]
 *   weight gradient:  alpha·eps_lᵀ·f(x_{l−1})                       [n_l, n_{l−1}]
 *   mirror (B):       alpha·f(x_{l−1})ᵀ·eps_l                       [n_{l−1}, n_l]
 */
import { check, shown } from '../errors.ts';
import type { DenseSpec, LayerKind } from './layer-kind.ts';
import { sizeOf } from './layer-kind.ts';

export const dense: LayerKind = {
  fields: ['units'],
  outputShape(spec, _input, units) {
    const given = (spec as DenseSpec).units;
    const n = given ?? units;
    check(
      Number.isInteger(n) && (n as number) >= 1 && (n as number) <= 1 << 20 && (given === undefined || units === undefined || given === units),
      'config',
      () =>
        given !== undefined && units !== undefined && given !== units
          ? `dense: units is ${shown(given)} but sizes gives ${units}; give one of them, or the same number.`
          : `dense: units must be an integer in 1..1048576, got ${shown(n)}.`,
    );
    return [1, 1, n as number];
  },
  parameterShapes: (_spec, input, output) => ({ weights: [sizeOf(output), sizeOf(input)], bias: output[2], feedback: [sizeOf(input), sizeOf(output)] }),
  fanIn: (_spec, input) => sizeOf(input),
  scratchSize: () => ({ values: 0, indices: 0 }),
  predict(backend, _spec, input, output, weights, fxPrev, mu, rows) {
    backend.matmul(fxPrev, weights, mu, rows, sizeOf(input), sizeOf(output), { transB: true });
  },
  message(backend, _spec, input, output, weights, feedback, eps, out, rows) {
    if (feedback) backend.matmul(eps, feedback, out, rows, sizeOf(output), sizeOf(input), { transB: true });
    else backend.matmul(eps, weights, out, rows, sizeOf(output), sizeOf(input));
  },
  weightGradient(backend, _spec, input, output, eps, fxPrev, gradW, rows, alpha) {
    backend.matmul(eps, fxPrev, gradW, sizeOf(output), rows, sizeOf(input), { transA: true, alpha });
  },
  feedbackGradient(backend, _spec, input, output, eps, fxPrev, gradB, rows, alpha) {
    backend.matmul(fxPrev, eps, gradB, sizeOf(input), rows, sizeOf(output), { transA: true, alpha });
  },
  feedbackTransposed: true,
  flops: (_spec, input, output, rows) => {
    const f = 2 * rows * sizeOf(input) * sizeOf(output);
    return { predict: f, message: f, weightGradient: f };
  },
};
