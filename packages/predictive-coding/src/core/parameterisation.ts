/**
 * Residual predictions and the branch scale s_l (docs/design.md §4, μPC). Legend: K_l is
 * the fan-in of layer l's kind (n_{l−1} for a dense layer), L the number of
 * predicted layers; every layer's prediction is
 *   mu_l = [x_{l−1}] + s_l·(g_l(f_{l−1}(x_{l−1}); W_l) + b_l)
 * where [x_{l−1}] is an identity skip on the raw x_{l−1}, present when the
 * layer's spec says `residual: true` (then layers l−1 and l have one shape).
 * The scale multiplies the whole branch, its bias included, as Depth-μP scales
 * a residual branch; with s_l = 1 (the standard parameterisation) this is
 * docs/design.md §2's prediction, plus the skip. The energy keeps its form, so:
 *   ∂E/∂x_{l−1} ∋ −s_l·f'(x_{l−1}) ⊙ Jᵀeps_l − eps_l   (the skip term has no f')
 *   ∂E/∂W_l = −s_l·J_Wᵀeps_l,   ∂E/∂b_l = −s_l·Σ eps_l.
 */
import { checkChoice } from '../errors.ts';
import { kindOf } from './kinds.ts';
import { isResidual, type LayerSpec, type Shape } from './layer-kind.ts';

/**
 * How the branch scales s_l are set (PcnConfig.scales derives from it):
 * - `'standard'`: s_l = 1 for every layer, weights drawn by the usual
 *   fan-in rule (initModel's 'uniform');
 * - `'mupc'`: μPC (Innocenti et al., NeurIPS 2025), the Depth-μP
 *   parameterisation of residual PC networks as JPC implements it, with
 *   W ~ N(0, 1) and b = 0 at initialisation (initModel's 'normal'):
 *     s_L = 1/K_L                  (the readout, μP's 1/N)
 *     s_l = 1/√(K_l·L)             (a residual layer l < L: the branch shrinks with width and depth)
 *     s_l = 1/√K_l                 (any other layer l < L: the input layer's 1/√D)
 *   JPC's architecture is: layer 1 the input projection, layers 2…L−1
 *   residual, layer L the readout — `pcn experiment depth` builds it.
 */
export type Parameterisation = 'standard' | 'mupc';

/** Every Parameterisation: 'standard' (all branch scales 1) and 'mupc' (μPC, Innocenti et al. 2025). */
export const PARAMETERISATIONS: readonly Parameterisation[] = ['standard', 'mupc'];

/**
 * s_1 … s_L (index l − 1, like PcnConfig.layers) for validated layer specs and
 * shapes (deriveShapes); see Parameterisation. Throws PcError('config') for an
 * unknown parameterisation, naming `where`.
 */
export function deriveScales(parameterisation: Parameterisation, layers: readonly LayerSpec[], shapes: readonly Shape[], where: string): number[] {
  checkChoice(parameterisation, PARAMETERISATIONS, where);
  const L = layers.length;
  return layers.map((spec, i) => {
    if (parameterisation === 'standard') return 1;
    const fanIn = kindOf(spec).fanIn(spec, shapes[i], shapes[i + 1]);
    if (i === L - 1) return 1 / fanIn;
    return isResidual(spec) ? 1 / Math.sqrt(fanIn * L) : 1 / Math.sqrt(fanIn);
  });
}
