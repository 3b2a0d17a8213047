/**
 * Every buffer a step needs, allocated once per (model, batch capacity) in the
 * backend's memory, so relaxation and learning allocate nothing. Arrays are
 * indexed by layer; a batch of `rows ≤ capacity` uses the first rows·n_l
 * elements of each (kernels take the row count explicitly).
 */

import { check, PcError, shown } from '../errors.ts';
import { type Backend, type BackendArray, elementBytes } from '../kernels/index.ts';
import { kindOf, parameterShapesOf } from './kinds.ts';
import { isResidual, type KindScratch } from './layer-kind.ts';
import type { Model } from './model.ts';

/** The per-batch state of a model on a backend — values x_l, errors eps_l, predictions, momenta and weight gradients for up to `capacity` rows — allocated once by initWorkspace and overwritten by every step. */
export interface Workspace<T extends BackendArray = Float32Array> {
  readonly backend: Backend<T>;
  /** Largest batch this workspace holds. */
  readonly capacity: number;
  /** x_l, l = 0…L. */
  readonly x: T[];
  /** f_l(x_l), l = 0…L−1. */
  readonly fx: T[];
  /** f_l'(x_l), l = 0…L−1. */
  readonly dfx: T[];
  /** mu_l without the bias, [x_{l−1}] + s_l·g_l (f_{l−1}(x_{l−1})·W_lᵀ for a dense layer; softmax(mu_L) for a 'ce' output), l = 1…L; mu[0] is empty. */
  readonly mu: T[];
  /** eps_l, l = 1…L; eps[0] holds the prior's error on x_0 when relaxation uses one (see RelaxPlan.prior). */
  readonly eps: T[];
  /** Relaxation momentum of x_l. */
  readonly v: T[];
  /** eps_{l+1}·W_{l+1}, the bottom-up term of ∂E/∂x_l, l = 0…L−1. */
  readonly g: T[];
  /** ∂E/∂W_l and ∂E/∂b_l (batch mean), l = 1…L; index 0 is empty. */
  readonly gradW: T[];
  readonly gradB: T[];
  /** The learned-feedback increment direction −(1/rows)·f(x_{l−1})ᵀ·eps_l = (gradW[l])ᵀ, l = 1…L (empty unless feedback is 'learned'). */
  readonly gradFeedback: T[];
  /** Scratch for errors scaled before learning (stillness-modulated plasticity), l = 1…L−1. */
  readonly scaledEps: T[];
  /** eps_l − eps_{l+1}, the own-error term of ∂E/∂x_l when layer l+1 skips from x_l (residual), l = 0…L−1; empty elsewhere. */
  readonly skipEps: T[];
  /** s_l·b_l, the bias as the prediction adds it, l = 1…L where s_l ≠ 1 (PcnConfig.scales); empty elsewhere. */
  readonly scaledBias: T[];
  /** Each layer's kind scratch (layer-kind.ts KindScratch), l = 1…L; index 0 is empty. */
  readonly scratch: KindScratch<T>[];
  /** Energy of each layer after the last computeErrors (index 0: the prior's, else 0); on a deferred backend, as of the last read. */
  readonly energies: Float64Array;
  /** The same energies in the backend's memory, where a deferred backend writes them (one slot per layer; relax-deferred.ts). */
  readonly ledger: T;
  /** f_l is linear: fx[l] is x[l] itself and dfx[l] holds ones, so neither is ever recomputed. */
  readonly linear: readonly boolean[];
}

/**
 * Allocates on `backend` the per-batch state of `model` for batches of up to
 * `capacity` rows: values x_l and errors eps_l (capacity × n_l each),
 * predictions, momenta and weight gradients. Every step overwrites it; free it
 * with disposeWorkspace. Throws PcError('config') unless capacity is a
 * positive integer.
 */
export function initWorkspace<T extends BackendArray>(model: Model<T>, capacity: number, backend: Backend<T>): Workspace<T> {
  check(Number.isInteger(capacity) && capacity >= 1, 'config', () => `initWorkspace: capacity must be a positive integer, got ${capacity}.`);
  const sizes = model.config.sizes;
  const L = sizes.length - 1;
  const per = (from: number, to: number, n: (l: number) => number): T[] => sizes.map((_, l) => backend.alloc(l >= from && l <= to ? n(l) : 0));
  const rows = (l: number) => capacity * sizes[l];
  const linear = model.config.activations.map((a, l) => a === 'linear' && l < L);
  const x = per(0, L, rows);
  const fx = sizes.map((_, l) => (linear[l] ? x[l] : backend.alloc(l < L ? rows(l) : 0)));
  const dfx = sizes.map((_, l) => {
    const d = backend.alloc(l < L ? rows(l) : 0);
    if (linear[l]) backend.fill(d, 1, d.length);
    return d;
  });
  return {
    backend,
    capacity,
    x,
    fx,
    dfx,
    mu: per(1, L, rows),
    eps: per(0, L, rows),
    v: per(0, L, rows),
    g: per(0, L - 1, rows),
    gradW: per(1, L, (l) => weightCount(model, l)),
    gradB: per(1, L, (l) => parameterShapesOf(model.config, l).bias),
    gradFeedback: per(1, model.config.feedback === 'learned' ? L : 0, (l) => weightCount(model, l)),
    scaledEps: per(1, L - 1, rows),
    skipEps: sizes.map((_, l) => backend.alloc(l < L && isResidual(model.config.layers[l]) ? rows(l) : 0)),
    scaledBias: sizes.map((_, l) => backend.alloc(l >= 1 && model.config.scales[l - 1] !== 1 ? parameterShapesOf(model.config, l).bias : 0)),
    scratch: sizes.map((_, l) => {
      if (l === 0) return { values: backend.alloc(0), indices: backend.allocIndices(0) };
      const spec = model.config.layers[l - 1];
      const size = kindOf(spec).scratchSize(spec, model.config.shapes[l - 1], model.config.shapes[l], capacity);
      return { values: backend.alloc(size.values), indices: backend.allocIndices(size.indices) };
    }),
    energies: new Float64Array(L + 1),
    ledger: backend.alloc(L + 1),
    linear,
  };
}

/**
 * Throws PcError('shape') unless `ws` was made for a model of this shape (by
 * initWorkspace): one buffer per layer, each large enough for `capacity` rows,
 * on a backend of the element type of the model's parameters (a model and a
 * workspace of two backends of one element type work together: each backend
 * copies arrays it does not own per call). `where` names the caller. Passing
 * costs a loop over the layers and allocates nothing.
 */
export function checkWorkspace<T extends BackendArray>(model: Model<T>, ws: Workspace<T>, where: string): void {
  if (typeof ws !== 'object' || ws === null || !Array.isArray(ws.x) || !Array.isArray(ws.gradW) || typeof ws.backend !== 'object')
    throw new PcError('config', `${where}: expected a Workspace from initWorkspace(model, batchSize, backend), got ${shown(ws)}.`);
  const sizes = model.config.sizes;
  if (!fits(model, ws))
    throw new PcError(
      'shape',
      `${where}: the workspace was made for layers ${ws.x.map((x) => x.length / ws.capacity).join('-')} (capacity ${ws.capacity}) but the model has ${sizes.join('-')}${model.config.feedback === 'learned' ? ' with learned feedback' : ''}. Make it with initWorkspace(model, batchSize, backend) for this model.`,
    );
  if (!fitsBranches(model, ws))
    throw new PcError(
      'shape',
      `${where}: the workspace was made for a model with other residual layers or branch scales (this one: parameterisation '${model.config.parameterisation}', residual layers ${residualLayers(model)}). Make it with initWorkspace(model, batchSize, backend) for this model.`,
    );
  const bytes = ws.backend.dtype === 'float64' ? 8 : 4;
  for (let l = 0; l < model.layers.length; l++) {
    const { weights, bias, feedback } = model.layers[l];
    if (elementBytes(weights.data) === bytes && elementBytes(bias.data) === bytes && (feedback ? elementBytes(feedback.data) : bytes) === bytes) continue;
    throw new PcError(
      'shape',
      `${where}: the model's parameters are ${weights.data.constructor.name} but the workspace computes in ${ws.backend.dtype} (${ws.backend.name} backend). Make the model and the workspace on one backend: initModel(config, backend, rng), initWorkspace(model, batchSize, backend).`,
    );
  }
}

function fits<T extends BackendArray>(model: Model<T>, ws: Workspace<T>): boolean {
  const sizes = model.config.sizes;
  if (ws.x.length !== sizes.length || ws.gradW.length !== sizes.length) return false;
  const learned = model.config.feedback === 'learned';
  for (let l = 0; l < sizes.length; l++) {
    if (ws.x[l].length < ws.capacity * sizes[l]) return false;
    if (l > 0 && ws.gradW[l].length !== model.layers[l - 1].weights.data.length) return false;
    if (l > 0 && learned && ws.gradFeedback[l]?.length !== model.layers[l - 1].weights.data.length) return false;
  }
  return true;
}

// The buffers residual layers and branch scales need (skipEps, scaledBias) are there, as initWorkspace sizes them.
function fitsBranches<T extends BackendArray>(model: Model<T>, ws: Workspace<T>): boolean {
  const { sizes, layers, scales } = model.config;
  if (!Array.isArray(ws.skipEps) || !Array.isArray(ws.scaledBias)) return false;
  for (let l = 1; l < sizes.length; l++) {
    if (isResidual(layers[l - 1]) && !(ws.skipEps[l - 1]?.length >= ws.capacity * sizes[l - 1])) return false;
    if (scales[l - 1] !== 1 && ws.scaledBias[l]?.length !== model.layers[l - 1].bias.data.length) return false;
  }
  return true;
}

function residualLayers<T extends BackendArray>(model: Model<T>): string {
  const ls = model.config.layers.flatMap((spec, i) => (isResidual(spec) ? [i + 1] : []));
  return ls.length ? ls.join(', ') : 'none';
}

/** The number of weights of layer l (W_l; B_l has as many). */
function weightCount<T extends BackendArray>(model: Model<T>, l: number): number {
  const [rows, cols] = parameterShapesOf(model.config, l).weights;
  return rows * cols;
}

/** Returns a workspace's buffers to its backend. */
export function disposeWorkspace<T extends BackendArray>(ws: Workspace<T>): void {
  // fx[l] aliases x[l] on linear layers: free each array once.
  const unique = new Set(
    [
      ws.x,
      ws.fx,
      ws.dfx,
      ws.mu,
      ws.eps,
      ws.v,
      ws.g,
      ws.gradW,
      ws.gradB,
      ws.gradFeedback,
      ws.scaledEps,
      ws.skipEps,
      ws.scaledBias,
      ws.scratch.map((s) => s.values),
      [ws.ledger],
    ].flat(),
  );
  for (const a of unique) ws.backend.free(a);
}
