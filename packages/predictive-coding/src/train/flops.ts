/**
 * FLOP counts of a training epoch, for throughput figures (GFLOP/s). Only
 * matrix products are counted (2·m·k·n each), as docs/design.md §3 does; the
 * elementwise passes add a few percent of memory traffic, not arithmetic.
 */
import { type KindFlops, kindOf, type PcnConfig } from '../core/index.ts';

/**
 * Matmul FLOPs of one PC training step on `rows` examples with the layers in
 * `clamped` held, T relaxation steps and forward initialisation, as trainStep
 * computes them: every prediction once at initialisation; per step, the
 * bottom-up term of each free layer below L and the predictions of layers
 * whose input moved; then every weight gradient.
 */
export function pcStepFlops(config: PcnConfig, clamped: readonly boolean[], steps: number, rows: number): number {
  const L = config.sizes.length - 1;
  let init = 0;
  let perStep = 0;
  let grads = 0;
  for (let l = 1; l <= L; l++) {
    const f = layerFlops(config, l, rows);
    init += f.predict;
    grads += f.weightGradient;
    if (!clamped[l - 1]) perStep += f.predict + f.message; // prediction of l from a free l − 1, and its message back into l − 1
  }
  return init + steps * perStep + grads;
}

function layerFlops(config: PcnConfig, l: number, rows: number): KindFlops {
  const spec = config.layers[l - 1];
  return kindOf(spec).flops(spec, config.shapes[l - 1], config.shapes[l], rows);
}

/** FLOPs of an epoch of `count` examples in batches of `batch` (discriminative: x_0 and x_L clamped). */
export function pcEpochFlops(config: PcnConfig, steps: number, count: number, batch: number): number {
  const L = config.sizes.length - 1;
  const clamped = config.sizes.map((_, l) => l === 0 || l === L);
  const full = Math.floor(count / batch);
  const rest = count - full * batch;
  return full * pcStepFlops(config, clamped, steps, batch) + (rest > 0 ? pcStepFlops(config, clamped, steps, rest) : 0);
}

/** Matmul FLOPs of one backprop step on `rows` examples: forward, deltas down to layer 1 (none into the input), weight gradients. */
export function bpStepFlops(config: PcnConfig, rows: number): number {
  let f = 0;
  for (let l = 1; l < config.sizes.length; l++) {
    const k = layerFlops(config, l, rows);
    f += k.predict + k.weightGradient; // forward and weight gradient
    if (l >= 2) f += k.message; // eps_{l−1} = f'(h) ⊙ Jᵀ·eps_l
  }
  return f;
}

/** FLOPs of a backprop epoch of `count` examples in batches of `batch`. */
export function bpEpochFlops(config: PcnConfig, count: number, batch: number): number {
  const full = Math.floor(count / batch);
  const rest = count - full * batch;
  return full * bpStepFlops(config, batch) + (rest > 0 ? bpStepFlops(config, rest) : 0);
}
