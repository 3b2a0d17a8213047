/** Divergence messages name the knob that caused it: the weight decay too, when it is set (packages/predictive-coding/src/train/step.ts, divergence.ts). */
import { describe, expect, it } from 'vitest';
import { createConfig, initModel, initWorkspace, type RelaxResult } from '../../packages/predictive-coding/src/core/index.ts';
import { createReferenceBackend } from '../../packages/predictive-coding/src/kernels/index.ts';
import { createRng } from '../../packages/predictive-coding/src/random.ts';
import { closeEpoch, initDivergenceMonitor, recordRelaxation } from '../../packages/predictive-coding/src/train/divergence.ts';
import { DEFAULT_OPTIMIZER, fit, initOptimizer, type TrainConfig } from '../../packages/predictive-coding/src/train/index.ts';
import { blobs } from '../helpers/blobs.ts';
import { rejectsPcError } from '../helpers/errors.ts';

const f32 = createReferenceBackend('float32');
const healthy: TrainConfig = { init: 'forward', relax: { steps: 8, lr: 0.1, momentum: 0.5, tolerance: 0 } };

describe('divergence caused by the weight decay', () => {
  it('weight decay 1e30 stops training with a message naming the weight decay and its value, not only the learning rate', async () => {
    const model = initModel(createConfig({ sizes: [6, 24, 24, 3], activation: 'tanh' }), f32, createRng(3));
    const ws = initWorkspace(model, 16, f32);
    const opt = initOptimizer(model, { name: 'adamw', lr: 5e-4, weightDecay: 1e30 }, f32);
    const e = await rejectsPcError(
      fit(model, opt, ws, blobs(480, 2), null, { epochs: 2, batchSize: 16, seed: 1, lrSchedule: 'constant', train: healthy }),
      'divergence',
    );
    expect(e.message).toMatch(
      /Lower the weight learning rate \(optimizer lr, pcn --lr-w; now 0\.0005\) or the weight decay \(optimizer weightDecay, pcn --weight-decay; now 1e\+30\)\.$/,
    );
  });

  it('the per-epoch warning about grown energies names the weight decay when it is set, and only the learning rate when it is 0', () => {
    const grown = (weightDecay: number) => {
      const m = initDivergenceMonitor(false);
      const r = (e0: number): RelaxResult => ({ energy: e0 / 2, initialEnergy: e0, iterations: 8, unstable: false, unsettled: false });
      recordRelaxation(m, r(1), 1, healthy, () => 'b1');
      recordRelaxation(m, r(2e3), 1, healthy, () => 'b2');
      return closeEpoch(m, healthy, 'epoch 3', { ...DEFAULT_OPTIMIZER, lr: 5e-4, weightDecay }).warnings;
    };
    expect(grown(0.01)).toEqual([
      "epoch 3: in 1 batches the energy before relaxation was over 1000× the first batch's: the weights grow too fast. Lower the weight learning rate (optimizer lr, pcn --lr-w; now 0.0005) or the weight decay (optimizer weightDecay, pcn --weight-decay; now 0.01).",
    ]);
    expect(grown(0)).toEqual([
      "epoch 3: in 1 batches the energy before relaxation was over 1000× the first batch's: the weights grow too fast. Lower the weight learning rate (optimizer lr, pcn --lr-w; now 0.0005).",
    ]);
  });
});
