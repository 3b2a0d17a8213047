/**
 * Every update rule against central finite differences of E, in float64
 * (DESIGN §2: "each x, W, b update equals minus the gradient of E").
 */
import { describe, expect, it } from 'vitest';
import { computeWeightGrads, planRelaxation, updateValues } from '../../src/core/index.ts';
import { ACTIVATIONS } from '../../src/kernels/index.ts';
import { centralDifference, energy, type Net, oneHotTop, smallNet } from './helpers.ts';

// Inputs stay away from the kinks of relu, leaky-relu and hard-tanh, where E is not differentiable.
function awayFromKinks(net: Net): void {
  for (const x of net.ws.x) for (let i = 0; i < x.length; i++) if (Math.abs(x[i]) < 0.05 || Math.abs(Math.abs(x[i]) - 1) < 0.05) x[i] += 0.13;
}

/** A small net for one case: x away from the kinks, a one-hot target for 'ce', errors computed. */
function prepared(activation: (typeof ACTIVATIONS)[number], outputEnergy: 'mse' | 'ce'): Net {
  const net = smallNet(activation, { outputEnergy, outputWeight: outputEnergy === 'ce' ? 0.7 : 1.3 });
  awayFromKinks(net);
  if (outputEnergy === 'ce') oneHotTop(net); // after: the 'ce' target must stay one-hot
  energy(net);
  return net;
}

const cases = ACTIVATIONS.flatMap((a) => [
  { activation: a, outputEnergy: 'mse' as const },
  { activation: a, outputEnergy: 'ce' as const },
]);

describe('∂E/∂x: one Euler step with lr 1 moves every free x by −∂E/∂x', () => {
  for (const { activation, outputEnergy } of cases) {
    it(`${activation}, ${outputEnergy} output`, () => {
      const net = prepared(activation, outputEnergy);
      const { model, ws, rows } = net;
      const L = model.config.sizes.length - 1;
      const plan = planRelaxation(
        model,
        model.config.sizes.map((_, l) => outputEnergy === 'ce' && l === L),
      );
      // Finite differences first, at the unmoved state.
      const fd = plan.free.map((l) => Array.from(ws.x[l], (_, i) => centralDifference(net, ws.x[l], i)));
      const before = plan.free.map((l) => Float64Array.from(ws.x[l]));
      updateValues(model, ws, rows, plan, { steps: 1, lr: 1, momentum: 0, tolerance: 0 });
      plan.free.forEach((l, k) => {
        for (let i = 0; i < ws.x[l].length; i++) {
          const grad = before[k][i] - ws.x[l][i];
          expect(Math.abs(grad - fd[k][i]), `layer ${l} [${i}]: update ${grad} vs FD ${fd[k][i]}`).toBeLessThan(1e-9 * Math.max(1, Math.abs(fd[k][i])));
        }
      });
    });
  }
});

describe('∂E/∂W and ∂E/∂b: computeWeightGrads is the batch mean of the gradient of E', () => {
  for (const { activation, outputEnergy } of cases) {
    it(`${activation}, ${outputEnergy} output`, () => {
      const net = prepared(activation, outputEnergy);
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
    });
  }
});
