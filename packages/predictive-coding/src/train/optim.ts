/**
 * Weight optimisers (docs/design.md §2: W_l ← W_l − η_W·opt(∂E/∂W_l)). Parameters are
 * visited in the order W_1, b_1, (B_1,) …, W_L, b_L, (B_L,) — B_l only for learned
 * feedback, which moves by the same optimiser on its mirror increment, so that
 * B_l − W_lᵀ only changes through weight decay (Kolen–Pollack).
 */
import { checkWorkspace, type Model, type Workspace } from '../core/index.ts';
import { check, checkObject, PcError, shown } from '../errors.ts';
import { type Backend, type BackendArray, elementBytes } from '../kernels/index.ts';

/**
 * - `'sgd'`: p ← p − lr·(g + wd·p);
 * - `'momentum'`: v ← m·v + g + wd·p, p ← p − lr·v;
 * - `'adam'`: Adam with L2 weight decay added to g;
 * - `'adamw'`: Adam with decoupled weight decay (Loshchilov & Hutter), as optax.adamw.
 */
export type OptimizerName = 'sgd' | 'momentum' | 'adam' | 'adamw';

/** Every OptimizerName. */
export const OPTIMIZERS: readonly OptimizerName[] = ['sgd', 'momentum', 'adam', 'adamw'];

/** A weight optimiser's settings (initOptimizer fills in the rest from DEFAULT_OPTIMIZER): SGD, momentum, Adam (Kingma & Ba 2015) or AdamW (Loshchilov & Hutter 2019), with decay and an optional weight cap. */
export interface OptimizerConfig {
  readonly name: OptimizerName;
  readonly lr: number;
  /** For 'momentum'. Default 0.9. */
  readonly momentum: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly weightDecay: number;
  /**
   * After every step each weight W_l[i,j] is clipped into [−cap, cap]
   * (biases and feedback weights are not); one cap for every layer or one
   * per layer (W_1…W_L). Undefined (the default): no cap.
   * Capping keeps any one layer from dominating its neighbours during
   * relaxation (Kinghorn, Millidge & Buckley 2022, for generative PCNs).
   */
  readonly weightCap?: number | readonly number[];
}

/** The optimiser settings initOptimizer fills in where the given config leaves them out: AdamW 3e-4, β = (0.9, 0.999), ε = 1e-8, no decay, no cap. */
export const DEFAULT_OPTIMIZER: OptimizerConfig = Object.freeze({
  name: 'adamw',
  lr: 3e-4,
  momentum: 0.9,
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-8,
  weightDecay: 0,
});

/** An optimiser's configuration, step count and moment buffers (one set per layer, in the backend's memory); stepOptimizer mutates it and the model. */
export interface OptimizerState<T extends BackendArray = Float32Array> {
  readonly config: OptimizerConfig;
  /** Steps taken so far (Adam's t after the next step is step + 1). */
  step: number;
  /** Per parameter, in parameters() order: [first moment or velocity, second moment] (unused slots are empty). */
  readonly slots: readonly (readonly [T, T])[];
}

/** The trained parameters of a model in optimiser order. */
export function parameters<T extends BackendArray>(model: Model<T>): T[] {
  const learned = model.config.feedback === 'learned';
  return model.layers.flatMap((layer) =>
    learned && layer.feedback ? [layer.weights.data, layer.bias.data, layer.feedback.data] : [layer.weights.data, layer.bias.data],
  );
}

/** The workspace gradients matching parameters(), in the same order. */
export function gradients<T extends BackendArray>(model: Model<T>, ws: Workspace<T>): T[] {
  const learned = model.config.feedback === 'learned';
  return model.layers.flatMap((_, i) => (learned ? [ws.gradW[i + 1], ws.gradB[i + 1], ws.gradFeedback[i + 1]] : [ws.gradW[i + 1], ws.gradB[i + 1]]));
}

/**
 * Checks an optimiser configuration (from code or a checkpoint) for a model of
 * `layerCount` weight layers and returns it complete (defaults filled in) and
 * frozen. Throws PcError('config') naming the field, the value and the range.
 */
export function validateOptimizerConfig(config: Partial<OptimizerConfig>, layerCount: number): OptimizerConfig {
  checkObject(config, 'optimizer: config', 'an object of optimiser settings ({ name?, lr?, weightDecay?, … }; {} for the defaults)');
  const c: OptimizerConfig = Object.freeze({ ...DEFAULT_OPTIMIZER, ...config });
  check(OPTIMIZERS.includes(c.name), 'config', () => `optimizer: unknown name ${shown(c.name)}; expected one of ${OPTIMIZERS.join(', ')}.`);
  for (const key of ['lr', 'momentum', 'beta1', 'beta2', 'epsilon', 'weightDecay'] as const) {
    check(
      typeof c[key] === 'number' && Number.isFinite(c[key]) && c[key] >= 0,
      'config',
      () => `optimizer: ${key} must be a finite number ≥ 0, got ${shown(c[key])}.`,
    );
  }
  const cap = c.weightCap;
  const caps = cap === undefined ? [] : typeof cap === 'number' ? [cap] : Array.isArray(cap) ? cap : [Number.NaN];
  check(
    caps.every((v) => typeof v === 'number' && Number.isFinite(v) && v > 0) && (!Array.isArray(cap) || caps.length === layerCount),
    'config',
    () => `optimizer: weightCap must be a finite number > 0 or one such number per layer (${layerCount}), or left out (no cap); got ${shown(cap)}.`,
  );
  check(c.beta1 < 1 && c.beta2 < 1, 'config', () => `optimizer: beta1 and beta2 must be < 1, got ${shown(c.beta1)} and ${shown(c.beta2)}.`);
  check(c.momentum < 1, 'config', () => `optimizer: momentum must be < 1 (1 or more never forgets a gradient and diverges), got ${c.momentum}.`);
  return c;
}

/** Moments each optimiser keeps per parameter: sgd none, momentum a velocity m, Adam(W) m and v. */
export const MOMENTS: Readonly<Record<OptimizerName, number>> = Object.freeze({ sgd: 0, momentum: 1, adam: 2, adamw: 2 });

/**
 * Fresh optimiser state for `model`: `config` over DEFAULT_OPTIMIZER, step 0,
 * zero moment buffers in the backend's memory (one per parameter: 'momentum'
 * one, Adam/AdamW two, Kingma & Ba 2015 / Loshchilov & Hutter 2019). Throws
 * PcError('config') for an invalid config (validateOptimizerConfig).
 */
export function initOptimizer<T extends BackendArray>(model: Model<T>, config: Partial<OptimizerConfig>, backend: Backend<T>): OptimizerState<T> {
  checkObject(config, 'initOptimizer: config', 'an object of optimiser settings ({ name?, lr?, weightDecay?, … }; {} for the defaults)');
  const c = validateOptimizerConfig(config, model.layers.length);
  const needs = MOMENTS[c.name];
  const slots = parameters(model).map((p) => [backend.alloc(needs >= 1 ? p.length : 0), backend.alloc(needs >= 2 ? p.length : 0)] as const);
  return { config: c, step: 0, slots };
}

/**
 * Applies one step with the workspace gradients (see gradients()); `lr` overrides the
 * configured rate (for schedules). Mutates the model's weights and `state`.
 * Throws PcError('shape') unless `ws` and `state` were made for this model
 * (checkWorkspace, checkOptimizerState), PcError('config') for an `lr` that is not finite and ≥ 0.
 */
export function applyOptimizer<T extends BackendArray>(model: Model<T>, ws: Workspace<T>, state: OptimizerState<T>, lr?: number): void {
  checkWorkspace(model, ws, 'applyOptimizer');
  checkOptimizerState(model, state, 'applyOptimizer');
  checkLr(lr, 'applyOptimizer: lr');
  stepOptimizer(model, ws, state, lr);
}

/** Throws PcError('config') unless `lr` (a learning-rate override, named `where`) is undefined or a finite number ≥ 0. */
export function checkLr(lr: number | undefined, where: string): void {
  if (lr === undefined || (typeof lr === 'number' && lr >= 0 && lr < Number.POSITIVE_INFINITY)) return;
  throw new PcError('config', `${where} (the weight learning rate) must be a finite number ≥ 0, or left out for the optimiser's own; got ${shown(lr)}.`);
}

/** applyOptimizer without its checks: for callers that made them once for the whole batch (trainStep, stream, backpropStep). */
export function stepOptimizer<T extends BackendArray>(model: Model<T>, ws: Workspace<T>, state: OptimizerState<T>, lr = state.config.lr): void {
  const { backend } = ws;
  const c = state.config;
  state.step++;
  const params = parameters(model);
  const grads = gradients(model, ws);
  for (let i = 0; i < params.length; i++) {
    const g = grads[i];
    const p = params[i];
    const [m, v] = state.slots[i];
    switch (c.name) {
      case 'sgd':
        backend.sgdStep(p, g, null, p.length, lr, 0, c.weightDecay);
        break;
      case 'momentum':
        backend.sgdStep(p, g, m, p.length, lr, c.momentum, c.weightDecay);
        break;
      default:
        backend.adamStep(p, g, m, v, p.length, {
          lr,
          beta1: c.beta1,
          beta2: c.beta2,
          epsilon: c.epsilon,
          weightDecay: c.weightDecay,
          decoupled: c.name === 'adamw',
          t: state.step,
        });
    }
  }
  const cap = c.weightCap;
  if (cap !== undefined)
    for (const [i, layer] of model.layers.entries()) backend.clip(layer.weights.data, typeof cap === 'number' ? cap : cap[i], layer.weights.data.length);
}

/** Returns an optimiser state's memory to the backend. */
export function disposeOptimizer<T extends BackendArray>(state: OptimizerState<T>, backend: Backend<T>): void {
  for (const [m, v] of state.slots) {
    backend.free(m);
    backend.free(v);
  }
}

/**
 * Whether `state` fits `model`: one slot per parameter of parameters(model),
 * each moment exactly as long as its parameter (or empty where the optimiser
 * keeps none) and of the same element type. No allocation: a loop over the layers.
 */
function stateFits<T extends BackendArray>(model: Model<T>, state: OptimizerState<T>): boolean {
  if (typeof state !== 'object' || state === null || !Array.isArray(state.slots) || typeof state.config !== 'object' || state.config === null) return false;
  if (!Object.hasOwn(MOMENTS, state.config.name)) return false;
  const needs = MOMENTS[state.config.name];
  const learned = model.config.feedback === 'learned';
  const slots = state.slots;
  let i = 0;
  for (let l = 0; l < model.layers.length; l++) {
    const layer = model.layers[l];
    if (!slotFits(slots[i++], layer.weights.data, needs) || !slotFits(slots[i++], layer.bias.data, needs)) return false;
    if (learned && layer.feedback && !slotFits(slots[i++], layer.feedback.data, needs)) return false;
  }
  return i === slots.length;
}

function slotFits(slot: readonly [BackendArray, BackendArray] | undefined, p: BackendArray, needs: number): boolean {
  return Array.isArray(slot) && momentFits(slot[0], p, needs >= 1) && momentFits(slot[1], p, needs >= 2);
}

function momentFits(moment: BackendArray | undefined, p: BackendArray, used: boolean): boolean {
  if (!isBackendArray(moment)) return false;
  return used ? moment.length === p.length && elementBytes(moment) === elementBytes(p) : moment.length === 0;
}

/**
 * Throws PcError('shape') unless `state` was made (by initOptimizer) for a
 * model of this shape: as many slots as parameters(model), and for every
 * optimiser but sgd (which keeps no moments) each moment as long as its
 * parameter and of its element type. `where` names the caller. Passing
 * costs a loop over the layers and allocates nothing: cheap enough for every batch.
 */
export function checkOptimizerState<T extends BackendArray>(model: Model<T>, state: OptimizerState<T>, where: string): void {
  if (stateFits(model, state)) return;
  throw new PcError('shape', `${where}: ${stateMismatch(model, state)} Make it with initOptimizer(model, config, backend) for this model.`);
}

/** What does not fit, for checkOptimizerState's message (only built on failure). */
function stateMismatch<T extends BackendArray>(model: Model<T>, state: OptimizerState<T>): string {
  const name = state?.config?.name;
  if (typeof state !== 'object' || state === null || !Array.isArray(state.slots) || !Object.hasOwn(MOMENTS, name ?? ''))
    return `expected an optimiser state from initOptimizer (a config with a known name and one slot per parameter), got ${shown(state)}.`;
  const params = parameters(model);
  const sizes = `${model.config.sizes.join('-')}${model.config.feedback === 'learned' ? ' with learned feedback' : ''}`;
  const slots = state.slots;
  const needs = MOMENTS[name];
  if (needs === 0 || slots.length !== params.length)
    return `the optimiser state (${name}) holds ${slots.length} slots (one per parameter) but this model (${sizes}) has ${params.length} parameters.`;
  const m: BackendArray[] = slots.map((s) => (Array.isArray(s) && isBackendArray(s[0]) ? s[0] : new Float32Array(0)));
  const type = (a: BackendArray) => a.constructor.name;
  const other = m.find((a, i) => a.length === params[i].length && elementBytes(a) !== elementBytes(params[i]));
  if (other)
    return `the optimiser state (${name}) holds ${type(other)} moments but this model's parameters are ${type(params[0])}: the state was made on a backend of another element type.`;
  const lengths = m.map((a) => a.length);
  const made = sizesOf(lengths, model.config.feedback === 'learned' ? 3 : 2);
  return `the optimiser state (${name}) was made for parameters of lengths ${lengths.join(', ')}${made ? ` (a ${made} model)` : ''} but this model (${sizes}) has ${params.map((p) => p.length).join(', ')}.`;
}

/** The layer sizes n_0-…-n_L whose parameters (W_l, b_l and, with per = 3, B_l per layer) have these lengths, or '' if none do. */
function sizesOf(lengths: readonly number[], per: number): string {
  if (lengths.length === 0 || lengths.length % per !== 0) return '';
  const sizes: number[] = [];
  for (let i = 0; i < lengths.length; i += per) {
    const out = lengths[i + 1];
    const into = out > 0 ? lengths[i] / out : 0;
    if (!Number.isInteger(into) || into < 1 || (sizes.length > 0 && sizes.at(-1) !== into) || (per === 3 && lengths[i + 2] !== lengths[i])) return '';
    if (sizes.length === 0) sizes.push(into);
    sizes.push(out);
  }
  return sizes.join('-');
}

function isBackendArray(a: unknown): a is BackendArray {
  return a instanceof Float32Array || a instanceof Float64Array || (typeof a === 'object' && a !== null && (a as { onDevice?: unknown }).onDevice === true);
}
