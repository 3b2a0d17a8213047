/**
 * Hebbian learning (DESIGN §2): each weight moves by post-synaptic error ×
 * pre-synaptic activity, averaged over the batch (the gradient of E / rows):
 *   ∂E/∂W_l = −(1/rows)·eps_lᵀ·f_{l−1}(x_{l−1})     [n_l, n_{l−1}]
 *   ∂E/∂b_l = −(1/rows)·Σ_rows eps_l                 [1, n_l]
 * and, for learned feedback, the mirror rule (an increment, not a gradient:
 * B is not in E): −(1/rows)·f_{l−1}(x_{l−1})ᵀ·eps_l   [n_{l−1}, n_l].
 */
import type { FloatArray } from '../kernels/index.ts';
import type { Model } from './model.ts';
import type { Workspace } from './workspace.ts';

/** Fills ws.gradW[l], ws.gradB[l] (and ws.gradFeedback[l]) for l = 1…L from the current eps and f(x). */
export function computeWeightGrads<T extends FloatArray>(model: Model<T>, ws: Workspace<T>, rows: number): void {
  const { backend } = ws;
  const sizes = model.config.sizes;
  for (let l = 1; l < sizes.length; l++) {
    backend.matmul(ws.eps[l], ws.fx[l - 1], ws.gradW[l], sizes[l], rows, sizes[l - 1], { transA: true, alpha: -1 / rows });
    backend.columnSums(ws.eps[l], ws.gradB[l], rows, sizes[l]);
    backend.scale(-1 / rows, ws.gradB[l], sizes[l]);
    if (model.config.feedback === 'learned')
      backend.matmul(ws.fx[l - 1], ws.eps[l], ws.gradFeedback[l], sizes[l - 1], rows, sizes[l], { transA: true, alpha: -1 / rows });
  }
}
