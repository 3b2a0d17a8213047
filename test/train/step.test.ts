import { describe, expect, it } from 'vitest';
import { createConfig, initModel, initWorkspace } from '../../packages/predictive-coding/src/core/index.ts';
import { createBackend, createReferenceBackend } from '../../packages/predictive-coding/src/kernels/index.ts';
import { createRng } from '../../packages/predictive-coding/src/random.ts';
import { evaluate, fit, initOptimizer, supervisedBatch, trainStep } from '../../packages/predictive-coding/src/train/index.ts';
import { blobs } from '../helpers/blobs.ts';

const relax = { steps: 8, lr: 0.1, momentum: 0.5, tolerance: 0 };

describe('training', () => {
  it('a small network learns a separable problem (held-out accuracy from chance to > 95 %)', async () => {
    const backend = await createBackend('wasm', { threads: 1 });
    const model = initModel(createConfig({ sizes: [6, 16, 3], activation: 'gelu' }), backend, createRng(1));
    const ws = initWorkspace(model, 32, backend);
    const opt = initOptimizer(model, { name: 'adamw', lr: 1e-2 }, backend);
    const train = blobs(600, 2);
    const test = blobs(300, 3);
    const before = evaluate(model, ws, test);
    const history = await fit(model, opt, ws, train, test, { epochs: 5, batchSize: 32, seed: 4, lrSchedule: 'constant', train: { init: 'forward', relax } });
    expect(before).toBeLessThan(0.7);
    expect(history.at(-1)!.testAccuracy).toBeGreaterThan(0.95);
    expect(history.at(-1)!.trainEnergy).toBeLessThan(history[0].trainEnergy);
    backend.dispose();
  });

  it('the same seed gives bit-identical weights and energies; another seed does not', async () => {
    async function run(seed: number) {
      const backend = await createBackend('wasm', { threads: 2, parallelMinMacs: 1 });
      const model = initModel(createConfig({ sizes: [6, 9, 3] }), backend, createRng(seed));
      const ws = initWorkspace(model, 16, backend);
      const opt = initOptimizer(model, {}, backend);
      const h = await fit(model, opt, ws, blobs(100, 5), null, {
        epochs: 2,
        batchSize: 16,
        seed,
        lrSchedule: 'warmup-cosine',
        train: { init: 'forward', relax },
      });
      const w = Array.from(model.layers[1].weights.data);
      backend.dispose();
      return { w, e: h.map((s) => s.trainEnergy) };
    }
    const a = await run(7);
    const b = await run(7);
    const c = await run(8);
    expect(b.w).toEqual(a.w);
    expect(b.e).toEqual(a.e);
    expect(c.w).not.toEqual(a.w);
  });

  it('trainStep lowers the energy of the batch it trained on', () => {
    const f64 = createReferenceBackend('float64');
    const model = initModel(createConfig({ sizes: [6, 8, 3], activation: 'tanh' }), f64, createRng(3));
    const ws = initWorkspace(model, 20, f64);
    const opt = initOptimizer(model, { name: 'sgd', lr: 0.05 }, f64);
    const data = blobs(20, 9);
    const targets = new Float64Array(60);
    for (const [i, y] of data.labels.entries()) targets[i * 3 + y] = 1;
    const batch = supervisedBatch(model.config, data.images, targets, 20);
    const first = trainStep(model, opt, batch, { init: 'forward', relax }, ws);
    let last = first;
    for (let i = 0; i < 20; i++) last = trainStep(model, opt, batch, { init: 'forward', relax }, ws);
    expect(last.energy).toBeLessThan(0.5 * first.energy);
    expect(first.iterations).toBe(8);
  });

  it('rejects a batch larger than the workspace and clamps of the wrong size', () => {
    const f64 = createReferenceBackend('float64');
    const model = initModel(createConfig({ sizes: [6, 8, 3] }), f64, createRng(3));
    const ws = initWorkspace(model, 4, f64);
    const opt = initOptimizer(model, {}, f64);
    const cfg = { init: 'forward' as const, relax };
    expect(() => trainStep(model, opt, { rows: 5, clamp: [] }, cfg, ws)).toThrow('trainStep: batch.rows must be in 1..4 (the workspace capacity), got 5.');
    expect(() => trainStep(model, opt, { rows: 2, clamp: [new Float64Array(11)] }, cfg, ws)).toThrow(
      'trainStep: clamp[0] has 11 values but layer 0 needs rows·n_0 = 2·6 = 12.',
    );
  });
});
