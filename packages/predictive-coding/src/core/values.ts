/**
 * Setting the value neurons before relaxation: clamping layers to data and
 * initialising the free ones (docs/design.md §2, "Forward initialisation").
 */
import { check, checkChoice, shown } from '../errors.ts';
import type { BackendArray } from '../kernels/index.ts';
import type { Rng } from '../random.ts';
import { addBias, computeActivations, computePrediction } from './energy.ts';
import type { Model } from './model.ts';
import type { PartialClamp } from './relax.ts';
import type { Workspace } from './workspace.ts';

/**
 * Data for the clamped layers of one call: clamp[l] holds rows × n_l values
 * (row-major) for layer l, or is undefined where layer l is free.
 */
export type Clamp = readonly (ArrayLike<number> | undefined)[];

/**
 * How free layers start:
 * - `'forward'`: x_l = mu_l, layer by layer from x_0 (errors start at zero except
 *   where a clamp disagrees); a free x_0 starts at 0;
 * - `'zero'`: x_l = 0;
 * - `'random'`: x_l ~ N(0, 1) from the given rng.
 */
export type InitMode = 'forward' | 'zero' | 'random';

/** Every InitMode, for validation and CLI choices. */
export const INIT_MODES: readonly InitMode[] = ['forward', 'zero', 'random'];

/** Which layers are clamped, and checks that each clamp has rows·n_l values. */
export function clampedLayers<T extends BackendArray>(model: Model<T>, clamp: Clamp, rows: number, caller: string): boolean[] {
  const sizes = model.config.sizes;
  check(Array.isArray(clamp), 'shape', () => `${caller}: clamp must be an array with one entry per layer (data or undefined), got ${shown(clamp)}.`);
  check(clamp.length <= sizes.length, 'shape', () => `${caller}: clamp lists ${clamp.length} layers but the model has ${sizes.length}.`);
  return sizes.map((n, l) => {
    const data = clamp[l];
    if (data === undefined) return false;
    check(
      data.length === rows * n,
      'shape',
      () =>
        `${caller}: clamp[${l}] has ${data.length} values but layer ${l} needs rows·n_${l} = ${rows}·${n} = ${rows * n}. Check the batch size and sizes[${l}].`,
    );
    return true;
  });
}

/**
 * Copies the clamps (checked by clampedLayers) into x and initialises the free
 * layers, computing on the way f(x_l), f'(x_l) and the prediction mu_l of every
 * layer, each once — so relaxation can start from current predictions.
 * `partial[l]` holds some units of a free layer at data (see PartialClamp);
 * `start[l]` gives a free layer its starting values instead of `init`.
 * Mutates `ws.x`, `ws.fx`, `ws.dfx`, `ws.mu`, and zeroes `ws.v`.
 */
export function initValues<T extends BackendArray>(
  model: Model<T>,
  ws: Workspace<T>,
  rows: number,
  clamp: Clamp,
  init: InitMode,
  rng?: Rng,
  partial: readonly (PartialClamp | undefined)[] = [],
  start: Clamp = [],
): void {
  const sizes = model.config.sizes;
  const L = sizes.length - 1;
  checkChoice(init, INIT_MODES, 'initValues: init');
  check(Array.isArray(clamp), 'shape', () => `initValues: clamp must be an array with one entry per layer (data or undefined), got ${shown(clamp)}.`);
  check(init !== 'random' || rng !== undefined, 'config', () => "initValues: init 'random' needs an rng (pass a seeded createRng(seed)).");
  const { backend } = ws;
  for (let l = 0; l <= L; l++) {
    const n = rows * sizes[l];
    const x = ws.x[l];
    const data = clamp[l];
    backend.fill(ws.v[l], 0, n);
    const from = start[l];
    if (data !== undefined) backend.write(x, data);
    else if (from !== undefined) backend.write(x, from);
    // x_l = f(x_{l−1})·W_lᵀ + b_l: mu_l was computed from the final x_{l−1} in the previous pass.
    else if (init === 'forward' && l > 0) addBias(model, ws, rows, l, ws.mu[l], x);
    else if (init === 'random') backend.write(x, normalDraws(rng!, n));
    else backend.fill(x, 0, n);
    const p = partial[l];
    if (p) backend.holdUnits(x, ws.v[l], p.mask, p.data, n);
    if (l < L) {
      computeActivations(model, ws, rows, l);
      computePrediction(model, ws, rows, l + 1);
    }
  }
}

/**
 * Puts new data into the clamped layers and leaves every free layer where it
 * is (no re-initialisation: the streaming schedule's states are never reset),
 * then refreshes f(x) and every prediction. Mutates `ws.x`, `ws.fx`, `ws.dfx`, `ws.mu`.
 */
export function clampValues<T extends BackendArray>(model: Model<T>, ws: Workspace<T>, rows: number, clamp: Clamp): void {
  const L = model.config.sizes.length - 1;
  for (let l = 0; l <= L; l++) {
    const data = clamp[l];
    if (data !== undefined) ws.backend.write(ws.x[l], data);
  }
  for (let l = 0; l < L; l++) {
    computeActivations(model, ws, rows, l);
    computePrediction(model, ws, rows, l + 1);
  }
}

/** n draws from N(0, 1), on the host (every random draw comes from the caller's seeded rng), to upload. */
function normalDraws(rng: Rng, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.normal();
  return out;
}
