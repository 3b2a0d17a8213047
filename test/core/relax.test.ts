import { describe, expect, it } from 'vitest';
import {
  clampedLayers,
  computeActivations,
  computeErrors,
  computeWeightGrads,
  createConfig,
  infer,
  initModel,
  initValues,
  initWorkspace,
  planRelaxation,
  relax,
  startRelaxation,
} from '../../packages/predictive-coding/src/core/index.ts';
import { PcError } from '../../packages/predictive-coding/src/errors.ts';
import { ACTIVATIONS } from '../../packages/predictive-coding/src/kernels/index.ts';
import { createRng } from '../../packages/predictive-coding/src/random.ts';
import { f64, type Net, smallNet } from './helpers.ts';

function start(net: Net): number {
  const { model, ws, rows } = net;
  for (let l = 0; l < model.config.sizes.length - 1; l++) computeActivations(model, ws, rows, l);
  return computeErrors(model, ws, rows);
}

describe('relaxation', () => {
  for (const activation of ACTIVATIONS) {
    const smooth = ['linear', 'tanh', 'sigmoid', 'gelu'].includes(activation);
    it(`${activation}: Euler steps with a small lr ${smooth ? 'never raise E' : 'raise E by at most 1% of lr·E_0 (chatter at the kinks)'}`, () => {
      const net = smallNet(activation, { sizes: [4, 6, 5, 3], rows: 4 });
      const e0 = start(net);
      const plan = planRelaxation(net.model, [true, false, false, true]);
      for (const lr of [0.05, 0.01]) {
        const r = relax(net.model, net.ws, net.rows, plan, { steps: 300, lr, momentum: 0, tolerance: 0 }, start(net), { trace: true });
        const tr = r.trace!;
        let maxRise = 0;
        for (let t = 1; t < tr.length; t++) maxRise = Math.max(maxRise, tr[t] - tr[t - 1]);
        expect(maxRise).toBeLessThanOrEqual(smooth ? 1e-12 * e0 : 0.01 * lr * e0);
        expect(r.energy).toBeLessThan(0.5 * e0);
      }
    });
  }

  it('clamped layers never move, free ones do', () => {
    const net = smallNet('tanh', { sizes: [3, 4, 4, 2] });
    const before = net.ws.x.map((x) => Float64Array.from(x));
    const clamped = [true, false, true, false];
    relax(net.model, net.ws, net.rows, planRelaxation(net.model, clamped), { steps: 20, lr: 0.1, momentum: 0.5, tolerance: 0 }, start(net));
    net.ws.x.forEach((x, l) => {
      if (clamped[l]) expect(Array.from(x)).toEqual(Array.from(before[l]));
      else expect(Array.from(x)).not.toEqual(Array.from(before[l]));
    });
  });

  it('a linear network relaxes to the closed-form equilibrium x_1* = (I + W_2ᵀW_2)⁻¹(W_1x_0 + b_1 + W_2ᵀ(x_2 − b_2))', () => {
    const net = smallNet('linear', { sizes: [2, 3, 2], rows: 1 });
    const { model, ws } = net;
    relax(model, ws, 1, planRelaxation(model, [true, false, true]), { steps: 3000, lr: 0.1, momentum: 0, tolerance: 0 }, start(net));
    const W1 = model.layers[0].weights.data;
    const b1 = model.layers[0].bias.data;
    const W2 = model.layers[1].weights.data;
    const b2 = model.layers[1].bias.data;
    // A = I + W_2ᵀW_2 (3×3), rhs = W_1x_0 + b_1 + W_2ᵀ(x_2 − b_2)
    const A = [0, 1, 2].map((i) => [0, 1, 2].map((j) => (i === j ? 1 : 0) + W2[i] * W2[j] + W2[3 + i] * W2[3 + j]));
    const rhs = [0, 1, 2].map(
      (i) => W1[i * 2] * ws.x[0][0] + W1[i * 2 + 1] * ws.x[0][1] + b1[i] + W2[i] * (ws.x[2][0] - b2[0]) + W2[3 + i] * (ws.x[2][1] - b2[1]),
    );
    const want = solve(A, rhs);
    for (let i = 0; i < 3; i++) expect(Math.abs(ws.x[1][i] - want[i])).toBeLessThan(1e-10);
  });

  it('stops early once the energy change falls under the tolerance', () => {
    const net = smallNet('tanh');
    const r = relax(
      net.model,
      net.ws,
      net.rows,
      planRelaxation(net.model, [true, false, false, true]),
      { steps: 500, lr: 0.1, momentum: 0, tolerance: 1e-4 },
      start(net),
    );
    expect(r.iterations).toBeGreaterThan(2);
    expect(r.iterations).toBeLessThan(500);
  });

  it('a diverging relaxation throws PcError("divergence") naming the step and the layer', () => {
    const net = smallNet('linear', { sizes: [3, 4, 4, 2] });
    for (const layer of net.model.layers) for (let i = 0; i < layer.weights.data.length; i++) layer.weights.data[i] *= 8;
    let err: unknown;
    try {
      relax(
        net.model,
        net.ws,
        net.rows,
        planRelaxation(net.model, [true, false, false, true]),
        { steps: 200, lr: 1.5, momentum: 0.9, tolerance: 0 },
        start(net),
      );
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PcError);
    expect((err as PcError).code).toBe('divergence');
    expect((err as PcError).message).toMatch(
      /^relax: the energy (exploded to .*|became (NaN|Infinity)) at step [1-9]\d*; layer \d holds .*lower the relaxation step size \(relax\.lr, pcn --lr-x\) or its momentum \(relax\.momentum, pcn --momentum-x\)\.$/,
    );
  });

  it('NaN in a clamp is reported before the first step, blaming the inputs or weights rather than the x step', () => {
    const net = smallNet('tanh');
    net.ws.x[0][1] = Number.NaN;
    expect(() =>
      relax(net.model, net.ws, net.rows, planRelaxation(net.model, [true, false, false, true]), { steps: 5, lr: 0.1, momentum: 0, tolerance: 0 }, start(net)),
    ).toThrow(
      /energy is NaN before the first relaxation step .*the inputs or the weights hold NaN\/Inf.*lower the weight learning rate or the weight decay \(optimizer lr, weightDecay; pcn --lr-w, --weight-decay\)\.$/,
    );
  });

  it("a 'ce' output with the last layer free is a config error", () => {
    const net = smallNet('tanh', { outputEnergy: 'ce' });
    expect(() => planRelaxation(net.model, [true, false, false, false])).toThrow(/'ce' output energy needs the last layer clamped/);
  });
});

describe('PC ≈ backprop (Whittington & Bogacz 2017), discriminative, forward initialisation, relaxed to convergence', () => {
  // Backprop gradient of mean over rows of ½‖y − out‖², by hand.
  function backprop(net: Net, x0: Float64Array, y: Float64Array): Float64Array[] {
    const { model, rows } = net;
    const s = model.config.sizes;
    const L = s.length - 1;
    const f = (v: number) => Math.tanh(v);
    const df = (v: number) => 1 - Math.tanh(v) ** 2;
    const h: Float64Array[] = [x0];
    for (let l = 1; l <= L; l++) {
      const W = model.layers[l - 1].weights.data;
      const b = model.layers[l - 1].bias.data;
      const out = new Float64Array(rows * s[l]);
      for (let r = 0; r < rows; r++)
        for (let i = 0; i < s[l]; i++) {
          let a = b[i];
          for (let j = 0; j < s[l - 1]; j++) a += W[i * s[l - 1] + j] * (l === 1 ? h[0][r * s[0] + j] : f(h[l - 1][r * s[l - 1] + j]));
          out[r * s[l] + i] = a;
        }
      h.push(out);
    }
    const grads: Float64Array[] = [];
    let delta = h[L].map((o, i) => o - y[i]);
    for (let l = L; l >= 1; l--) {
      const W = model.layers[l - 1].weights.data;
      const gW = new Float64Array(s[l] * s[l - 1]);
      for (let r = 0; r < rows; r++)
        for (let i = 0; i < s[l]; i++)
          for (let j = 0; j < s[l - 1]; j++)
            gW[i * s[l - 1] + j] += (delta[r * s[l] + i] * (l === 1 ? h[0][r * s[0] + j] : f(h[l - 1][r * s[l - 1] + j]))) / rows;
      grads[l] = gW;
      if (l > 1) {
        const next = new Float64Array(rows * s[l - 1]);
        for (let r = 0; r < rows; r++)
          for (let j = 0; j < s[l - 1]; j++) {
            let a = 0;
            for (let i = 0; i < s[l]; i++) a += delta[r * s[l] + i] * W[i * s[l - 1] + j];
            next[r * s[l - 1] + j] = a * df(h[l - 1][r * s[l - 1] + j]);
          }
        delta = next;
      }
    }
    return grads;
  }

  function pcGrads(beta: number, x0: Float64Array, y: Float64Array): { grads: Float64Array[]; net: Net } {
    const config = createConfig({ sizes: [4, 5, 3, 2], activation: 'tanh', outputWeight: beta });
    const model = initModel(config, f64, createRng(11));
    const rows = 3;
    const ws = initWorkspace(model, rows, f64);
    const clamp = [x0, undefined, undefined, y];
    const clamped = clampedLayers(model, clamp, rows, 'test');
    initValues(model, ws, rows, clamp, 'forward');
    const e0 = startRelaxation(model, ws, rows);
    relax(model, ws, rows, planRelaxation(model, clamped), { steps: 4000, lr: 0.2, momentum: 0, tolerance: 0 }, e0);
    computeWeightGrads(model, ws, rows);
    return { grads: ws.gradW.map((g) => Float64Array.from(g, (v) => v / beta)), net: { model, ws, rows } };
  }

  const rng = createRng(5);
  const x0 = Float64Array.from({ length: 12 }, () => rng.normal());
  const y = Float64Array.from({ length: 6 }, () => rng.normal());

  function worstRelative(a: Float64Array[], b: Float64Array[]): number {
    let worst = 0;
    for (let l = 1; l < b.length; l++) {
      let num = 0;
      let den = 0;
      for (let i = 0; i < b[l].length; i++) {
        num += (a[l][i] - b[l][i]) ** 2;
        den += b[l][i] ** 2;
      }
      worst = Math.max(worst, Math.sqrt(num / den));
    }
    return worst;
  }

  it('weight updates / β equal backprop gradients to O(β): relative error < 1e-5 at β = 1e-6', () => {
    const { grads, net } = pcGrads(1e-6, x0, y);
    expect(worstRelative(grads, backprop(net, x0, y))).toBeLessThan(1e-5);
  });

  it('the symmetric difference (g(β) − g(−β)) / 2 agrees to ~1e-9', () => {
    const plus = pcGrads(1e-5, x0, y);
    const minus = pcGrads(-1e-5, x0, y);
    const sym = plus.grads.map((g, l) => g.map((v, i) => (v + minus.grads[l][i]) / 2));
    expect(worstRelative(sym, backprop(plus.net, x0, y))).toBeLessThan(1e-9);
  });

  it('with β = 1 (the label hard-clamped) PC is not backprop: the relative gap is large', () => {
    const { grads, net } = pcGrads(1, x0, y);
    expect(worstRelative(grads, backprop(net, x0, y))).toBeGreaterThan(1e-2);
  });
});

function solve(A: number[][], b: number[]): number[] {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r][c]) > Math.abs(M[p][c])) p = r;
    [M[c], M[p]] = [M[p], M[c]];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const k = M[r][c] / M[c][c];
      for (let j = c; j <= n; j++) M[r][j] -= k * M[c][j];
    }
  }
  return M.map((row, i) => row[n] / row[i]);
}

describe('initialisation and inference', () => {
  it('forward initialisation leaves every free error at zero, so E is the clamped output error alone', () => {
    const config = createConfig({ sizes: [3, 4, 4, 2], activation: 'tanh' });
    const model = initModel(config, f64, createRng(1));
    const ws = initWorkspace(model, 2, f64);
    const rng = createRng(2);
    const x0 = Float64Array.from({ length: 6 }, () => rng.normal());
    const y = Float64Array.from({ length: 4 }, () => rng.normal());
    initValues(model, ws, 2, [x0, undefined, undefined, y], 'forward');
    const e = startRelaxation(model, ws, 2);
    for (const l of [1, 2]) for (let i = 0; i < 8; i++) expect(Math.abs(ws.eps[l][i])).toBeLessThan(1e-15);
    expect(e).toBeCloseTo(ws.energies[3], 14);
  });

  it('infer relaxes with the weights frozen and lowers the energy', () => {
    const config = createConfig({ sizes: [3, 5, 2], activation: 'gelu' });
    const model = initModel(config, f64, createRng(1));
    const ws = initWorkspace(model, 2, f64);
    const weights = Array.from(model.layers[0].weights.data);
    const r = infer(model, ws, 2, [Float64Array.from([1, 2, 3, 4, 5, 6]), undefined, Float64Array.from([1, 0, 0, 1])], {
      steps: 50,
      lr: 0.1,
      momentum: 0,
      tolerance: 0,
    });
    expect(r.energy).toBeLessThan(r.initialEnergy);
    expect(Array.from(model.layers[0].weights.data)).toEqual(weights);
  });
});
