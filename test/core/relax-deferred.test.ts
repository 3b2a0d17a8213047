/**
 * Training on a deferred backend (a GPU's contract, simulated on the js reference: no number comes
 * back but through an asynchronous read): trainStepAsync and fit record each batch without reading,
 * then read the energies once — and give the same weights, bit for bit, as trainStep on the same
 * backend read at every step, with the same energies up to the ledger's float32 rounding. A
 * divergence is reported after the batch, naming the same step.
 */
import { describe, expect, it } from 'vitest';
import {
  createConfig,
  feedbackAngles,
  initModel,
  initWorkspace,
  planRelaxation,
  predictLabels,
  predictLabelsAsync,
  relax,
} from '../../packages/predictive-coding/src/core/index.ts';
import { PcError } from '../../packages/predictive-coding/src/errors.ts';
import type { Backend } from '../../packages/predictive-coding/src/kernels/backend.ts';
import { createReferenceBackend } from '../../packages/predictive-coding/src/kernels/reference.ts';
import { createRng } from '../../packages/predictive-coding/src/random.ts';
import {
  backpropStep,
  encodeCheckpoint,
  evaluate,
  evaluateAsync,
  fit,
  initOptimizer,
  type LearningSchedule,
  stream,
  supervisedBatch,
  trainStep,
  trainStepAsync,
} from '../../packages/predictive-coding/src/train/index.ts';
import { blobs } from '../helpers/blobs.ts';
import { deferredReference } from '../helpers/deferred-backend.ts';

const relaxConfig = { steps: 6, lr: 0.1, momentum: 0.5, tolerance: 0 };

function setup(backend: Backend<Float32Array>, outputEnergy: 'mse' | 'ce' = 'mse') {
  const model = initModel(createConfig({ sizes: [6, 9, 7, 3], activation: 'tanh', outputEnergy }), backend, createRng(3));
  const ws = initWorkspace(model, 16, backend);
  const opt = initOptimizer(model, { name: 'adamw', lr: 1e-2 }, backend);
  return { model, ws, opt };
}

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-6 * Math.abs(b) + 1e-9;

describe('training on a deferred backend', () => {
  for (const [schedule, outputEnergy] of [
    ['standard', 'mse'],
    ['incremental', 'mse'],
    ['standard', 'ce'],
  ] as [LearningSchedule, 'mse' | 'ce'][]) {
    it(`trainStepAsync (${schedule}, ${outputEnergy}) gives trainStep's weights bit for bit and its energies`, async () => {
      const data = blobs(48, 7);
      const now = setup(createReferenceBackend('float32'), outputEnergy);
      const later = setup(deferredReference(), outputEnergy);
      const config = { relax: relaxConfig, init: 'forward' as const, schedule };
      for (let b = 0; b < 3; b++) {
        const x = data.images.subarray(b * 16 * 6, (b + 1) * 16 * 6);
        const y = new Float32Array(16 * 3);
        for (let r = 0; r < 16; r++) y[r * 3 + data.labels[b * 16 + r]] = 1;
        const batch = supervisedBatch(now.model.config, x, y, 16);
        const want = trainStep(now.model, now.opt, batch, config, now.ws, { trace: true });
        const got = await trainStepAsync(later.model, later.opt, batch, config, later.ws, { trace: true });
        expect(got.iterations).toBe(want.iterations);
        expect(close(got.energy, want.energy), `batch ${b} energy ${got.energy} vs ${want.energy}`).toBe(true);
        expect(close(got.initialEnergy, want.initialEnergy), `batch ${b} initial energy`).toBe(true);
        expect(got.trace?.length).toBe(want.trace?.length);
        for (let t = 0; t < (want.trace?.length ?? 0); t++) expect(close(got.trace![t], want.trace![t]), `batch ${b} trace ${t}`).toBe(true);
        expect([got.unstable, got.unsettled]).toEqual([want.unstable, want.unsettled]);
      }
      for (let l = 0; l < now.model.layers.length; l++) {
        expect(Array.from(later.model.layers[l].weights.data), `W_${l + 1}`).toEqual(Array.from(now.model.layers[l].weights.data));
        expect(Array.from(later.model.layers[l].bias.data), `b_${l + 1}`).toEqual(Array.from(now.model.layers[l].bias.data));
      }
    });
  }

  it('fit trains through it, with the same history as on the immediate backend', async () => {
    const options = { epochs: 2, batchSize: 16, seed: 5, lrSchedule: 'constant' as const, train: { init: 'forward' as const, relax: relaxConfig } };
    const now = setup(createReferenceBackend('float32'));
    const later = setup(deferredReference());
    const want = await fit(now.model, now.opt, now.ws, blobs(64, 8), null, options);
    const got = await fit(later.model, later.opt, later.ws, blobs(64, 8), null, options);
    expect(got.map((h) => h.trainEnergy).every((e, i) => close(e, want[i].trainEnergy))).toBe(true);
    expect(Array.from(later.model.layers[0].weights.data)).toEqual(Array.from(now.model.layers[0].weights.data));
  });

  it('a diverging relaxation is reported after the batch, at the step trainStep names', async () => {
    const wild = { relax: { steps: 12, lr: 40, momentum: 0.9, tolerance: 0 }, init: 'forward' as const };
    const data = blobs(16, 9);
    const y = new Float32Array(16 * 3).map((_, i) => (i % 3 === data.labels[Math.floor(i / 3)] ? 1 : 0));
    const stepOf = (e: unknown) => {
      expect(e).toBeInstanceOf(PcError);
      expect((e as PcError).code).toBe('divergence');
      return /at step (\d+)/.exec((e as PcError).message)?.[1];
    };
    const now = setup(createReferenceBackend('float32'));
    let want: string | undefined;
    try {
      trainStep(now.model, now.opt, supervisedBatch(now.model.config, data.images, y, 16), wild, now.ws);
    } catch (e) {
      want = stepOf(e);
    }
    expect(want).toBeDefined();
    const later = setup(deferredReference());
    const got = await trainStepAsync(later.model, later.opt, supervisedBatch(later.model.config, data.images, y, 16), wild, later.ws).then(
      () => undefined,
      (e: unknown) => stepOf(e),
    );
    expect(got).toBe(want);
  });

  it('the streaming schedule runs on it with the same prequential score, curve and weights', async () => {
    const data = blobs(60, 12);
    const options = { stepsPerExample: 3, relax: { steps: 3, lr: 0.1, momentum: 0.5, tolerance: 0 }, seed: 2, streams: 2, progressEvery: 20 };
    const now = setup(createReferenceBackend('float32'));
    const later = setup(deferredReference());
    const want = await stream(now.model, now.opt, now.ws, data, options);
    const got = await stream(later.model, later.opt, later.ws, data, options);
    expect(got.seen).toBe(60);
    expect(got.prequentialAccuracy).toBe(want.prequentialAccuracy);
    expect(got.curve).toEqual(want.curve);
    expect(got.relaxation).toEqual(want.relaxation);
    for (let l = 0; l < now.model.layers.length; l++)
      expect(Array.from(later.model.layers[l].weights.data), `W_${l + 1}`).toEqual(Array.from(now.model.layers[l].weights.data));
  });

  it('the synchronous relax refuses a deferred backend, naming relaxAsync', () => {
    const { model, ws } = setup(deferredReference());
    expect(() => relax(model, ws, 4, planRelaxation(model, [true, false, false, true]), relaxConfig, 0)).toThrow(/relaxAsync/);
  });
});

describe('reading a model out on a deferred backend', () => {
  it('predictLabelsAsync and evaluateAsync give the immediate backend’s labels and accuracy; the synchronous calls refuse, naming them', async () => {
    const data = blobs(40, 11);
    const now = setup(createReferenceBackend('float32'));
    const later = setup(deferredReference());
    const want = new Int32Array(16);
    const got = new Int32Array(16);
    predictLabels(now.model, now.ws, 16, data.images.subarray(0, 16 * 6), want);
    await predictLabelsAsync(later.model, later.ws, 16, data.images.subarray(0, 16 * 6), got);
    expect(Array.from(got)).toEqual(Array.from(want));
    expect(await evaluateAsync(later.model, later.ws, data)).toBe(evaluate(now.model, now.ws, data));
    expect(() => predictLabels(later.model, later.ws, 16, data.images.subarray(0, 16 * 6), got)).toThrow(/predictLabelsAsync/);
    expect(() => evaluate(later.model, later.ws, data)).toThrow(/evaluateAsync/);
    expect(() =>
      trainStep(
        later.model,
        later.opt,
        supervisedBatch(later.model.config, data.images.subarray(0, 96), new Float32Array(48), 16),
        { relax: relaxConfig, init: 'forward' },
        later.ws,
      ),
    ).toThrow(/trainStepAsync/);
    expect(() => backpropStep(later.model, later.opt, 16, data.images.subarray(0, 96), new Float32Array(48), later.ws)).toThrow(/backpropStepAsync/);
  });

  for (const outputEnergy of ['mse', 'ce'] as const) {
    it(`fit with method 'backprop' (${outputEnergy}) trains on it: the same losses (one read per batch) and weights`, async () => {
      const data = blobs(48, 13);
      const options = {
        epochs: 2,
        batchSize: 16,
        seed: 3,
        lrSchedule: 'constant' as const,
        method: 'backprop' as const,
        train: { init: 'forward' as const, relax: relaxConfig },
      };
      const now = setup(createReferenceBackend('float32'), outputEnergy);
      const later = setup(deferredReference(), outputEnergy);
      const want = await fit(now.model, now.opt, now.ws, data, data, options);
      const got = await fit(later.model, later.opt, later.ws, data, data, options);
      expect(got.every((h, i) => close(h.trainEnergy, want[i].trainEnergy))).toBe(true);
      expect(got.map((h) => h.testAccuracy)).toEqual(want.map((h) => h.testAccuracy));
      for (let l = 0; l < now.model.layers.length; l++)
        expect(Array.from(later.model.layers[l].weights.data), `W_${l + 1}`).toEqual(Array.from(now.model.layers[l].weights.data));
    });
  }

  it('encodeCheckpoint refuses a model whose arrays are not host arrays, naming hostCopy', () => {
    const { model } = setup(deferredReference());
    const onDevice = {
      ...model,
      layers: model.layers.map((l) => ({ ...l, weights: { ...l.weights, data: { length: l.weights.data.length, onDevice: true } } })),
    };
    expect(() => encodeCheckpoint(onDevice as unknown as typeof model)).toThrow(/hostCopy/);
  });

  it('feedbackAngles refuses a model whose arrays are not host arrays (plain JavaScript gets past its type), naming hostCopy', () => {
    const backend = deferredReference();
    const model = initModel(createConfig({ sizes: [6, 5, 3], feedback: 'learned' }), backend, createRng(1));
    expect(feedbackAngles(model)).toHaveLength(2);
    const onDevice = {
      ...model,
      layers: model.layers.map((l) => ({ ...l, feedback: l.feedback && { ...l.feedback, data: { length: l.feedback.data.length, onDevice: true } } })),
    };
    expect(() => feedbackAngles(onDevice as unknown as typeof model)).toThrow(/feedbackAngles: .* hostCopy/);
  });
});
