/**
 * Training: the one-call step, fit and evaluate, optimisers and schedules,
 * checkpoints, presets, architecture presets, FLOP counts, and backprop on
 * the same models for comparisons.
 *
 * @module predictive-coding/train
 */
export {
  ARCHITECTURES,
  type ArchitectureName,
  type ArchitectureOptions,
  type ArchitectureSpec,
  architecture,
  architectureConfig,
  architectureOf,
  type DataShape,
  describeArchitecture,
  parseArchitecture,
} from './architectures.ts';
export { backpropGradients, backpropStep, backpropStepAsync, recordBackpropGradients } from './backprop.ts';
export {
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  type Checkpoint,
  checkCheckpointStart,
  crc32,
  decodeCheckpoint,
  encodeCheckpoint,
} from './checkpoint.ts';
export { modelFromCheckpoint, restoreOptimizer } from './checkpoint-restore.ts';
export { DIVERGENCE, type RelaxationHealth } from './divergence.ts';
export { bpEpochFlops, bpStepFlops, pcEpochFlops, pcStepFlops } from './flops.ts';
export { createGradientAgreement, type GradientAgreement } from './gradient-agreement.ts';
export { hostCopy } from './host-copy.ts';
export { gatherBatch, type LabeledData, shuffledOrder } from './labeled-data.ts';
export {
  type BatchInfo,
  type EpochStats,
  type EvaluateOptions,
  evaluate,
  evaluateAsync,
  type FitOptions,
  fit,
  GENERATIVE_EVAL_RELAX,
  GENERATIVE_PRIOR_WEIGHT,
} from './loop.ts';
export { accuracy, cosine, meanStd } from './metrics.ts';
export {
  applyOptimizer,
  checkOptimizerState,
  DEFAULT_OPTIMIZER,
  disposeOptimizer,
  gradients,
  initOptimizer,
  OPTIMIZERS,
  type OptimizerConfig,
  type OptimizerName,
  type OptimizerState,
  parameters,
  validateOptimizerConfig,
} from './optim.ts';
export {
  GENERATIVE_MLP,
  GENERATIVE_SAMPLE_NOISE,
  MUPC_RESMLP,
  PCX_MLP,
  PRESETS,
  type Preset,
  type PresetModel,
  type PresetOverrides,
  presetFitOptions,
  presetModel,
} from './presets.ts';
export { type LrSchedule, SCHEDULES, scheduledLr } from './schedule.ts';
export {
  type Batch,
  DEFAULT_TRAIN,
  type LearningSchedule,
  MIN_STEPS_FROM_REST,
  type StepOptions,
  type StepResult,
  supervisedBatch,
  type TrainConfig,
  trainStep,
  trainStepAsync,
  validateTrainConfig,
} from './step.ts';
export { type StreamOptions, type StreamResult, stream } from './stream.ts';
