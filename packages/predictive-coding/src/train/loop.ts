/**
 * The training loop: epochs of seeded-shuffled batches through trainStep,
 * with a learning-rate schedule, evaluation after each epoch, and callbacks
 * for progress. Asynchronous so that it yields to the event loop (a progress
 * bar can draw, a page or worker can take messages), and so that on a
 * deferred backend (a GPU) each batch awaits its one read of the energies.
 */
import {
  checkPriorWeight,
  checkWorkspace,
  classifyByRelaxation,
  classifyByRelaxationAsync,
  forward,
  type GenerativeReadout,
  type Model,
  predictLabelsAsync,
  READOUTS,
  type RelaxConfig,
  validateRelaxConfig,
  type Workspace,
} from '../core/index.ts';
import { check, checkChoice, checkObject } from '../errors.ts';
import { type BackendArray, checkImmediate } from '../kernels/index.ts';
import { checkSeed, createRng, type Rng } from '../random.ts';
import { backpropStep, backpropStepAsync } from './backprop.ts';
import { closeEpoch, energyCeiling, initDivergenceMonitor, type RelaxationHealth, recordRelaxation } from './divergence.ts';
import { checkData, gatherBatch, type LabeledData, shuffledOrder } from './labeled-data.ts';
import { accuracy } from './metrics.ts';
import { checkOptimizerState, type OptimizerState } from './optim.ts';
import { type LrSchedule, SCHEDULES, scheduledLr } from './schedule.ts';
import { supervisedBatch, type TrainConfig, trainStep, trainStepAsync, validateTrainConfig } from './step.ts';

/** What fit reports after each epoch. */
export interface EpochStats {
  /** 1-based. */
  readonly epoch: number;
  /** Mean over the epoch's batches of E after relaxation, per example (backprop: the mean loss). */
  readonly trainEnergy: number;
  /** Accuracy on the evaluation data after the epoch (NaN without it). */
  readonly testAccuracy: number;
  /** Wall time of the epoch's training (evaluation excluded). */
  readonly seconds: number;
  /** Learning rate at the epoch's last step. */
  readonly lr: number;
  /** How the epoch's relaxations went (PC only; see divergence.ts): unstable, unsettled and grown counts. */
  readonly relaxation?: RelaxationHealth;
}

/** What fit reports after each batch (onBatch). */
export interface BatchInfo {
  readonly epoch: number;
  /** 1-based index of the batch within the epoch. */
  readonly batch: number;
  readonly batches: number;
  /** E per example after relaxation. */
  readonly energy: number;
}

/** Options of fit: epochs, batch size, the training step, the learning-rate schedule and seed, resumption, callbacks, and a stop signal. */
export interface FitOptions<T extends BackendArray = Float32Array> {
  /** Epochs to train in all (with startEpoch: the new total). */
  readonly epochs: number;
  /** Examples per batch (the last batch of an epoch may be smaller); at most the workspace's capacity. */
  readonly batchSize: number;
  /** How each batch trains: relaxation, initialisation, schedule (trainStep's config). */
  readonly train: TrainConfig;
  /** The weight learning rate over the run's epochs·batches steps, from the optimiser's lr. */
  readonly lrSchedule: LrSchedule;
  /** Seeds the shuffling (and random initialisation) when `rng` is not given: an integer in 0..MAX_SEED. */
  readonly seed: number;
  /**
   * Epochs already trained (default 0): fit trains epochs startEpoch+1…epochs,
   * with the learning-rate schedule continuing at step startEpoch·batches of
   * epochs·batches. To resume a run bit-identically, pass with it the model and
   * optimiser state saved after epoch startEpoch and `rng` restored to its state then.
   */
  readonly startEpoch?: number;
  /** The generator for shuffling and random initialisation (default createRng(seed)); fit advances it, so its state() after an epoch is the one to save. */
  readonly rng?: Rng;
  /** Called after every batch (progress bars). */
  readonly onBatch?: (info: BatchInfo) => void;
  /** Called after each epoch; fit waits for a returned promise (a checkpoint read from a GPU) before the next. */
  readonly onEpoch?: (stats: EpochStats) => void | Promise<void>;
  /** Let other work run at least this often (ms). Default 100. */
  readonly yieldEvery?: number;
  /** How generative models relax to classify in the per-epoch evaluation (see evaluate). */
  readonly evalRelax?: RelaxConfig;
  /** 'pc' (default): trainStep; 'backprop': backpropStep on the same batches, for comparisons. */
  readonly method?: 'pc' | 'backprop';
  /** Called after every PC batch with the workspace holding that batch's gradients, before they are applied (comparisons). */
  readonly onGradients?: (ws: Workspace<T>, rows: number, images: Float32Array, targets: Float32Array) => void;
  /**
   * Receives advice that is not an error, one line each: a configuration known
   * to train badly (at the start), and after an epoch the divergence symptoms it
   * showed (divergence.ts). The library never prints; the CLI writes these to stderr.
   */
  readonly onWarning?: (message: string) => void;
  /** Checked before every epoch and after every batch: once aborted, fit returns the epochs completed so far. */
  readonly signal?: { readonly aborted: boolean };
}

/**
 * Trains `model` for options.epochs epochs of shuffled batches of `train`
 * (trainStep each, or backpropStep with method 'backprop'), scoring `test`
 * after each epoch when given, and returns the per-epoch statistics. Mutates
 * the model's parameters, `opt` and `ws`; advances options.rng. Throws
 * PcError('shape') for data that does not fit the model, PcError('config') for
 * bad options, PcError('divergence') naming the step and layer when a
 * relaxation or the weights blow up.
 *
 * @param model The network to train (its parameters change in place).
 * @param opt Its optimiser state (initOptimizer; advanced in place).
 * @param ws A workspace of the model with capacity ≥ options.batchSize.
 * @param train The training examples: images (count × features) and labels.
 * @param test Scored after every epoch when given (EpochStats.testAccuracy); null: no scoring.
 * @param options Epochs, batch size, training step, schedule, seed, callbacks.
 */
export async function fit<T extends BackendArray>(
  model: Model<T>,
  opt: OptimizerState<T>,
  ws: Workspace<T>,
  train: LabeledData,
  test: LabeledData | null,
  options: FitOptions<T>,
): Promise<EpochStats[]> {
  checkObject(options, 'fit: options', 'an object of fit options ({ epochs, batchSize, train, lrSchedule, seed, … })');
  const { batchSize, epochs } = options;
  check(
    Number.isInteger(batchSize) && batchSize >= 1 && batchSize <= ws.capacity,
    'config',
    () => `fit: batchSize must be in 1..${ws.capacity} (the workspace capacity), got ${batchSize}.`,
  );
  check(Number.isInteger(epochs) && epochs >= 0, 'config', () => `fit: epochs must be a non-negative integer, got ${epochs}.`);
  const startEpoch = options.startEpoch ?? 0;
  check(
    Number.isInteger(startEpoch) && startEpoch >= 0 && startEpoch <= epochs,
    'config',
    () => `fit: startEpoch (epochs already trained) must be an integer in 0..${epochs} (epochs), got ${startEpoch}.`,
  );
  checkWorkspace(model, ws, 'fit');
  checkOptimizerState(model, opt, 'fit');
  checkChoice(options.lrSchedule, SCHEDULES, 'fit: options.lrSchedule');
  if (options.rng === undefined) checkSeed(options.seed, 'fit: options.seed');
  checkChoice(options.method ?? 'pc', ['pc', 'backprop'], 'fit: options.method');
  const pc = options.method !== 'backprop';
  check(
    pc || model.config.feedback === 'symmetric',
    'config',
    () => `fit: backprop carries errors down through Wᵀ; a model with '${model.config.feedback}' feedback weights only trains with method 'pc'.`,
  );
  if (pc) for (const advice of validateTrainConfig(options.train, 'fit: options.train')) options.onWarning?.(advice);
  checkData(model, train, 'train');
  if (test) checkData(model, test, 'test');
  const evalRelax = options.evalRelax ?? GENERATIVE_EVAL_RELAX;
  validateRelaxConfig(evalRelax, 'fit: options.evalRelax', true);
  const rng = options.rng ?? createRng(options.seed);
  const monitor = initDivergenceMonitor(pc && options.train.schedule === 'incremental', model.config.outputWeight);
  const batches = Math.ceil(train.count / batchSize);
  const total = epochs * batches;
  const images = new Float32Array(batchSize * train.features);
  const targets = new Float32Array(batchSize * train.classes);
  const history: EpochStats[] = [];
  let lastYield = performance.now();
  // Counts batches, not optimiser steps (incremental PC takes T steps per batch).
  let stepIndex = startEpoch * batches;
  for (let epoch = startEpoch + 1; epoch <= epochs; epoch++) {
    if (options.signal?.aborted) return history;
    const order = shuffledOrder(train.count, rng);
    const t0 = performance.now();
    let energy = 0;
    let lr = opt.config.lr;
    for (let b = 0; b < batches; b++) {
      const rows = gatherBatch(train, order, b * batchSize, batchSize, images, targets);
      lr = scheduledLr(options.lrSchedule, opt.config.lr, stepIndex++, total);
      const x = images.subarray(0, rows * train.features);
      const y = targets.subarray(0, rows * train.classes);
      let e: number;
      if (options.method === 'backprop')
        e = ws.backend.deferred ? await backpropStepAsync(model, opt, rows, x, y, ws, lr) : backpropStep(model, opt, rows, x, y, ws, lr);
      else {
        const onGradients = options.onGradients;
        const stepOptions = {
          lr,
          rng,
          onGradients: onGradients && (() => onGradients(ws, rows, x, y)),
          maxInitialEnergy: energyCeiling(monitor),
        };
        const batch = supervisedBatch(model.config, x, y, rows);
        // A deferred backend (a GPU) reads its energies once per batch: the step's one await.
        const r = ws.backend.deferred
          ? await trainStepAsync(model, opt, batch, options.train, ws, stepOptions)
          : trainStep(model, opt, batch, options.train, ws, stepOptions);
        recordRelaxation(monitor, r, rows, options.train, () => `fit: epoch ${epoch}, batch ${b + 1}`);
        e = r.energy / rows;
      }
      energy += e;
      options.onBatch?.({ epoch, batch: b + 1, batches, energy: e });
      if (performance.now() - lastYield >= (options.yieldEvery ?? 100)) {
        await new Promise((resolve) => setTimeout(resolve, 0));
        lastYield = performance.now();
      }
      if (options.signal?.aborted) return history;
    }
    const seconds = (performance.now() - t0) / 1000;
    const classify = { readout: 'relax-top', priorWeight: GENERATIVE_PRIOR_WEIGHT } as const;
    const testAccuracy = !test
      ? Number.NaN
      : ws.backend.deferred
        ? await accuracyDeferred(model, ws, test, evalRelax, classify)
        : accuracyOn(model, ws, test, evalRelax, classify);
    const { health, warnings } = closeEpoch(monitor, options.train, `epoch ${epoch}`, opt.config);
    for (const w of warnings) options.onWarning?.(w);
    const stats: EpochStats = { epoch, trainEnergy: energy / batches, testAccuracy, seconds, lr, ...(pc ? { relaxation: health } : {}) };
    history.push(stats);
    await options.onEpoch?.(stats);
  }
  return history;
}

/** Relaxation used by evaluate() for generative models when none is given. */
export const GENERATIVE_EVAL_RELAX: RelaxConfig = Object.freeze({ steps: 200, lr: 0.02, momentum: 0.9, tolerance: 0 });

/**
 * Weight of the Gaussian prior on the label layer (mean 1/classes) with which
 * evaluate() relaxes a generative model's top. Measured on 10,000 held-out
 * training images (10-256-256-784, weights capped at 0.12, 4 epochs): no prior
 * 84.2 %, weight 0.5 / 1 / 2: 85.9 / 86.0 / 86.0 %.
 */
export const GENERATIVE_PRIOR_WEIGHT = 1;

/** Options of evaluate and evaluateAsync (generative models: readout and prior). */
export interface EvaluateOptions {
  /** Generative models: how the label is read out (default 'relax-top'). */
  readonly readout?: GenerativeReadout;
  /** Generative models, 'relax-top': weight of the prior on x_0 (default GENERATIVE_PRIOR_WEIGHT; 0: none). */
  readonly priorWeight?: number;
}

/**
 * Classification accuracy on `data`. Discriminative models classify by a
 * forward pass (the equilibrium with x_L free); generative ones by relaxation
 * with the image clamped (classifyByRelaxation, relaxing by `relax` or
 * GENERATIVE_EVAL_RELAX, under the prior of `options`).
 */
export function evaluate<T extends BackendArray>(
  model: Model<T>,
  ws: Workspace<T>,
  data: LabeledData,
  relax: RelaxConfig = GENERATIVE_EVAL_RELAX,
  options: EvaluateOptions = {},
): number {
  checkImmediate(ws.backend, 'evaluate', 'use evaluateAsync');
  const classify = checkEvaluation(model, ws, data, relax, options, 'evaluate');
  return accuracyOn(model, ws, data, relax, classify);
}

/**
 * accuracyOn for a deferred backend (a GPU): each batch's forward pass (a generative model: its
 * relaxation), then one read of its outputs, whose argmax the host takes.
 */
async function accuracyDeferred<T extends BackendArray>(
  model: Model<T>,
  ws: Workspace<T>,
  data: LabeledData,
  relax: RelaxConfig,
  classify: { readonly readout: GenerativeReadout; readonly priorWeight: number },
): Promise<number> {
  const generative = model.config.orientation === 'generative';
  const predicted = new Int32Array(data.count);
  for (const { rows, images, out } of batchesOf(data, ws.capacity, predicted)) {
    if (generative) await classifyByRelaxationAsync(model, ws, rows, images, relax, out, classify);
    else await predictLabelsAsync(model, ws, rows, images, out);
  }
  return accuracy(predicted, data.labels);
}

/**
 * evaluate for any backend: on a deferred one (a GPU) each batch's forward pass (a generative model:
 * its relaxation, all relax.steps run), then one read of its outputs. Throws what evaluate throws.
 */
export async function evaluateAsync<T extends BackendArray>(
  model: Model<T>,
  ws: Workspace<T>,
  data: LabeledData,
  relax: RelaxConfig = GENERATIVE_EVAL_RELAX,
  options: EvaluateOptions = {},
): Promise<number> {
  if (!ws.backend.deferred) return evaluate(model, ws, data, relax, options);
  return accuracyDeferred(model, ws, data, relax, checkEvaluation(model, ws, data, relax, options, 'evaluateAsync'));
}

/** evaluate's checks, shared with evaluateAsync; returns how a generative model classifies. */
function checkEvaluation<T extends BackendArray>(
  model: Model<T>,
  ws: Workspace<T>,
  data: LabeledData,
  relax: RelaxConfig,
  options: EvaluateOptions,
  where: string,
): { readonly readout: GenerativeReadout; readonly priorWeight: number } {
  checkObject(options, `${where}: options`, 'an object of evaluation options ({ readout?, priorWeight? }) or left out');
  const classify = { readout: options.readout ?? 'relax-top', priorWeight: options.priorWeight ?? GENERATIVE_PRIOR_WEIGHT };
  validateRelaxConfig(relax, `${where}: relax`, true);
  checkChoice(classify.readout, READOUTS, `${where}: options.readout`);
  checkPriorWeight(classify.priorWeight, `${where}: options.priorWeight`);
  checkData(model, data, where);
  checkWorkspace(model, ws, where);
  return classify;
}

/** evaluate() on data and settings already checked (fit checks its test data once, not every epoch). */
function accuracyOn<T extends BackendArray>(
  model: Model<T>,
  ws: Workspace<T>,
  data: LabeledData,
  relax: RelaxConfig,
  classify: { readonly readout: GenerativeReadout; readonly priorWeight: number },
): number {
  const generative = model.config.orientation === 'generative';
  const predicted = new Int32Array(data.count);
  for (const { rows, images, out } of batchesOf(data, ws.capacity, predicted)) {
    if (generative) classifyByRelaxation(model, ws, rows, images, relax, out, classify);
    else ws.backend.rowArgmax(forward(model, ws, rows, images), out, rows, data.classes);
  }
  return accuracy(predicted, data.labels);
}

/** `data` in batches of at most `capacity` rows: each batch's images, and `out`, the slice of `predicted` its classes go to. */
function* batchesOf(data: LabeledData, capacity: number, predicted: Int32Array): Generator<{ rows: number; images: Float32Array; out: Int32Array }> {
  for (let start = 0; start < data.count; start += capacity) {
    const rows = Math.min(capacity, data.count - start);
    yield { rows, images: data.images.subarray(start * data.features, (start + rows) * data.features), out: predicted.subarray(start, start + rows) };
  }
}
