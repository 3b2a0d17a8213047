/**
 * Relaxation-based read-outs on WebGPU: the lab's shipped generative network (10-256-256-784)
 * classifies embedded test digits by relaxing its label layer and fills in erased halves, on the
 * GPU with one read at the end, as on wasm — the label layer and the filled-in pixels within 1e-3,
 * the labels the same (float32 on both; the GPU sums in another order).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classifyByRelaxationAsync, completeAsync, initWorkspace } from '../../packages/predictive-coding/src/core/index.ts';
import { loadEmbeddedDigits } from '../../packages/predictive-coding/src/data/index.ts';
import { type Backend, type BackendArray, createBackend } from '../../packages/predictive-coding/src/kernels/index.ts';
import { decodeCheckpoint, GENERATIVE_PRIOR_WEIGHT, modelFromCheckpoint } from '../../packages/predictive-coding/src/train/index.ts';

const checkpoint = decodeCheckpoint(readFileSync(new URL('../../lab/public/models/generative.safetensors', import.meta.url)), 'the lab generator');
const { test } = await loadEmbeddedDigits();
const ROWS = 20;
// Every 50th test digit: the embedded split is sorted by class.
const images = new Float32Array(ROWS * 784);
for (let r = 0; r < ROWS; r++) images.set(test.images.subarray(r * 50 * 784, (r * 50 + 1) * 784), r * 784);
const relax = { steps: 20, lr: 0.1, momentum: 0.5, tolerance: 0 };
const visible = Uint8Array.from({ length: 2 * 784 }, (_, i) => (i % 784 < 392 ? 1 : 0));

async function readOut<T extends BackendArray>(backend: Backend<T>) {
  try {
    const model = modelFromCheckpoint(checkpoint, backend);
    const ws = initWorkspace(model, ROWS, backend);
    const labels = new Int32Array(ROWS);
    const r = await classifyByRelaxationAsync(model, ws, ROWS, images, relax, labels, { priorWeight: GENERATIVE_PRIOR_WEIGHT });
    const top = await backend.read(ws.x[0], ROWS * 10);
    const filled = await completeAsync(model, ws, 2, images.subarray(0, 2 * 784), visible, relax);
    return { labels, energy: r.energy, top, filled };
  } finally {
    backend.dispose();
  }
}

const worst = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

describe('relaxation read-outs on webgpu', () => {
  it('classification by relaxation and completion agree with wasm', async () => {
    const cpu = await readOut(await createBackend('wasm', { threads: 1 }));
    const gpu = await readOut(await createBackend('webgpu'));
    expect(Array.from(gpu.labels)).toEqual(Array.from(cpu.labels));
    const right = cpu.labels.filter((c, r) => c === test.labels[r * 50]).length;
    expect(right, 'the shipped generator classifies most of these digits').toBeGreaterThanOrEqual(14);
    expect(worst(gpu.top, cpu.top), 'label layer').toBeLessThanOrEqual(1e-3);
    expect(Math.abs(gpu.energy - cpu.energy) / cpu.energy, 'energy').toBeLessThan(1e-3);
    expect(worst(gpu.filled, cpu.filled), 'filled-in pixels').toBeLessThanOrEqual(1e-3);
    expect(worst(gpu.filled.subarray(0, 392), images.subarray(0, 392)), 'held pixels stay').toBe(0);
  }, 300_000);
});
