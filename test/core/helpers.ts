import { computeActivations, computeErrors, createConfig, initModel, initWorkspace, type Model, type PcnConfig, type Workspace } from '../../src/core/index.ts';
import type { Activation, Backend } from '../../src/kernels/index.ts';
import { createReferenceBackend } from '../../src/kernels/index.ts';
import { createRng } from '../../src/random.ts';

export const f64: Backend<Float64Array> = createReferenceBackend('float64');

export interface Net {
  model: Model<Float64Array>;
  ws: Workspace<Float64Array>;
  rows: number;
}

/** A small float64 network with odd sizes and every layer's x filled with seeded normals. */
export function smallNet(activation: Activation, options: Partial<PcnConfig> & { sizes?: number[]; rows?: number; seed?: number } = {}): Net {
  const sizes = options.sizes ?? [3, 5, 4, 2];
  const config = createConfig({
    sizes,
    activation,
    outputEnergy: options.outputEnergy,
    outputWeight: options.outputWeight,
    orientation: options.orientation,
    feedback: options.feedback,
    layers: options.layers,
    inputShape: options.inputShape,
    parameterisation: options.parameterisation,
  });
  const rng = createRng(options.seed ?? 7);
  const model = initModel(config, f64, rng);
  const rows = options.rows ?? 3;
  const ws = initWorkspace(model, rows, f64);
  for (let l = 0; l < sizes.length; l++) for (let i = 0; i < rows * sizes[l]; i++) ws.x[l][i] = rng.normal();
  return { model, ws, rows };
}

/** E at the current x and weights (recomputes activations, predictions and errors). */
export function energy(net: Net): number {
  const { model, ws, rows } = net;
  for (let l = 0; l < model.config.sizes.length - 1; l++) computeActivations(model, ws, rows, l);
  return computeErrors(model, ws, rows);
}

/** ∂E/∂a[i] by the five-point central difference (truncation O(h⁴), so ~1e-11 here). */
export function centralDifference(net: Net, a: Float64Array, i: number, h = 1e-4): number {
  const old = a[i];
  const at = (d: number): number => {
    a[i] = old + d;
    return energy(net);
  };
  const d = 8 * (at(h) - at(-h)) - (at(2 * h) - at(-2 * h));
  a[i] = old;
  energy(net);
  return d / (12 * h);
}

/** Sets x_L to one-hot rows (a target for the 'ce' energy). */
export function oneHotTop(net: Net, seed = 3): void {
  const { model, ws, rows } = net;
  const L = model.config.sizes.length - 1;
  const n = model.config.sizes[L];
  const rng = createRng(seed);
  ws.x[L].fill(0);
  for (let r = 0; r < rows; r++) ws.x[L][r * n + rng.int(n)] = 1;
}
