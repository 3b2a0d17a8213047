/**
 * Hebbian learning (docs/design.md §2): each weight moves by post-synaptic error ×
 * pre-synaptic activity, averaged over the batch (the gradient of E / rows):
 *   ∂E/∂W_l = −(1/rows)·eps_lᵀ·f_{l−1}(x_{l−1})     [n_l, n_{l−1}]
 *   ∂E/∂b_l = −(1/rows)·Σ_rows eps_l                 [1, n_l]
 * and, for learned feedback, the mirror rule (an increment, not a gradient:
 * B is not in E): −(1/rows)·f_{l−1}(x_{l−1})ᵀ·eps_l   [n_{l−1}, n_l].
 * Each carries layer l's branch scale s_l (parameterisation.ts): the branch
 * s_l·(g_l + b_l) holds W_l and b_l, so their gradients gain the factor s_l;
 * a residual skip has no parameters and changes neither rule.
 */
import { check, checkObject, shown } from '../errors.ts';
import type { BackendArray } from '../kernels/index.ts';
import { kindOf } from './kinds.ts';
import { positionsOf } from './layer-kind.ts';
import type { Model } from './model.ts';
import type { Workspace } from './workspace.ts';

/** Options of computeWeightGrads. */
export interface LearnOptions {
  /**
   * Stillness-modulated plasticity, for learning while x still moves (the
   * streaming schedule): each post-synaptic neuron's error is scaled by
   * 1 / (1 + (v/θ)²), v its relaxation velocity (ws.v, ∂E/∂x without momentum),
   * so a synapse learns little while its neuron is in a transient and fully
   * once it has settled — a local, continuous modulation, not a phase switch.
   * θ in the units of v; undefined: plain Hebbian rule. Applies to layers
   * 1…L−1 (the last layer is the clamped target wherever this is used).
   */
  readonly stillness?: number;
  /** Which predicted layers l (1…L) to compute; default all. (A layer group on its own thread learns only its own.) */
  readonly layers?: readonly number[];
}

/** Fills ws.gradW[l], ws.gradB[l] (and ws.gradFeedback[l]) for l = 1…L (or options.layers) from the current eps and f(x). */
export function computeWeightGrads<T extends BackendArray>(model: Model<T>, ws: Workspace<T>, rows: number, options: LearnOptions = {}): void {
  checkObject(options, 'computeWeightGrads: options', 'an object { stillness?, layers? } or left out');
  const theta = options.stillness;
  check(
    theta === undefined || (theta > 0 && theta < Number.POSITIVE_INFINITY),
    'config',
    () => `computeWeightGrads: options.stillness θ must be a finite number > 0, or left out (the plain rule); got ${shown(theta)}.`,
  );
  const { backend } = ws;
  const { sizes, layers, shapes, scales } = model.config;
  const L = sizes.length - 1;
  const chosen = options.layers ?? Array.from({ length: L }, (_, k) => k + 1);
  check(
    chosen.every((l) => Number.isInteger(l) && l >= 1 && l <= L),
    'config',
    () => `computeWeightGrads: options.layers must list predicted layers 1…${L}, got ${shown(options.layers)}.`,
  );
  for (const l of chosen) {
    const alpha = -scales[l - 1] / rows;
    const eps = options.stillness !== undefined && l < L ? stillErrors(ws, rows * sizes[l], l, options.stillness) : ws.eps[l];
    const spec = layers[l - 1];
    const kind = kindOf(spec);
    kind.weightGradient(backend, spec, shapes[l - 1], shapes[l], eps, ws.fx[l - 1], ws.gradW[l], rows, alpha, ws.scratch[l]);
    // The bias gradient sums the errors over the batch and every position of the layer.
    const channels = shapes[l][2];
    backend.columnSums(eps, ws.gradB[l], rows * positionsOf(shapes[l]), channels);
    backend.scale(alpha, ws.gradB[l], channels);
    // The mirror of W's rule from the same (possibly scaled) errors, so B keeps tracking W.
    if (model.config.feedback === 'learned')
      kind.feedbackGradient(backend, spec, shapes[l - 1], shapes[l], eps, ws.fx[l - 1], ws.gradFeedback[l], rows, alpha, ws.scratch[l]);
  }
}

// eps_l ⊙ 1/(1 + (v_l/θ)²) into ws.scaledEps[l] (not ws.g: learning simultaneous with x runs between g's computation and its use).
function stillErrors<T extends BackendArray>(ws: Workspace<T>, n: number, l: number, theta: number): T {
  ws.backend.stillness(ws.eps[l], ws.v[l], ws.scaledEps[l], theta, n);
  return ws.scaledEps[l];
}
