/**
 * A string option outside its union is a config error naming the option, the
 * value and the choices — never a silent fallback to a default.
 */
import { describe, expect, it } from 'vitest';
import { createConfig, initModel, initWorkspace } from '../../packages/predictive-coding/src/core/index.ts';
import { createReferenceBackend } from '../../packages/predictive-coding/src/kernels/index.ts';
import { createRng } from '../../packages/predictive-coding/src/random.ts';
import {
  DEFAULT_TRAIN,
  type EvaluateOptions,
  evaluate,
  type FitOptions,
  fit,
  initOptimizer,
  type LrSchedule,
  scheduledLr,
  stream,
} from '../../packages/predictive-coding/src/train/index.ts';
import { blobs } from '../helpers/blobs.ts';
import { catchPcError, rejectsPcError } from '../helpers/errors.ts';

const js = createReferenceBackend('float32');
const model = initModel(createConfig({ sizes: [6, 5, 3] }), js, createRng(1));
const generative = initModel(createConfig({ sizes: [3, 5, 6], orientation: 'generative' }), js, createRng(1));
const ws = initWorkspace(model, 8, js);
const data = blobs(16, 2);
const options: FitOptions = { epochs: 1, batchSize: 8, seed: 0, train: DEFAULT_TRAIN, lrSchedule: 'constant' };

describe('learning-rate schedules', () => {
  it.each([
    ["'cosine'", { lrSchedule: 'cosine' }],
    ['left out', { lrSchedule: undefined }],
  ])('fit refuses a schedule %s instead of running warmup-cosine', async (_, bad) => {
    const opt = initOptimizer(model, { name: 'sgd', lr: 0.1 }, js);
    const e = await rejectsPcError(fit(model, opt, ws, data, null, { ...options, ...(bad as Partial<FitOptions>) }), 'config');
    expect(e.message).toBe(
      `fit: options.lrSchedule must be 'constant' or 'warmup-cosine', got ${bad.lrSchedule === undefined ? 'undefined' : `'${bad.lrSchedule}'`}.`,
    );
  });

  it('scheduledLr refuses an unknown schedule instead of returning a warmup-cosine rate', () => {
    expect(catchPcError(() => scheduledLr('bogus' as LrSchedule, 0.1, 0, 10), 'config').message).toBe(
      "scheduledLr: schedule must be 'constant' or 'warmup-cosine', got 'bogus'.",
    );
  });
});

describe('other string options of fit and evaluate', () => {
  it("fit refuses a method other than 'pc' or 'backprop' instead of training with PC", async () => {
    const opt = initOptimizer(model, { name: 'sgd', lr: 0.1 }, js);
    const e = await rejectsPcError(fit(model, opt, ws, data, null, { ...options, method: 'bp' as 'pc' }), 'config');
    expect(e.message).toBe("fit: options.method must be 'pc' or 'backprop', got 'bp'.");
  });

  it("evaluate refuses an unknown readout instead of reading 'relax-top', and a prior weight that is not finite and ≥ 0", () => {
    const gws = initWorkspace(generative, 8, js);
    const test = { ...blobs(8, 3), features: 6 };
    const bad = (o: EvaluateOptions) => catchPcError(() => evaluate(generative, gws, test, undefined, o), 'config').message;
    expect(bad({ readout: 'vote' as 'hypotheses' })).toBe("evaluate: options.readout must be 'relax-top' or 'hypotheses', got 'vote'.");
    expect(bad({ priorWeight: Number.NaN })).toBe('evaluate: options.priorWeight must be a finite number ≥ 0 (0: no prior), got NaN.');
    expect(bad({ priorWeight: -1 })).toBe('evaluate: options.priorWeight must be a finite number ≥ 0 (0: no prior), got -1.');
  });
});

describe('seeds of fit and stream', () => {
  it('fit without an rng and stream refuse a seed that is not a u32, naming their option', async () => {
    const opt = initOptimizer(model, { name: 'sgd', lr: 0.1 }, js);
    const e = await rejectsPcError(fit(model, opt, ws, data, null, { ...options, seed: 1.5 }), 'config');
    expect(e.message).toMatch(/^fit: options\.seed must be an integer in 0\.\.4294967295 .*got 1\.5\./);
    const r = stream(model, opt, ws, data, { stepsPerExample: 2, relax: DEFAULT_TRAIN.relax, seed: undefined as unknown as number });
    expect((await rejectsPcError(r, 'config')).message).toMatch(/^stream: options\.seed must be an integer in 0\.\.4294967295 .*got undefined\./);
  });

  it('fit given an rng needs no seed', async () => {
    const opt = initOptimizer(model, { name: 'sgd', lr: 0.1 }, js);
    await expect(fit(model, opt, ws, data, null, { ...options, seed: undefined as unknown as number, rng: createRng(3) })).resolves.toHaveLength(1);
  });
});
