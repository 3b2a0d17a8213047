/**
 * Hebbian learning (DESIGN §2): each weight moves by post-synaptic error ×
 * pre-synaptic activity, averaged over the batch (the gradient of E / rows):
 *   ∂E/∂W_l = −(1/rows)·eps_lᵀ·f_{l−1}(x_{l−1})     [n_l, n_{l−1}]
 *   ∂E/∂b_l = −(1/rows)·Σ_rows eps_l                 [1, n_l]
 */
import type { FloatArray } from '../kernels/index.ts';
import type { Model } from './model.ts';
import type { Workspace } from './workspace.ts';

/** Fills ws.gradW[l] and ws.gradB[l] for l = 1…L from the current eps and f(x). */
export function computeWeightGrads<T extends FloatArray>(model: Model<T>, ws: Workspace<T>, rows: number): void {
  const { backend } = ws;
  const sizes = model.config.sizes;
  for (let l = 1; l < sizes.length; l++) {
    backend.matmul(ws.eps[l], ws.fx[l - 1], ws.gradW[l], sizes[l], rows, sizes[l - 1], { transA: true, alpha: -1 / rows });
    backend.columnSums(ws.eps[l], ws.gradB[l], rows, sizes[l]);
    backend.scale(-1 / rows, ws.gradB[l], sizes[l]);
  }
}
