/**
 * Predictions, error neurons and the energy (docs/design.md §2):
 *   mu_l = f_{l−1}(x_{l−1})·W_lᵀ + b_l,  eps_l = x_l − mu_l,  E = Σ_l ½‖eps_l‖²
 * with, in general (parameterisation.ts), mu_l = [x_{l−1}] + s_l·(g_l(f_{l−1}(x_{l−1}); W_l) + b_l):
 * an identity skip for a residual layer and the branch scale s_l = config.scales[l − 1].
 * and, for a 'ce' output, E_L = −Σ y·log softmax(mu_L) with eps_L = y − softmax(mu_L).
 * The last layer's energy is weighted by β = config.outputWeight, and so is its
 * stored error (eps_L = β·(x_L − mu_L)): then ∂E/∂x and ∂E/∂W keep the same form.
 * Shapes: x_l, mu_l, eps_l are [rows, n_l]; W_l is [n_l, n_{l−1}].
 */
import { type BackendArray, hostArray } from '../kernels/index.ts';
import { kindOf } from './kinds.ts';
import { isResidual, positionsOf } from './layer-kind.ts';
import type { Model } from './model.ts';
import type { Workspace } from './workspace.ts';

/** Sets fx[l] = f_l(x_l) and dfx[l] = f_l'(x_l) (nothing to do for a linear f_l). Mutates ws.fx, ws.dfx. */
export function computeActivations<T extends BackendArray>(model: Model<T>, ws: Workspace<T>, rows: number, l: number): void {
  if (ws.linear[l]) return;
  ws.backend.activateBoth(model.config.activations[l], ws.x[l], ws.fx[l], ws.dfx[l], rows * model.config.sizes[l]);
}

/**
 * Sets mu[l] = [x_{l−1}] + s_l·g_l(f_{l−1}(x_{l−1}); W_l): layer l's kind, scaled by s_l, plus the identity
 * skip of a residual layer (the bias, scaled by s_l too, is added where the error is formed). Mutates `ws.mu[l]`.
 */
export function computePrediction<T extends BackendArray>(model: Model<T>, ws: Workspace<T>, rows: number, l: number): void {
  const { layers, shapes, scales, sizes } = model.config;
  const spec = layers[l - 1];
  const mu = ws.mu[l];
  kindOf(spec).predict(ws.backend, spec, shapes[l - 1], shapes[l], model.layers[l - 1].weights.data, ws.fx[l - 1], mu, rows, ws.scratch[l]);
  if (scales[l - 1] !== 1) ws.backend.scale(scales[l - 1], mu, rows * sizes[l]);
  // The skip carries the raw x_{l−1}, not f(x_{l−1}), as in ResNets and μPC.
  if (isResidual(spec)) ws.backend.axpy(1, ws.x[l - 1], mu, rows * sizes[l]);
}

/**
 * s_l·b_l: b_l itself when s_l = 1, else written into `ws.scaledBias[l]` (two passes over the n_l-channel
 * bias per call, so it follows every change of b_l; a NaN bias leaves a NaN there, as it would in mu).
 */
function biasOf<T extends BackendArray>(model: Model<T>, ws: Workspace<T>, l: number): T {
  const b = model.layers[l - 1].bias.data;
  const s = model.config.scales[l - 1];
  if (s === 1) return b;
  const out = ws.scaledBias[l];
  ws.backend.scale(0, out, out.length);
  ws.backend.axpy(s, b, out, out.length);
  return out;
}

/** out = src + s_l·b_l at every position of layer l (src, out: [rows, n_l]; b_l: one entry per channel); out may be src. */
export function addBias<T extends BackendArray>(model: Model<T>, ws: Workspace<T>, rows: number, l: number, src: T, out: T): void {
  const shape = model.config.shapes[l];
  ws.backend.addRowVector(src, biasOf(model, ws, l), out, rows * positionsOf(shape), shape[2]);
}

/**
 * Sets eps[l] from x[l] and the current mu[l], and stores ½‖eps_l‖² (or the
 * cross-entropy) in `ws.energies[l]`. For a 'ce' output mu[L] is turned into
 * softmax(mu_L + b_L) in place. Returns the layer's energy — NaN on a deferred
 * backend, which writes it to `ws.ledger[l]` instead (read once per batch).
 */
export function computeError<T extends BackendArray>(model: Model<T>, ws: Workspace<T>, rows: number, l: number): number {
  const { backend } = ws;
  const n = model.config.sizes[l];
  const L = model.config.sizes.length - 1;
  const beta = l === L ? model.config.outputWeight : 1;
  let e: number;
  if (l === L && model.config.outputEnergy === 'ce') {
    const p = ws.mu[l];
    addBias(model, ws, rows, l, p, p);
    backend.softmax(p, p, rows, n);
    backend.sub(ws.x[l], p, ws.eps[l], rows * n);
    if (!backend.deferred) e = beta * backend.crossEntropy(ws.x[l], p, rows * n);
    else {
      backend.crossEntropyInto(ws.x[l], p, rows * n, beta, ws.ledger, l);
      e = Number.NaN;
    }
  } else {
    const shape = model.config.shapes[l];
    backend.predictionError(ws.x[l], ws.mu[l], biasOf(model, ws, l), ws.eps[l], rows * positionsOf(shape), shape[2]);
    if (!backend.deferred) e = 0.5 * backend.sumSquares(ws.eps[l], rows * n) * beta;
    else {
      backend.sumSquaresInto(ws.eps[l], rows * n, 0.5 * beta, ws.ledger, l);
      e = Number.NaN;
    }
  }
  if (beta !== 1) backend.scale(beta, ws.eps[l], rows * n);
  ws.energies[l] = e;
  return e;
}

/** Recomputes every prediction and error from the current x (activations must be current); returns E. */
export function computeErrors<T extends BackendArray>(model: Model<T>, ws: Workspace<T>, rows: number): number {
  let total = 0;
  for (let l = 1; l < model.config.sizes.length; l++) {
    computePrediction(model, ws, rows, l);
    total += computeError(model, ws, rows, l);
  }
  return total;
}

/**
 * The energy of each row (example) from the current errors: out[r] =
 * Σ_l ½‖eps_l[r]‖² (the last layer's divided by β, as E weights it).
 * For a 'ce' output the last term is the row's cross-entropy. Reads `rows`
 * numbers back: PcError on a deferred backend (rowEnergiesInto, then read).
 */
export function rowEnergies<T extends BackendArray>(model: Model<T>, ws: Workspace<T>, rows: number, out: Float64Array): void {
  const { backend } = ws;
  const sum = backend.alloc(rows);
  try {
    rowEnergiesInto(model, ws, rows, sum);
    // The one read back: rows numbers, for the caller's choice between hypotheses.
    const host = hostArray(backend, sum, 'rowEnergies');
    for (let r = 0; r < rows; r++) out[r] = host[r];
  } finally {
    backend.free(sum);
  }
}

/** rowEnergies left on the backend: sum[r] (a backend array of ≥ rows elements, overwritten) = the energy of row r. */
export function rowEnergiesInto<T extends BackendArray>(model: Model<T>, ws: Workspace<T>, rows: number, sum: T): void {
  const { backend } = ws;
  const sizes = model.config.sizes;
  const L = sizes.length - 1;
  const term = backend.alloc(rows);
  try {
    backend.fill(sum, 0, rows);
    for (let l = 1; l <= L; l++) {
      const beta = l === L ? model.config.outputWeight : 1;
      if (l === L && model.config.outputEnergy === 'ce') {
        backend.rowCrossEntropy(ws.x[l], ws.mu[l], term, rows, sizes[l]);
        backend.axpy(beta, term, sum, rows);
      } else {
        backend.rowSumSquares(ws.eps[l], term, rows, sizes[l]);
        backend.axpy(0.5 / beta, term, sum, rows);
      }
    }
  } finally {
    backend.free(term);
  }
}
