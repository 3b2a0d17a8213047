/**
 * Streaming predictive coding (docs/design.md §2, "no separate phases"): one
 * continuous run over a stream of examples. The network never stops: each
 * example is clamped in place of the previous one and shown for k relaxation
 * steps while x and the weights both keep adapting (the incremental rule);
 * states are never reset and nothing is frozen and thawed. Scored
 * prequentially: each example is classified (a forward pass on a scratch
 * workspace, leaving the running state untouched) before it is learned.
 * On a deferred backend (a GPU) each example's k steps are recorded and read
 * once (relaxAsync), its prediction read alongside: one wait per example.
 */

import {
  argmaxRows,
  checkWorkspace,
  clampedLayers,
  clampValues,
  computeWeightGrads,
  disposeWorkspace,
  forward,
  initValues,
  initWorkspace,
  type Model,
  planRelaxation,
  type RelaxConfig,
  relaxAsync,
  startRelaxation,
  validateRelaxConfig,
  type Workspace,
} from '../core/index.ts';
import { check, checkObject } from '../errors.ts';
import type { BackendArray } from '../kernels/index.ts';
import { checkSeed, createRng } from '../random.ts';
import { closeEpoch, initDivergenceMonitor, type RelaxationHealth, recordRelaxation } from './divergence.ts';
import { checkData, gatherBatch, type LabeledData, shuffledOrder } from './labeled-data.ts';
import { checkOptimizerState, type OptimizerState, stepOptimizer } from './optim.ts';
import { supervisedBatch } from './step.ts';

/** Options of stream: steps per example, the x step, the seed, streams side by side, stillness-modulated plasticity, progress, and a stop signal. */
export interface StreamOptions {
  /** Relaxation steps per example (k); the weights move at each. */
  readonly stepsPerExample: number;
  /** Step size and momentum of x (relax.steps is ignored). */
  readonly relax: RelaxConfig;
  /** Seeds the order of the stream: an integer in 0..MAX_SEED. */
  readonly seed: number;
  /** Examples in flight at once (independent streams side by side). Default 1. */
  readonly streams?: number;
  /** Called every `progressEvery` examples. */
  readonly onProgress?: (seen: number, prequentialAccuracy: number) => void;
  readonly progressEvery?: number;
  readonly signal?: { readonly aborted: boolean };
  /** Stillness-modulated plasticity θ (see LearnOptions.stillness); undefined: the plain rule. */
  readonly stillness?: number;
  /** Re-initialise the free layers by a forward pass for every example (a control: the stream is then no longer continuous). */
  readonly reset?: boolean;
  /** Receives the divergence symptoms of the stream (see divergence.ts) at its end, one line each. */
  readonly onWarning?: (message: string) => void;
}

/** What stream returns: prequential accuracy (each example scored before it is learned) and examples seen. */
export interface StreamResult {
  /** Fraction of examples classified correctly before they were learned. */
  readonly prequentialAccuracy: number;
  readonly seen: number;
  /** Running prequential accuracy every progressEvery examples. */
  readonly curve: readonly { readonly seen: number; readonly accuracy: number }[];
  readonly seconds: number;
  /** How the per-example relaxations went (unstable, unsettled, grown counts; see divergence.ts). */
  readonly relaxation: RelaxationHealth;
}

/** Streams `data` once through a discriminative model, learning at every step; returns the prequential score. */
export async function stream<T extends BackendArray>(
  model: Model<T>,
  opt: OptimizerState<T>,
  ws: Workspace<T>,
  data: LabeledData,
  options: StreamOptions,
): Promise<StreamResult> {
  checkObject(options, 'stream: options', 'an object of stream options ({ stepsPerExample, relax, seed, streams?, … })');
  check(
    model.config.orientation === 'discriminative',
    'config',
    () => 'stream: the streaming schedule classifies by a forward pass; use a discriminative model.',
  );
  checkData(model, data, 'stream');
  checkWorkspace(model, ws, 'stream');
  checkOptimizerState(model, opt, 'stream');
  // θ = 0 would divide 0 by 0 for a neuron at rest (NaN weights), so it is refused, not clamped.
  check(
    options.stillness === undefined || (Number.isFinite(options.stillness) && options.stillness > 0),
    'config',
    () => `stream: stillness θ must be a finite number > 0 (or left out: the plain rule), got ${options.stillness}.`,
  );
  const rows = options.streams ?? 1;
  check(
    Number.isInteger(rows) && rows >= 1 && rows <= ws.capacity,
    'config',
    () => `stream: streams must be in 1..${ws.capacity} (the workspace capacity), got ${rows}.`,
  );
  check(
    Number.isInteger(options.stepsPerExample) && options.stepsPerExample >= 1,
    'config',
    () => `stream: stepsPerExample must be a positive integer, got ${options.stepsPerExample}.`,
  );
  checkSeed(options.seed, 'stream: options.seed');
  checkObject(options.relax, 'stream: options.relax', 'an object { lr, momentum, order? } (steps and tolerance are set by the stream)');
  const relaxConfig: RelaxConfig = { ...options.relax, steps: options.stepsPerExample, tolerance: 0 };
  validateRelaxConfig(relaxConfig, 'stream: options.relax');
  const order = shuffledOrder(data.count, createRng(options.seed));
  const images = new Float32Array(rows * data.features);
  const targets = new Float32Array(rows * data.classes);
  // Every example is gathered into the same two buffers, so the clamps and the plan are the same for all.
  const { clamp } = supervisedBatch(model.config, images, targets, rows);
  const plan = planRelaxation(model, clampedLayers(model, clamp, rows, 'stream'));
  const scratch = initWorkspace(model, rows, ws.backend);
  const deferred = ws.backend.deferred === true;
  const predicted = new Int32Array(rows);
  const every = options.progressEvery ?? 1000;
  const curve: { seen: number; accuracy: number }[] = [];
  const learnOptions = { stillness: options.stillness };
  const learn = () => {
    computeWeightGrads(model, ws, rows, learnOptions);
    stepOptimizer(model, ws, opt);
  };
  // The weights learn after every step, from the errors x has just moved into.
  const relaxOptions = { learn: { timing: 'after-x', apply: learn } } as const;
  const monitor = initDivergenceMonitor(true, model.config.outputWeight);
  const watched = { init: 'forward' as const, relax: relaxConfig };
  const t0 = performance.now();
  let hits = 0;
  let seen = 0;
  let lastYield = t0;
  try {
    for (let start = 0; start + rows <= data.count; start += rows) {
      gatherBatch(data, order, start, rows, images, targets);
      const outputs = forward(model, scratch, rows, images);
      // A GPU's prediction is read while the relaxation below is recorded; the host takes its argmax.
      const read = deferred ? scratch.backend.read(outputs, rows * data.classes) : undefined;
      if (!deferred) scratch.backend.rowArgmax(outputs, predicted, rows, data.classes);
      // The very first example needs states to start from; after that they only ever continue.
      if (start === 0 || options.reset) initValues(model, ws, rows, clamp, 'forward');
      else clampValues(model, ws, rows, clamp);
      const relaxed = await relaxAsync(model, ws, rows, plan, relaxConfig, startRelaxation(model, ws, rows), relaxOptions);
      if (read) argmaxRows(await read, rows, data.classes, predicted);
      for (let r = 0; r < rows; r++) if (predicted[r] === data.labels[order[start + r]]) hits++;
      recordRelaxation(monitor, relaxed, rows, watched, () => `stream: example ${seen + 1}`);
      const before = seen;
      seen += rows;
      if (Math.floor(seen / every) > Math.floor(before / every)) {
        curve.push({ seen, accuracy: hits / seen });
        options.onProgress?.(seen, hits / seen);
      }
      if (performance.now() - lastYield > 100) {
        await new Promise((resolve) => setTimeout(resolve, 0));
        lastYield = performance.now();
        if (options.signal?.aborted) break;
      }
    }
  } finally {
    disposeWorkspace(scratch);
  }
  const seconds = (performance.now() - t0) / 1000;
  const { health, warnings } = closeEpoch(monitor, watched, 'stream', opt.config);
  for (const w of warnings) options.onWarning?.(w);
  return { prequentialAccuracy: seen ? hits / seen : Number.NaN, seen, curve, seconds, relaxation: health };
}
