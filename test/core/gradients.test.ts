/**
 * Every update rule against central finite differences of E, in float64
 * (DESIGN §2: "each x, W, b update equals minus the gradient of E").
 */
import { describe, expect, it } from 'vitest';
import { planRelaxation, startRelaxation, updateValues } from '../../packages/predictive-coding/src/core/index.ts';
import { ACTIVATIONS } from '../../packages/predictive-coding/src/kernels/index.ts';
import { centralDifference, energy, expectWeightGradsMatchFd, type Net, oneHotTop, smallNet } from './helpers.ts';

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
      // Nothing clamped but a 'ce' target: without this, an empty plan would pass the loop below vacuously.
      expect(plan.free).toEqual(outputEnergy === 'ce' ? [0, 1, 2] : [0, 1, 2, 3]);
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
      expectWeightGradsMatchFd(net);
    });
  }
});

describe('the prior on a free top layer (TopPrior): E + w/2·‖x_0 − m‖²', () => {
  for (const activation of ['tanh', 'leaky-relu'] as const) {
    it(`${activation}: one Euler step with lr 1 moves x_0 and x_1 by minus the finite-difference gradient of the total`, () => {
      const net = smallNet(activation, { orientation: 'generative', sizes: [3, 5, 4] });
      awayFromKinks(net);
      const { model, ws, rows } = net;
      const prior = { mean: 0.2, weight: 0.7 };
      const total = (): number => {
        let p = 0;
        for (const v of ws.x[0]) p += 0.5 * prior.weight * (v - prior.mean) ** 2;
        return energy(net) + p;
      };
      const fdOf = (a: Float64Array, i: number, h = 1e-4): number => {
        const old = a[i];
        const at = (d: number): number => {
          a[i] = old + d;
          return total();
        };
        const d = 8 * (at(h) - at(-h)) - (at(2 * h) - at(-2 * h));
        a[i] = old;
        return d / (12 * h);
      };
      const plan = planRelaxation(model, [false, false, true], [], prior);
      const fd = plan.free.map((l) => Array.from(ws.x[l], (_, i) => fdOf(ws.x[l], i)));
      const before = plan.free.map((l) => Float64Array.from(ws.x[l]));
      energy(net);
      startRelaxation(model, ws, rows, plan);
      updateValues(model, ws, rows, plan, { steps: 1, lr: 1, momentum: 0, tolerance: 0 });
      expect(plan.free).toEqual([0, 1]);
      plan.free.forEach((l, k) => {
        for (let i = 0; i < ws.x[l].length; i++) {
          const grad = before[k][i] - ws.x[l][i];
          expect(Math.abs(grad - fd[k][i]), `layer ${l} [${i}]`).toBeLessThan(1e-9 * Math.max(1, Math.abs(fd[k][i])));
        }
      });
    });
  }
});
