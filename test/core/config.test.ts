/** Configurations are validated in one place; combinations that make no sense are refused with what to do. */
import { describe, expect, it } from 'vitest';
import {
  createConfig,
  initModel,
  initWorkspace,
  type PcnConfig,
  validateConfig,
  validateRelaxConfig,
} from '../../packages/predictive-coding/src/core/index.ts';
import { createReferenceBackend } from '../../packages/predictive-coding/src/kernels/index.ts';
import { createRng } from '../../packages/predictive-coding/src/random.ts';
import { evaluate, fit, initOptimizer, stream, supervisedBatch, trainStep, validateTrainConfig } from '../../packages/predictive-coding/src/train/index.ts';
import { blobs } from '../helpers/blobs.ts';
import { catchPcError, rejectsPcError } from '../helpers/errors.ts';

describe('model configuration', () => {
  it("refuses a 'ce' output energy on a generative model (a softmax over pixels), in code and from a file", () => {
    const e = catchPcError(() => createConfig({ sizes: [10, 32, 784], orientation: 'generative', outputEnergy: 'ce' }), 'config');
    expect(e.message).toMatch(/generative model's last layer is the image.*Use outputEnergy 'mse'/);
    // The spelling users of the command type, as the divergence messages give it.
    expect(e.message).toMatch(
      /outputEnergy 'mse' \(pcn --output-energy mse\) for generative models, or orientation 'discriminative' \(pcn --orientation discriminative\)\.$/,
    );
    const stored = { ...createConfig({ sizes: [10, 32, 784], orientation: 'generative' }), outputEnergy: 'ce' } as PcnConfig;
    expect(catchPcError(() => validateConfig(JSON.parse(JSON.stringify(stored))), 'config').message).toMatch(/softmax over its pixels/);
    expect(createConfig({ sizes: [784, 32, 10], outputEnergy: 'ce' }).outputEnergy).toBe('ce');
  });
});

describe('relaxation and training configuration', () => {
  const relax = { steps: 8, lr: 0.05, momentum: 0.9, tolerance: 0 };
  it.each([
    [{ steps: 0 }, /steps must be an integer in 1\.\.10000000, got 0\. With no relaxation step/],
    [{ steps: 2.5 }, /steps must be an integer/],
    [{ lr: 0 }, /lr \(the x step size\) must be a finite number > 0, got 0/],
    [{ lr: Number.NaN }, /lr .* got NaN/],
    [{ momentum: 1 }, /momentum must be in \[0, 1\)/],
    [{ momentum: -0.1 }, /momentum must be in \[0, 1\)/],
    [{ tolerance: -1 }, /tolerance must be a finite number ≥ 0/],
    [{ order: 'sideways' }, /order must be one of synchronous, random, bottom-up/],
  ])('refuses relax %o', (change, message) => {
    const e = catchPcError(() => validateTrainConfig({ init: 'forward', relax: { ...relax, ...change } as typeof relax }, 'cfg'), 'config');
    expect(e.message).toMatch(/^cfg: relax\./);
    expect(e.message).toMatch(message);
  });

  it('allows 0 steps only where asked (inference that is a forward pass)', () => {
    expect(() => validateRelaxConfig({ ...relax, steps: 0 }, 'infer', true)).not.toThrow();
    expect(() => validateRelaxConfig({ ...relax, steps: 0 }, 'train')).toThrow(/got 0/);
  });

  it("refuses the 'incremental' schedule with an order other than synchronous, and unknown inits and schedules", () => {
    const e = catchPcError(() => validateTrainConfig({ init: 'forward', schedule: 'incremental', relax: { ...relax, order: 'random' } }), 'config');
    expect(e.message).toMatch(/'incremental' schedule .* needs relax\.order 'synchronous' \(got 'random'\)/);
    expect(catchPcError(() => validateTrainConfig({ init: 'backward' as 'forward', relax })).message).toMatch(
      /init must be 'forward', 'zero' or 'random', got 'backward'/,
    );
    expect(catchPcError(() => validateTrainConfig({ init: 'forward', schedule: 'weekly' as 'standard', relax })).message).toMatch(
      /schedule must be 'standard' or 'incremental'/,
    );
  });

  it('advises more steps for an initialisation from rest, and nothing for the defaults', () => {
    expect(validateTrainConfig({ init: 'forward', relax })).toEqual([]);
    expect(validateTrainConfig({ init: 'random', relax: { ...relax, steps: 100 } })).toEqual([]);
    const [advice] = validateTrainConfig({ init: 'zero', relax });
    expect(advice).toMatch(/init 'zero' .* 8 relaxation steps do not settle it .*at least 100 steps/);
  });
});

describe('workspaces', () => {
  it('a workspace made for another model is refused by trainStep, fit, evaluate and stream with a shape error, not a TypeError', async () => {
    const f32 = createReferenceBackend('float32');
    const model = initModel(createConfig({ sizes: [6, 24, 24, 3] }), f32, createRng(1));
    const other = initWorkspace(initModel(createConfig({ sizes: [6, 16, 3] }), f32, createRng(1)), 4, f32);
    const opt = initOptimizer(model, {}, f32);
    const data = blobs(8, 1);
    const train = { init: 'forward' as const, relax: { steps: 2, lr: 0.1, momentum: 0, tolerance: 0 } };
    const batch = supervisedBatch(model.config, data.images.subarray(0, 24), new Float32Array(12), 4);
    expect(catchPcError(() => trainStep(model, opt, batch, train, other), 'shape').message).toMatch(
      /^trainStep: the workspace was made for layers 6-16-3 \(capacity 4\) but the model has 6-24-24-3/,
    );
    await rejectsPcError(fit(model, opt, other, data, null, { epochs: 1, batchSize: 4, seed: 0, lrSchedule: 'constant', train }), 'shape');
    expect(() => evaluate(model, other, data)).toThrow(/^evaluate: the workspace was made for/);
    await rejectsPcError(stream(model, opt, other, data, { stepsPerExample: 2, relax: train.relax, seed: 0 }), 'shape');
  });
});
