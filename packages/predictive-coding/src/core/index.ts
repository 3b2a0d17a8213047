/**
 * Layer kinds, energy, relaxation and Hebbian learning: docs/design.md §2 one
 * function to one equation. Models are plain data; workspaces hold a batch's
 * values, errors and gradients.
 *
 * @module predictive-coding/core
 */
export { computeActivations, computeError, computeErrors, computePrediction, rowEnergies, rowEnergiesInto } from './energy.ts';
export { feedbackAngles } from './feedback.ts';
export { disposeModel, initModel, WEIGHT_INITS, type WeightInit } from './init.ts';
export { deriveShapes, kindOf, parameterShapesOf } from './kinds.ts';
export {
  type Conv2dSpec,
  type Conv2dTransposeSpec,
  type DenseSpec,
  isResidual,
  type KindFlops,
  type KindScratch,
  LAYER_KINDS,
  type LayerKind,
  type LayerSpec,
  type ParameterShapes,
  positionsOf,
  type ScratchSize,
  type Shape,
  sizeOf,
} from './layer-kind.ts';
export { computeWeightGrads, type LearnOptions } from './learn.ts';
export {
  type ConfigOptions,
  createConfig,
  depth,
  type Feedback,
  type Layer,
  type Model,
  type Orientation,
  type OutputEnergy,
  type PcnConfig,
  type PcnConfigInput,
  parameterCount,
  validateConfig,
} from './model.ts';
export { deriveScales, PARAMETERISATIONS, type Parameterisation } from './parameterisation.ts';
export {
  type ClassifyOptions,
  checkPriorWeight,
  classifyByRelaxation,
  complete,
  forward,
  type GenerativeReadout,
  generate,
  type InferOptions,
  infer,
  predictLabels,
  READOUTS,
} from './predict.ts';
export { argmaxRows, classifyByRelaxationAsync, completeAsync, inferAsync, predictLabelsAsync } from './predict-async.ts';
export {
  computeFeedback,
  LEARNING_TIMINGS,
  type LearningTiming,
  type PartialClamp,
  planRelaxation,
  type RelaxLearning,
  type RelaxOptions,
  type RelaxPlan,
  type RelaxResult,
  refreshErrors,
  relax,
  startRelaxation,
  type TopPrior,
  updateValues,
  updateValuesInOrder,
} from './relax.ts';
export { DEFAULT_RELAX, type RelaxConfig, type RelaxOrder, validateRelaxConfig } from './relax-config.ts';
export { relaxAsync } from './relax-deferred.ts';
export { checkEnergy, UNSETTLED_CHANGE, UNSTABLE_RISE, UNSTABLE_RISE_FEEDBACK } from './relax-health.ts';
export { type Clamp, clampedLayers, clampValues, INIT_MODES, type InitMode, initValues } from './values.ts';
export { checkWorkspace, disposeWorkspace, initWorkspace, type Workspace } from './workspace.ts';
