/**
 * Measuring feedback weights (docs/design.md §2): the angle between B_l and the W_l
 * it stands in for (Wᵀ for a dense layer), arccos(⟨B_l, W_l⟩_F / (‖B_l‖·‖W_l‖)),
 * in degrees — 0 means B carries the exact gradient (weight transport), 90
 * means no alignment. (A host loop: it runs once per epoch, for logs.)
 */
import { check } from '../errors.ts';
import type { FloatArray } from '../kernels/index.ts';
import { kindOf } from './kinds.ts';
import type { Model } from './model.ts';

/**
 * The angle between B_l and W_lᵀ for l = 1…L (index l − 1); empty for symmetric feedback.
 * Host arrays only: PcError('config') for a model in device memory (read it back with hostCopy first).
 */
export function feedbackAngles<T extends FloatArray>(model: Model<T>): number[] {
  return model.layers.flatMap((layer, i) => {
    if (!layer.feedback) return [];
    // The type keeps device models out in TypeScript; this keeps them out of plain JavaScript too.
    check(
      ArrayBuffer.isView(layer.weights.data) && ArrayBuffer.isView(layer.feedback.data),
      'config',
      () => 'feedbackAngles: the model’s weights live in device memory (a GPU backend); read them back with hostCopy first.',
    );
    const W = layer.weights.data;
    const B = layer.feedback.data;
    // A dense B is stored as Wᵀ ([n_{l−1}, n_l] against W's [n_l, n_{l−1}]); other kinds store B in W's own layout.
    const transposed = kindOf(model.config.layers[i]).feedbackTransposed;
    const [rows, cols] = layer.weights.shape;
    let dot = 0;
    let ww = 0;
    let bb = 0;
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const w = W[r * cols + c];
        const b = transposed ? B[c * rows + r] : B[r * cols + c];
        dot += w * b;
        ww += w * w;
        bb += b * b;
      }
    }
    const cos = ww > 0 && bb > 0 ? dot / Math.sqrt(ww * bb) : 0;
    return [(Math.acos(Math.max(-1, Math.min(1, cos))) * 180) / Math.PI];
  });
}
