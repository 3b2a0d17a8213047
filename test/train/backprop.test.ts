/** Backprop on the shared engine: gradients against finite differences of the loss, and PC's limit. */
import { describe, expect, it } from 'vitest';
import {
  clampedLayers,
  computeWeightGrads,
  createConfig,
  forward,
  initModel,
  initValues,
  initWorkspace,
  planRelaxation,
  relax,
  startRelaxation,
} from '../../packages/predictive-coding/src/core/index.ts';
import { type Activation, createReferenceBackend } from '../../packages/predictive-coding/src/kernels/index.ts';
import { createRng } from '../../packages/predictive-coding/src/random.ts';
import { backpropGradients } from '../../packages/predictive-coding/src/train/index.ts';
import { expectLossGradients } from './loss-gradients.ts';

const f64 = createReferenceBackend('float64');

function setup(activation: Activation, outputEnergy: 'mse' | 'ce', beta = 1) {
  const model = initModel(createConfig({ sizes: [4, 6, 5, 3], activation, outputEnergy, outputWeight: beta }), f64, createRng(3));
  const rows = 3;
  const ws = initWorkspace(model, rows, f64);
  const rng = createRng(4);
  const x = Float64Array.from({ length: rows * 4 }, () => rng.normal());
  const y = new Float64Array(rows * 3);
  for (let r = 0; r < rows; r++) y[r * 3 + rng.int(3)] = 1;
  return { model, ws, rows, x, y };
}

/** Mean loss over the batch by a plain forward pass. */
function loss(s: ReturnType<typeof setup>): number {
  const out = forward(s.model, s.ws, s.rows, s.x);
  let total = 0;
  for (let r = 0; r < s.rows; r++) {
    const o = Array.from(out.subarray(r * 3, r * 3 + 3));
    const t = Array.from(s.y.subarray(r * 3, r * 3 + 3));
    if (s.model.config.outputEnergy === 'ce') {
      const m = Math.max(...o);
      const z = o.reduce((a, v) => a + Math.exp(v - m), 0);
      total -= t.reduce((a, ti, i) => a + ti * (o[i] - m - Math.log(z)), 0);
    } else total += 0.5 * o.reduce((a, oi, i) => a + (t[i] - oi) ** 2, 0);
  }
  return total / s.rows;
}

describe('backprop gradients', () => {
  for (const activation of ['tanh', 'sigmoid', 'gelu', 'leaky-relu'] as const) {
    for (const outputEnergy of ['mse', 'ce'] as const) {
      it(`equal central finite differences of the mean loss (${activation}, ${outputEnergy})`, () => {
        const s = setup(activation, outputEnergy);
        const l0 = backpropGradients(s.model, s.ws, s.rows, s.x, s.y);
        expect(l0).toBeCloseTo(loss(s), 13);
        expectLossGradients(
          s.model,
          s.ws.gradW.map((g) => Float64Array.from(g)),
          s.ws.gradB.map((g) => Float64Array.from(g)),
          () => loss(s),
        );
      });
    }
  }
});

describe("PC's backprop-equivalent limit", () => {
  it('with a weak output error and relaxation to convergence, PC updates / β have cosine ≈ 1 with backprop gradients in every layer', () => {
    const bp = setup('tanh', 'mse');
    backpropGradients(bp.model, bp.ws, bp.rows, bp.x, bp.y);
    const beta = 1e-5;
    const pc = setup('tanh', 'mse', beta);
    const clamp = [pc.x, undefined, undefined, pc.y];
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
    for (let l = 1; l <= 3; l++) {
      const a = pc.ws.gradW[l];
      const b = bp.ws.gradW[l];
      let dot = 0;
      let na = 0;
      let nb = 0;
      for (let i = 0; i < a.length; i++) {
        dot += a[i] * b[i];
        na += a[i] * a[i];
        nb += b[i] * b[i];
      }
      expect(dot / Math.sqrt(na * nb)).toBeGreaterThan(1 - 1e-9);
      expect(Math.sqrt(na) / beta / Math.sqrt(nb)).toBeCloseTo(1, 4);
    }
  });
});
