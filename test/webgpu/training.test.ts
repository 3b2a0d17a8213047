/**
 * Training on WebGPU end to end: createBackend('webgpu'), the model, workspace and optimiser in GPU
 * memory, fit with one read per batch (the deferred energies) and a forward pass per test batch —
 * against the same run on wasm. Small (a 784-32-10 MLP, 1,000 embedded digits, 2 epochs): over
 * SwiftShader the GPU runs ~0.25 GFLOP/s on the CPU (docs/webgpu.md).
 */
import { describe, expect, it } from 'vitest';
import { createConfig, initModel, initWorkspace } from '../../packages/predictive-coding/src/core/index.ts';
import { loadEmbeddedDigits, subset } from '../../packages/predictive-coding/src/data/index.ts';
import { type Backend, type BackendArray, createBackend } from '../../packages/predictive-coding/src/kernels/index.ts';
import { createRng } from '../../packages/predictive-coding/src/random.ts';
import { fit, initOptimizer, stream } from '../../packages/predictive-coding/src/train/index.ts';

const { train, test } = await loadEmbeddedDigits();
// Every 8th training digit: the embedded split is sorted by class, so a stride keeps all ten.
const small = subset(
  train,
  Array.from({ length: 1000 }, (_, i) => i * 8),
);

async function run<T extends BackendArray>(backend: Backend<T>) {
  const model = initModel(createConfig({ sizes: [784, 32, 10], activation: 'tanh' }), backend, createRng(0));
  const ws = initWorkspace(model, 50, backend);
  const opt = initOptimizer(model, { name: 'adamw', lr: 5e-3 }, backend);
  const history = await fit(model, opt, ws, small, test, {
    epochs: 2,
    batchSize: 50,
    seed: 0,
    lrSchedule: 'constant',
    train: { init: 'forward', relax: { steps: 5, lr: 0.1, momentum: 0.5, tolerance: 0 } },
  });
  backend.dispose();
  return history;
}

describe('training on webgpu', () => {
  it('a short MNIST MLP run reaches the accuracy wasm reaches, within 0.5 point, with the same energies', async () => {
    const cpu = await run(await createBackend('wasm', { threads: 1 }));
    const gpu = await run(await createBackend('webgpu'));
    const [a, b] = [cpu.at(-1)!, gpu.at(-1)!];
    expect(a.testAccuracy).toBeGreaterThan(0.8);
    expect(Math.abs(b.testAccuracy - a.testAccuracy), `wasm ${a.testAccuracy}, webgpu ${b.testAccuracy}`).toBeLessThanOrEqual(0.005);
    for (let e = 0; e < cpu.length; e++)
      expect(Math.abs(gpu[e].trainEnergy - cpu[e].trainEnergy) / cpu[e].trainEnergy, `epoch ${e + 1} energy`).toBeLessThan(1e-3);
  }, 600_000);
});

// The streaming schedule: 1,280 digits, 64 streams, 5 steps per example, the weights learning at every step.
async function streamOn<T extends BackendArray>(backend: Backend<T>) {
  const model = initModel(createConfig({ sizes: [784, 32, 10], activation: 'tanh' }), backend, createRng(0));
  const ws = initWorkspace(model, 64, backend);
  const opt = initOptimizer(model, { name: 'adamw', lr: 1e-3 }, backend);
  const r = await stream(
    model,
    opt,
    ws,
    subset(
      small,
      Array.from({ length: 640 }, (_, i) => i),
    ),
    {
      stepsPerExample: 5,
      relax: { steps: 5, lr: 0.1, momentum: 0.5, tolerance: 0, order: 'bottom-up' },
      seed: 0,
      streams: 64,
    },
  );
  backend.dispose();
  return r;
}

describe('streaming on webgpu', () => {
  it('scores as wasm does, within 1 point of prequential accuracy, with the same relaxation health', async () => {
    const cpu = await streamOn(await createBackend('wasm', { threads: 1 }));
    const gpu = await streamOn(await createBackend('webgpu'));
    expect(gpu.seen).toBe(640);
    expect(cpu.prequentialAccuracy, 'it learns as it streams (chance: 0.1)').toBeGreaterThan(0.3);
    expect(
      Math.abs(gpu.prequentialAccuracy - cpu.prequentialAccuracy),
      `wasm ${cpu.prequentialAccuracy}, webgpu ${gpu.prequentialAccuracy}`,
    ).toBeLessThanOrEqual(0.01);
    expect(gpu.relaxation).toEqual(cpu.relaxation);
  }, 300_000);
});
