/**
 * The conv2d kind against central finite differences of E in float64 (DESIGN §4:
 * "each kind is proven with float64 finite differences, like the dense rules"),
 * with stride, padding, non-square kernels, average and max pooling, and a
 * dense layer reading the maps flattened.
 */
import { describe, expect, it } from 'vitest';
import { computeWeightGrads, type LayerSpec, planRelaxation, type Shape, updateValues } from '../../packages/predictive-coding/src/core/index.ts';
import { centralDifference, energy, expectValueStepIsGradient, expectWeightGradsMatchFd, type Net, smallNet } from './helpers.ts';

interface Case {
  readonly name: string;
  readonly inputShape: Shape;
  readonly layers: LayerSpec[];
  readonly sizes: number[];
}

const cases: Case[] = [
  {
    name: 'conv 3×3 pad 1, then conv 2×3 with 2×2 max pooling, then dense',
    inputShape: [5, 4, 2],
    layers: [
      { kind: 'conv2d', channels: 3, kernel: 3, padding: 1 },
      { kind: 'conv2d', channels: 2, kernel: [2, 3], pool: { kind: 'max', size: 2 } },
      { kind: 'dense' },
    ],
    sizes: [40, 60, 4, 3],
  },
  {
    name: 'conv 3×3 stride 2 pad 1, then conv 1×1 with 2×2 average pooling, then dense',
    inputShape: [5, 4, 2],
    layers: [
      { kind: 'conv2d', channels: 3, kernel: 3, stride: 2, padding: 1 },
      { kind: 'conv2d', channels: 2, kernel: 1, pool: { kind: 'avg', size: 2 } },
      { kind: 'dense' },
    ],
    sizes: [40, 18, 2, 3],
  },
];

function convNet(c: Case, activation: 'tanh' | 'leaky-relu' = 'tanh'): Net {
  const net = smallNet(activation, { sizes: c.sizes, inputShape: c.inputShape, layers: c.layers, rows: 2, seed: 5 });
  energy(net);
  return net;
}

describe('conv2d: shapes', () => {
  it('derives each layer shape (NHWC) from the specs, and refuses sizes that disagree', () => {
    expect(convNet(cases[0]).model.config.shapes).toEqual([
      [5, 4, 2],
      [5, 4, 3],
      [2, 1, 2],
      [1, 1, 3],
    ]);
    expect(convNet(cases[1]).model.config.shapes).toEqual([
      [5, 4, 2],
      [3, 2, 3],
      [1, 1, 2],
      [1, 1, 3],
    ]);
    expect(() => smallNet('tanh', { ...cases[0], sizes: [40, 61, 4, 3] })).toThrow(
      /layer 1 has shape \[5, 4, 3\] \(60 values\) by its spec, but sizes\[1\] is 61/,
    );
    expect(() => smallNet('tanh', { ...cases[0], layers: [{ kind: 'conv2d', channels: 3, kernel: 7 }, ...cases[0].layers.slice(1)] })).toThrow(
      /conv2d: a 7×7 kernel does not fit the 5×4 input with padding 0/,
    );
  });
});

describe('conv2d: ∂E/∂x, ∂E/∂W and ∂E/∂b against finite differences', () => {
  for (const c of cases) {
    it(`one Euler step with lr 1 moves every free x by −∂E/∂x: ${c.name}`, () => {
      const net = convNet(c);
      expectValueStepIsGradient(net);
    });

    it(`computeWeightGrads is the batch mean of ∂E/∂W and ∂E/∂b: ${c.name}`, () => {
      const net = convNet(c, 'leaky-relu');
      expectWeightGradsMatchFd(net);
    });
  }

  it('learned feedback: B has W’s layout, its increment is exactly W’s gradient, and the x update uses B', () => {
    const c = cases[0];
    const net = smallNet('tanh', { sizes: c.sizes, inputShape: c.inputShape, layers: c.layers, rows: 2, seed: 5, feedback: 'learned' });
    energy(net);
    const { model, ws, rows } = net;
    expect(model.layers[0].feedback!.shape).toEqual(model.layers[0].weights.shape);
    computeWeightGrads(model, ws, rows);
    for (let l = 1; l < model.config.sizes.length - 1; l++) expect(Array.from(ws.gradFeedback[l])).toEqual(Array.from(ws.gradW[l]));
    // With B = W the x update is the exact gradient again.
    for (const layer of model.layers) layer.feedback!.data.set(layer.weights.data);
    const plan = planRelaxation(
      model,
      model.config.sizes.map(() => false),
    );
    const fd = Array.from(ws.x[1].subarray(0, rows * c.sizes[1]), (_, i) => centralDifference(net, ws.x[1], i));
    const before = Float64Array.from(ws.x[1]);
    updateValues(model, ws, rows, plan, { steps: 1, lr: 1, momentum: 0, tolerance: 0 });
    for (let i = 0; i < fd.length; i++) expect(Math.abs(before[i] - ws.x[1][i] - fd[i])).toBeLessThan(1e-9 * Math.max(1, Math.abs(fd[i])));
  });
});
