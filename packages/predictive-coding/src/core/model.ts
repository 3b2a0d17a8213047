/**
 * A predictive coding network as plain data (docs/design.md §2).
 *
 * Glossary — one name per concept, everywhere in the code:
 *   x_l    value neurons of layer l, [batch, n_l]            Workspace.x[l]
 *   f_l    activation of layer l, applied to x_l when it predicts x_{l+1}
 *   mu_l   prediction of x_l from layer l−1: f_{l−1}(x_{l−1})·W_lᵀ + b_l — in general
 *          [x_{l−1}] + s_l·(g_l(f_{l−1}(x_{l−1}); W_l) + b_l) (parameterisation.ts)
 *   s_l    branch scale of layer l (1, or μPC's)               PcnConfig.scales[l−1]
 *   eps_l  error neurons x_l − mu_l (l ≥ 1; x_0 has none)   Workspace.eps[l]
 *   E      energy Σ_l ½‖eps_l‖², summed over the batch
 *   W_l    weights, n_l × n_{l−1}                           Model.layers[l−1].weights
 *   b_l    bias, n_l                                        Model.layers[l−1].bias
 *   clamp  a layer held at data; the others are free and relax
 *   T      relaxation steps; eta_x the relaxation step size
 */
import { check, checkChoice, checkObject, shown } from '../errors.ts';
import { ACTIVATIONS, type Activation, type BackendArray, type Tensor } from '../kernels/index.ts';
import { deriveShapes, parameterShapesOf } from './kinds.ts';
import type { LayerSpec, Shape } from './layer-kind.ts';
import { deriveScales, type Parameterisation } from './parameterisation.ts';

/**
 * Which end of the chain holds the data (docs/design.md §2):
 * - `'discriminative'`: x_0 = image, x_L = label (matches backprop; test by a forward pass);
 * - `'generative'`: x_0 = label or latent, x_L = image (the lecture's picture: higher
 *   layers predict lower ones; classify by relaxing x_0 with the image clamped).
 */
export type Orientation = 'discriminative' | 'generative';

/**
 * Energy of the last layer:
 * - `'mse'`: ½‖eps_L‖², as every other layer;
 * - `'ce'`: −Σ y·log softmax(mu_L), with eps_L := y − softmax(mu_L) so every
 *   other formula is unchanged. Only meaningful with x_L clamped to a one-hot y.
 */
export type OutputEnergy = 'mse' | 'ce';

/**
 * What carries errors down in the x update (docs/design.md §2, "feedback weights without
 * weight transport"): the bottom-up term of ∂E/∂x_l is f'(x_l) ⊙ (eps_{l+1}·M)
 * with M =
 * - `'symmetric'`: W_{l+1} itself (exact gradient descent on E; weight transport);
 * - `'learned'`: a separate B_{l+1} (stored [n_l, n_{l+1}], used as Bᵀ) moved by
 *   its own local rule ΔB ∝ f_l(x_l)·eps_{l+1}ᵀ — the mirror of W's; with weight
 *   decay on both (Kolen–Pollack) B − Wᵀ shrinks;
 * - `'random'`: a fixed random B (feedback alignment).
 */
export type Feedback = 'symmetric' | 'learned' | 'random';

/** A validated network configuration (createConfig builds one): layer sizes, activations, orientation, output energy, feedback, layer kinds and shapes, and branch scales. Plain JSON-able data. */
export interface PcnConfig {
  /** n_0 … n_L. */
  readonly sizes: readonly number[];
  /** f_0 … f_L (f_L is never applied: nothing is predicted from the last layer). */
  readonly activations: readonly Activation[];
  readonly orientation: Orientation;
  readonly outputEnergy: OutputEnergy;
  /**
   * β, the weight of the last layer's energy: E = Σ_{l<L} ½‖eps_l‖² + β·E_L. Default 1.
   * A small β is the "weak output error" under which PC's weight updates / β equal
   * backprop's gradients (docs/design.md §2). Stored errors carry it: ws.eps[L] = β·(x_L − mu_L).
   */
  readonly outputWeight: number;
  readonly feedback: Feedback;
  /** How each layer l = 1…L is predicted from layer l−1 (layers[l − 1]; docs/design.md §4). Default: every layer 'dense'. */
  readonly layers: readonly LayerSpec[];
  /** The shape of one example of x_0, [height, width, channels] (NHWC). Default [1, 1, n_0]. */
  readonly inputShape: Shape;
  /** The shape of every layer, derived from inputShape and layers (sizes[l] = height·width·channels). */
  readonly shapes: readonly Shape[];
  /** How the branch scales are set (see Parameterisation). Default 'standard'. */
  readonly parameterisation: Parameterisation;
  /** s_1 … s_L (scales[l − 1], like layers), derived from parameterisation, layers and shapes: mu_l = [x_{l−1}] + s_l·(g_l + b_l). */
  readonly scales: readonly number[];
}

/**
 * A configuration as code or a file may give it: layers, inputShape and parameterisation may be left out
 * (dense, flat, standard); shapes and scales are always derived (and checked when given).
 */
export type PcnConfigInput = Omit<PcnConfig, 'layers' | 'inputShape' | 'shapes' | 'parameterisation' | 'scales'> & {
  readonly layers?: readonly LayerSpec[];
  readonly inputShape?: Shape;
  readonly shapes?: readonly Shape[];
  readonly parameterisation?: Parameterisation;
  readonly scales?: readonly number[];
};

/** The parameters of one predicted layer l (1…L), in the backend's memory: W_l, b_l, and the feedback weights B_l where the model learns or fixes them. */
export interface Layer<T extends BackendArray = Float32Array> {
  /** W_l, shape [n_l, n_{l−1}]. */
  readonly weights: Tensor<T>;
  /** b_l, shape [1, n_l]. */
  readonly bias: Tensor<T>;
  /** B_l, shape [n_{l−1}, n_l], when config.feedback is not 'symmetric'. */
  readonly feedback?: Tensor<T>;
}

/** A PCN as plain data: its configuration and, per predicted layer, its parameters in the backend's memory (initModel makes one; training mutates the parameters in place). */
export interface Model<T extends BackendArray = Float32Array> {
  readonly config: PcnConfig;
  /** layers[l − 1] holds W_l and b_l, the prediction of x_l from x_{l−1}. */
  readonly layers: readonly Layer<T>[];
}

/** Options of createConfig: the network as a user writes it (sizes or layer specs, activations, orientation, output energy and weight, feedback, parameterisation); every field but the sizes has a default. */
export interface ConfigOptions {
  /** n_0 … n_L; may be left out when layers and inputShape are given (derived from them; every dense spec then needs units). */
  readonly sizes?: readonly number[];
  /** Activation of the hidden layers 1 … L−1. Default 'tanh'. */
  readonly activation?: Activation;
  /** f_0, applied to x_0 (the image or the label). Default 'linear', so an input is never squashed. */
  readonly inputActivation?: Activation;
  readonly orientation?: Orientation;
  readonly outputEnergy?: OutputEnergy;
  readonly outputWeight?: number;
  readonly feedback?: Feedback;
  /** How each layer l = 1…L is predicted (default: all 'dense'). */
  readonly layers?: readonly LayerSpec[];
  /** Shape of one example of x_0 (default [1, 1, n_0]). */
  readonly inputShape?: Shape;
  /** The branch scales s_l (default 'standard': all 1; see Parameterisation). */
  readonly parameterisation?: Parameterisation;
}

/**
 * Builds and validates a configuration (docs/design.md §2): sizes n_0…n_L (or
 * layer specs and an input shape, docs/architectures.md), f_0 = inputActivation,
 * f_1…f_{L−1} = activation, f_L = linear; orientation, output energy and
 * weight β, feedback, parameterisation. Returns plain JSON-able data; mutates
 * nothing. Throws PcError('config') naming the field for anything invalid.
 */
export function createConfig(options: ConfigOptions): PcnConfig {
  checkObject(options, 'createConfig: options', 'an object of model options ({ sizes, activation?, inputActivation?, orientation?, … })');
  // Layer specs with an input shape determine every size; a dense spec without units needs them from `sizes`.
  const derivable = options.sizes === undefined && Array.isArray(options.layers) && Array.isArray(options.inputShape);
  check(
    Array.isArray(options.sizes) || derivable,
    'config',
    () =>
      `createConfig: options.sizes must be an array of layer sizes n_0 … n_L (e.g. [784, 128, 10]), or left out with layers and inputShape given (their sizes are derived), got ${shown(options.sizes)}.`,
  );
  const sizes = derivable ? deriveShapes(undefined, options.layers!, options.inputShape!).map((s) => s[0] * s[1] * s[2]) : [...options.sizes!];
  options = { ...options, sizes };
  for (const key of ['activation', 'inputActivation'] as const)
    if (options[key] !== undefined) checkChoice(options[key], ACTIVATIONS, `createConfig: options.${key}`);
  const L = sizes.length - 1;
  const hidden = options.activation ?? 'tanh';
  const activations = sizes.map((_, l): Activation => (l === 0 ? (options.inputActivation ?? 'linear') : l === L ? 'linear' : hidden));
  return validateConfig({
    sizes,
    activations,
    orientation: options.orientation ?? 'discriminative',
    outputEnergy: options.outputEnergy ?? 'mse',
    outputWeight: options.outputWeight ?? 1,
    feedback: options.feedback ?? 'symmetric',
    layers: options.layers,
    inputShape: options.inputShape,
    parameterisation: options.parameterisation,
  });
}

/** Checks a configuration (from code or a file) and returns it complete and frozen; throws PcError('config'). */
export function validateConfig(c: PcnConfigInput): PcnConfig {
  checkObject(c, 'model config', 'an object { sizes, activations, orientation, outputEnergy, outputWeight, feedback } (from createConfig)');
  check(Array.isArray(c.sizes) && c.sizes.length >= 2, 'config', () => `model config: sizes must list at least two layers (n_0 … n_L), got ${shown(c.sizes)}.`);
  for (const [l, n] of c.sizes.entries()) {
    check(Number.isInteger(n) && n >= 1 && n <= 1 << 20, 'config', () => `model config: sizes[${l}] must be an integer in 1..1048576, got ${shown(n)}.`);
  }
  check(
    Array.isArray(c.activations) && c.activations.length === c.sizes.length,
    'config',
    () => `model config: activations needs one entry per layer (${c.sizes.length}), got ${c.activations?.length}.`,
  );
  for (const [l, a] of c.activations.entries()) {
    check(ACTIVATIONS.includes(a), 'config', () => `model config: activations[${l}] is '${String(a)}'; expected one of ${ACTIVATIONS.join(', ')}.`);
  }
  check(
    c.orientation === 'discriminative' || c.orientation === 'generative',
    'config',
    () => `model config: orientation must be 'discriminative' or 'generative', got '${String(c.orientation)}'.`,
  );
  check(
    c.outputEnergy === 'mse' || c.outputEnergy === 'ce',
    'config',
    () => `model config: outputEnergy must be 'mse' or 'ce', got '${String(c.outputEnergy)}'.`,
  );
  check(
    c.orientation === 'discriminative' || c.outputEnergy === 'mse',
    'config',
    () =>
      "model config: a 'ce' output energy is a softmax over the label layer, but a generative model's last layer is the image (a softmax over its pixels). Use outputEnergy 'mse' (pcn --output-energy mse) for generative models, or orientation 'discriminative' (pcn --orientation discriminative).",
  );
  const feedback = c.feedback ?? 'symmetric';
  check(
    ['symmetric', 'learned', 'random'].includes(feedback),
    'config',
    () => `model config: feedback must be 'symmetric', 'learned' or 'random', got '${String(feedback)}'.`,
  );
  const beta = c.outputWeight ?? 1;
  check(Number.isFinite(beta) && beta !== 0, 'config', () => `model config: outputWeight must be a finite non-zero number, got ${shown(beta)}.`);
  const L = c.sizes.length - 1;
  const layers = c.layers ?? c.sizes.slice(1).map((): LayerSpec => ({ kind: 'dense' }));
  const shapes = deriveShapes(c.sizes, layers, c.inputShape ?? [1, 1, c.sizes[0]]);
  check(
    c.shapes === undefined || JSON.stringify(c.shapes) === JSON.stringify(shapes),
    'config',
    () => `model config: shapes ${shown(c.shapes)} disagree with the shapes the layers give, ${JSON.stringify(shapes)}.`,
  );
  const parameterisation = c.parameterisation ?? 'standard';
  const scales = deriveScales(parameterisation, layers.slice(0, L), shapes, 'model config: parameterisation');
  check(
    c.scales === undefined || JSON.stringify(c.scales) === JSON.stringify(scales),
    'config',
    () => `model config: scales ${shown(c.scales)} disagree with the scales parameterisation '${parameterisation}' gives, ${JSON.stringify(scales)}.`,
  );
  return Object.freeze({
    sizes: Object.freeze([...c.sizes]),
    activations: Object.freeze([...c.activations]),
    orientation: c.orientation,
    outputEnergy: c.outputEnergy,
    outputWeight: beta,
    feedback,
    layers: Object.freeze(layers.slice(0, L).map((spec) => Object.freeze({ ...spec }))),
    inputShape: shapes[0],
    shapes: Object.freeze(shapes.map((s) => Object.freeze([...s]) as unknown as Shape)),
    parameterisation,
    scales: Object.freeze(scales),
  });
}

/** L, the index of the last layer. */
export function depth(config: PcnConfig): number {
  return config.sizes.length - 1;
}

/** Number of weights and biases (and learned feedback weights); validates `config` (validateConfig). */
export function parameterCount(config: PcnConfig): number {
  const c = validateConfig(config);
  let s = 0;
  const perW = c.feedback === 'learned' ? 2 : 1;
  // By each layer's kind: a convolution's W is its kernel, not n_l × n_{l−1}.
  for (let l = 1; l < c.sizes.length; l++) {
    const { weights, bias } = parameterShapesOf(c, l);
    s += perW * weights[0] * weights[1] + bias;
  }
  return s;
}
