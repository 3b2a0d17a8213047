export { computeActivations, computeError, computeErrors, computePrediction } from './energy.ts';
export { disposeModel, initModel, type WeightInit } from './init.ts';
export { computeWeightGrads } from './learn.ts';
export {
  type ConfigOptions,
  createConfig,
  depth,
  type Layer,
  type Model,
  type Orientation,
  type OutputEnergy,
  type PcnConfig,
  parameterCount,
  validateConfig,
} from './model.ts';
export { forward, infer, predictLabels } from './predict.ts';
export {
  DEFAULT_RELAX,
  planRelaxation,
  type RelaxConfig,
  type RelaxPlan,
  type RelaxResult,
  refreshErrors,
  relax,
  startRelaxation,
  updateValues,
} from './relax.ts';
export { type Clamp, clampedLayers, type InitMode, initValues } from './values.ts';
export { disposeWorkspace, initWorkspace, type Workspace } from './workspace.ts';
