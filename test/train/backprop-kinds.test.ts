/**
 * Backprop and PC's backprop-equivalent limit beyond dense chains: a conv net
 * (stride, padding, max and average pooling, dense readout) and residual nets
 * under both parameterisations — backprop's gradients against finite
 * differences of the loss, and PC's Hebbian gradients at the relaxed state
 * with a weak output error (β = 1e-5) against backprop's (cosine ≈ 1, ratio β).
 */
import { describe, expect, it } from 'vitest';
import {
  clampedLayers,
  computeWeightGrads,
  createConfig,
  forward,
  initModel,
  initValues,
  initWorkspace,
  type LayerSpec,
  type Parameterisation,
  planRelaxation,
  relax,
  type Shape,
  startRelaxation,
} from '../../packages/predictive-coding/src/core/index.ts';
import { createReferenceBackend } from '../../packages/predictive-coding/src/kernels/index.ts';
import { createRng } from '../../packages/predictive-coding/src/random.ts';
import { backpropGradients } from '../../packages/predictive-coding/src/train/index.ts';
import { expectLossGradients } from './loss-gradients.ts';

const f64 = createReferenceBackend('float64');

interface Net {
  readonly name: string;
  readonly sizes: number[];
  readonly layers: LayerSpec[];
  readonly inputShape?: Shape;
  readonly parameterisation?: Parameterisation;
}

const nets: Net[] = [
  {
    name: 'conv 3×3 pad 1 + 2×2 max pool, conv 2×2 stride 2 + avg pool, dense readout',
    sizes: [72, 36, 2, 3],
    inputShape: [6, 6, 2],
    layers: [
      { kind: 'conv2d', channels: 4, kernel: 3, padding: 1, pool: { kind: 'max', size: 2 } },
      { kind: 'conv2d', channels: 2, kernel: 2, stride: 2, pool: { kind: 'avg', size: 1 } },
      { kind: 'dense' },
    ],
  },
  ...(['standard', 'mupc'] as const).map((parameterisation) => ({
    name: `residual MLP, ${parameterisation}`,
    sizes: [5, 6, 6, 6, 3],
    layers: [{ kind: 'dense' }, { kind: 'dense', residual: true }, { kind: 'dense', residual: true }, { kind: 'dense' }] as LayerSpec[],
    parameterisation,
  })),
];

function setup(net: Net, beta = 1) {
  const config = createConfig({ ...net, activation: 'tanh', outputEnergy: 'mse', outputWeight: beta });
  const model = initModel(config, f64, createRng(3));
  const rows = 2;
  const ws = initWorkspace(model, rows, f64);
  const rng = createRng(4);
  const [n0, nL] = [net.sizes[0], net.sizes[net.sizes.length - 1]];
  const x = Float64Array.from({ length: rows * n0 }, () => rng.normal());
  const y = new Float64Array(rows * nL);
  for (let r = 0; r < rows; r++) y[r * nL + rng.int(nL)] = 1;
  return { model, ws, rows, x, y, nL };
}

function loss(s: ReturnType<typeof setup>): number {
  const out = forward(s.model, s.ws, s.rows, s.x);
  let total = 0;
  for (let i = 0; i < s.rows * s.nL; i++) total += 0.5 * (s.y[i] - out[i]) ** 2;
  return total / s.rows;
}

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): [number, number] {
  let [dot, na, nb] = [0, 0, 0];
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return [dot / Math.sqrt(na * nb), Math.sqrt(na / nb)];
}

describe('backprop and PC’s limit for conv and residual nets', () => {
  for (const net of nets) {
    it(`backprop’s gradients equal central finite differences of the mean loss: ${net.name}`, () => {
      const s = setup(net);
      expect(backpropGradients(s.model, s.ws, s.rows, s.x, s.y)).toBeCloseTo(loss(s), 13);
      expectLossGradients(
        s.model,
        s.ws.gradW.map((g) => Float64Array.from(g)),
        s.ws.gradB.map((g) => Float64Array.from(g)),
        () => loss(s),
      );
    });

    it(`with a weak output error, PC’s relaxed Hebbian gradients / β match backprop’s in every layer: ${net.name}`, () => {
      const bp = setup(net);
      backpropGradients(bp.model, bp.ws, bp.rows, bp.x, bp.y);
      const beta = 1e-5;
      const pc = setup(net, beta);
      const clamp = net.sizes.map((_, l) => (l === 0 ? pc.x : l === net.sizes.length - 1 ? pc.y : undefined));
      initValues(pc.model, pc.ws, pc.rows, clamp, 'forward');
      relax(
        pc.model,
        pc.ws,
        pc.rows,
        planRelaxation(pc.model, clampedLayers(pc.model, clamp, pc.rows, 't')),
        { steps: 3000, lr: 0.2, momentum: 0, tolerance: 0 },
        startRelaxation(pc.model, pc.ws, pc.rows),
      );
      computeWeightGrads(pc.model, pc.ws, pc.rows);
      for (let l = 1; l < net.sizes.length; l++) {
        const [cos, ratio] = cosine(pc.ws.gradW[l], bp.ws.gradW[l]);
        expect(cos, `layer ${l} cosine`).toBeGreaterThan(1 - 1e-8);
        expect(ratio / beta, `layer ${l} |PC| / (β·|BP|)`).toBeCloseTo(1, 4);
      }
    });
  }
});
