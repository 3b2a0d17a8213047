export { computeActivations, computeError, computeErrors, computePrediction, rowEnergies } from './energy.ts';
export { feedbackAngles } from './feedback.ts';
export { disposeModel, initModel, type WeightInit } from './init.ts';
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
  parameterCount,
  validateConfig,
} from './model.ts';
export { classifyByRelaxation, complete, forward, type GenerativeReadout, generate, type InferOptions, infer, predictLabels } from './predict.ts';
export {
  DEFAULT_RELAX,
  type LearningTiming,
  type PartialClamp,
  planRelaxation,
  type RelaxConfig,
  type RelaxLearning,
  type RelaxOptions,
  type RelaxOrder,
  type RelaxPlan,
  type RelaxResult,
  refreshErrors,
  relax,
  startRelaxation,
  type TopPrior,
  UNSETTLED_CHANGE,
  UNSTABLE_RISE,
  UNSTABLE_RISE_FEEDBACK,
  updateValues,
  updateValuesInOrder,
  validateRelaxConfig,
} from './relax.ts';
export { type Clamp, clampedLayers, clampValues, type InitMode, initValues } from './values.ts';
export { checkWorkspace, disposeWorkspace, initWorkspace, type Workspace } from './workspace.ts';
