/**
 * The native backend's own promises (its conformance runs in every kernel table through
 * variants.ts): CI builds the addon, so there it must load; elsewhere, where it is not built, the
 * backend refuses in one line naming wasm. Its matmul refuses arrays shorter than the shapes say
 * (a PcError, not a crash), and a training step on it matches wasm's to float32 rounding.
 */
import { describe, expect, it } from 'vitest';
import { createConfig, initModel, initWorkspace } from '../../packages/predictive-coding/src/core/index.ts';
import { PcError } from '../../packages/predictive-coding/src/errors.ts';
import { createBackend } from '../../packages/predictive-coding/src/kernels/index.ts';
import { cpuBackendName, loadNativeAddon, nativeKernel } from '../../packages/predictive-coding/src/kernels/native/native-backend.ts';
import { createRng } from '../../packages/predictive-coding/src/random.ts';
import { initOptimizer, supervisedBatch, trainStep } from '../../packages/predictive-coding/src/train/index.ts';
import { blobs } from '../helpers/blobs.ts';

const built = (await cpuBackendName()) === 'native';

describe('native backend', () => {
  it(process.env.CI ? 'is built in CI (npm install compiled it) and names its micro-kernel' : 'loads where built, else refuses naming wasm', async () => {
    if (process.env.CI) expect(await loadNativeAddon(), 'the native addon must build in CI').not.toBeTypeOf('string');
    if (built) {
      expect(['avx512', 'avx2', 'portable']).toContain(await nativeKernel());
      const b = await createBackend('native', { threads: 2 });
      expect([b.name, b.threads]).toEqual(['native', 2]);
      b.dispose();
    } else {
      await expect(createBackend('native')).rejects.toThrow(/createBackend\('native'\): the native addon .* Use 'wasm'\./);
    }
  });

  it.runIf(built)('refuses arrays shorter than the shapes say, with a PcError', async () => {
    const b = await createBackend('native', { threads: 1 });
    const e = (() => {
      try {
        b.matmul(b.alloc(6), b.alloc(6), b.alloc(3), 2, 3, 3);
      } catch (err) {
        return err;
      }
    })();
    expect(e).toBeInstanceOf(PcError);
    expect((e as PcError).message).toMatch(/native matmul: .*shorter/);
    b.dispose();
  });

  it.runIf(built)('refuses a max-pool argmax index outside x (a write it would otherwise make out of bounds), writing nothing', async () => {
    const b = await createBackend('native', { threads: 1 });
    const g = { n: 1, h: 2, w: 2, c: 1, window: 2 };
    const gx = Float32Array.from([7, 7, 7, 7]);
    for (const index of [4, -1, 1 << 30])
      expect(() => b.maxPoolBackward(Float32Array.from([1]), Int32Array.from([index]), gx, g)).toThrow(
        expect.objectContaining({ name: 'PcError', message: expect.stringMatching(/native maxPoolBackward: .*outside x/) }),
      );
    expect([...gx]).toEqual([7, 7, 7, 7]);
    b.dispose();
  });

  it.runIf(built)('trains a step as wasm does, to float32 rounding (FMA rounds once where wasm rounds twice)', async () => {
    const data = blobs(32, 3);
    const y = new Float32Array(32 * 3).map((_, i) => (i % 3 === data.labels[Math.floor(i / 3)] ? 1 : 0));
    const weights: Float64Array[] = [];
    for (const name of ['wasm', 'native'] as const) {
      const b = await createBackend(name, { threads: 2 });
      const model = initModel(createConfig({ sizes: [6, 40, 40, 3], activation: 'tanh' }), b, createRng(2));
      const ws = initWorkspace(model, 32, b);
      const opt = initOptimizer(model, { name: 'adamw', lr: 1e-2 }, b);
      trainStep(
        model,
        opt,
        supervisedBatch(model.config, data.images, y, 32),
        { relax: { steps: 8, lr: 0.1, momentum: 0.5, tolerance: 0 }, init: 'forward' },
        ws,
      );
      weights.push(Float64Array.from(model.layers[1].weights.data));
      b.dispose();
    }
    const worst = weights[0].reduce((m, w, i) => Math.max(m, Math.abs(w - weights[1][i])), 0);
    expect(worst).toBeLessThan(1e-5);
  });
});
