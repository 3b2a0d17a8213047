/**
 * Catching divergence where it starts. Relaxation is gradient descent on E
 * (docs/design.md §2), so a healthy relaxation lowers the energy, and a healthy
 * training run keeps the energy it starts each batch from bounded. Three
 * symptoms are counted per epoch, each pointing at its own knob:
 * - *unstable* relaxations (E ends above its start, or rises at every step;
 *   see UNSTABLE_RISE): the x step size or its momentum is too large;
 * - *unsettled* ones (the last step still changes E a lot; UNSETTLED_CHANGE):
 *   too few steps for where the values start;
 * - *grown* batches (E before relaxation, per example, above
 *   DIVERGENCE.growthWarning × its value on the first batch): the weights grow
 *   too fast — the weight learning rate (or the weight decay, when set).
 * Warnings go to a callback (the library never prints); persistent instability
 * and runaway growth stop training with PcError('divergence').
 */
import type { RelaxResult } from '../core/index.ts';
import { PcError } from '../errors.ts';
import type { OptimizerConfig } from './optim.ts';
import type { TrainConfig } from './step.ts';

/**
 * The thresholds, documented once. Measured on MNIST (784-128-128-128-10, T = 8):
 * with the weights fixed during relaxation a healthy run has no unstable
 * relaxation at all, and a diverging one (x step 1.5–3, or 1 without momentum)
 * has 86–100 % of them. When the weights learn inside the relaxation
 * (incremental, streaming) E_T and E_0 are energies under different weights
 * and a healthy run has a few: incremental PC with x step 0.1–0.6 (momentum
 * 0.5) shows 0–1.3 % per epoch late in training and reaches 97.3–98.1 %; x
 * step 0.8 has 50 % in epoch 1 and 0.2 % in epoch 2 and still reaches 97.1 %;
 * x step 2 has 100 % and ends near chance. Hence a longer window and a higher
 * bar there, and warnings only from 5 %.
 */
export const DIVERGENCE = Object.freeze({
  /** Weights fixed during relaxation: of the last `window` relaxations, `unstableToStop` unstable ones stop training. */
  window: 20,
  unstableToStop: 15,
  /** Weights learning inside the relaxation: the same over a longer window, and a warning only above `unstableToWarn` of an epoch. */
  learning: Object.freeze({ window: 100, unstableToStop: 90, unstableToWarn: 0.05 }),
  /** A warning once an epoch has at least this fraction of unsettled relaxations. */
  unsettledToWarn: 0.05,
  /** E_0 per example above this multiple of the first batch's counts as grown (warning). */
  growthWarning: 1e3,
  /** … and above this multiple stops training (trainStep's maxInitialEnergy). Measured: weight lr 0.1 (AdamW, MNIST MLP) reaches 1.5e6× in its first epoch and trains to 18 %. */
  growthStop: 1e6,
});

/** Per-epoch counts of the three symptoms. */
export interface RelaxationHealth {
  /** Relaxations (PC batches) this epoch. */
  readonly relaxations: number;
  readonly unstable: number;
  readonly unsettled: number;
  readonly grown: number;
}

/** Running state of the watch over one fit() call. Plain data; mutated by recordRelaxation. */
export interface DivergenceMonitor {
  /** Whether the weights learn inside the relaxations watched (DIVERGENCE.learning applies). */
  readonly learning: boolean;
  /** β of the model watched: above 1 it stiffens the layer under the output, so the advice names it. */
  readonly outputWeight: number;
  /** E_0 per example on the first batch seen (NaN until then). */
  baseline: number;
  /** The last window relaxations: 1 = unstable (a ring buffer). */
  readonly recent: Uint8Array;
  seen: number;
  relaxations: number;
  unstable: number;
  unsettled: number;
  grown: number;
}

/**
 * A fresh watch; `learning`: the weights learn inside the relaxations (incremental or streaming schedule);
 * `outputWeight`: the model's β (config.outputWeight), named in the advice when above 1.
 */
export function initDivergenceMonitor(learning: boolean, outputWeight = 1): DivergenceMonitor {
  const window = learning ? DIVERGENCE.learning.window : DIVERGENCE.window;
  return { learning, outputWeight, baseline: Number.NaN, recent: new Uint8Array(window), seen: 0, relaxations: 0, unstable: 0, unsettled: 0, grown: 0 };
}

/** The most energy per example a batch may start from (trainStep's maxInitialEnergy), or undefined before the first batch. */
export function energyCeiling(m: DivergenceMonitor): number | undefined {
  return Number.isFinite(m.baseline) && m.baseline > 0 ? DIVERGENCE.growthStop * m.baseline : undefined;
}

/**
 * Counts one relaxation of `rows` examples; throws PcError('divergence') when
 * DIVERGENCE.unstableToStop of the last DIVERGENCE.window were unstable
 * (DIVERGENCE.learning's numbers when the weights learn inside relaxation).
 * `where` names the batch in the message (built only then). Mutates `m`.
 */
export function recordRelaxation(m: DivergenceMonitor, r: RelaxResult, rows: number, config: TrainConfig, where: () => string): void {
  const e0 = r.initialEnergy / rows;
  if (!Number.isFinite(m.baseline) && Number.isFinite(e0) && e0 > 0) m.baseline = e0;
  m.relaxations++;
  if (r.unsettled) m.unsettled++;
  if (e0 > DIVERGENCE.growthWarning * m.baseline) m.grown++;
  if (r.unstable) m.unstable++;
  m.recent[m.seen++ % m.recent.length] = r.unstable ? 1 : 0;
  let recent = 0;
  for (const u of m.recent) recent += u;
  if (recent >= (m.learning ? DIVERGENCE.learning.unstableToStop : DIVERGENCE.unstableToStop)) {
    throw new PcError(
      'divergence',
      `${where()}: ${recent} of the last ${Math.min(m.seen, m.recent.length)} relaxations ended with more energy than they started with (this one: ${r.initialEnergy.toExponential(3)} → ${r.energy.toExponential(3)}): the x step is too large for these weights. ${xKnobs(config, m.outputWeight)}`,
    );
  }
}

/**
 * The epoch's counts and the warnings they call for, each starting with `label`
 * ('epoch 3', 'stream'; `optimizer`: the weight optimiser's configuration);
 * resets the per-epoch counts of `m`.
 */
export function closeEpoch(
  m: DivergenceMonitor,
  config: TrainConfig,
  label: string,
  optimizer: OptimizerConfig,
): { health: RelaxationHealth; warnings: string[] } {
  const health: RelaxationHealth = { relaxations: m.relaxations, unstable: m.unstable, unsettled: m.unsettled, grown: m.grown };
  const warnings: string[] = [];
  const of = (k: number) => `${k} of ${m.relaxations} relaxations (${((100 * k) / m.relaxations).toFixed(1)} %)`;
  if (m.unstable > 0 && m.unstable >= (m.learning ? DIVERGENCE.learning.unstableToWarn : 0) * m.relaxations)
    warnings.push(
      `${label}: ${of(m.unstable)} ended with more energy than they started with, or rose at every step: the x step is too large. ${xKnobs(config, m.outputWeight)}`,
    );
  if (m.unsettled > 0 && m.unsettled >= DIVERGENCE.unsettledToWarn * m.relaxations)
    warnings.push(
      `${label}: ${of(m.unsettled)} still changed the energy by more than 25 % at their last step, far from equilibrium: use more steps (relax.steps, pcn --steps; now ${config.relax.steps})${config.init === 'forward' ? '' : `, or init 'forward' (now '${config.init}')`}.`,
    );
  if (m.grown > 0)
    warnings.push(
      `${label}: in ${m.grown} batches the energy before relaxation was over ${DIVERGENCE.growthWarning}× the first batch's: the weights grow too fast. ${weightKnobs(optimizer)}`,
    );
  m.relaxations = 0;
  m.unstable = 0;
  m.unsettled = 0;
  m.grown = 0;
  return { health, warnings };
}

/**
 * What to lower when the weights blow up: the learning rate, and the weight
 * decay too when it is set — a decay with lr·wd > 2 makes p ← (1 − lr·wd)·p
 * grow by itself (SGD, AdamW), however small the learning rate.
 */
export function weightKnobs(optimizer: OptimizerConfig): string {
  const lr = `Lower the weight learning rate (optimizer lr, pcn --lr-w; now ${optimizer.lr})`;
  return optimizer.weightDecay > 0 ? `${lr} or the weight decay (optimizer weightDecay, pcn --weight-decay; now ${optimizer.weightDecay}).` : `${lr}.`;
}

function xKnobs(config: TrainConfig, outputWeight: number): string {
  const beta =
    outputWeight > 1 ? `, or the output weight (config.outputWeight, pcn --output-weight; now ${outputWeight}), which stiffens the layer under the output` : '';
  return `Lower the relaxation step size (relax.lr, pcn --lr-x; now ${config.relax.lr}) or its momentum (relax.momentum, pcn --momentum-x; now ${config.relax.momentum})${beta}.`;
}
