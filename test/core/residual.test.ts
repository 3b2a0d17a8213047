/**
 * Residual predictions and μPC's branch scales against central finite
 * differences of E in float64 (parameterisation.ts): the skip's own-error term
 * −eps_{l+1} (no f'), the scaled message s_{l+1}·Jᵀeps_{l+1}, and the scaled
 * W and b rules, on dense and conv layers, with learned feedback too.
 */
import { describe, expect, it } from 'vitest';
import {
  computeWeightGrads,
  createConfig,
  type LayerSpec,
  type Parameterisation,
  planRelaxation,
  type Shape,
  updateValues,
} from '../../packages/predictive-coding/src/core/index.ts';
import { centralDifference, energy, expectValueStepIsGradient, expectWeightGradsMatchFd, type Net, smallNet } from './helpers.ts';

interface Case {
  readonly name: string;
  readonly sizes: number[];
  readonly layers?: LayerSpec[];
  readonly inputShape?: Shape;
}

const cases: Case[] = [
  {
    name: 'dense: input projection, two residual layers, readout',
    sizes: [5, 4, 4, 4, 3],
    layers: [{ kind: 'dense' }, { kind: 'dense', residual: true }, { kind: 'dense', residual: true }, { kind: 'dense' }],
  },
  {
    name: 'conv: a residual 3×3 pad-1 conv between two convs, then dense',
    sizes: [24, 24, 24, 3],
    inputShape: [4, 3, 2],
    layers: [{ kind: 'conv2d', channels: 2, kernel: 3, padding: 1 }, { kind: 'conv2d', channels: 2, kernel: 3, padding: 1, residual: true }, { kind: 'dense' }],
  },
];

function net(c: Case, parameterisation: Parameterisation, activation: 'tanh' | 'leaky-relu' = 'tanh', feedback?: 'learned'): Net {
  const n = smallNet(activation, { sizes: c.sizes, layers: c.layers, inputShape: c.inputShape, parameterisation, rows: 2, seed: 11, feedback });
  energy(n);
  return n;
}

describe('residual layers and branch scales: ∂E/∂x, ∂E/∂W, ∂E/∂b against finite differences', () => {
  for (const c of cases)
    for (const p of ['standard', 'mupc'] as const) {
      it(`one Euler step with lr 1 moves every free x by −∂E/∂x (${p}): ${c.name}`, () => {
        expectValueStepIsGradient(net(c, p));
      });

      it(`computeWeightGrads is the batch mean of ∂E/∂W and ∂E/∂b (${p}): ${c.name}`, () => {
        expectWeightGradsMatchFd(net(c, p, 'leaky-relu'));
      });
    }

  it('learned feedback with μPC scales: with B = W the x update is the exact gradient, and B’s increment is W’s gradient', () => {
    const n = net(cases[0], 'mupc', 'tanh', 'learned');
    const { model, ws, rows } = n;
    // A dense layer's B is n_{l−1} × n_l, W's transpose.
    const transpose = (a: Float64Array, r: number, c: number): number[] => Array.from({ length: a.length }, (_, i) => a[(i % r) * c + Math.floor(i / r)]);
    for (const layer of model.layers) layer.feedback!.data.set(transpose(layer.weights.data, layer.weights.shape[0], layer.weights.shape[1]));
    computeWeightGrads(model, ws, rows);
    for (let l = 1; l < model.config.sizes.length - 1; l++) {
      const [r, c] = model.layers[l - 1].weights.shape;
      expect(Array.from(ws.gradFeedback[l])).toEqual(transpose(ws.gradW[l], r, c));
    }
    const plan = planRelaxation(
      model,
      model.config.sizes.map(() => false),
    );
    const fd = Array.from(ws.x[2].subarray(0, rows * 4), (_, i) => centralDifference(n, ws.x[2], i));
    const before = Float64Array.from(ws.x[2]);
    updateValues(model, ws, rows, plan, { steps: 1, lr: 1, momentum: 0, tolerance: 0 });
    for (let i = 0; i < fd.length; i++) expect(Math.abs(before[i] - ws.x[2][i] - fd[i])).toBeLessThan(1e-9 * Math.max(1, Math.abs(fd[i])));
  });
});

describe('μPC configuration', () => {
  it('derives JPC’s scales: 1/√D for the input layer, 1/√(N·L) for residual layers, 1/N for the readout', () => {
    const c = createConfig({
      sizes: [6, 4, 4, 4, 3],
      parameterisation: 'mupc',
      layers: [{ kind: 'dense' }, { kind: 'dense', residual: true }, { kind: 'dense', residual: true }, { kind: 'dense' }],
    });
    expect(c.scales).toEqual([1 / Math.sqrt(6), 1 / Math.sqrt(16), 1 / Math.sqrt(16), 1 / 4]);
    expect(createConfig({ sizes: [6, 4, 3] }).scales).toEqual([1, 1]);
  });

  it('draws W ~ N(0, 1) and b = 0 by default under μPC', () => {
    const n = smallNet('tanh', { sizes: [64, 64, 3], parameterisation: 'mupc', seed: 2 });
    const w = n.model.layers[0].weights.data;
    const mean = w.reduce((a, v) => a + v, 0) / w.length;
    const variance = w.reduce((a, v) => a + (v - mean) ** 2, 0) / w.length;
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(variance).toBeGreaterThan(0.9);
    expect(variance).toBeLessThan(1.1);
    expect(Array.from(n.model.layers[0].bias.data).every((b) => b === 0)).toBe(true);
  });

  it('refuses a residual layer whose shape differs from the layer below, an unknown parameterisation and scales that disagree', () => {
    expect(() => createConfig({ sizes: [5, 4, 3], layers: [{ kind: 'dense', residual: true }, { kind: 'dense' }] })).toThrow(
      /layers\[0\] is residual .* needs the shape of layer 0/,
    );
    expect(() => createConfig({ sizes: [5, 4, 3], parameterisation: 'mup' as Parameterisation })).toThrow(/parameterisation/);
  });
});
