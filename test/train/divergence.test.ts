/** Divergence caught where it starts, each symptom naming its knob (packages/predictive-coding/src/train/divergence.ts). */
import { describe, expect, it } from 'vitest';
import { createConfig, initModel, initWorkspace, type RelaxResult } from '../../packages/predictive-coding/src/core/index.ts';
import { createReferenceBackend } from '../../packages/predictive-coding/src/kernels/index.ts';
import { createRng } from '../../packages/predictive-coding/src/random.ts';
import { closeEpoch, initDivergenceMonitor, recordRelaxation } from '../../packages/predictive-coding/src/train/divergence.ts';
import {
  DEFAULT_OPTIMIZER,
  DIVERGENCE,
  type FitOptions,
  fit,
  initOptimizer,
  type OptimizerConfig,
  stream,
  type TrainConfig,
} from '../../packages/predictive-coding/src/train/index.ts';
import { blobs } from '../helpers/blobs.ts';
import { rejectsPcError } from '../helpers/errors.ts';

const f32 = createReferenceBackend('float32');

function run(train: TrainConfig, opt: Partial<OptimizerConfig> = { name: 'adamw', lr: 1e-2 }, epochs = 2) {
  const model = initModel(createConfig({ sizes: [6, 24, 24, 3], activation: 'tanh' }), f32, createRng(3));
  const ws = initWorkspace(model, 16, f32);
  const warnings: string[] = [];
  const options: FitOptions = { epochs, batchSize: 16, seed: 1, lrSchedule: 'constant', train, onWarning: (w) => warnings.push(w) };
  return { promise: fit(model, initOptimizer(model, opt, f32), ws, blobs(480, 2), blobs(90, 5), options), warnings };
}

const healthy: TrainConfig = { init: 'forward', relax: { steps: 8, lr: 0.1, momentum: 0.5, tolerance: 0 } };

describe('divergence', () => {
  it('a healthy run has no unstable, unsettled or grown relaxations and gives no warning', async () => {
    const { promise, warnings } = run(healthy);
    const history = await promise;
    expect(history.map((s) => s.relaxation)).toEqual([
      { relaxations: 30, unstable: 0, unsettled: 0, grown: 0 },
      { relaxations: 30, unstable: 0, unsettled: 0, grown: 0 },
    ]);
    expect(warnings).toEqual([]);
    expect(history[1].testAccuracy).toBeGreaterThan(0.9);
  });

  it('an x step that is too large stops training within the window, naming relax.lr and its momentum', async () => {
    const { promise } = run({ ...healthy, relax: { ...healthy.relax, lr: 3, momentum: 0.9 } });
    const e = await rejectsPcError(promise, 'divergence');
    expect(e.message).toMatch(/^fit: epoch 1, batch \d+: .*the x step is too large.*relax\.lr, pcn --lr-x; now 3\).*relax\.momentum/);
  });

  it('a weight learning rate that is too large stops training naming the weight learning rate, not the x step', async () => {
    const { promise } = run(healthy, { name: 'sgd', lr: 1e4 });
    const e = await rejectsPcError(promise, 'divergence');
    expect(e.message).toMatch(/weight learning rate/);
    expect(e.message).not.toMatch(/x step is too large/);
  });

  it("init 'zero' with few steps is advised against at the start and reported unsettled after the epoch", async () => {
    const { promise, warnings } = run({ ...healthy, init: 'zero' }, undefined, 1);
    const [stats] = await promise;
    expect(warnings[0]).toMatch(/init 'zero' starts every free layer far from equilibrium.*at least 100 steps/);
    expect(stats.relaxation?.unsettled).toBeGreaterThan(DIVERGENCE.unsettledToWarn * 30);
    expect(warnings[1]).toMatch(/^epoch 1: \d+ of 30 relaxations .* far from equilibrium: use more steps .*now 8\), or init 'forward'/);
  });

  it('watches the streaming schedule too: a healthy stream counts no unstable relaxation, an x step too large is counted and warned about', async () => {
    const model = initModel(createConfig({ sizes: [6, 16, 3], activation: 'tanh' }), f32, createRng(2));
    const ws = initWorkspace(model, 4, f32);
    const ok = await stream(model, initOptimizer(model, { lr: 2e-3 }, f32), ws, blobs(200, 4), {
      stepsPerExample: 8,
      relax: healthy.relax,
      seed: 1,
      streams: 4,
    });
    expect(ok.relaxation).toMatchObject({ relaxations: 50, unstable: 0 });
    const fresh = initModel(createConfig({ sizes: [6, 24, 24, 3], activation: 'tanh' }), f32, createRng(2));
    const warnings: string[] = [];
    const fast = { ...healthy.relax, lr: 3, momentum: 0.9 };
    const r = await stream(fresh, initOptimizer(fresh, {}, f32), initWorkspace(fresh, 4, f32), blobs(800, 4), {
      stepsPerExample: 8,
      relax: fast,
      seed: 1,
      streams: 4,
      onWarning: (w) => warnings.push(w),
    });
    expect(r.relaxation.unstable).toBeGreaterThan(0.05 * r.relaxation.relaxations);
    expect(warnings[0]).toMatch(/^stream: \d+ of 200 relaxations .* the x step is too large\. .*--lr-x; now 3\)/);
  });

  it('incremental PC with an x step far too large stops too, after the longer window for learning inside relaxation', async () => {
    const { promise } = run({ ...healthy, schedule: 'incremental', relax: { ...healthy.relax, lr: 3, momentum: 0.9 } }, undefined, 8);
    const e = await rejectsPcError(promise, 'divergence');
    expect(e.message).toMatch(/^fit: epoch \d, batch \d+: (9\d|100) of the last (9\d|100) relaxations ended with more energy/);
  });

  it('an output weight above 1 is named with the x step, since it stiffens the layer under the output; at 1 it is not', () => {
    const r: RelaxResult = { initialEnergy: 1, energy: 1.5, iterations: 8, unstable: true, unsettled: false };
    const stop = (beta: number) => {
      const m = initDivergenceMonitor(false, beta);
      for (let i = 1; i < DIVERGENCE.unstableToStop; i++) recordRelaxation(m, r, 1, healthy, () => 'b');
      expect(closeEpoch(m, healthy, 'epoch 1', { ...DEFAULT_OPTIMIZER, lr: 1e-3 }).warnings[0]).toMatch(/--lr-x; now 0\.1/);
      return () => recordRelaxation(m, r, 1, healthy, () => 'b');
    };
    expect(stop(1000)).toThrow(/--lr-x; now 0\.1\) or its momentum .*, or the output weight \(config\.outputWeight, pcn --output-weight; now 1000\)/);
    expect(stop(1)).toThrow(/--momentum-x; now 0\.5\)\.$/);
  });

  it('with learning inside relaxation, a few unstable relaxations (under 5 % of an epoch) are no warning', () => {
    const m = initDivergenceMonitor(true);
    const r = (unstable: boolean): RelaxResult => ({ initialEnergy: 1, energy: unstable ? 1.5 : 0.5, iterations: 8, unstable, unsettled: false });
    for (let i = 0; i < 100; i++) recordRelaxation(m, r(i % 25 === 0), 1, healthy, () => 'b');
    expect(closeEpoch(m, healthy, 'epoch 1', { ...DEFAULT_OPTIMIZER, lr: 1e-3 }).warnings).toEqual([]);
    for (let i = 0; i < 89; i++) recordRelaxation(m, r(true), 1, healthy, () => 'b');
    expect(closeEpoch(m, healthy, 'epoch 2', { ...DEFAULT_OPTIMIZER, lr: 1e-3 }).warnings[0]).toMatch(/^epoch 2: 89 of 89 relaxations/);
    expect(() => recordRelaxation(m, r(true), 1, healthy, () => 'epoch 3, batch 1')).toThrow(/^epoch 3, batch 1: 90 of the last 100/);
  });

  it('counts each symptom and warns once per epoch with the knob; stops only when instability persists', () => {
    const m = initDivergenceMonitor(false);
    const result = (e0: number, e: number, unstable: boolean, unsettled = false): RelaxResult => ({
      initialEnergy: e0,
      energy: e,
      iterations: 8,
      unstable,
      unsettled,
    });
    recordRelaxation(m, result(1, 0.5, false), 1, healthy, () => 'b1');
    for (let i = 0; i < DIVERGENCE.unstableToStop - 1; i++) recordRelaxation(m, result(1, 2, true), 1, healthy, () => 'b');
    recordRelaxation(m, result(2e3, 1e3, false, true), 1, healthy, () => 'b');
    const { health, warnings } = closeEpoch(m, healthy, 'epoch 4', { ...DEFAULT_OPTIMIZER, lr: 5e-4 });
    expect(health).toEqual({ relaxations: DIVERGENCE.unstableToStop + 1, unstable: DIVERGENCE.unstableToStop - 1, unsettled: 1, grown: 1 });
    expect(warnings).toHaveLength(3);
    expect(warnings[0]).toMatch(/^epoch 4: 14 of 16 relaxations \(87\.5 %\) ended with more energy .*--lr-x; now 0\.1/);
    expect(warnings[1]).toMatch(/^epoch 4: 1 of 16 .*use more steps/);
    expect(warnings[2]).toMatch(/^epoch 4: in 1 batches .*Lower the weight learning rate .*now 0\.0005/);
    expect(closeEpoch(m, healthy, 'epoch 5', { ...DEFAULT_OPTIMIZER, lr: 5e-4 }).health).toEqual({ relaxations: 0, unstable: 0, unsettled: 0, grown: 0 });
    expect(() => recordRelaxation(m, result(1, 2, true), 1, healthy, () => 'epoch 5, batch 1')).toThrow(/^epoch 5, batch 1: 15 of the last 17 relaxations/);
  });
});
