/**
 * Reading a generative model out on a deferred backend (a GPU's contract on the js reference):
 * classification by relaxation (both readouts), completion, a relaxation watched step by step
 * through copyInto, evaluation and fit with test data — the same labels, values and accuracies as
 * the synchronous forms on the immediate backend, each with one read at its end.
 */
import { describe, expect, it } from 'vitest';
import {
  classifyByRelaxation,
  classifyByRelaxationAsync,
  complete,
  completeAsync,
  createConfig,
  type GenerativeReadout,
  infer,
  inferAsync,
  initModel,
  initWorkspace,
} from '../../packages/predictive-coding/src/core/index.ts';
import type { Backend } from '../../packages/predictive-coding/src/kernels/backend.ts';
import { createReferenceBackend } from '../../packages/predictive-coding/src/kernels/reference.ts';
import { createRng } from '../../packages/predictive-coding/src/random.ts';
import { evaluate, evaluateAsync, fit, initOptimizer } from '../../packages/predictive-coding/src/train/index.ts';
import { blobs } from '../helpers/blobs.ts';
import { deferredReference } from '../helpers/deferred-backend.ts';

const relaxConfig = { steps: 15, lr: 0.1, momentum: 0.5, tolerance: 0 };

// Label (3) at x_0, image (6) at x_L.
function generative(backend: Backend<Float32Array>) {
  const model = initModel(createConfig({ sizes: [3, 8, 6], activation: 'tanh', orientation: 'generative' }), backend, createRng(4));
  return { model, ws: initWorkspace(model, 12, backend), opt: initOptimizer(model, { name: 'adamw', lr: 1e-2 }, backend) };
}

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-6 * Math.abs(b) + 1e-9;

describe('generative read-outs on a deferred backend', () => {
  for (const readout of ['relax-top', 'hypotheses'] as GenerativeReadout[]) {
    it(`classifyByRelaxationAsync ('${readout}') gives classifyByRelaxation's labels and final energy`, async () => {
      const data = blobs(12, 21);
      const now = generative(createReferenceBackend('float32'));
      const later = generative(deferredReference());
      const [want, got] = [new Int32Array(12).fill(-1), new Int32Array(12).fill(-1)];
      const options = { readout, priorWeight: readout === 'relax-top' ? 0.5 : undefined };
      const r0 = classifyByRelaxation(now.model, now.ws, 12, data.images, relaxConfig, want, options);
      const r1 = await classifyByRelaxationAsync(later.model, later.ws, 12, data.images, relaxConfig, got, options);
      expect(Array.from(got)).toEqual(Array.from(want));
      expect(new Set(want).size, 'the untrained model still tells some rows apart').toBeGreaterThan(1);
      expect(close(r1.energy, r0.energy), `energy ${r1.energy} vs ${r0.energy}`).toBe(true);
      expect(r1.iterations).toBe(r0.iterations);
    });
  }

  it('completeAsync fills the hidden units as complete does, bit for bit', async () => {
    const data = blobs(4, 22);
    const visible = Uint8Array.from({ length: 24 }, (_, i) => (i % 6 < 3 ? 1 : 0));
    const now = generative(createReferenceBackend('float32'));
    const later = generative(deferredReference());
    const want = complete(now.model, now.ws, 4, data.images, visible, relaxConfig).slice(0, 24);
    const got = await completeAsync(later.model, later.ws, 4, data.images, visible, relaxConfig);
    expect(Array.from(got)).toEqual(Array.from(want));
    for (let i = 0; i < 24; i++) if (visible[i]) expect(got[i], `held unit ${i}`).toBe(data.images[i]);
  });

  it("inferAsync's onStep records each step's label layer on the device (copyInto), matching relax's own frames", async () => {
    const data = blobs(2, 23);
    const clamp = [undefined, undefined, data.images];
    // On the immediate backend inferAsync is relax, whose onStep can read x_0 on the host.
    const now = generative(createReferenceBackend('float32'));
    const want: number[][] = [];
    await inferAsync(now.model, now.ws, 2, clamp, relaxConfig, { onStep: () => want.push(Array.from(now.ws.x[0].subarray(0, 6))) });
    const later = generative(deferredReference());
    const frames = later.ws.backend.alloc(relaxConfig.steps * 6);
    await inferAsync(later.model, later.ws, 2, clamp, relaxConfig, {
      onStep: (t) => later.ws.backend.copyInto(later.ws.x[0], 6, frames, (t - 1) * 6),
    });
    const got = await later.ws.backend.read(frames, relaxConfig.steps * 6);
    expect(want.length).toBe(relaxConfig.steps);
    for (let t = 0; t < relaxConfig.steps; t++) expect(Array.from(got.subarray(t * 6, (t + 1) * 6)), `step ${t + 1}`).toEqual(want[t]);
    expect(Array.from(later.ws.x[0].subarray(0, 6))).toEqual(Array.from(now.ws.x[0].subarray(0, 6)));
  });

  it('the synchronous read-outs refuse a deferred backend, naming their async forms', () => {
    const { model, ws } = generative(deferredReference());
    const images = blobs(2, 25).images;
    expect(() => classifyByRelaxation(model, ws, 2, images, relaxConfig, new Int32Array(2))).toThrow(/classifyByRelaxationAsync/);
    expect(() => complete(model, ws, 2, images, new Uint8Array(12), relaxConfig)).toThrow(/completeAsync/);
    expect(() => infer(model, ws, 2, [undefined, undefined, images], relaxConfig)).toThrow(/inferAsync/);
  });

  it('evaluateAsync and fit with test data evaluate a generative model as the immediate backend does', async () => {
    const data = blobs(36, 24);
    const now = generative(createReferenceBackend('float32'));
    const later = generative(deferredReference());
    const options = {
      epochs: 2,
      batchSize: 12,
      seed: 6,
      lrSchedule: 'constant' as const,
      evalRelax: relaxConfig,
      train: { init: 'forward' as const, relax: relaxConfig },
    };
    const want = await fit(now.model, now.opt, now.ws, data, data, options);
    const got = await fit(later.model, later.opt, later.ws, data, data, options);
    expect(got.map((h) => h.testAccuracy)).toEqual(want.map((h) => h.testAccuracy));
    expect(got.every((h, i) => close(h.trainEnergy, want[i].trainEnergy))).toBe(true);
    expect(await evaluateAsync(later.model, later.ws, data, relaxConfig, { readout: 'hypotheses' })).toBe(
      evaluate(now.model, now.ws, data, relaxConfig, { readout: 'hypotheses' }),
    );
    await expect(evaluateAsync(later.model, later.ws, data, relaxConfig, { readout: 'nope' as GenerativeReadout })).rejects.toThrow(/readout/);
  });
});
