/**
 * How a relaxation went: the thresholds at which it counts as diverged (an
 * error), unstable or unsettled (symptoms train/ counts per epoch), and the
 * check that throws PcError('divergence') naming the step, the layer and the knob.
 */
import { PcError } from '../errors.ts';
import type { BackendArray } from '../kernels/index.ts';
import type { Workspace } from './workspace.ts';

/** Energy larger than this many times the starting energy (and 1) counts as divergence. */
const EXPLOSION = 1e8;

/**
 * A relaxation is *unstable* when its energy ends more than this fraction above
 * where it started, or rose at every one of ≥ 2 steps. Gradient descent on E
 * with a small enough step lowers E; measured on MNIST (784-128-128-128-10,
 * forward init, T = 8, 2 epochs): at the default x step 0.05 (momentum 0.9) and
 * at 0.2 and 0.5 the ratio E_T/E_0 stays below 0.9 in every batch; at x step
 * 1.5, 2 or 3 (or 1 without momentum) it exceeds 1 in 86–100 % of the batches.
 */
export const UNSTABLE_RISE = 1e-3;

/**
 * With feedback weights B ≠ Wᵀ the x dynamics are not descent on E, so E may
 * rise a little in a healthy relaxation: such a relaxation counts as unstable
 * only when E ends above this multiple of its start. Measured as above: learned
 * and random feedback at x step 0.05 end at most 1.22× their start (a few rise
 * at every step); random feedback at x step 2 ends 29–373× above it.
 */
export const UNSTABLE_RISE_FEEDBACK = 2;

/**
 * A relaxation is *unsettled* when its last step still changed E by more than
 * this fraction of E_T: it stopped far from equilibrium (too few steps for its
 * start). Measured as above: forward init, T = 8: |ΔE_T|/E_T ≤ 0.13 (incremental
 * and x step 0.5 included); zero init with T = 8: 0.38–0.56 in most batches
 * (training then stays near chance); zero or random init with T = 100: ≤ 0.17.
 */
export const UNSETTLED_CHANGE = 0.25;

/** Throws PcError('divergence') when `energy` (after `step` steps) is non-finite or exploded from `initial`; blames the start state at step 0, the x step after. */
export function checkEnergy<T extends BackendArray>(ws: Workspace<T>, energy: number, step: number, initial: number): void {
  if (Number.isFinite(energy) && energy <= EXPLOSION * Math.max(1, initial)) return;
  let worst = 1;
  for (let l = 1; l < ws.energies.length; l++) {
    const e = ws.energies[l];
    if (!Number.isFinite(e) || e > ws.energies[worst] || !Number.isFinite(ws.energies[worst])) {
      worst = l;
      if (!Number.isFinite(e)) break;
    }
  }
  if (step === 0) {
    // Nothing has relaxed yet: the state it starts from is already broken, so the x step is not to blame.
    throw new PcError(
      'divergence',
      `relax: the energy is ${energy} before the first relaxation step (layer ${worst} holds ${ws.energies[worst]}): the inputs or the weights hold NaN/Inf. Check the data for NaN/Inf; if this happens during training, the weights blew up: lower the weight learning rate or the weight decay (optimizer lr, weightDecay; pcn --lr-w, --weight-decay).`,
    );
  }
  const what = Number.isFinite(energy) ? `exploded to ${energy.toExponential(3)} (from ${initial.toExponential(3)})` : `became ${energy}`;
  throw new PcError(
    'divergence',
    `relax: the energy ${what} at step ${step}; layer ${worst} holds ${ws.energies[worst]}. The x step is too large for these weights: lower the relaxation step size (relax.lr, pcn --lr-x) or its momentum (relax.momentum, pcn --momentum-x).`,
  );
}
