/**
 * Measuring feedback weights (DESIGN §2): the angle between B_l and W_lᵀ,
 * arccos(⟨B_l, W_lᵀ⟩_F / (‖B_l‖·‖W_l‖)), in degrees — 0 means B carries the
 * exact gradient (weight transport), 90 means no alignment.
 */
import type { FloatArray } from '../kernels/index.ts';
import type { Model } from './model.ts';

/** The angle between B_l and W_lᵀ for l = 1…L (index l − 1); empty for symmetric feedback. */
export function feedbackAngles<T extends FloatArray>(model: Model<T>): number[] {
  const sizes = model.config.sizes;
  return model.layers.flatMap((layer, i) => {
    if (!layer.feedback) return [];
    const W = layer.weights.data; // [n_l, n_{l−1}]
    const B = layer.feedback.data; // [n_{l−1}, n_l]
    const nOut = sizes[i + 1];
    const nIn = sizes[i];
    let dot = 0;
    let ww = 0;
    let bb = 0;
    for (let r = 0; r < nOut; r++) {
      for (let c = 0; c < nIn; c++) {
        const w = W[r * nIn + c];
        const b = B[c * nOut + r];
        dot += w * b;
        ww += w * w;
        bb += b * b;
      }
    }
    const cos = ww > 0 && bb > 0 ? dot / Math.sqrt(ww * bb) : 0;
    return [(Math.acos(Math.max(-1, Math.min(1, cos))) * 180) / Math.PI];
  });
}
