/**
 * A string option outside its union is a config error naming the option, the
 * value and the choices — never a silent fallback to a default.
 */
import { describe, expect, it } from 'vitest';
import {
  classifyByRelaxation,
  createConfig,
  type Feedback,
  generate,
  type InitMode,
  infer,
  initModel,
  initValues,
  initWorkspace,
  type LearningTiming,
  parameterCount,
  planRelaxation,
  relax,
  startRelaxation,
  type WeightInit,
} from '../../packages/predictive-coding/src/core/index.ts';
import { createReferenceBackend, type DType } from '../../packages/predictive-coding/src/kernels/index.ts';
import { createRng } from '../../packages/predictive-coding/src/random.ts';
import { catchPcError } from '../helpers/errors.ts';

const js = createReferenceBackend('float32');
const config = createConfig({ sizes: [3, 4, 2] });
const model = initModel(config, js, createRng(1));
const ws = initWorkspace(model, 2, js);
const steps = { steps: 2, lr: 0.1, momentum: 0, tolerance: 0 };

describe('unknown values of string options', () => {
  it("initModel refuses an init other than 'uniform', 'xavier' or 'normal' instead of drawing uniform weights", () => {
    expect(catchPcError(() => initModel(config, js, createRng(1), 'he' as WeightInit), 'config').message).toBe(
      "initModel: init must be 'uniform', 'xavier' or 'normal', got 'he'.",
    );
  });

  it('initValues and infer refuse an init mode other than forward, zero or random instead of starting at zero', () => {
    expect(catchPcError(() => initValues(model, ws, 2, [new Float32Array(6)], 'ones' as InitMode), 'config').message).toBe(
      "initValues: init must be 'forward', 'zero' or 'random', got 'ones'.",
    );
    expect(catchPcError(() => infer(model, ws, 2, [new Float32Array(6)], steps, { init: 'ones' as InitMode }), 'config').message).toBe(
      "infer: options.init must be 'forward', 'zero' or 'random', got 'ones'.",
    );
  });

  it('relax refuses a learning timing other than with-x or after-x instead of never learning', () => {
    initValues(model, ws, 2, [new Float32Array(6)], 'forward');
    const plan = planRelaxation(model, [true, false, false]);
    const learn = { timing: 'during' as LearningTiming, apply: () => {} };
    expect(catchPcError(() => relax(model, ws, 2, plan, steps, startRelaxation(model, ws, 2), { learn }), 'config').message).toBe(
      "relax: options.learn.timing must be 'with-x' or 'after-x', got 'during'.",
    );
  });

  it("classifyByRelaxation refuses an unknown readout instead of reading 'relax-top', and a bad prior weight", () => {
    const gen = initModel(createConfig({ sizes: [2, 4, 3], orientation: 'generative' }), js, createRng(1));
    const gws = initWorkspace(gen, 2, js);
    const classify = (o: object) => () => classifyByRelaxation(gen, gws, 2, new Float32Array(6), steps, new Int32Array(2), o);
    expect(catchPcError(classify({ readout: 'vote' }), 'config').message).toBe(
      "classifyByRelaxation: options.readout must be 'relax-top' or 'hypotheses', got 'vote'.",
    );
    expect(catchPcError(classify({ priorWeight: Number.NaN }), 'config').message).toMatch(
      /^classifyByRelaxation: options\.priorWeight must be a finite number ≥ 0/,
    );
  });

  it('generate refuses a noise level that is not finite and ≥ 0 instead of adding none', () => {
    const gen = initModel(createConfig({ sizes: [2, 4, 3], orientation: 'generative' }), js, createRng(1));
    const gws = initWorkspace(gen, 2, js);
    for (const noise of [Number.NaN, -0.5])
      expect(catchPcError(() => generate(gen, gws, 2, new Float32Array(4), { noise, rng: createRng(1) }), 'config').message).toBe(
        `generate: options.noise must be a finite number ≥ 0 (0: the mean), got ${noise}.`,
      );
  });

  it("parameterCount refuses a config whose feedback is unknown instead of counting it as 'symmetric'", () => {
    expect(catchPcError(() => parameterCount({ ...config, feedback: 'mirror' as Feedback }), 'config').message).toBe(
      "model config: feedback must be 'symmetric', 'learned' or 'random', got 'mirror'.",
    );
    expect(parameterCount(createConfig({ sizes: [3, 4, 2], feedback: 'learned' }))).toBe(4 * (2 * 3 + 1) + 2 * (2 * 4 + 1));
  });

  it("createReferenceBackend refuses a dtype other than 'float32' or 'float64' instead of computing in float32", () => {
    expect(catchPcError(() => createReferenceBackend('float16' as DType as 'float32'), 'config').message).toBe(
      "createReferenceBackend: dtype must be 'float32' or 'float64', got 'float16'.",
    );
  });
});
