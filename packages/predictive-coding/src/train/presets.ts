/**
 * Presets: the measured training recipes, as plain data — the one copy the
 * CLI, the benchmarks, the experiments and the lab all build from. A preset
 * names a network (createConfig's options), a weight optimiser
 * (initOptimizer's config), and how fit() trains it (batch size, learning-rate
 * schedule, relaxation). `presetModel` turns one into a model, workspace and
 * optimiser; `presetFitOptions` into fit()'s options.
 *
 * The figures quoted are measured on the embedded digits or MNIST (the repository's README, Results).
 */
import { type ConfigOptions, createConfig, initModel, initWorkspace, type Model, type Workspace } from '../core/index.ts';
import { check } from '../errors.ts';
import type { Backend, BackendArray } from '../kernels/index.ts';
import { createRng } from '../random.ts';
import { type FitOptions, GENERATIVE_EVAL_RELAX } from './loop.ts';
import { initOptimizer, type OptimizerConfig, type OptimizerState } from './optim.ts';
import type { LrSchedule } from './schedule.ts';
import type { TrainConfig } from './step.ts';

/** A training recipe; every field is plain data (JSON-able). */
export interface Preset {
  /** One line: what the recipe is and where it comes from. */
  readonly description: string;
  /** The network: createConfig's options. Sizes n_0 and n_L are the data's for image/label layers. */
  readonly model: ConfigOptions;
  /** The weight optimiser: initOptimizer's config (the rest from DEFAULT_OPTIMIZER). */
  readonly optimizer: Readonly<Partial<OptimizerConfig>> & Pick<OptimizerConfig, 'name' | 'lr'>;
  /** Examples per batch. */
  readonly batchSize: number;
  /** The weight learning-rate schedule over the whole run. */
  readonly lrSchedule: LrSchedule;
  /** How values start and relax for each batch, and when weights learn. */
  readonly train: TrainConfig;
  /** Generative presets: how the label layer relaxes to classify (evaluate's relax). */
  readonly evalRelax?: TrainConfig['relax'];
}

/**
 * PCX's MLP benchmark (Pinchetti et al., ICLR 2025): 784-128-128-128-10,
 * leaky-ReLU, squared-error output, forward initialisation, T = 8 relaxation
 * steps of 0.05 with momentum 0.9, AdamW 5e-4 (decay 0.01) under warm-up +
 * cosine, batch 128. 98.0 % on MNIST in 25 epochs (the repository's bench/pcx.ts).
 */
export const PCX_MLP = deepFreeze({
  description: "PCX's MLP benchmark: 784-128-128-128-10 leaky-ReLU, T = 8, AdamW 5e-4",
  model: { sizes: [784, 128, 128, 128, 10], activation: 'leaky-relu', outputEnergy: 'mse' },
  optimizer: { name: 'adamw', lr: 5e-4, weightDecay: 1e-2 },
  batchSize: 128,
  lrSchedule: 'warmup-cosine',
  train: { init: 'forward', relax: { steps: 8, lr: 0.05, momentum: 0.9, tolerance: 0 } },
} as const satisfies Preset);

/**
 * The generative network of the lecture: label → 256 → 256 → image
 * (x_0 = one-hot label, x_L = 784 pixels), the MLP's optimiser with every
 * weight capped at ±0.12 (Kinghorn, Millidge & Buckley 2022: without a cap,
 * accuracy by relaxing the label peaks after an epoch, then falls as the
 * image layer's weights grow — 76.5 % uncapped vs 84.2 % capped on 10,000
 * held-out training images), and a smaller x step (0.02): the 784-wide image
 * error makes the relaxation stiffer. Classifies by GENERATIVE_EVAL_RELAX.
 */
export const GENERATIVE_MLP = deepFreeze({
  description: 'generative PCN: label → 256 → 256 → image, leaky-ReLU, weights capped at ±0.12',
  model: { sizes: [10, 256, 256, 784], activation: 'leaky-relu', orientation: 'generative' },
  optimizer: { name: 'adamw', lr: 5e-4, weightDecay: 1e-2, weightCap: 0.12 },
  batchSize: 128,
  lrSchedule: 'warmup-cosine',
  train: { init: 'forward', relax: { steps: 8, lr: 0.02, momentum: 0.9, tolerance: 0 } },
  evalRelax: GENERATIVE_EVAL_RELAX,
} as const satisfies Preset);

/** σ of the noise drawn into the layer below the label when a generative net samples digits (generate's `noise`): the CLI's and the lab's default. */
export const GENERATIVE_SAMPLE_NOISE = 0.1;

/**
 * μPC's training settings for a deep residual MLP (Innocenti et al., NeurIPS
 * 2025; JPC's example): ReLU, Adam 0.1, batch 64, no decay, a constant rate,
 * x by plain gradient steps of 0.05. Its model is 784-128-128-10 here; use
 * architecture('resmlp', …) for the residual layers and depth. With the MLP's
 * settings a depth-6 width-32 μPC net reached 12.6 % in an epoch on the
 * embedded digits; with these, 88.3 %.
 */
export const MUPC_RESMLP = deepFreeze({
  description: "μPC's residual-MLP settings: ReLU, Adam 0.1, batch 64, constant rate, x by SGD",
  model: { sizes: [784, 128, 128, 10], activation: 'relu', parameterisation: 'mupc' },
  optimizer: { name: 'adam', lr: 0.1, weightDecay: 0 },
  batchSize: 64,
  lrSchedule: 'constant',
  train: { init: 'forward', relax: { steps: 8, lr: 0.05, momentum: 0, tolerance: 0 } },
} as const satisfies Preset);

/** Every preset by name. */
export const PRESETS: Readonly<Record<'pcx-mlp' | 'generative' | 'mupc-resmlp', Preset>> = Object.freeze({
  'pcx-mlp': PCX_MLP,
  generative: GENERATIVE_MLP,
  'mupc-resmlp': MUPC_RESMLP,
});

/** What presetModel returns: all of it allocated on `backend`. */
export interface PresetModel<T extends BackendArray = Float32Array> {
  /** The network; its validated configuration is model.config. */
  readonly model: Model<T>;
  readonly workspace: Workspace<T>;
  readonly optimizer: OptimizerState<T>;
}

/** What presetModel may change of a preset. */
export interface PresetOverrides {
  /** Network options over the preset's (e.g. `{ sizes }` for data of another shape). */
  readonly model?: Partial<ConfigOptions>;
  /** Optimiser settings over the preset's (e.g. `{ weightCap: undefined }` for no cap). */
  readonly optimizer?: Partial<OptimizerConfig>;
  /** Rows of the workspace (default the preset's batch size). */
  readonly batchSize?: number;
}

/**
 * A preset's network, a workspace of its batch size and its optimiser, all
 * allocated on `backend`, the weights drawn from createRng(seed). Mutates
 * nothing it is given. Throws PcError('config') for a seed outside
 * 0..MAX_SEED or an override that makes an invalid network or optimiser.
 */
export function presetModel<T extends BackendArray>(preset: Preset, backend: Backend<T>, seed: number, overrides: PresetOverrides = {}): PresetModel<T> {
  check(typeof preset === 'object' && preset !== null && 'model' in preset, 'config', () => 'presetModel: preset must be one of PRESETS (or shaped like one).');
  const model = initModel(createConfig({ ...preset.model, ...overrides.model }), backend, createRng(seed));
  return {
    model,
    workspace: initWorkspace(model, overrides.batchSize ?? preset.batchSize, backend),
    optimizer: initOptimizer(model, { ...preset.optimizer, ...overrides.optimizer }, backend),
  };
}

/** fit()'s options for a preset: `epochs` epochs shuffled from `seed`, plus any of fit's other options in `extra`. */
export function presetFitOptions<T extends BackendArray = Float32Array>(
  preset: Preset,
  epochs: number,
  seed: number,
  extra: Partial<FitOptions<T>> = {},
): FitOptions<T> {
  return {
    epochs,
    seed,
    batchSize: preset.batchSize,
    lrSchedule: preset.lrSchedule,
    train: preset.train,
    ...(preset.evalRelax ? { evalRelax: preset.evalRelax } : {}),
    ...extra,
  };
}

function deepFreeze<V extends object>(value: V): V {
  for (const v of Object.values(value)) if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) deepFreeze(v);
  return Object.freeze(value);
}
