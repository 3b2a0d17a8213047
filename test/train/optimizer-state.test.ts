/**
 * An optimiser state belongs to one model (issue: optimiser state used with a
 * different model). Each public entry point that steps an optimiser refuses a
 * state made for another shape before it touches anything: on the js backend
 * such a state gave NaN weights, on wasm it wrote past the end of each moment
 * buffer into its neighbour.
 */
import { describe, expect, it } from 'vitest';
import { createConfig, initModel, initWorkspace, type Model, type Workspace } from '../../packages/predictive-coding/src/core/index.ts';
import { type Backend, createBackend, createReferenceBackend } from '../../packages/predictive-coding/src/kernels/index.ts';
import { createRng } from '../../packages/predictive-coding/src/random.ts';
import {
  applyOptimizer,
  backpropStep,
  checkOptimizerState,
  DEFAULT_TRAIN,
  decodeCheckpoint,
  encodeCheckpoint,
  fit,
  initOptimizer,
  OPTIMIZERS,
  type OptimizerState,
  restoreOptimizer,
  stream,
  supervisedBatch,
  trainStep,
} from '../../packages/predictive-coding/src/train/index.ts';
import { catchPcError, rejectsPcError } from '../helpers/errors.ts';

const wasm = await createBackend('wasm', { threads: 1 });
const backends: [string, Backend<Float32Array>][] = [
  ['js', createReferenceBackend('float32')],
  ['wasm', wasm],
];

/** Every number a model's weights and an optimiser's moments hold, to show nothing moved. */
const snapshot = (model: Model, opt: OptimizerState): number[][] => [
  ...model.layers.flatMap((l) => [Array.from(l.weights.data), Array.from(l.bias.data)]),
  ...opt.slots.flatMap(([m, v]) => [Array.from(m), Array.from(v)]),
  [opt.step],
];

function setup(backend: Backend<Float32Array>) {
  const modelA = initModel(createConfig({ sizes: [4, 8, 2] }), backend, createRng(1));
  const modelB = initModel(createConfig({ sizes: [4, 9, 2] }), backend, createRng(2));
  const optA = initOptimizer(modelA, { name: 'adamw', lr: 0.01 }, backend);
  const ws: Workspace = initWorkspace(modelB, 3, backend);
  const images = new Float32Array(12).fill(0.5);
  const targets = new Float32Array(6).fill(1);
  const data = { name: 'tiny', count: 3, features: 4, classes: 2, images, labels: new Uint8Array([0, 1, 0]) };
  const before = () => snapshot(modelB, optA);
  return { modelB, optA, ws, images, targets, data, start: before(), before };
}

const shapeMessage =
  /the optimiser state \(adamw\) was made for parameters of lengths 32, 8, 16, 2 \(a 4-8-2 model\) but this model \(4-9-2\) has 36, 9, 18, 2\. Make it with initOptimizer\(model, config, backend\) for this model/;

describe.each(backends)('an optimiser state made for a 4-8-2 model, used with a 4-9-2 one (%s backend)', (_, backend) => {
  it('trainStep refuses it with a shape error naming both shapes, and changes nothing', () => {
    const s = setup(backend);
    const e = catchPcError(() => trainStep(s.modelB, s.optA, supervisedBatch(s.modelB.config, s.images, s.targets, 3), DEFAULT_TRAIN, s.ws), 'shape');
    expect(e.message).toMatch(/^trainStep: /);
    expect(e.message).toMatch(shapeMessage);
    expect(s.before()).toEqual(s.start);
  });

  it('applyOptimizer and backpropStep refuse it too', () => {
    const s = setup(backend);
    expect(catchPcError(() => applyOptimizer(s.modelB, s.ws, s.optA), 'shape').message).toMatch(/^applyOptimizer: .*4-8-2.*4-9-2/);
    expect(catchPcError(() => backpropStep(s.modelB, s.optA, 3, s.images, s.targets, s.ws), 'shape').message).toMatch(/^backpropStep: .*4-8-2.*4-9-2/);
    expect(s.before()).toEqual(s.start);
  });

  it('fit and stream refuse it before the first batch', async () => {
    const s = setup(backend);
    const options = { epochs: 1, batchSize: 3, seed: 0, train: DEFAULT_TRAIN, lrSchedule: 'constant' as const };
    expect((await rejectsPcError(fit(s.modelB, s.optA, s.ws, s.data, null, options), 'shape')).message).toMatch(/^fit: .*4-8-2.*4-9-2/);
    const r = stream(s.modelB, s.optA, s.ws, s.data, { stepsPerExample: 2, relax: DEFAULT_TRAIN.relax, seed: 0 });
    expect((await rejectsPcError(r, 'shape')).message).toMatch(/^stream: .*4-8-2.*4-9-2/);
    expect(s.before()).toEqual(s.start);
  });
});

describe('what fits, per optimiser', () => {
  const js = createReferenceBackend('float32');
  const a = initModel(createConfig({ sizes: [4, 8, 2] }), js, createRng(1));
  const b = initModel(createConfig({ sizes: [4, 9, 2] }), js, createRng(2));
  const learned = initModel(createConfig({ sizes: [4, 8, 2], feedback: 'learned' }), js, createRng(3));

  it('a state fits the model it was made for, with every optimiser', () => {
    for (const name of OPTIMIZERS) expect(() => checkOptimizerState(a, initOptimizer(a, { name }, js), 'test')).not.toThrow();
    for (const name of OPTIMIZERS) expect(() => checkOptimizerState(learned, initOptimizer(learned, { name }, js), 'test')).not.toThrow();
  });

  it("sgd keeps no moments, so its state fits any model with as many parameters; the others' do not", () => {
    expect(() => checkOptimizerState(b, initOptimizer(a, { name: 'sgd' }, js), 'test')).not.toThrow();
    for (const name of ['momentum', 'adam', 'adamw'] as const) catchPcError(() => checkOptimizerState(b, initOptimizer(a, { name }, js), 'test'), 'shape');
  });

  it('a state for another parameter count (learned feedback adds B) is refused, even for sgd', () => {
    const e = catchPcError(() => checkOptimizerState(learned, initOptimizer(a, { name: 'sgd' }, js), 'test'), 'shape');
    expect(e.message).toBe(
      'test: the optimiser state (sgd) holds 4 slots (one per parameter) but this model (4-8-2 with learned feedback) has 6 parameters. Make it with initOptimizer(model, config, backend) for this model.',
    );
  });

  it('moments of another element type (a state made on a float64 backend) are refused', () => {
    const f64 = createReferenceBackend('float64');
    const state = initOptimizer(initModel(createConfig({ sizes: [4, 8, 2] }), f64, createRng(1)), { name: 'adam' }, f64);
    const e = catchPcError(() => checkOptimizerState(a, state as unknown as OptimizerState, 'test'), 'shape');
    expect(e.message).toMatch(/^test: the optimiser state \(adam\) holds Float64Array moments but this model's parameters are Float32Array/);
  });
});

describe('restoreOptimizer', () => {
  const js = createReferenceBackend('float32');
  const a = initModel(createConfig({ sizes: [4, 8, 2] }), js, createRng(1));
  const adamw = initOptimizer(a, { name: 'adamw' }, js);
  adamw.slots[0][0].fill(0.5);
  const ckpt = decodeCheckpoint(encodeCheckpoint(a, { optimizer: adamw }), 'a.safetensors');

  it("refuses an adamw checkpoint's moments for an sgd state, naming both optimisers", () => {
    const sgd = initOptimizer(a, { name: 'sgd' }, js);
    const e = catchPcError(() => restoreOptimizer(ckpt, a, sgd), 'config');
    expect(e.message).toBe(
      "restoreOptimizer: the checkpoint holds the state of an 'adamw' optimiser but the state to restore into is 'sgd'. Make it with initOptimizer(model, ckpt.optimizer.config, backend).",
    );
    expect(sgd.step).toBe(0);
  });

  it("refuses a state or model of another shape than the checkpoint's, with a shape error", () => {
    const b = initModel(createConfig({ sizes: [4, 9, 2] }), js, createRng(2));
    const state = initOptimizer(b, { name: 'adamw' }, js);
    expect(catchPcError(() => restoreOptimizer(ckpt, b, state), 'shape').message).toMatch(
      /^restoreOptimizer: the checkpoint holds a 4-8-2 model's optimiser state but this model is 4-9-2\./,
    );
    expect(catchPcError(() => restoreOptimizer(ckpt, a, state), 'shape').message).toMatch(/^restoreOptimizer: .*4-9-2.*4-8-2/);
    expect(Array.from(state.slots[0][0]).every((v) => v === 0)).toBe(true);
  });
});
