/**
 * One training step in one call, in the spirit of JPC's make_pc_step:
 * initialise and clamp the values, relax the free layers, compute
 * the Hebbian gradients, apply the optimiser.
 */
import {
  type Clamp,
  checkWorkspace,
  clampedLayers,
  computeWeightGrads,
  DEFAULT_RELAX,
  type InitMode,
  initValues,
  type Model,
  type PcnConfig,
  planRelaxation,
  type RelaxConfig,
  type RelaxOptions,
  type RelaxPlan,
  relax,
  relaxAsync,
  startRelaxation,
  validateRelaxConfig,
  type Workspace,
} from '../core/index.ts';
import { check, checkObject, PcError, shown } from '../errors.ts';
import { type BackendArray, checkImmediate } from '../kernels/index.ts';
import type { Rng } from '../random.ts';
import { weightKnobs } from './divergence.ts';
import { checkLr, checkOptimizerState, type OptimizerState, stepOptimizer } from './optim.ts';

/**
 * When the weights learn (docs/design.md §2, "no separate phases"):
 * - `'standard'`: relax T steps with the weights fixed, then one weight update;
 * - `'incremental'`: the weights update at every relaxation step, at the same time
 *   as x and from the same errors (incremental PC, Salvatori et al.): T updates per batch.
 */
export type LearningSchedule = 'standard' | 'incremental';

/** How one training step runs: the relaxation, how free layers start, and when weights learn ('standard': after relaxing; 'incremental': at every step, Salvatori et al. 2024). */
export interface TrainConfig {
  readonly relax: RelaxConfig;
  /** How free layers start each batch (docs/design.md §2: forward initialisation by default). */
  readonly init: InitMode;
  /** Default 'standard'. */
  readonly schedule?: LearningSchedule;
}

/** The training step used where none is given: DEFAULT_RELAX, forward initialisation, the standard schedule. */
export const DEFAULT_TRAIN: TrainConfig = Object.freeze({ relax: DEFAULT_RELAX, init: 'forward', schedule: 'standard' });

/**
 * Steps below which a relaxation from `init: 'zero'` or `'random'` does not
 * settle. Measured on the embedded digits (784-128-128-128-10, x step 0.05,
 * momentum 0.9, 3 epochs): zero init with T = 8 / 30 / 100 reached 33 / 12 /
 * 86 % held-out (forward init, T = 8: 92 %); random init with T = 100: 86 %.
 */
export const MIN_STEPS_FROM_REST = 100;

/**
 * Checks a training configuration — the one check every caller (trainStep, fit,
 * the CLI) runs on it; trainStep skips the advice — and returns advice that is not an error: settings
 * that run but are known to train badly. Throws PcError('config') for values
 * out of range and combinations that make no sense.
 */
export function validateTrainConfig(config: TrainConfig, where = 'train config'): string[] {
  checkTrainConfig(config, where);
  const advice: string[] = [];
  if (config.init !== 'forward' && config.relax.steps < MIN_STEPS_FROM_REST)
    advice.push(
      `${where}: init '${config.init}' starts every free layer far from equilibrium, and ${config.relax.steps} relaxation steps do not settle it (measured: T = 8 and 30 stay far below forward init; T = 100 comes close). Use at least ${MIN_STEPS_FROM_REST} steps (pcn --steps), or init 'forward'.`,
    );
  return advice;
}

/**
 * validateTrainConfig's checks without its advice, for trainStep's every call:
 * `relaxWhere` is given as a literal there, so a passing check builds no string.
 */
function checkTrainConfig(config: TrainConfig, where: string, relaxWhere = `${where}: relax`): void {
  checkObject(config, where, 'an object { relax, init, schedule? } (e.g. DEFAULT_TRAIN)');
  validateRelaxConfig(config.relax, relaxWhere);
  check(
    config.init === 'forward' || config.init === 'zero' || config.init === 'random',
    'config',
    () => `${where}: init must be 'forward', 'zero' or 'random', got '${String(config.init)}'.`,
  );
  const schedule = config.schedule ?? 'standard';
  check(
    schedule === 'standard' || schedule === 'incremental',
    'config',
    () => `${where}: schedule must be 'standard' or 'incremental', got '${String(schedule)}'.`,
  );
  check(
    schedule !== 'incremental' || (config.relax.order ?? 'synchronous') === 'synchronous',
    'config',
    () =>
      `${where}: the 'incremental' schedule learns from the one state every layer steps from, so it needs relax.order 'synchronous' (got '${config.relax.order}'). Use the standard schedule for other orders.`,
  );
}

/** A batch: `rows` examples and the data of every clamped layer (see Clamp). */
export interface Batch {
  readonly rows: number;
  readonly clamp: Clamp;
}

/** What trainStep returns: the energies after initialisation and after relaxation (summed over the batch) and the relaxation's steps. */
export interface StepResult {
  /** E after relaxation (summed over the batch), the energy the weights descend. */
  readonly energy: number;
  /** E right after initialisation. */
  readonly initialEnergy: number;
  readonly iterations: number;
  /** E per relaxation step, when options.trace is set. */
  readonly trace?: Float64Array;
  /** The relaxation ended above its start or rose at every step (see UNSTABLE_RISE). */
  readonly unstable: boolean;
  /** Its last step still changed E a lot (see UNSETTLED_CHANGE). */
  readonly unsettled: boolean;
}

/** Options of trainStep: a learning rate for this step (schedules) and the generator for random initialisation. */
export interface StepOptions {
  /** Overrides the optimiser's learning rate for this step (schedules). */
  readonly lr?: number;
  /** Needed for init 'random'. */
  readonly rng?: Rng;
  /** Record E after every relaxation step. */
  readonly trace?: boolean;
  /** Sees the workspace gradients before each weight update is applied (comparisons, logging). */
  readonly onGradients?: () => void;
  /**
   * Largest energy per example allowed before relaxation starts (fit sets it
   * from the first batch's; see DIVERGENCE). Above it, or non-finite, the
   * weights have blown up: PcError('divergence') naming the weight learning rate (and the weight decay, when set).
   */
  readonly maxInitialEnergy?: number;
}

/**
 * Trains on one batch: relaxes the free layers to (near) equilibrium with the
 * weights fixed, then moves every W and b by the optimiser on ∂E/∂W, ∂E/∂b
 * (batch means) — or, on the 'incremental' schedule, moves them at every step. Updates the model's weights and `opt` in place and returns
 * the energies. Throws PcError('divergence') if the relaxation diverges; PcError('config') on a deferred
 * backend (a GPU), which trains through trainStepAsync.
 */
export function trainStep<T extends BackendArray>(
  model: Model<T>,
  opt: OptimizerState<T>,
  batch: Batch,
  config: TrainConfig,
  ws: Workspace<T>,
  options: StepOptions = {},
): StepResult {
  checkImmediate(ws.backend, 'trainStep', 'use trainStepAsync (fit does)');
  const s = prepareStep(model, opt, batch, config, ws, options, 'trainStep');
  checkCeiling(s.initialEnergy, s.rows, options, opt);
  const result = relax(model, ws, s.rows, s.plan, config.relax, s.initialEnergy, s.relaxOptions);
  if (!s.incremental) s.learnNow();
  return result;
}

/**
 * trainStep for any backend, with one await: on a deferred backend (a GPU) the whole step — values,
 * relaxation, gradients, optimiser — is recorded without reading a number back, then one read brings
 * the energies (core/relax-deferred.ts: all T steps run; a divergence, or an initial energy above
 * options.maxInitialEnergy, is reported after the batch, when the weights have already moved). On an
 * immediate backend it is trainStep.
 */
export async function trainStepAsync<T extends BackendArray>(
  model: Model<T>,
  opt: OptimizerState<T>,
  batch: Batch,
  config: TrainConfig,
  ws: Workspace<T>,
  options: StepOptions = {},
): Promise<StepResult> {
  if (!ws.backend.deferred) return trainStep(model, opt, batch, config, ws, options);
  const s = prepareStep(model, opt, batch, config, ws, options, 'trainStepAsync');
  const pending = relaxAsync(model, ws, s.rows, s.plan, config.relax, s.initialEnergy, s.relaxOptions);
  if (!s.incremental) s.learnNow();
  const result = await pending;
  checkCeiling(result.initialEnergy, s.rows, options, opt);
  return result;
}

interface PreparedStep {
  readonly rows: number;
  readonly initialEnergy: number;
  readonly plan: RelaxPlan;
  readonly incremental: boolean;
  readonly learnNow: () => void;
  readonly relaxOptions: RelaxOptions;
}

// Validates a step's arguments, puts the values in place and computes the first errors (their energy: NaN on a deferred backend).
function prepareStep<T extends BackendArray>(
  model: Model<T>,
  opt: OptimizerState<T>,
  batch: Batch,
  config: TrainConfig,
  ws: Workspace<T>,
  options: StepOptions,
  where: string,
): PreparedStep {
  checkObject(batch, `${where}: batch`, 'an object { rows, clamp } (see supervisedBatch)');
  checkObject(options, `${where}: options`, 'an object of step options (lr?, rng?, trace?, …) or left out');
  const { rows, clamp } = batch;
  check(
    Number.isInteger(rows) && rows >= 1 && rows <= ws.capacity,
    'shape',
    () => `${where}: batch.rows must be in 1..${ws.capacity} (the workspace capacity), got ${rows}.`,
  );
  checkTrainConfig(config, `${where}: config`, `${where}: config: relax`);
  checkWorkspace(model, ws, where);
  checkOptimizerState(model, opt, where);
  checkLr(options.lr, `${where}: options.lr`);
  const clamped = clampedLayers(model, clamp, rows, where);
  initValues(model, ws, rows, clamp, config.init, options.rng);
  const initialEnergy = startRelaxation(model, ws, rows);
  const learnNow = () => {
    computeWeightGrads(model, ws, rows);
    options.onGradients?.();
    stepOptimizer(model, ws, opt, options.lr);
  };
  const incremental = config.schedule === 'incremental';
  const relaxOptions: RelaxOptions = {
    trace: options.trace,
    rng: options.rng,
    learn: incremental ? { timing: 'with-x', apply: learnNow } : undefined,
  };
  return { rows, initialEnergy, plan: planRelaxation(model, clamped), incremental, learnNow, relaxOptions };
}

// PcError('divergence') when the energy per example before relaxation is above options.maxInitialEnergy (or not finite).
function checkCeiling<T extends BackendArray>(initialEnergy: number, rows: number, options: StepOptions, opt: OptimizerState<T>): void {
  const ceiling = options.maxInitialEnergy;
  if (ceiling !== undefined && !(initialEnergy / rows <= ceiling) && Number.isFinite(ceiling)) {
    throw new PcError(
      'divergence',
      `trainStep: before relaxation the energy is already ${(initialEnergy / rows).toExponential(3)} per example (the limit here is ${ceiling.toExponential(3)}): the weights have blown up. ${weightKnobs(opt.config)}`,
    );
  }
}

/**
 * The clamps of a labelled batch for the model's orientation: images
 * (rows × image size) at x_0 and targets (rows × classes, e.g. one-hot) at x_L
 * (discriminative), or the reverse (generative). The arrays are referenced,
 * not copied. Throws PcError('shape') when an array does not hold exactly rows
 * of its layer's size.
 */
export function supervisedBatch(config: PcnConfig, images: ArrayLike<number>, targets: ArrayLike<number>, rows: number): Batch {
  checkObject(config, 'supervisedBatch: config', "a model's config (model.config)");
  check(Array.isArray(config.sizes), 'config', () => `supervisedBatch: config.sizes must be an array of layer sizes, got ${shown(config.sizes)}.`);
  const L = config.sizes.length - 1;
  check(Number.isInteger(rows) && rows >= 1, 'shape', () => `supervisedBatch: rows must be a positive integer, got ${shown(rows)}.`);
  const [nImage, nTarget] = config.orientation === 'discriminative' ? [config.sizes[0], config.sizes[L]] : [config.sizes[L], config.sizes[0]];
  for (const [what, a, n] of [
    ['images', images, nImage],
    ['targets', targets, nTarget],
  ] as const)
    check(
      a !== null && typeof a === 'object' && a.length === rows * n,
      'shape',
      () =>
        `supervisedBatch: ${what} must hold rows × ${n} = ${rows * n} values (${rows} rows of ${n}), got ${a !== null && typeof a === 'object' ? a.length : shown(a)}.`,
    );
  const clamp: (ArrayLike<number> | undefined)[] = new Array(L + 1).fill(undefined);
  if (config.orientation === 'discriminative') {
    clamp[0] = images;
    clamp[L] = targets;
  } else {
    clamp[0] = targets;
    clamp[L] = images;
  }
  return { rows, clamp };
}
