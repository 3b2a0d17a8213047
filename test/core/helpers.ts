import { expect } from 'vitest';
import {
  computeActivations,
  computeErrors,
  computeWeightGrads,
  createConfig,
  initModel,
  initWorkspace,
  type Model,
  type PcnConfig,
  planRelaxation,
  updateValues,
  type Workspace,
} from '../../packages/predictive-coding/src/core/index.ts';
import type { Activation, Backend } from '../../packages/predictive-coding/src/kernels/index.ts';
import { createReferenceBackend } from '../../packages/predictive-coding/src/kernels/index.ts';
import { createRng } from '../../packages/predictive-coding/src/random.ts';

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

/**
 * Checks that one Euler step (lr 1, no momentum) of every layer left free moves
 * each x by −∂E/∂x as the central difference gives it, to 1e-9 relative.
 */
export function expectValueStepIsGradient(net: Net): void {
  const { model, ws, rows } = net;
  const plan = planRelaxation(
    model,
    model.config.sizes.map(() => false),
  );
  expect(plan.free).toEqual(model.config.sizes.map((_, l) => l));
  const fd = plan.free.map((l) => Array.from(ws.x[l].subarray(0, rows * model.config.sizes[l]), (_, i) => centralDifference(net, ws.x[l], i)));
  const before = plan.free.map((l) => Float64Array.from(ws.x[l]));
  updateValues(model, ws, rows, plan, { steps: 1, lr: 1, momentum: 0, tolerance: 0 });
  plan.free.forEach((l, k) => {
    for (let i = 0; i < fd[k].length; i++) {
      const grad = before[k][i] - ws.x[l][i];
      expect(Math.abs(grad - fd[k][i]), `layer ${l} [${i}]: update ${grad} vs FD ${fd[k][i]}`).toBeLessThan(1e-9 * Math.max(1, Math.abs(fd[k][i])));
    }
  });
}

/** Checks that computeWeightGrads gives the batch mean of ∂E/∂W and ∂E/∂b of every layer, by central differences, to 1e-9 relative. */
export function expectWeightGradsMatchFd(net: Net): void {
  const { model, ws, rows } = net;
  computeWeightGrads(model, ws, rows);
  for (let l = 1; l < model.config.sizes.length; l++) {
    const { weights, bias } = model.layers[l - 1];
    for (let i = 0; i < weights.data.length; i++) {
      const fd = centralDifference(net, weights.data, i) / rows;
      expect(Math.abs(ws.gradW[l][i] - fd), `W_${l}[${i}]`).toBeLessThan(1e-9 * Math.max(1, Math.abs(fd)));
    }
    for (let i = 0; i < bias.data.length; i++) {
      const fd = centralDifference(net, bias.data, i) / rows;
      expect(Math.abs(ws.gradB[l][i] - fd), `b_${l}[${i}]`).toBeLessThan(1e-9 * Math.max(1, Math.abs(fd)));
    }
  }
}
