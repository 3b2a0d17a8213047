/** Training on the seed's schedules and variants: incremental, streaming, generative, learned feedback. */
import { describe, expect, it } from 'vitest';
import { createConfig, feedbackAngles, initModel, initWorkspace } from '../../packages/predictive-coding/src/core/index.ts';
import { createBackend, createReferenceBackend } from '../../packages/predictive-coding/src/kernels/index.ts';
import { createRng } from '../../packages/predictive-coding/src/random.ts';
import {
  decodeCheckpoint,
  encodeCheckpoint,
  evaluate,
  fit,
  initOptimizer,
  modelFromCheckpoint,
  stream,
  supervisedBatch,
  trainStep,
} from '../../packages/predictive-coding/src/train/index.ts';
import { blobs } from '../helpers/blobs.ts';
import { rejectsPcError } from '../helpers/errors.ts';

const relax = { steps: 8, lr: 0.1, momentum: 0.5, tolerance: 0 };

describe('incremental PC', () => {
  it('moves the weights at every relaxation step (T optimiser steps per batch) and lowers the energy', () => {
    const f64 = createReferenceBackend('float64');
    const model = initModel(createConfig({ sizes: [6, 8, 3], activation: 'tanh' }), f64, createRng(3));
    const ws = initWorkspace(model, 20, f64);
    const opt = initOptimizer(model, { name: 'sgd', lr: 0.02 }, f64);
    const data = blobs(20, 9);
    const targets = new Float64Array(60);
    for (const [i, y] of data.labels.entries()) targets[i * 3 + y] = 1;
    const batch = supervisedBatch(model.config, data.images, targets, 20);
    const config = { init: 'forward' as const, relax, schedule: 'incremental' as const };
    const first = trainStep(model, opt, batch, config, ws);
    expect(opt.step).toBe(8);
    let last = first;
    for (let i = 0; i < 20; i++) last = trainStep(model, opt, batch, config, ws);
    expect(last.initialEnergy).toBeLessThan(0.5 * first.initialEnergy);
  });
});

describe('streaming PC', () => {
  it('learns online with states never reset: prequential accuracy well above chance (fast x dynamics)', async () => {
    const backend = await createBackend('wasm', { threads: 1 });
    const model = initModel(createConfig({ sizes: [6, 16, 3], activation: 'leaky-relu' }), backend, createRng(2));
    const ws = initWorkspace(model, 1, backend);
    const opt = initOptimizer(model, { name: 'adamw', lr: 2e-3 }, backend);
    // x must follow a new input quickly, or W learns to predict the previous example's states.
    const fast = { steps: 1, lr: 0.5, momentum: 0, tolerance: 0 };
    const r = await stream(model, opt, ws, blobs(1500, 4), { stepsPerExample: 8, relax: fast, seed: 1, progressEvery: 500 });
    expect(r.seen).toBe(1500);
    expect(r.curve.map((c) => c.seen)).toEqual([500, 1000, 1500]);
    expect(r.prequentialAccuracy).toBeGreaterThan(0.9);
    backend.dispose();
  });

  it('rejects data that does not fit the model, and a stillness θ of 0, with a clear error', async () => {
    const f64 = createReferenceBackend('float64');
    const model = initModel(createConfig({ sizes: [6, 8, 2] }), f64, createRng(2));
    const ws = initWorkspace(model, 4, f64);
    const opt = initOptimizer(model, {}, f64);
    const e = await rejectsPcError(stream(model, opt, ws, blobs(20, 1), { stepsPerExample: 2, relax, seed: 1, streams: 4 }), 'shape');
    expect(e.message).toMatch(/3 classes but the model's label layer has 2/);
    const fits = initModel(createConfig({ sizes: [6, 8, 3] }), f64, createRng(2));
    const still = await rejectsPcError(
      stream(fits, initOptimizer(fits, {}, f64), initWorkspace(fits, 4, f64), blobs(20, 1), { stepsPerExample: 2, relax, seed: 1, streams: 4, stillness: 0 }),
      'config',
    );
    expect(still.message).toMatch(/stillness θ must be a finite number > 0/);
  });
});

describe('generative PC', () => {
  it('learns label → image and classifies held-out images by relaxing the label layer', async () => {
    const backend = await createBackend('wasm', { threads: 1 });
    const model = initModel(createConfig({ sizes: [3, 12, 6], activation: 'tanh', orientation: 'generative' }), backend, createRng(5));
    const ws = initWorkspace(model, 32, backend);
    const opt = initOptimizer(model, { name: 'adamw', lr: 1e-2 }, backend);
    const test = blobs(300, 3);
    const evalRelax = { steps: 60, lr: 0.1, momentum: 0.9, tolerance: 0 };
    const before = evaluate(model, ws, test, evalRelax);
    await fit(model, opt, ws, blobs(600, 2), null, { epochs: 8, batchSize: 32, seed: 4, lrSchedule: 'constant', train: { init: 'forward', relax } });
    expect(before).toBeLessThan(0.7);
    expect(evaluate(model, ws, test, evalRelax)).toBeGreaterThan(0.9);
    backend.dispose();
  });
});

describe('learned feedback (Kolen–Pollack)', () => {
  it('with weight decay on W and B the angle between B and Wᵀ shrinks during training, and survives a checkpoint', async () => {
    const backend = await createBackend('wasm', { threads: 1 });
    const model = initModel(createConfig({ sizes: [6, 16, 12, 3], activation: 'tanh', feedback: 'learned' }), backend, createRng(7));
    const ws = initWorkspace(model, 32, backend);
    const opt = initOptimizer(model, { name: 'adamw', lr: 1e-2, weightDecay: 1 }, backend);
    const start = feedbackAngles(model);
    await fit(model, opt, ws, blobs(640, 2), null, { epochs: 10, batchSize: 32, seed: 4, lrSchedule: 'constant', train: { init: 'forward', relax } });
    const end = feedbackAngles(model);
    for (let l = 0; l < 3; l++) expect(end[l]).toBeLessThan(0.5 * start[l]);
    const back = modelFromCheckpoint(decodeCheckpoint(encodeCheckpoint(model), 'x'), backend);
    expect(feedbackAngles(back)).toEqual(end);
    backend.dispose();
  });

  it('random feedback never changes', async () => {
    const backend = await createBackend('wasm', { threads: 1 });
    const model = initModel(createConfig({ sizes: [6, 16, 3], feedback: 'random' }), backend, createRng(7));
    const ws = initWorkspace(model, 32, backend);
    const opt = initOptimizer(model, {}, backend);
    const B = Array.from(model.layers[1].feedback!.data);
    await fit(model, opt, ws, blobs(100, 2), null, { epochs: 2, batchSize: 32, seed: 4, lrSchedule: 'constant', train: { init: 'forward', relax } });
    expect(Array.from(model.layers[1].feedback!.data)).toEqual(B);
    backend.dispose();
  });
});
