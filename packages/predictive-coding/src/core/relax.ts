/**
 * Relaxation (inference): gradient descent of E on the free value neurons (docs/design.md §2):
 *   ∂E/∂x_l = eps_l − f_l'(x_l) ⊙ (eps_{l+1}·W_{l+1})   (first term absent for l = 0, second for l = L)
 * in general (parameterisation.ts) eps_l [− eps_{l+1}] − f_l'(x_l) ⊙ s_{l+1}·J_{l+1}ᵀeps_{l+1}: the message
 * scaled by layer l+1's branch scale, and −eps_{l+1}, with no f' factor, where layer l+1 skips from x_l.
 *   v ← momentum·v + ∂E/∂x_l,  x_l ← x_l − eta_x·v        (momentum 0: Euler)
 * with B_{l+1}ᵀ in place of W_{l+1} for learned or random feedback. The
 * 'synchronous' order computes every gradient from the same state; the 'random'
 * order (local autonomy) moves the free layers one at a time in a fresh random
 * order each step, each from its neighbours' latest x and eps, with no barrier.
 * Clamped layers (and the clamped units of partly clamped ones) never move.
 * Shapes: x_l, eps_l, g_l are [rows, n_l].
 */
import { check, checkChoice, checkObject } from '../errors.ts';
import type { BackendArray } from '../kernels/index.ts';
import type { Rng } from '../random.ts';
import { computeActivations, computeError, computePrediction } from './energy.ts';
import { kindOf } from './kinds.ts';
import { isResidual } from './layer-kind.ts';
import type { Model } from './model.ts';
import { type RelaxConfig, validateRelaxConfig } from './relax-config.ts';
import { checkEnergy, UNSETTLED_CHANGE, UNSTABLE_RISE, UNSTABLE_RISE_FEEDBACK } from './relax-health.ts';
import type { Workspace } from './workspace.ts';

/** Units of a layer held at data while its other units relax (mask[i] = 1: held). */
export interface PartialClamp {
  readonly data: ArrayLike<number>;
  readonly mask: Uint8Array;
}

/** What relax returns: the energy E (summed over the batch) before and after, the steps taken, and the trace when asked for. */
export interface RelaxResult {
  /** E after the last step. */
  readonly energy: number;
  /** E before the first step. */
  readonly initialEnergy: number;
  /** Steps taken (≤ T). */
  readonly iterations: number;
  /** E before each step and after the last (length iterations + 1), when asked for. */
  readonly trace?: Float64Array;
  /** E ended more than UNSTABLE_RISE above E_0, or rose at every step (≥ 2) — with B ≠ Wᵀ: ended above UNSTABLE_RISE_FEEDBACK·E_0: the x step or momentum is too large for these weights. */
  readonly unstable: boolean;
  /** The last step still changed E by more than UNSETTLED_CHANGE·E_T (≥ 2 steps taken, weights fixed): more steps are needed. */
  readonly unsettled: boolean;
}

/**
 * A Gaussian prior on a free top layer x_0 (docs/design.md §2: "x_0 has no error of its
 * own … give it a sensible start, or a prior"): the energy gains
 * weight/2·‖x_0 − mean‖², so x_0 feels weight·(x_0 − mean) as its own error.
 */
export interface TopPrior {
  readonly mean: number;
  readonly weight: number;
}

/** Which layers move, and which predictions and errors a step must refresh. */
export interface RelaxPlan {
  readonly free: readonly number[];
  /** Applies only when x_0 is free. */
  readonly prior?: TopPrior;
  /** Partly clamped layers (also listed in free), by layer. */
  readonly partial: readonly (PartialClamp | undefined)[];
  /** l with x_{l−1} free: mu_l changes after a step. */
  readonly predictions: readonly number[];
  /** l with x_l or x_{l−1} free: eps_l changes after a step. */
  readonly errors: readonly number[];
}

/** Which layers a relaxation moves and how: the free layers given the clamped ones (one flag per layer 0…L), partially clamped units and a top-layer prior. Mutates nothing; throws PcError('config') when a 'ce' output energy would relax the last layer (it must be clamped to a target). */
export function planRelaxation<T extends BackendArray>(
  model: Model<T>,
  clamped: readonly boolean[],
  partial: readonly (PartialClamp | undefined)[] = [],
  prior?: TopPrior,
): RelaxPlan {
  const L = model.config.sizes.length - 1;
  check(
    model.config.outputEnergy !== 'ce' || clamped[L],
    'config',
    () => "relax: a 'ce' output energy needs the last layer clamped to a target (docs/design.md §2); clamp it, or use outputEnergy 'mse'.",
  );
  const free: number[] = [];
  const predictions: number[] = [];
  const errors: number[] = [];
  for (let l = 0; l <= L; l++) {
    if (!clamped[l]) free.push(l);
    if (l >= 1 && !clamped[l - 1]) predictions.push(l);
    if (l >= 1 && (!clamped[l] || !clamped[l - 1])) errors.push(l);
  }
  return { free, partial, predictions, errors, prior: prior && !clamped[0] ? prior : undefined };
}

/** Sets eps[0] = weight·(x_0 − mean) and returns the prior's energy weight/2·‖x_0 − mean‖². */
function computePriorError<T extends BackendArray>(model: Model<T>, ws: Workspace<T>, rows: number, prior: TopPrior): number {
  const n = rows * model.config.sizes[0];
  const { backend } = ws;
  if (backend.deferred) {
    backend.priorErrorInto(ws.x[0], ws.eps[0], prior.mean, prior.weight, n, 0.5 * prior.weight, ws.ledger, 0);
    ws.energies[0] = Number.NaN;
  } else ws.energies[0] = 0.5 * prior.weight * backend.priorError(ws.x[0], ws.eps[0], prior.mean, prior.weight, n);
  return ws.energies[0];
}

/** g_l = s_{l+1}·Jᵀ·eps_{l+1} by layer l+1's kind (through B_{l+1} with separate feedback): the bottom-up message into layer l (l < L). Mutates ws.g[l]. */
export function computeFeedback<T extends BackendArray>(model: Model<T>, ws: Workspace<T>, rows: number, l: number): void {
  const { layers, shapes } = model.config;
  const spec = layers[l];
  const layer = model.layers[l];
  kindOf(spec).message(ws.backend, spec, shapes[l], shapes[l + 1], layer.weights.data, layer.feedback?.data, ws.eps[l + 1], ws.g[l], rows, ws.scratch[l + 1]);
  const s = model.config.scales[l];
  if (s !== 1) ws.backend.scale(s, ws.g[l], rows * model.config.sizes[l]);
}

/**
 * The own-error term of ∂E/∂x_l: eps_l (the prior's on x_0, or none), less eps_{l+1} where layer l+1 skips
 * from x_l — the skip's Jacobian is the identity, so that term has no f' factor. Returns ws.eps[l], null or
 * ws.skipEps[l] (written here).
 */
function ownError<T extends BackendArray>(model: Model<T>, ws: Workspace<T>, rows: number, plan: RelaxPlan, l: number): T | null {
  const own = l > 0 || plan.prior ? ws.eps[l] : null;
  if (l === model.config.sizes.length - 1 || !isResidual(model.config.layers[l])) return own;
  const n = rows * model.config.sizes[l];
  const out = ws.skipEps[l];
  const next = ws.eps[l + 1];
  if (own) ws.backend.sub(own, next, out, n);
  else {
    ws.backend.sub(next, next, out, n); // zero (NaN where eps_{l+1} is not finite, which the energy check reports)
    ws.backend.axpy(-1, next, out, n);
  }
  return out;
}

/** Moves free layer l by one step from the current eps_l and g_l, then puts its held units back. */
function stepLayer<T extends BackendArray>(model: Model<T>, ws: Workspace<T>, rows: number, plan: RelaxPlan, config: RelaxConfig, l: number): void {
  const L = model.config.sizes.length - 1;
  const n = rows * model.config.sizes[l];
  const own = ownError(model, ws, rows, plan, l);
  ws.backend.valueStep(ws.x[l], ws.v[l], own, ws.dfx[l], l < L ? ws.g[l] : null, config.lr, config.momentum, n);
  const p = plan.partial[l];
  if (p) ws.backend.holdUnits(ws.x[l], ws.v[l], p.mask, p.data, n);
}

/**
 * One synchronous relaxation step: g_l for every free l, then every free x_l
 * moves. `beforeMove` runs in between, when the state the step reads (x, f(x),
 * eps, W) is still intact — where learning simultaneous with x reads it.
 * Mutates ws.g, ws.v and the free ws.x[l].
 */
export function updateValues<T extends BackendArray>(
  model: Model<T>,
  ws: Workspace<T>,
  rows: number,
  plan: RelaxPlan,
  config: RelaxConfig,
  beforeMove?: () => void,
): void {
  const L = model.config.sizes.length - 1;
  for (const l of plan.free) if (l < L) computeFeedback(model, ws, rows, l);
  beforeMove?.();
  for (const l of plan.free) stepLayer(model, ws, rows, plan, config, l);
}

/**
 * One asynchronous step: the free layers move one at a time — in a random
 * order given an rng, else bottom-up — each from the latest x and eps of its
 * neighbours, refreshing the errors it touches before the next moves. Returns E.
 */
export function updateValuesInOrder<T extends BackendArray>(
  model: Model<T>,
  ws: Workspace<T>,
  rows: number,
  plan: RelaxPlan,
  config: RelaxConfig,
  rng?: Rng,
): number {
  const L = model.config.sizes.length - 1;
  const order = [...plan.free];
  for (let i = order.length - 1; rng && i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  for (const l of order) {
    if (l < L) computeFeedback(model, ws, rows, l);
    stepLayer(model, ws, rows, plan, config, l);
    if (l < L) {
      computeActivations(model, ws, rows, l);
      computePrediction(model, ws, rows, l + 1);
      computeError(model, ws, rows, l + 1);
    }
    if (l > 0) computeError(model, ws, rows, l);
    else if (plan.prior) computePriorError(model, ws, rows, plan.prior);
  }
  let total = plan.prior ? ws.energies[0] : 0;
  for (let l = 1; l <= L; l++) total += ws.energies[l];
  return total;
}

/**
 * After x (and maybe the weights) moved: refreshes f(x) and f'(x) of the free
 * layers, the predictions and errors that depend on them — or, when
 * `weightsChanged`, every prediction and error, since each mu_l reads W_l —
 * and the prior's error; returns E.
 */
export function refreshErrors<T extends BackendArray>(model: Model<T>, ws: Workspace<T>, rows: number, plan: RelaxPlan, weightsChanged = false): number {
  const L = model.config.sizes.length - 1;
  for (const l of plan.free) if (l < L) computeActivations(model, ws, rows, l);
  for (let l = 1; l <= L; l++) if (weightsChanged || plan.predictions.includes(l)) computePrediction(model, ws, rows, l);
  let total = plan.prior ? computePriorError(model, ws, rows, plan.prior) : 0;
  for (let l = 1; l <= L; l++) total += weightsChanged || plan.errors.includes(l) ? computeError(model, ws, rows, l) : ws.energies[l];
  return total;
}

/** Computes every error from the current predictions (as initValues leaves them), and the prior's if the plan has one; returns E. */
export function startRelaxation<T extends BackendArray>(model: Model<T>, ws: Workspace<T>, rows: number, plan?: RelaxPlan): number {
  // A deferred backend's ledger: slot 0 holds the prior's energy only when there is a prior.
  if (ws.backend.deferred) ws.backend.fill(ws.ledger, 0, model.config.sizes.length);
  let total = plan?.prior ? computePriorError(model, ws, rows, plan.prior) : 0;
  for (let l = 1; l < model.config.sizes.length; l++) total += computeError(model, ws, rows, l);
  return total;
}

/**
 * When weights learn during relaxation (docs/design.md §2, "no separate phases"):
 * - `'with-x'`: at every step, from the very state the x update reads (its eps,
 *   f(x) and W), so x and the weights move simultaneously (incremental PC,
 *   Salvatori et al.); synchronous order only, as only then do all layers
 *   step from one state;
 * - `'after-x'`: after every step, from the errors x has just moved into (the
 *   streaming schedule); any order.
 */
export type LearningTiming = 'with-x' | 'after-x';

/** Every LearningTiming: weights learn with every x step ('with-x', incremental PC) or once after the relaxation ('after-x'). */
export const LEARNING_TIMINGS: readonly LearningTiming[] = ['with-x', 'after-x'];

/** Weight learning inside a relaxation: `apply` computes the weight gradients from the workspace and applies them. */
export interface RelaxLearning {
  readonly timing: LearningTiming;
  /** Called once per step t (0-based) at the point `timing` names; may change any weight, bias or feedback matrix. */
  readonly apply: (t: number) => void;
}

/** Options of relax: an energy trace, the generator for random order, weight learning inside the relaxation, partial clamps and a prior on the top layer. */
export interface RelaxOptions {
  /** Record E after every step. */
  readonly trace?: boolean;
  /** Needed for order 'random'. */
  readonly rng?: Rng;
  /**
   * Learn at every step. After each weight change every prediction and error
   * is recomputed before anything reads it, so the next step, the trace and
   * the returned energy all see the new weights.
   */
  readonly learn?: RelaxLearning;
  /** Observes the state after each step (t = 1…), once every error is current; must not change the model or the workspace. */
  readonly onStep?: (t: number) => void;
}

/**
 * Runs up to T steps from the current state (errors must be current, as after
 * startRelaxation). Throws PcError('divergence') naming the step and layer
 * when E turns non-finite or explodes.
 */
export function relax<T extends BackendArray>(
  model: Model<T>,
  ws: Workspace<T>,
  rows: number,
  plan: RelaxPlan,
  config: RelaxConfig,
  initialEnergy: number,
  options: RelaxOptions = {},
): RelaxResult {
  check(
    !ws.backend.deferred,
    'config',
    () =>
      `relax: the ${ws.backend.name} backend hands its energies back only asynchronously, once per batch: relax with relaxAsync (trainStepAsync, fit), or use an immediate backend (wasm, js) for this.`,
  );
  const { order, learn } = checkRelaxOptions(config, options, 'relax');
  const trace = options.trace ? new Float64Array(config.steps + 1) : undefined;
  if (trace) trace[0] = initialEnergy;
  checkEnergy(ws, initialEnergy, 0, initialEnergy);
  let energy = initialEnergy;
  let previous = initialEnergy;
  let rising = true;
  let t = 0;
  while (t < config.steps) {
    const next = relaxStep(model, ws, rows, plan, config, order, learn, options.rng, t);
    t++;
    checkEnergy(ws, next, t, initialEnergy);
    options.onStep?.(t);
    if (trace) trace[t] = next;
    const settled = config.tolerance > 0 && Math.abs(next - energy) <= config.tolerance * energy;
    rising &&= next > energy;
    previous = energy;
    energy = next;
    if (settled) break;
  }
  return summarise(model, energy, previous, initialEnergy, t, rising, trace?.subarray(0, t + 1), learn !== undefined);
}

/**
 * Relaxation step t: every free x moves (in `order`), the weights learn where `learn` says, and the
 * errors are refreshed. Returns E (NaN on a deferred backend, whose energies are in ws.ledger).
 */
export function relaxStep<T extends BackendArray>(
  model: Model<T>,
  ws: Workspace<T>,
  rows: number,
  plan: RelaxPlan,
  config: RelaxConfig,
  order: string,
  learn: RelaxLearning | undefined,
  rng: Rng | undefined,
  t: number,
): number {
  let next: number;
  if (order !== 'synchronous') next = updateValuesInOrder(model, ws, rows, plan, config, order === 'random' ? rng : undefined);
  else if (learn?.timing === 'with-x') {
    // The weights learn from the eps and f(x) the x update reads, before x moves (f(x) is x itself on a linear layer).
    updateValues(model, ws, rows, plan, config, () => learn.apply(t));
    next = refreshErrors(model, ws, rows, plan, true);
  } else {
    updateValues(model, ws, rows, plan, config);
    next = refreshErrors(model, ws, rows, plan);
  }
  if (learn?.timing === 'after-x') {
    learn.apply(t);
    next = refreshErrors(model, ws, rows, plan, true);
  }
  return next;
}

/** Validates relax's config and options (shared with relaxAsync); returns the order and the learning. */
export function checkRelaxOptions(config: RelaxConfig, options: RelaxOptions, where: string): { order: string; learn?: RelaxLearning } {
  validateRelaxConfig(config, `${where}: config`, true);
  checkObject(options, `${where}: options`, 'an object of relaxation options ({ trace?, rng?, learn?, onStep? }) or left out');
  const order = config.order ?? 'synchronous';
  check(order !== 'random' || options.rng !== undefined, 'config', () => `${where}: order 'random' needs options.rng (a seeded createRng(seed)).`);
  const learn = options.learn;
  if (learn !== undefined) checkChoice(learn.timing, LEARNING_TIMINGS, `${where}: options.learn.timing`);
  check(
    order === 'synchronous' || learn?.timing !== 'with-x',
    'config',
    () => `${where}: learning simultaneously with x ('with-x') needs the 'synchronous' order (got '${order}'); use 'after-x'.`,
  );
  return { order, learn };
}

/** The RelaxResult of a relaxation that took t steps from initialEnergy to energy (previous: E one step before). */
export function summarise<T extends BackendArray>(
  model: Model<T>,
  energy: number,
  previous: number,
  initialEnergy: number,
  t: number,
  rising: boolean,
  trace: Float64Array | undefined,
  learning: boolean,
): RelaxResult {
  return {
    energy,
    initialEnergy,
    iterations: t,
    trace,
    unstable:
      t >= 1 &&
      (model.config.feedback === 'symmetric'
        ? energy > initialEnergy * (1 + UNSTABLE_RISE) || (t >= 2 && rising)
        : energy > UNSTABLE_RISE_FEEDBACK * initialEnergy),
    // With learning inside the relaxation E keeps falling because the weights move, so settling is not judged there.
    unsettled: t >= 2 && !learning && Math.abs(energy - previous) > UNSETTLED_CHANGE * energy,
  };
}
