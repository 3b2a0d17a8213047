/** Each optimiser against steps worked by hand (STYLE §7). */
import { describe, expect, it } from 'vitest';
import { createConfig, initModel, initWorkspace } from '../../packages/predictive-coding/src/core/index.ts';
import { createReferenceBackend } from '../../packages/predictive-coding/src/kernels/index.ts';
import { createRng } from '../../packages/predictive-coding/src/random.ts';
import {
  applyOptimizer,
  decodeCheckpoint,
  encodeCheckpoint,
  initOptimizer,
  type OptimizerName,
  validateOptimizerConfig,
} from '../../packages/predictive-coding/src/train/index.ts';
import { scheduledLr } from '../../packages/predictive-coding/src/train/schedule.ts';
import { catchPcError } from '../helpers/errors.ts';

const f64 = createReferenceBackend('float64');

/** A 1→1 model with W = 2, b = −1 and constant gradients gW = 0.5, gB = −0.25. */
function setup(name: OptimizerName, extra: Record<string, number> = {}) {
  const model = initModel(createConfig({ sizes: [1, 1] }), f64, createRng(0));
  model.layers[0].weights.data[0] = 2;
  model.layers[0].bias.data[0] = -1;
  const ws = initWorkspace(model, 1, f64);
  ws.gradW[1][0] = 0.5;
  ws.gradB[1][0] = -0.25;
  const opt = initOptimizer(model, { name, lr: 0.1, ...extra }, f64);
  return { model, ws, opt, w: () => model.layers[0].weights.data[0], b: () => model.layers[0].bias.data[0] };
}

describe('optimisers, worked by hand', () => {
  it('sgd: p ← p − lr·(g + wd·p)', () => {
    const s = setup('sgd', { weightDecay: 0.1 });
    applyOptimizer(s.model, s.ws, s.opt);
    expect(s.w()).toBeCloseTo(2 - 0.1 * (0.5 + 0.2), 15);
    expect(s.b()).toBeCloseTo(-1 - 0.1 * (-0.25 - 0.1), 15);
  });

  it('momentum: v ← 0.9·v + g, p ← p − lr·v over two steps', () => {
    const s = setup('momentum');
    applyOptimizer(s.model, s.ws, s.opt);
    applyOptimizer(s.model, s.ws, s.opt);
    // v1 = 0.5, v2 = 0.45 + 0.5 = 0.95; W = 2 − 0.1·0.5 − 0.1·0.95
    expect(s.w()).toBeCloseTo(2 - 0.05 - 0.095, 15);
  });

  it('adam: the first step moves every parameter by lr·sign(g) (bias-corrected m/√v = ±1)', () => {
    const s = setup('adam', { epsilon: 0 });
    applyOptimizer(s.model, s.ws, s.opt);
    expect(s.w()).toBeCloseTo(1.9, 14);
    expect(s.b()).toBeCloseTo(-0.9, 14);
  });

  it('adam: a second step with the same gradient moves by lr again, and the moments are β-averages', () => {
    const s = setup('adam', { epsilon: 0 });
    applyOptimizer(s.model, s.ws, s.opt);
    applyOptimizer(s.model, s.ws, s.opt);
    // m2 = (1 − 0.9²)·0.5, v2 = (1 − 0.999²)·0.25: the corrected ratio is exactly 1 again.
    expect(s.w()).toBeCloseTo(1.8, 14);
    const [m, v] = s.opt.slots[0];
    expect(m[0]).toBeCloseTo(0.19 * 0.5, 15);
    expect(v[0]).toBeCloseTo((1 - 0.999 ** 2) * 0.25, 15);
  });

  it('adam adds L2 decay to the gradient; adamw decays the weight directly (decoupled)', () => {
    const a = setup('adam', { epsilon: 0, weightDecay: 0.1 });
    applyOptimizer(a.model, a.ws, a.opt);
    // g = 0.5 + 0.1·2 = 0.7 > 0: still a sign step.
    expect(a.w()).toBeCloseTo(1.9, 14);
    const w = setup('adamw', { epsilon: 0, weightDecay: 0.1 });
    applyOptimizer(w.model, w.ws, w.opt);
    expect(w.w()).toBeCloseTo(2 - 0.1 * (1 + 0.1 * 2), 14);
    expect(w.b()).toBeCloseTo(-1 - 0.1 * (-1 + 0.1 * -1), 14);
  });

  it('weightCap clips every weight into [−cap, cap] after the step, but not the biases, and survives a checkpoint', () => {
    const model = initModel(createConfig({ sizes: [3, 4, 2] }), f64, createRng(1));
    const ws = initWorkspace(model, 1, f64);
    for (let l = 1; l <= 2; l++) {
      ws.gradW[l].fill(-10); // sgd: every weight grows by lr·10 = 1, well past the cap
      ws.gradB[l].fill(-10);
    }
    const before = model.layers.map((layer) => Array.from(layer.bias.data));
    const opt = initOptimizer(model, { name: 'sgd', lr: 0.1, weightCap: 0.3 }, f64);
    applyOptimizer(model, ws, opt);
    expect(model.layers).toHaveLength(2); // or the loops below could check nothing
    for (const [i, layer] of model.layers.entries()) {
      expect(Array.from(layer.weights.data)).toEqual(Array.from(layer.weights.data, () => 0.3));
      expect(Array.from(layer.bias.data)).toEqual(before[i].map((b) => b + 1));
    }
    for (let l = 1; l <= 2; l++) ws.gradW[l].fill(20);
    applyOptimizer(model, ws, opt);
    for (const layer of model.layers) expect(Math.min(...layer.weights.data)).toBe(-0.3);
    const back = decodeCheckpoint(encodeCheckpoint(model, { optimizer: opt }), 'x');
    expect(back.optimizer?.config.weightCap).toBe(0.3);
    expect(initOptimizer(model, {}, f64).config.weightCap).toBeUndefined();
  });

  it('rejects unknown names and out-of-range settings', () => {
    const model = initModel(createConfig({ sizes: [1, 1] }), f64, createRng(0));
    expect(() => initOptimizer(model, { name: 'lion' as never }, f64)).toThrow("optimizer: unknown name 'lion'");
    expect(() => initOptimizer(model, { lr: -1 }, f64)).toThrow('optimizer: lr must be a finite number ≥ 0, got -1.');
    expect(() => initOptimizer(model, { beta2: 1 }, f64)).toThrow('beta1 and beta2 must be < 1');
    expect(() => initOptimizer(model, { weightCap: 0 }, f64)).toThrow('optimizer: weightCap must be a finite number > 0');
    expect(() => initOptimizer(model, { weightCap: Number.POSITIVE_INFINITY }, f64)).toThrow('weightCap');
  });
});

describe('warmup-cosine schedule', () => {
  it('rises from lr to 1.1·lr over the first 10 % of steps, then falls to 0.1·lr at the last step', () => {
    expect(scheduledLr('warmup-cosine', 1, 0, 100)).toBe(1);
    expect(scheduledLr('warmup-cosine', 1, 10, 100)).toBeCloseTo(1.1, 12);
    expect(scheduledLr('warmup-cosine', 1, 99, 100)).toBeCloseTo(0.1, 12);
    expect(scheduledLr('warmup-cosine', 1, 5, 100)).toBeCloseTo(1.05, 12);
    expect(scheduledLr('constant', 0.3, 50, 100)).toBe(0.3);
  });
});

describe('optimiser configuration messages', () => {
  it('quote a non-finite value as it is (NaN, Infinity), not as JSON null', () => {
    for (const [value, shown] of [
      [Number.NaN, 'NaN'],
      [Number.POSITIVE_INFINITY, 'Infinity'],
      [-1, '-1'],
      ['0.1', "'0.1'"],
    ] as const)
      expect(catchPcError(() => validateOptimizerConfig({ lr: value as number }, 2), 'config').message).toBe(
        `optimizer: lr must be a finite number ≥ 0, got ${shown}.`,
      );
  });
});
