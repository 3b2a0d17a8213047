/** The seed's variants in the core: feedback weights, partial clamps, asynchronous order (DESIGN §2). */
import { describe, expect, it } from 'vitest';
import {
  computeActivations,
  computeErrors,
  computeWeightGrads,
  createConfig,
  feedbackAngles,
  infer,
  initModel,
  initWorkspace,
  planRelaxation,
  relax,
  updateValues,
} from '../../packages/predictive-coding/src/core/index.ts';
import { createRng } from '../../packages/predictive-coding/src/random.ts';
import { f64, type Net, smallNet } from './helpers.ts';

function refreshed(net: Net): number {
  for (let l = 0; l < net.model.config.sizes.length - 1; l++) computeActivations(net.model, net.ws, net.rows, l);
  return computeErrors(net.model, net.ws, net.rows);
}

describe('learned feedback', () => {
  it('the B rule is its stated local formula −(1/rows)·f(x_{l−1})ᵀ·eps_l, the transpose of W’s', () => {
    const net = smallNet('tanh', { feedback: 'learned' });
    refreshed(net);
    const { model, ws, rows } = net;
    computeWeightGrads(model, ws, rows);
    const s = model.config.sizes;
    for (let l = 1; l < s.length; l++) {
      for (let i = 0; i < s[l - 1]; i++) {
        for (let j = 0; j < s[l]; j++) {
          let want = 0;
          for (let r = 0; r < rows; r++) {
            const x = ws.x[l - 1][r * s[l - 1] + i];
            const f = l - 1 === 0 ? x : Math.tanh(x); // f_0 is linear
            want -= (f * ws.eps[l][r * s[l] + j]) / rows;
          }
          expect(ws.gradFeedback[l][i * s[l] + j]).toBeCloseTo(want, 14);
          expect(ws.gradFeedback[l][i * s[l] + j]).toBe(ws.gradW[l][j * s[l - 1] + i]);
        }
      }
    }
  });

  it('the x update uses B (not W): one lr-1 step moves x by −(eps_l − f′ ⊙ eps_{l+1}·Bᵀ)', () => {
    const net = smallNet('sigmoid', { feedback: 'random' });
    refreshed(net);
    const { model, ws, rows } = net;
    const s = model.config.sizes;
    const l = 1;
    const before = Float64Array.from(ws.x[l]);
    const B = model.layers[l].feedback!.data; // [n_1, n_2]
    updateValues(model, ws, rows, planRelaxation(model, [true, false, true, true]), { steps: 1, lr: 1, momentum: 0, tolerance: 0 });
    for (let r = 0; r < rows; r++) {
      for (let i = 0; i < s[l]; i++) {
        let g = 0;
        for (let j = 0; j < s[l + 1]; j++) g += ws.eps[l + 1][r * s[l + 1] + j] * B[i * s[l + 1] + j];
        const x = before[r * s[l] + i];
        const sig = 1 / (1 + Math.exp(-x));
        const want = x - (ws.eps[l][r * s[l] + i] - sig * (1 - sig) * g);
        expect(ws.x[l][r * s[l] + i]).toBeCloseTo(want, 13);
      }
    }
  });

  it('angles are 0° for B = Wᵀ and near 90° for independent random draws', () => {
    const model = initModel(createConfig({ sizes: [50, 40, 30], feedback: 'learned' }), f64, createRng(1));
    const angles = feedbackAngles(model);
    expect(angles).toHaveLength(2);
    for (const a of angles) expect(Math.abs(a - 90)).toBeLessThan(15);
    const [layer] = model.layers;
    for (let r = 0; r < 40; r++) for (let c = 0; c < 50; c++) layer.feedback!.data[c * 40 + r] = 3 * layer.weights.data[r * 50 + c];
    expect(feedbackAngles(model)[0]).toBeCloseTo(0, 5);
  });
});

describe('partial clamps and the asynchronous order', () => {
  it('held units of a partly clamped layer never move; the others relax and the energy falls', () => {
    const model = initModel(createConfig({ sizes: [2, 6, 8], activation: 'tanh', orientation: 'generative' }), f64, createRng(4));
    const ws = initWorkspace(model, 2, f64);
    const data = Float64Array.from({ length: 16 }, (_, i) => Math.sin(i));
    const mask = Uint8Array.from({ length: 16 }, (_, i) => (i % 3 === 0 ? 1 : 0));
    const r = infer(
      model,
      ws,
      2,
      [Float64Array.from([1, 0, 0, 1])],
      { steps: 200, lr: 0.1, momentum: 0, tolerance: 0 },
      { partial: [undefined, undefined, { data, mask }] },
    );
    for (let i = 0; i < 16; i++) if (mask[i]) expect(ws.x[2][i]).toBe(data[i]);
    expect(ws.x[2].some((v, i) => !mask[i] && v !== data[i])).toBe(true);
    expect(r.energy).toBeLessThan(r.initialEnergy);
  });

  it('the random order (no global barrier) converges to the synchronous equilibrium energy', () => {
    const finals: number[] = [];
    for (const order of ['synchronous', 'random'] as const) {
      const net = smallNet('tanh', { sizes: [4, 7, 6, 3], rows: 5, seed: 9 });
      const e0 = refreshed(net);
      const r = relax(
        net.model,
        net.ws,
        net.rows,
        planRelaxation(net.model, [true, false, false, true]),
        { steps: 600, lr: 0.1, momentum: 0, tolerance: 0, order },
        e0,
        {
          rng: createRng(3),
        },
      );
      finals.push(r.energy);
    }
    expect(Math.abs(finals[1] - finals[0]) / finals[0]).toBeLessThan(1e-6);
  });

  it("order 'random' without an rng is a config error", () => {
    const net = smallNet('tanh');
    expect(() =>
      relax(
        net.model,
        net.ws,
        net.rows,
        planRelaxation(net.model, [true, false, false, true]),
        { steps: 2, lr: 0.1, momentum: 0, tolerance: 0, order: 'random' },
        refreshed(net),
      ),
    ).toThrow("relax: order 'random' needs options.rng");
  });
});

describe('stillness-modulated plasticity', () => {
  it('scales each hidden neuron’s error by 1/(1 + (v/θ)²) in the weight rule, and is the plain rule when nothing moves', () => {
    const net = smallNet('tanh');
    refreshed(net);
    const { model, ws, rows } = net;
    computeWeightGrads(model, ws, rows);
    const plain = ws.gradW.map((g) => Float64Array.from(g));
    computeWeightGrads(model, ws, rows, { stillness: 0.5 }); // v = 0 everywhere
    for (const [l, g] of ws.gradW.entries()) expect(Array.from(g)).toEqual(Array.from(plain[l]));
    const s = model.config.sizes;
    for (let i = 0; i < ws.v[1].length; i++) ws.v[1][i] = Math.sin(i);
    const eps1 = Float64Array.from(ws.eps[1]);
    computeWeightGrads(model, ws, rows, { stillness: 0.5 });
    for (let i = 0; i < s[1]; i++) {
      for (let j = 0; j < s[0]; j++) {
        let want = 0;
        for (let r = 0; r < rows; r++) {
          const k = r * s[1] + i;
          want -= (eps1[k] / (1 + (ws.v[1][k] / 0.5) ** 2)) * ws.x[0][r * s[0] + j];
        }
        expect(ws.gradW[1][i * s[0] + j]).toBeCloseTo(want / rows, 14);
      }
    }
    // The last layer's synapses are never modulated (a clamped layer does not move), nor are eps themselves.
    expect(Array.from(ws.gradW[3])).toEqual(Array.from(plain[3]));
    expect(Array.from(ws.eps[1])).toEqual(Array.from(eps1));
  });
});
