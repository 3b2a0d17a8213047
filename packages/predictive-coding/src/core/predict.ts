/**
 * Reading a network out. In the discriminative orientation with x_L free the
 * forward pass is already the equilibrium (every error is zero), so
 * prediction is one pass: x_l = f_{l−1}(x_{l−1})·W_lᵀ + b_l.
 */
import { check, checkChoice, checkObject, shown } from '../errors.ts';
import { type BackendArray, checkImmediate } from '../kernels/index.ts';
import type { Rng } from '../random.ts';
import { addBias, computeActivations, computePrediction, rowEnergies } from './energy.ts';
import type { Model } from './model.ts';
import { type PartialClamp, planRelaxation, type RelaxPlan, type RelaxResult, relax, startRelaxation, type TopPrior } from './relax.ts';
import { type RelaxConfig, validateRelaxConfig } from './relax-config.ts';
import { type Clamp, clampedLayers, INIT_MODES, type InitMode, initValues } from './values.ts';
import { checkWorkspace, type Workspace } from './workspace.ts';

/** Forward pass from `input` (rows × n_0) into ws.x; returns ws.x[L] (rows × n_L, logits for a 'ce' model). */
export function forward<T extends BackendArray>(model: Model<T>, ws: Workspace<T>, rows: number, input: ArrayLike<number>): T {
  const sizes = model.config.sizes;
  checkWorkspace(model, ws, 'forward');
  check(rows >= 1 && rows <= ws.capacity, 'shape', () => `forward: rows must be in 1..${ws.capacity} (the workspace capacity), got ${rows}.`);
  check(input.length === rows * sizes[0], 'shape', () => `forward: input has ${input.length} values but rows·n_0 = ${rows}·${sizes[0]} = ${rows * sizes[0]}.`);
  ws.backend.write(ws.x[0], input);
  for (let l = 1; l < sizes.length; l++) {
    computeActivations(model, ws, rows, l - 1);
    computePrediction(model, ws, rows, l);
    addBias(model, ws, rows, l, ws.mu[l], ws.x[l]);
  }
  return ws.x[sizes.length - 1];
}

/** Class of each row by a forward pass: argmax of x_L. Writes `out` (length ≥ rows). PcError on a deferred backend (see predictLabelsAsync). */
export function predictLabels<T extends BackendArray>(model: Model<T>, ws: Workspace<T>, rows: number, input: ArrayLike<number>, out: Int32Array): void {
  checkImmediate(ws.backend, 'predictLabels', 'use predictLabelsAsync');
  checkWorkspace(model, ws, 'predictLabels');
  const last = forward(model, ws, rows, input);
  ws.backend.rowArgmax(last, out, rows, model.config.sizes[model.config.sizes.length - 1]);
}

/** Options of infer (and inferAsync): how free layers start, starting values of particular layers, and the relaxation's trace. */
export interface InferOptions {
  /** How free layers start (default 'forward'). */
  readonly init?: InitMode;
  /** Starting values of particular free layers (rows × n_l), overriding init. */
  readonly start?: Clamp;
  /** Some units of a free layer held at data (completion of a partly erased input). */
  readonly partial?: readonly (PartialClamp | undefined)[];
  /** For init 'random' and order 'random'. */
  readonly rng?: Rng;
  readonly trace?: boolean;
  /** A prior on a free x_0 (see TopPrior). */
  readonly prior?: TopPrior;
}

/**
 * Inference by relaxation with the weights frozen: clamps the given layers,
 * initialises the rest (`init`), relaxes them, and leaves the equilibrium in
 * ws.x. This is how a generative model classifies (clamp the image, read the
 * top) or completes a partial input. Returns the energies.
 */
export function infer<T extends BackendArray>(
  model: Model<T>,
  ws: Workspace<T>,
  rows: number,
  clamp: Clamp,
  relaxConfig: RelaxConfig,
  options: InferOptions = {},
): RelaxResult {
  checkImmediate(ws.backend, 'infer', 'use inferAsync');
  const plan = prepareInference(model, ws, rows, clamp, relaxConfig, options, 'infer');
  return relax(model, ws, rows, plan, relaxConfig, startRelaxation(model, ws, rows, plan), { rng: options.rng, trace: options.trace });
}

/** infer's checks and set-up (values initialised, clamps placed), shared with inferAsync; returns the plan to relax by. */
export function prepareInference<T extends BackendArray>(
  model: Model<T>,
  ws: Workspace<T>,
  rows: number,
  clamp: Clamp,
  relaxConfig: RelaxConfig,
  options: InferOptions,
  where: string,
): RelaxPlan {
  checkWorkspace(model, ws, where);
  checkObject(options, `${where}: options`, 'an object of inference options ({ init?, start?, partial?, rng?, … }) or left out');
  validateRelaxConfig(relaxConfig, `${where}: relaxConfig`, true);
  checkChoice(options.init ?? 'forward', INIT_MODES, `${where}: options.init`);
  check(rows >= 1 && rows <= ws.capacity, 'shape', () => `${where}: rows must be in 1..${ws.capacity} (the workspace capacity), got ${rows}.`);
  const clamped = clampedLayers(model, clamp, rows, where);
  const partial = options.partial ?? [];
  for (const [l, p] of partial.entries()) {
    if (!p) continue;
    const n = rows * model.config.sizes[l];
    check(!clamped[l], 'config', () => `${where}: layer ${l} is both clamped and partly clamped; give it one or the other.`);
    check(
      p.data.length === n && p.mask.length === n,
      'shape',
      () => `${where}: partial[${l}] needs ${n} values and mask entries, got ${p.data.length} and ${p.mask.length}.`,
    );
  }
  initValues(model, ws, rows, clamp, options.init ?? 'forward', options.rng, partial, options.start);
  return planRelaxation(model, clamped, partial, options.prior);
}

/**
 * How a generative model reads a class out of an image (image clamped at x_L):
 * - `'relax-top'`: the label layer x_0 starts at the uniform prior 1/n_0 and
 *   relaxes with the hidden layers (it has no error of its own, so only the
 *   layer below moves it); the class is argmax x_0;
 * - `'hypotheses'`: x_0 is clamped to each one-hot class in turn, the hidden
 *   layers relax, and the class whose equilibrium has the least energy wins.
 */
export type GenerativeReadout = 'relax-top' | 'hypotheses';

/** Every GenerativeReadout: relax the label layer under a prior ('relax-top'), or clamp each label and pick the least energy ('hypotheses'). */
export const READOUTS: readonly GenerativeReadout[] = ['relax-top', 'hypotheses'];

/** Throws PcError('config') unless `weight` (a prior's weight, named `where`) is a finite number ≥ 0. */
export function checkPriorWeight(weight: number, where: string): void {
  check(weight >= 0 && weight < Number.POSITIVE_INFINITY, 'config', () => `${where} must be a finite number ≥ 0 (0: no prior), got ${shown(weight)}.`);
}

/**
 * Generative classification (docs/design.md §2): clamps each image at x_L, relaxes, and
 * writes the class of each row to `out` (see GenerativeReadout). Returns the
 * relaxation's energies ('hypotheses': those of the last hypothesis tried).
 */
export function classifyByRelaxation<T extends BackendArray>(
  model: Model<T>,
  ws: Workspace<T>,
  rows: number,
  images: ArrayLike<number>,
  relaxConfig: RelaxConfig,
  out: Int32Array,
  options: ClassifyOptions = {},
): RelaxResult {
  checkImmediate(ws.backend, 'classifyByRelaxation', 'use classifyByRelaxationAsync');
  const { clamp, classes, readout } = prepareClassification(model, ws, rows, images, relaxConfig, options, 'classifyByRelaxation');
  if (readout.kind === 'relax-top') {
    const r = infer(model, ws, rows, clamp, relaxConfig, readout.options);
    ws.backend.rowArgmax(ws.x[0], out, rows, classes);
    return r;
  }
  const best = new Float64Array(rows).fill(Number.POSITIVE_INFINITY);
  const energies = new Float64Array(rows);
  let last: RelaxResult | undefined;
  for (let c = 0; c < classes; c++) {
    last = infer(model, ws, rows, hypothesis(clamp, rows, classes, c), relaxConfig, { trace: options.trace });
    rowEnergies(model, ws, rows, energies);
    for (let r = 0; r < rows; r++) {
      if (energies[r] < best[r]) {
        best[r] = energies[r];
        out[r] = c;
      }
    }
  }
  return last!;
}

/** Options of classifyByRelaxation (generative models): a trace of E per step, a prior on the label layer, and the readout. */
export interface ClassifyOptions {
  readonly trace?: boolean;
  /** Weight of the Gaussian prior on the label layer at 1/n_0 ('relax-top'; 0 or left out: none). */
  readonly priorWeight?: number;
  readonly readout?: GenerativeReadout;
}

/**
 * classifyByRelaxation's checks, shared with its async form: the image clamp at x_L, the class count,
 * and how the readout relaxes ('relax-top': the infer options that start x_0 at 1/n_0 under the prior).
 */
export function prepareClassification<T extends BackendArray>(
  model: Model<T>,
  ws: Workspace<T>,
  rows: number,
  images: ArrayLike<number>,
  relaxConfig: RelaxConfig,
  options: ClassifyOptions,
  where: string,
): { clamp: (ArrayLike<number> | undefined)[]; classes: number; readout: { kind: 'relax-top'; options: InferOptions } | { kind: 'hypotheses' } } {
  const sizes = model.config.sizes;
  const L = sizes.length - 1;
  const classes = sizes[0];
  checkWorkspace(model, ws, where);
  checkObject(options, `${where}: options`, 'an object { trace?, priorWeight?, readout? } or left out');
  validateRelaxConfig(relaxConfig, `${where}: relaxConfig`, true);
  checkChoice(options.readout ?? 'relax-top', READOUTS, `${where}: options.readout`);
  if (options.priorWeight !== undefined) checkPriorWeight(options.priorWeight, `${where}: options.priorWeight`);
  const clamp: (ArrayLike<number> | undefined)[] = new Array(L + 1).fill(undefined);
  clamp[L] = images;
  if (options.readout === 'hypotheses') return { clamp, classes, readout: { kind: 'hypotheses' } };
  const start = [new Float32Array(rows * classes).fill(1 / classes)];
  const prior = options.priorWeight ? { mean: 1 / classes, weight: options.priorWeight } : undefined;
  return { clamp, classes, readout: { kind: 'relax-top', options: { start, trace: options.trace, prior } } };
}

/** `clamp` with x_0 clamped to the one-hot class c on every row (a hypothesis of the 'hypotheses' readout). */
export function hypothesis(clamp: readonly (ArrayLike<number> | undefined)[], rows: number, classes: number, c: number): Clamp {
  const top = new Float32Array(rows * classes);
  for (let r = 0; r < rows; r++) top[r * classes + c] = 1;
  return [top, ...clamp.slice(1)];
}

/**
 * Generation (docs/design.md §2, generative orientation): with x_0 clamped to `top`
 * (rows × n_0, e.g. one-hot labels) and every other layer free, the
 * equilibrium is the top-down pass x_l = mu_l. With noise σ > 0 the first
 * layer below the top is drawn as x_1 = mu_1 + σ·N(0, 1) (one ancestral
 * sampling step under the energy's Gaussian reading: a random "style" under
 * the label), and the layers below follow as means, so samples of one label
 * differ but stay clean. Returns ws.x[L] (rows × n_L).
 */
export function generate<T extends BackendArray>(
  model: Model<T>,
  ws: Workspace<T>,
  rows: number,
  top: ArrayLike<number>,
  options: { readonly noise?: number; readonly rng?: Rng } = {},
): T {
  const sizes = model.config.sizes;
  const L = sizes.length - 1;
  checkObject(options, 'generate: options', 'an object { noise?, rng? } or left out');
  const noise = options.noise ?? 0;
  checkWorkspace(model, ws, 'generate');
  check(
    noise >= 0 && noise < Number.POSITIVE_INFINITY,
    'config',
    () => `generate: options.noise must be a finite number ≥ 0 (0: the mean), got ${shown(noise)}.`,
  );
  check(rows >= 1 && rows <= ws.capacity, 'shape', () => `generate: rows must be in 1..${ws.capacity} (the workspace capacity), got ${rows}.`);
  check(top.length === rows * sizes[0], 'shape', () => `generate: top has ${top.length} values but rows·n_0 = ${rows * sizes[0]}.`);
  check(noise === 0 || options.rng !== undefined, 'config', () => 'generate: noise needs an rng (a seeded createRng(seed)).');
  ws.backend.write(ws.x[0], top);
  for (let l = 1; l <= L; l++) {
    computeActivations(model, ws, rows, l - 1);
    computePrediction(model, ws, rows, l);
    const x = ws.x[l];
    addBias(model, ws, rows, l, ws.mu[l], x);
    if (noise > 0 && l === 1 && L > 1) {
      // The draws on the host (from the caller's seeded rng), the addition on the backend.
      const n = rows * sizes[l];
      const draws = ws.backend.alloc(n);
      const host = new Float64Array(n);
      for (let i = 0; i < n; i++) host[i] = options.rng!.normal();
      ws.backend.write(draws, host);
      ws.backend.axpy(noise, draws, x, n);
      ws.backend.free(draws);
    }
  }
  return ws.x[L];
}

/**
 * Associative recall in a generative model: holds the visible units of the
 * last layer (visible[i] = 1) at `data` (rows × n_L), starts the label layer
 * at the uniform prior 1/n_0, relaxes everything else, and returns ws.x[L]
 * with the hidden units filled in.
 */
export function complete<T extends BackendArray>(
  model: Model<T>,
  ws: Workspace<T>,
  rows: number,
  data: ArrayLike<number>,
  visible: Uint8Array,
  relaxConfig: RelaxConfig,
): T {
  checkImmediate(ws.backend, 'complete', 'use completeAsync');
  infer(model, ws, rows, [], relaxConfig, completion(model, ws, rows, data, visible, relaxConfig, 'complete'));
  return ws.x[model.config.sizes.length - 1];
}

/** complete's checks, shared with completeAsync; returns the infer options that hold the visible units and start x_0 at 1/n_0. */
export function completion<T extends BackendArray>(
  model: Model<T>,
  ws: Workspace<T>,
  rows: number,
  data: ArrayLike<number>,
  visible: Uint8Array,
  relaxConfig: RelaxConfig,
  where: string,
): InferOptions {
  const sizes = model.config.sizes;
  const L = sizes.length - 1;
  checkWorkspace(model, ws, where);
  validateRelaxConfig(relaxConfig, `${where}: relaxConfig`, true);
  check(rows >= 1 && rows <= ws.capacity, 'shape', () => `${where}: rows must be in 1..${ws.capacity} (the workspace capacity), got ${rows}.`);
  const n = rows * sizes[L];
  check(data.length === n, 'shape', () => `${where}: data has ${data.length} values but rows·n_L = ${rows}·${sizes[L]} = ${n}.`);
  check(
    visible instanceof Uint8Array && visible.length === n,
    'shape',
    () => `${where}: visible must be a Uint8Array of rows·n_L = ${n} flags (1: held at data), got ${shown(visible)}.`,
  );
  const partial: (PartialClamp | undefined)[] = new Array(L + 1).fill(undefined);
  partial[L] = { data, mask: visible };
  return { start: [new Float32Array(rows * sizes[0]).fill(1 / sizes[0])], partial };
}
