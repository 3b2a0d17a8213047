/**
 * Weight optimisers (DESIGN §2: W_l ← W_l − η_W·opt(∂E/∂W_l)). Parameters are
 * visited in the order W_1, b_1, (B_1,) …, W_L, b_L, (B_L,) — B_l only for learned
 * feedback, which moves by the same optimiser on its mirror increment, so that
 * B_l − W_lᵀ only changes through weight decay (Kolen–Pollack).
 */
import type { Model, Workspace } from '../core/index.ts';
import { check } from '../errors.ts';
import type { Backend, FloatArray } from '../kernels/index.ts';

/**
 * - `'sgd'`: p ← p − lr·(g + wd·p);
 * - `'momentum'`: v ← m·v + g + wd·p, p ← p − lr·v;
 * - `'adam'`: Adam with L2 weight decay added to g;
 * - `'adamw'`: Adam with decoupled weight decay (Loshchilov & Hutter), as optax.adamw.
 */
export type OptimizerName = 'sgd' | 'momentum' | 'adam' | 'adamw';

export const OPTIMIZERS: readonly OptimizerName[] = ['sgd', 'momentum', 'adam', 'adamw'];

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

export const DEFAULT_OPTIMIZER: OptimizerConfig = Object.freeze({
  name: 'adamw',
  lr: 3e-4,
  momentum: 0.9,
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-8,
  weightDecay: 0,
});

export interface OptimizerState<T extends FloatArray = Float32Array> {
  readonly config: OptimizerConfig;
  /** Steps taken so far (Adam's t after the next step is step + 1). */
  step: number;
  /** Per parameter, in parameters() order: [first moment or velocity, second moment] (unused slots are empty). */
  readonly slots: readonly (readonly [T, T])[];
}

/** The trained parameters of a model in optimiser order. */
export function parameters<T extends FloatArray>(model: Model<T>): T[] {
  const learned = model.config.feedback === 'learned';
  return model.layers.flatMap((layer) =>
    learned && layer.feedback ? [layer.weights.data, layer.bias.data, layer.feedback.data] : [layer.weights.data, layer.bias.data],
  );
}

/** The workspace gradients matching parameters(), in the same order. */
export function gradients<T extends FloatArray>(model: Model<T>, ws: Workspace<T>): T[] {
  const learned = model.config.feedback === 'learned';
  return model.layers.flatMap((_, i) => (learned ? [ws.gradW[i + 1], ws.gradB[i + 1], ws.gradFeedback[i + 1]] : [ws.gradW[i + 1], ws.gradB[i + 1]]));
}

/**
 * Checks an optimiser configuration (from code or a checkpoint) for a model of
 * `layerCount` weight layers and returns it complete (defaults filled in) and
 * frozen. Throws PcError('config') naming the field, the value and the range.
 */
export function validateOptimizerConfig(config: Partial<OptimizerConfig>, layerCount: number): OptimizerConfig {
  const c: OptimizerConfig = Object.freeze({ ...DEFAULT_OPTIMIZER, ...config });
  check(OPTIMIZERS.includes(c.name), 'config', () => `optimizer: unknown name '${String(c.name)}'; expected one of ${OPTIMIZERS.join(', ')}.`);
  for (const key of ['lr', 'momentum', 'beta1', 'beta2', 'epsilon', 'weightDecay'] as const) {
    check(
      typeof c[key] === 'number' && Number.isFinite(c[key]) && c[key] >= 0,
      'config',
      () => `optimizer: ${key} must be a finite number ≥ 0, got ${JSON.stringify(c[key])}.`,
    );
  }
  const cap = c.weightCap;
  const caps = cap === undefined ? [] : typeof cap === 'number' ? [cap] : Array.isArray(cap) ? cap : [Number.NaN];
  check(
    caps.every((v) => typeof v === 'number' && Number.isFinite(v) && v > 0) && (!Array.isArray(cap) || caps.length === layerCount),
    'config',
    () => `optimizer: weightCap must be a finite number > 0 or one such number per layer (${layerCount}), or left out (no cap); got ${JSON.stringify(cap)}.`,
  );
  check(c.beta1 < 1 && c.beta2 < 1, 'config', () => `optimizer: beta1 and beta2 must be < 1, got ${c.beta1} and ${c.beta2}.`);
  check(c.momentum < 1, 'config', () => `optimizer: momentum must be < 1 (1 or more never forgets a gradient and diverges), got ${c.momentum}.`);
  return c;
}

/** Fresh optimiser state (zero moments) in the backend's memory; validates `config` (validateOptimizerConfig). */
export function initOptimizer<T extends FloatArray>(model: Model<T>, config: Partial<OptimizerConfig>, backend: Backend<T>): OptimizerState<T> {
  const c = validateOptimizerConfig(config, model.layers.length);
  const needs = c.name === 'sgd' ? 0 : c.name === 'momentum' ? 1 : 2;
  const slots = parameters(model).map((p) => [backend.alloc(needs >= 1 ? p.length : 0), backend.alloc(needs >= 2 ? p.length : 0)] as const);
  return { config: c, step: 0, slots };
}

/**
 * Applies one step with the workspace gradients (see gradients()); `lr` overrides the
 * configured rate (for schedules). Mutates the model's weights and `state`.
 */
export function applyOptimizer<T extends FloatArray>(model: Model<T>, ws: Workspace<T>, state: OptimizerState<T>, lr = state.config.lr): void {
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
  if (cap !== undefined) for (const [i, layer] of model.layers.entries()) clip(layer.weights.data, typeof cap === 'number' ? cap : cap[i]);
}

function clip(w: FloatArray, cap: number): void {
  for (let i = 0; i < w.length; i++) {
    if (w[i] > cap) w[i] = cap;
    else if (w[i] < -cap) w[i] = -cap;
  }
}

/** Returns an optimiser state's memory to the backend. */
export function disposeOptimizer<T extends FloatArray>(state: OptimizerState<T>, backend: Backend<T>): void {
  for (const [m, v] of state.slots) {
    backend.free(m);
    backend.free(v);
  }
}
