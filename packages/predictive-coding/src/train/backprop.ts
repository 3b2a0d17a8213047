/**
 * Backpropagation for the same networks, on the same kernels, workspace,
 * optimisers and checkpoints — for comparisons with PC. The trick that lets
 * the two share code: backprop's deltas, negated, are exactly the error
 * neurons PC would hold at the feedforward state under the fixed-prediction
 * assumption,
 *   eps_L = y − out                      (½‖y − out‖², or y − softmax(out) for 'ce')
 *   eps_l = f_l'(h_l) ⊙ (eps_{l+1}·W_{l+1})
 * or, with branch scales and skips (core/parameterisation.ts),
 *   eps_l = s_{l+1}·f_l'(h_l) ⊙ J_{l+1}ᵀeps_{l+1} [+ eps_{l+1} where layer l+1 skips from h_l]
 * so computeWeightGrads' Hebbian rule −(1/rows)·eps_lᵀ·f(h_{l−1}) *is* the
 * backprop gradient of the batch-mean loss, and applyOptimizer applies it.
 * Shapes as in core: h_l = `ws.x[l]` is [rows, n_l]. Discriminative models only.
 */
import { checkWorkspace, computeWeightGrads, forward, isResidual, kindOf, type Model, type Workspace } from '../core/index.ts';
import { check } from '../errors.ts';
import { type BackendArray, checkImmediate } from '../kernels/index.ts';
import { checkLr, checkOptimizerState, type OptimizerState, stepOptimizer } from './optim.ts';

/**
 * Fills `ws.gradW` / `ws.gradB` with the gradients of the batch-mean loss
 * (½‖y − out‖² per example, or cross-entropy for a 'ce' model) by a forward
 * and a backward pass; returns that mean loss. Mutates `ws.x`, `ws.fx`, `ws.dfx`,
 * `ws.mu`, `ws.eps`, `ws.g` and the gradients; not the weights.
 */
export function backpropGradients<T extends BackendArray>(
  model: Model<T>,
  ws: Workspace<T>,
  rows: number,
  inputs: ArrayLike<number>,
  targets: ArrayLike<number>,
): number {
  checkImmediate(ws.backend, 'backpropGradients', 'use recordBackpropGradients (the loss left in ws.ledger) or backpropStepAsync');
  return computeBackpropGradients(model, ws, rows, inputs, targets, 'backpropGradients') / rows;
}

/**
 * backpropGradients on any backend without reading a number: fills `ws.gradW` / `ws.gradB` (on the
 * device for a GPU). The summed loss is computed and dropped on an immediate backend; on a deferred
 * one it is left in `ws.ledger[L]` (the caller reads it when it reads anything). Mutates what
 * backpropGradients mutates.
 */
export function recordBackpropGradients<T extends BackendArray>(
  model: Model<T>,
  ws: Workspace<T>,
  rows: number,
  inputs: ArrayLike<number>,
  targets: ArrayLike<number>,
): void {
  computeBackpropGradients(model, ws, rows, inputs, targets, 'recordBackpropGradients');
}

// The gradients; returns the loss summed over rows (immediate), or NaN with that sum left in ws.ledger[L] (deferred).
function computeBackpropGradients<T extends BackendArray>(
  model: Model<T>,
  ws: Workspace<T>,
  rows: number,
  inputs: ArrayLike<number>,
  targets: ArrayLike<number>,
  where: string,
): number {
  const { backend } = ws;
  const sizes = model.config.sizes;
  const L = sizes.length - 1;
  checkWorkspace(model, ws, where);
  check(
    model.config.orientation === 'discriminative',
    'config',
    () => `${where}: only discriminative models (image at x_0, label at x_L) have a backward pass here.`,
  );
  check(
    targets.length === rows * sizes[L],
    'shape',
    () => `${where}: targets has ${targets.length} values but rows·n_L = ${rows}·${sizes[L]} = ${rows * sizes[L]}.`,
  );
  const out = forward(model, ws, rows, inputs);
  const n = rows * sizes[L];
  const eps = ws.eps[L];
  // The targets go up into mu_L, which the backward pass never reads (forward left mu_L + b_L in x_L).
  const y = ws.mu[L];
  backend.write(y, targets);
  const deferred = backend.deferred === true;
  let loss = Number.NaN;
  if (model.config.outputEnergy === 'ce') {
    backend.softmax(out, eps, rows, sizes[L]);
    if (deferred) backend.crossEntropyInto(y, eps, n, 1, ws.ledger, L);
    else loss = backend.crossEntropy(y, eps, n);
    backend.sub(y, eps, eps, n);
  } else {
    backend.sub(y, out, eps, n);
    if (deferred) backend.sumSquaresInto(eps, n, 0.5, ws.ledger, L);
    else loss = 0.5 * backend.sumSquares(eps, n);
  }
  const { layers, shapes, scales } = model.config;
  for (let l = L - 1; l >= 1; l--) {
    // Backprop's delta is the message through W_{l+1} itself, whatever feedback the model holds.
    kindOf(layers[l]).message(
      backend,
      layers[l],
      shapes[l],
      shapes[l + 1],
      model.layers[l].weights.data,
      undefined,
      ws.eps[l + 1],
      ws.g[l],
      rows,
      ws.scratch[l + 1],
    );
    const n = rows * sizes[l];
    backend.mul(ws.dfx[l], ws.g[l], ws.eps[l], n);
    if (scales[l] !== 1) backend.scale(scales[l], ws.eps[l], n);
    // The identity skip passes the delta through unchanged (its Jacobian is I, with no f').
    if (isResidual(layers[l])) backend.axpy(1, ws.eps[l + 1], ws.eps[l], n);
  }
  computeWeightGrads(model, ws, rows);
  return loss;
}

/** One backprop training step: gradients, then the optimiser. Updates the weights and `opt` in place; returns the mean loss. PcError on a deferred backend (backpropStepAsync). */
export function backpropStep<T extends BackendArray>(
  model: Model<T>,
  opt: OptimizerState<T>,
  rows: number,
  inputs: ArrayLike<number>,
  targets: ArrayLike<number>,
  ws: Workspace<T>,
  lr?: number,
): number {
  checkImmediate(ws.backend, 'backpropStep', 'use backpropStepAsync (fit does)');
  return update(model, opt, rows, inputs, targets, ws, lr, 'backpropStep') / rows;
}

/**
 * backpropStep for any backend: on a deferred one (a GPU) the forward and backward passes and the
 * optimiser step are recorded, then the loss is read once — one await per batch, as trainStepAsync.
 * Resolves to the mean loss; mutates what backpropStep mutates.
 */
export async function backpropStepAsync<T extends BackendArray>(
  model: Model<T>,
  opt: OptimizerState<T>,
  rows: number,
  inputs: ArrayLike<number>,
  targets: ArrayLike<number>,
  ws: Workspace<T>,
  lr?: number,
): Promise<number> {
  if (!ws.backend.deferred) return backpropStep(model, opt, rows, inputs, targets, ws, lr);
  update(model, opt, rows, inputs, targets, ws, lr, 'backpropStepAsync');
  const L = model.config.sizes.length - 1;
  const ledger = await ws.backend.read(ws.ledger, L + 1);
  return ledger[L] / rows;
}

// Both steps' work: checks, gradients, optimiser; returns the summed loss (NaN on a deferred backend, where it is in ws.ledger[L]).
function update<T extends BackendArray>(
  model: Model<T>,
  opt: OptimizerState<T>,
  rows: number,
  inputs: ArrayLike<number>,
  targets: ArrayLike<number>,
  ws: Workspace<T>,
  lr: number | undefined,
  where: string,
): number {
  checkOptimizerState(model, opt, where);
  checkLr(lr, `${where}: lr`);
  const loss = computeBackpropGradients(model, ws, rows, inputs, targets, where);
  stepOptimizer(model, ws, opt, lr);
  return loss;
}
