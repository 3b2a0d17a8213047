/**
 * predictive-coding: predictive coding networks for TypeScript.
 *
 * The root export is what a user needs to build, train, evaluate, infer,
 * generate, save and load a PCN, the presets, the data loaders, and PcError.
 * The building blocks are in the subpaths, which mirror the layers of the
 * idea: `predictive-coding/kernels` (the backends and their operations) →
 * `/core` (layer kinds, energy, relaxation, Hebbian learning) → `/train`
 * (optimisers, schedules, checkpoints, presets) → `/data` (datasets and
 * loaders); `/node` loads dataset folders from disk (Node only); `/random`
 * and `/errors` are the leaves every layer uses.
 *
 * @module predictive-coding
 */

export {
  type ConfigOptions,
  classifyByRelaxation,
  complete,
  createConfig,
  disposeModel,
  disposeWorkspace,
  forward,
  generate,
  infer,
  initModel,
  initWorkspace,
  type Model,
  type PcnConfig,
  parameterCount,
  predictLabels,
  type RelaxConfig,
  type Workspace,
} from './core/index.ts';
export {
  type Dataset,
  datasetFromCifar,
  datasetFromIdxBytes,
  embeddedDigitsFromBytes,
  loadEmbeddedDigits,
  type Split,
  subset,
} from './data/index.ts';
export { PcError, type PcErrorCode } from './errors.ts';
export { type Activation, type Backend, type BackendName, type BackendOptions, createBackend } from './kernels/index.ts';
export { createRng, type Rng } from './random.ts';
export {
  ARCHITECTURES,
  type ArchitectureName,
  type ArchitectureSpec,
  architecture,
  architectureConfig,
  type Checkpoint,
  decodeCheckpoint,
  type EpochStats,
  encodeCheckpoint,
  evaluate,
  evaluateAsync,
  type FitOptions,
  fit,
  GENERATIVE_MLP,
  hostCopy,
  initOptimizer,
  MUPC_RESMLP,
  modelFromCheckpoint,
  type OptimizerConfig,
  type OptimizerState,
  PCX_MLP,
  PRESETS,
  type Preset,
  type PresetModel,
  type PresetOverrides,
  presetFitOptions,
  presetModel,
  restoreOptimizer,
  supervisedBatch,
  type TrainConfig,
  trainStep,
  trainStepAsync,
} from './train/index.ts';
