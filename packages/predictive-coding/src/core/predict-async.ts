/**
 * predict.ts for any backend, a deferred one (a GPU) included: the same
 * forward passes and relaxations, recorded without reading, then one read of
 * what the caller needs (the outputs, the label layer, the filled-in units).
 * On an immediate backend each is its synchronous form. A relaxation on a
 * deferred backend runs all its steps (relaxAsync: a tolerance cannot stop it
 * early), so its result can differ from the synchronous form's where that
 * form would have stopped at its tolerance.
 */
import { type BackendArray, hostArray } from '../kernels/index.ts';
import { rowEnergiesInto } from './energy.ts';
import type { Model } from './model.ts';
import {
  type ClassifyOptions,
  classifyByRelaxation,
  complete,
  completion,
  forward,
  hypothesis,
  type InferOptions,
  infer,
  predictLabels,
  prepareClassification,
  prepareInference,
} from './predict.ts';
import { type RelaxResult, startRelaxation } from './relax.ts';
import type { RelaxConfig } from './relax-config.ts';
import { relaxAsync } from './relax-deferred.ts';
import type { Clamp } from './values.ts';
import { checkWorkspace, type Workspace } from './workspace.ts';

/** out[r] = the first column of row r's maximum in a rows × cols host array (rowArgmax on the host, after a read). */
export function argmaxRows(values: ArrayLike<number>, rows: number, cols: number, out: Int32Array): void {
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let c = 1; c < cols; c++) if (values[r * cols + c] > values[r * cols + best]) best = c;
    out[r] = best;
  }
}

/**
 * predictLabels for any backend: on a deferred one (a GPU) the forward pass, then one read of x_L,
 * whose row maxima the host takes (the first column of a tie, as rowArgmax). Writes `out` (length ≥ rows).
 */
export async function predictLabelsAsync<T extends BackendArray>(
  model: Model<T>,
  ws: Workspace<T>,
  rows: number,
  input: ArrayLike<number>,
  out: Int32Array,
): Promise<void> {
  if (!ws.backend.deferred) return predictLabels(model, ws, rows, input, out);
  checkWorkspace(model, ws, 'predictLabelsAsync');
  const classes = model.config.sizes[model.config.sizes.length - 1];
  argmaxRows(await ws.backend.read(forward(model, ws, rows, input), rows * classes), rows, classes, out);
}

/**
 * infer for any backend (see infer): the equilibrium is left in ws.x (on the device for a GPU) and the
 * relaxation's energies come back. `onStep(t)` runs after each step is recorded (a GPU: before it has run),
 * for the caller to record a copy of a layer (backend.copyInto) — a relaxation shown step by step.
 */
export async function inferAsync<T extends BackendArray>(
  model: Model<T>,
  ws: Workspace<T>,
  rows: number,
  clamp: Clamp,
  relaxConfig: RelaxConfig,
  options: InferOptions & { readonly onStep?: (step: number) => void } = {},
): Promise<RelaxResult> {
  if (!ws.backend.deferred && !options.onStep) return infer(model, ws, rows, clamp, relaxConfig, options);
  const plan = prepareInference(model, ws, rows, clamp, relaxConfig, options, 'inferAsync');
  // On a deferred backend startRelaxation leaves its energy in ws.ledger, where relaxAsync reads it.
  const initial = startRelaxation(model, ws, rows, plan);
  return relaxAsync(model, ws, rows, plan, relaxConfig, initial, { rng: options.rng, trace: options.trace, onStep: options.onStep });
}

/**
 * classifyByRelaxation for any backend: on a deferred one the relaxation(s) recorded, then one read of
 * the label layer ('relax-top'), or of every hypothesis's per-example energies ('hypotheses', kept on
 * the device between hypotheses). Writes `out`; resolves to the relaxation's energies.
 */
export async function classifyByRelaxationAsync<T extends BackendArray>(
  model: Model<T>,
  ws: Workspace<T>,
  rows: number,
  images: ArrayLike<number>,
  relaxConfig: RelaxConfig,
  out: Int32Array,
  options: ClassifyOptions = {},
): Promise<RelaxResult> {
  const { backend } = ws;
  if (!backend.deferred) return classifyByRelaxation(model, ws, rows, images, relaxConfig, out, options);
  const { clamp, classes, readout } = prepareClassification(model, ws, rows, images, relaxConfig, options, 'classifyByRelaxationAsync');
  if (readout.kind === 'relax-top') {
    const r = await inferAsync(model, ws, rows, clamp, relaxConfig, readout.options);
    argmaxRows(await backend.read(ws.x[0], rows * classes), rows, classes, out);
    return r;
  }
  // energies[c·rows + r]: row r's energy under hypothesis c, read once after the last.
  const energies = backend.alloc(classes * rows);
  const each = backend.alloc(rows);
  try {
    let last: RelaxResult | undefined;
    for (let c = 0; c < classes; c++) {
      last = await inferAsync(model, ws, rows, hypothesis(clamp, rows, classes, c), relaxConfig, { trace: options.trace });
      rowEnergiesInto(model, ws, rows, each);
      backend.copyInto(each, rows, energies, c * rows);
    }
    const host = await backend.read(energies, classes * rows);
    for (let r = 0; r < rows; r++) {
      let best = 0;
      for (let c = 1; c < classes; c++) if (host[c * rows + r] < host[best * rows + r]) best = c;
      out[r] = best;
    }
    return last!;
  } finally {
    backend.free(energies);
    backend.free(each);
  }
}

/**
 * complete for any backend: the visible units held, the rest relaxed, then one read of x_L with the
 * hidden units filled in (rows × n_L, as a host array).
 */
export async function completeAsync<T extends BackendArray>(
  model: Model<T>,
  ws: Workspace<T>,
  rows: number,
  data: ArrayLike<number>,
  visible: Uint8Array,
  relaxConfig: RelaxConfig,
): Promise<Float64Array> {
  const n = rows * model.config.sizes[model.config.sizes.length - 1];
  if (!ws.backend.deferred)
    return Float64Array.from(hostArray(ws.backend, complete(model, ws, rows, data, visible, relaxConfig), 'completeAsync').subarray(0, n));
  await inferAsync(model, ws, rows, [], relaxConfig, completion(model, ws, rows, data, visible, relaxConfig, 'completeAsync'));
  return ws.backend.read(ws.x[model.config.sizes.length - 1], n);
}
